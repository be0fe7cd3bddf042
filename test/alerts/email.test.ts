import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailNotifier } from '../../src/alerts/email.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { createNotifiers } from '../../src/alerts/notifiers.js';
import { alertsConfig, T0 } from './helpers.js';

interface Captured {
  from: string;
  to: string[];
  user: string | null;
  raw: string;
}

/** A local SMTP sink on 127.0.0.1 without TLS; `password` set: it requires that login. */
async function startSink(options: { password?: string; reject?: boolean } = {}) {
  const messages: Captured[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.password ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.password,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.password === options.password) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.reject) return callback(new Error('mailbox unavailable'));
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          user: typeof session.user === 'string' ? session.user : null,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sinks.push(server);
  return { port: (server.server.address() as AddressInfo).port, messages };
}

const sinks: SMTPServer[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await new Promise<void>((resolve) => sink.close(() => resolve()));
});

/** The value of one header of a raw message (unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
  return head.split('\r\n').find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}: `))?.slice(name.length + 2);
}

/** `=XX` bytes of quoted-printable text and encoded words, as UTF-8. */
function decodeBytes(text: string): string {
  return Buffer.from(text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

/** The text body, decoded as a mail reader would (nodemailer picks quoted-printable for long lines). */
function body(raw: string): string {
  const text = raw.split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/\r\n/g, '\n');
  return header(raw, 'Content-Transfer-Encoding') === 'quoted-printable' ? decodeBytes(text.replace(/=\n/g, '')) : text;
}

/** A subject with RFC 2047 encoded words (`=?UTF-8?Q?...?=`) decoded. */
function subject(raw: string): string {
  return (header(raw, 'Subject') ?? '').replace(/=\?UTF-8\?Q\?(.*?)\?=\s?/gi, (_, text: string) => decodeBytes(text.replace(/_/g, ' ')));
}

describe('email delivery (real local SMTP sink)', () => {
  it('sends one plain-text message per notification: subject and body as documented', async () => {
    const sink = await startSink({ password: 'pw' });
    const config = alertsConfig({
      group_wait: '0s',
      email: { smtp_host: '127.0.0.1', smtp_port: sink.port, username: 'alerts', password: 'pw', from: 'hxe@example.com', to: ['ops@example.com', 'dev@example.com'] },
    });
    const engine = createAlertEngine(config, { notifiers: createNotifiers(config), agent: 'host-1', now: () => T0 });
    engine.observeStatus('web-1', { state: 'crashloop', restarts: 5, message: 'crashloop: 5 restarts in 2m; next try in 5m (exited with code 1)' });
    await expect.poll(() => sink.messages.length, { timeout: 15_000 }).toBe(1);
    await engine.stop();
    const [message] = sink.messages;
    expect(message).toMatchObject({ from: 'hxe@example.com', to: ['ops@example.com', 'dev@example.com'], user: 'alerts' });
    expect(subject(message.raw)).toBe('[hxe] FIRING: crashloop web-1');
    expect(header(message.raw, 'Content-Type')).toMatch(/^text\/plain/);
    expect(body(message.raw)).toBe([
      'FIRING: crashloop web-1',
      '',
      '[FIRING] critical crashloop web-1: crashloop: 5 restarts in 2m; next try in 5m (exited with code 1) (since 2025-01-01T00:00:00.000Z)',
      '',
      '-- ',
      'hxe agent host-1',
      '',
    ].join('\n'));
  });

  it('gives a summary subject for a group and lists every alert in the body', async () => {
    const sink = await startSink();
    const notifier = createEmailNotifier({ host: '127.0.0.1', port: sink.port, secure: false, username: null, password: null, from: 'hxe@example.com', to: ['ops@example.com'] });
    const engine = createAlertEngine(alertsConfig({ group_wait: '10s' }), { notifiers: [notifier], now: () => T0 });
    for (let i = 0; i < 8; i++) engine.observeStatus(`worker-${i}`, { state: 'failed', restarts: 0, message: 'exited with code 2' });
    await engine.stop();
    expect(sink.messages).toHaveLength(1);
    const raw = sink.messages[0].raw;
    expect(subject(raw)).toBe('[hxe] 8 services firing: failed ×8');
    const text = body(raw);
    for (let i = 0; i < 8; i++) expect(text).toContain(`failed worker-${i}: failed: exited with code 2`);
  });

  it('rejects when the server refuses the message (the queue then retries)', async () => {
    const sink = await startSink({ reject: true });
    const notifier = createEmailNotifier({ host: '127.0.0.1', port: sink.port, secure: false, username: null, password: null, from: 'hxe@example.com', to: ['ops@example.com'] });
    await expect(notifier.send({ id: 'x', version: 1, status: 'firing', agent: 'a', alerts: [], title: 't', summary: 's' })).rejects.toThrow(/mailbox unavailable/);
  });
});
