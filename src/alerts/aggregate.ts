/**
 * Deduplication and aggregation: alerts that start or resolve within one
 * window (`group_wait`) become one notification, and receivers hear of each
 * alert once when it starts and once when it ends. An alert that starts and
 * resolves within one window is never sent; one that resolves and starts
 * again within a window is not sent again.
 */
import { randomUUID } from 'node:crypto';
import type { Alert, Notification } from './types.js';

/** Above this many alerts, a notification's title counts them by rule instead of naming each. */
export const SUMMARY_THRESHOLD = 5;

interface Pending {
  alert: Alert;
  /** A reminder of a still-firing alert (`repeat_interval`): sent even though receivers know it. */
  repeat: boolean;
}

/** Collects alert transitions into windows; the caller passes the time, so tests drive it. */
export class Aggregator {
  private readonly pending = new Map<string, Pending>();
  private openedAt: number | null = null;
  /** Keys the receivers were last told are firing. */
  private readonly told = new Set<string>();

  constructor(private readonly groupWait: number) {}

  /** Adds a transition; a later one of the same key replaces an earlier one in the window. */
  add(alert: Alert, now: number, repeat = false): void {
    if (this.pending.size === 0) this.openedAt = now;
    const earlier = this.pending.get(alert.key);
    this.pending.set(alert.key, { alert, repeat: repeat || (earlier?.repeat === true && alert.state === 'firing') });
  }

  /**
   * The alerts to send when the window is due (or `force`), in a stable
   * order; null when nothing is due or nothing changed for the receivers.
   */
  flush(now: number, force = false): Alert[] | null {
    if (this.openedAt === null || (!force && now - this.openedAt < this.groupWait)) return null;
    const due = [...this.pending.values()];
    this.pending.clear();
    this.openedAt = null;
    const news = due.filter(({ alert, repeat }) => this.isNews(alert, repeat)).map(({ alert }) => alert);
    return news.length > 0 ? news.sort(compareAlerts) : null;
  }

  /** Updates what the receivers know; true when this alert tells them something. */
  private isNews(alert: Alert, repeat: boolean): boolean {
    const known = this.told.has(alert.key);
    if (alert.state === 'firing') {
      this.told.add(alert.key);
      return !known || repeat;
    }
    this.told.delete(alert.key);
    return known;
  }
}

const SEVERITY_ORDER = { critical: 0, warning: 1 };

/** Firing before resolved, critical before warning, then by rule and instance. */
function compareAlerts(a: Alert, b: Alert): number {
  return (
    Number(a.state === 'resolved') - Number(b.state === 'resolved') ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.rule.localeCompare(b.rule) ||
    a.instance.localeCompare(b.instance)
  );
}

/** One notification of `alerts` (as {@link Aggregator.flush} gives them) from agent `agent`. */
export function buildNotification(alerts: readonly Alert[], agent: string): Notification {
  const firing = alerts.filter((alert) => alert.state === 'firing');
  const resolved = alerts.filter((alert) => alert.state === 'resolved');
  const status = resolved.length === 0 ? 'firing' : firing.length === 0 ? 'resolved' : 'mixed';
  const title = [titlePart('firing', firing), titlePart('resolved', resolved)].filter(Boolean).join('; ');
  const lines = alerts.map(describeAlert);
  return { id: randomUUID(), version: 1, status, agent, alerts: [...alerts], title, summary: [title, '', ...lines].join('\n') };
}

/** `FIRING: crashloop web-1, restarts web-2`, or past the threshold `12 services firing: crashloop ×10, restarts ×2`. */
function titlePart(state: Alert['state'], alerts: readonly Alert[]): string {
  if (alerts.length === 0) return '';
  if (alerts.length <= SUMMARY_THRESHOLD) return `${state.toUpperCase()}: ${alerts.map(label).join(', ')}`;
  const instances = new Set(alerts.map((alert) => alert.instance)).size;
  const byRule = new Map<string, number>();
  for (const alert of alerts) byRule.set(alert.rule, (byRule.get(alert.rule) ?? 0) + 1);
  const counts = [...byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([rule, n]) => `${rule} ×${n}`);
  return `${instances} ${instances === 1 ? 'service' : 'services'} ${state}: ${counts.join(', ')}`;
}

function label(alert: Alert): string {
  return alert.instance === '' ? alert.rule : `${alert.rule} ${alert.instance}`;
}

/** `[FIRING] critical crashloop web-1: crashloop: 5 restarts in 2m (since 2025-01-01T10:00:00.000Z)` */
function describeAlert(alert: Alert): string {
  const when = alert.endsAt ? `from ${alert.startsAt} to ${alert.endsAt}` : `since ${alert.startsAt}`;
  return `[${alert.state.toUpperCase()}] ${alert.severity} ${label(alert)}: ${alert.summary} (${when})`;
}
