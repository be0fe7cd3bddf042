/**
 * The notifiers an alerts configuration asks for.
 */
import type { AlertsConfig } from './config.js';
import { createEmailNotifier } from './email.js';
import type { Notifier } from './types.js';
import { createWebhookNotifier } from './webhook.js';

/** A webhook and/or an email notifier; none when neither block is given (alerts are then only visible). */
export function createNotifiers(config: AlertsConfig): Notifier[] {
  const notifiers: Notifier[] = [];
  const { webhook, webhook_url: webhookUrl, email } = config;
  if (webhook) {
    notifiers.push(createWebhookNotifier({ url: webhook.url, secret: webhook.secret, timeoutMs: webhook.timeout, headers: webhook.headers }));
  }
  if (webhookUrl) notifiers.push(createWebhookNotifier({ url: webhookUrl, secret: null, timeoutMs: 5_000, headers: {} }));
  if (email) {
    notifiers.push(createEmailNotifier({
      host: email.smtp_host,
      port: email.smtp_port,
      secure: email.secure,
      username: email.username,
      password: email.password,
      from: email.from,
      to: email.to,
      timeoutMs: email.timeout,
    }));
  }
  return notifiers;
}
