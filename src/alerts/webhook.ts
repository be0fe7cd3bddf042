/**
 * Delivery by webhook: one JSON POST per notification. With a secret, each
 * request is signed (HMAC-SHA256 over `${timestamp}.${body}`) so that the
 * receiver can check it came from this agent and is recent.
 */
import { createHmac } from 'node:crypto';
import { VERSION } from '../core/version.js';
import type { Notification, Notifier } from './types.js';

export interface WebhookNotifierConfig {
  url: string;
  secret: string | null;
  timeoutMs: number;
  /** Extra request headers (an Authorization header, say). */
  headers?: Record<string, string>;
}

/** The JSON body: the notification without its id (a header) and title (in the summary). */
export function webhookBody(notification: Notification): string {
  const { version, status, agent, alerts, summary } = notification;
  return JSON.stringify({ version, status, agent, alerts, summary });
}

/** Hex HMAC-SHA256 of `${timestamp}.${body}` with `secret`: the X-Hxe-Signature value after `sha256=`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * A notifier that POSTs {@link webhookBody} to `url`. Resolves on a 2xx
 * answer; rejects on any other status, a network error or `timeoutMs`
 * without an answer. Redirects are not followed (they count as failures).
 * Headers: `Content-Type: application/json`, `X-Hxe-Delivery` (the
 * notification id, the same on every retry), `X-Hxe-Timestamp` (Unix
 * seconds of this attempt) and, with a secret, `X-Hxe-Signature:
 * sha256=<hex>`.
 */
export function createWebhookNotifier(config: WebhookNotifierConfig): Notifier {
  // Webhook URLs often hold their own secret (a token in the path): errors name the host only.
  const host = URL.canParse(config.url) ? new URL(config.url).host : 'webhook';
  return {
    name: 'webhook',
    async send(notification, signal) {
      const body = webhookBody(notification);
      const timestamp = String(Math.floor(Date.now() / 1000));
      // Headers.set replaces whatever case a configured header used: ours always win.
      const headers = new Headers(config.headers);
      headers.set('content-type', 'application/json');
      headers.set('user-agent', `hxe/${VERSION}`);
      headers.set('x-hxe-delivery', notification.id);
      headers.set('x-hxe-timestamp', timestamp);
      if (config.secret) headers.set('x-hxe-signature', `sha256=${signWebhook(config.secret, timestamp, body)}`);
      const timeout = AbortSignal.timeout(config.timeoutMs);
      const response = await fetch(config.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      }).catch((err: unknown) => {
        throw new Error(`webhook ${host}: ${describeFetchError(err, timeout)}`, { cause: err });
      });
      // The answer's body is not read: cancelling it frees the connection at once.
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status > 299) throw new Error(`webhook ${host}: HTTP ${response.status}`);
    },
  };
}

function describeFetchError(err: unknown, timeout: AbortSignal): string {
  if (timeout.aborted) return 'no answer within the timeout';
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
}
