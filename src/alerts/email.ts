/**
 * Delivery by email over SMTP (nodemailer): one plain-text message per
 * notification, its subject the notification's title.
 */
import nodemailer from 'nodemailer';
import type { Notification, Notifier } from './types.js';

export interface EmailNotifierConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  username: string | null;
  password: string | null;
  from: string;
  to: string[];
  /** Connection, greeting and idle-socket timeout; default 10 s, so a stuck server fails the attempt. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** `[hxe] FIRING: crashloop web-1` */
export function emailSubject(notification: Notification): string {
  return `[hxe] ${notification.title}`;
}

/** The summary (title and one line per alert), then where it comes from. */
export function emailText(notification: Notification): string {
  return `${notification.summary}\n\n-- \nhxe agent ${notification.agent}\n`;
}

/**
 * A notifier that sends each notification to `to` through the SMTP server.
 * Resolves once the server accepted the message; rejects with nodemailer's
 * error otherwise (connection, authentication, refused recipients).
 */
export function createEmailNotifier(config: EmailNotifierConfig): Notifier {
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.username !== null ? { user: config.username, pass: config.password ?? '' } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    name: 'email',
    async send(notification) {
      await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: emailSubject(notification),
        text: emailText(notification),
      });
    },
  };
}
