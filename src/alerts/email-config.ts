/**
 * The `email { }` block of `alerts`: the plan's short form (`smtp_server =
 * "host:port"`, `username`, `password`; mail from and to the username) and
 * the long form (`smtp_host`, `smtp_port`, `from`, `to`, ...).
 */
import { z } from 'zod';
import { expected } from '../manifest/describe-value.js';
import { isPlainObject } from '../manifest/parse-outcome.js';
import { ALWAYS, duration, stringList, text } from '../manifest/schema-fields.js';
import type { EmailConfig } from './config.js';

/** `"smtp.example.com:587"`: the plan's short form of smtp_host and smtp_port. */
const SMTP_SERVER = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

export const emailInput = z
  .strictObject({
    smtp_server: text('a "host:port" such as "smtp.example.com:587"').refine((value) => SMTP_SERVER.test(value) && Number(SMTP_SERVER.exec(value)![2]) <= 65_535, {
      error: (issue) => `expected "host:port" such as "smtp.example.com:587", got ${JSON.stringify(issue.input)}`,
    }).optional(),
    smtp_host: text('a host name').optional(),
    smtp_port: z.int({ error: expected('an integer') }).min(1).max(65_535).optional(),
    secure: z.boolean({ error: expected('true or false') }).optional(),
    username: text('a user name').optional(),
    password: text('a password').optional(),
    /** Default: the username (the plan's form logs in as the sender). */
    from: text('an address such as "hxe@example.com"').optional(),
    /** Default: the username. */
    to: stringList('an address').min(1, { error: 'expected at least one address' }).optional(),
    timeout: duration('10s', 'positive'),
  })
  .superRefine((email: unknown, ctx) => {
    if (!isPlainObject(email)) return;
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((email.username === undefined) !== (email.password === undefined)) {
      issue(email.username === undefined ? 'username' : 'password', 'username and password go together: give both or neither');
    }
    if (email.smtp_server !== undefined && (email.smtp_host !== undefined || email.smtp_port !== undefined)) {
      issue('smtp_server', 'give smtp_server, or smtp_host and smtp_port, not both');
    } else if (email.smtp_server === undefined && email.smtp_host === undefined) {
      issue('smtp_server', 'missing, expected "host:port" such as "smtp.example.com:587" (or smtp_host)');
    }
    if (email.username === undefined && email.from === undefined) issue('from', 'missing, expected an address (or a username to send as)');
    if (email.username === undefined && email.to === undefined) issue('to', 'missing, expected a list of addresses (or a username to send to)');
  }, ALWAYS);

/** The decoded block, defaults filled in: port 587, STARTTLS unless port 465, from and to the username. */
export function toEmailConfig(email: z.output<typeof emailInput>): EmailConfig {
  const server = email.smtp_server ? SMTP_SERVER.exec(email.smtp_server)! : null;
  const port = server ? Number(server[2]) : email.smtp_port ?? 587;
  return {
    smtp_host: server ? server[1].replace(/^\[(.*)\]$/, '$1') : email.smtp_host!,
    smtp_port: port,
    secure: email.secure ?? port === 465,
    username: email.username ?? null,
    password: email.password ?? null,
    from: email.from ?? email.username!,
    to: email.to ?? [email.username!],
    timeout: email.timeout,
  };
}
