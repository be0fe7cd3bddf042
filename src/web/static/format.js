// Pure helpers: how the page writes durations, sizes, percentages and states.

/** "42s", "5m 03s", "3h 12m", "4d 2h": the two largest units, as `hxe get` writes ages. */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Binary units, as memory limits are written in manifests: "812 KiB", "41.3 MiB", "1.20 GiB". */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Percent of one core: "0.4%", "12%", "187%". */
export function formatPercent(value) {
  if (!Number.isFinite(value) || value < 0) return '—';
  return `${value.toFixed(value < 10 ? 1 : 0)}%`;
}

/** "14:03:07" today, "May 3 14:03" before. */
export function formatTime(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return time;
  return `${date.toLocaleString('en', { month: 'short' })} ${date.getDate()} ${time.slice(0, 5)}`;
}

/** How a lifecycle state reads at a glance: ok, progress, warn, bad or idle (the colour of its badge). */
export function stateTone(state) {
  switch (state) {
    case 'running':
    case 'healthy':
      return 'ok';
    case 'pending':
    case 'starting':
    case 'stopping':
      return 'progress';
    case 'unhealthy':
    case 'backoff':
      return 'warn';
    case 'crashloop':
    case 'failed':
      return 'bad';
    default:
      return 'idle';
  }
}

/** The tone of an event: its state's when it has one, else guessed from its type. */
export function eventTone(event) {
  if (event.state) return stateTone(event.state);
  if (/fail|error|exceeded|crash|kill|unhealthy/i.test(event.type)) return 'bad';
  if (/exit|backoff|restart|stop|delete/i.test(event.type)) return 'warn';
  return 'idle';
}

/** True if an event's instance belongs to `name` (the instance itself, or one of a service's `name-N`), as the agent filters them. */
export function belongsTo(instance, name) {
  return instance === name || (instance.startsWith(`${name}-`) && /^\d+$/.test(instance.slice(name.length + 1)));
}

/** A stable identity for an event, to merge the list fetched and the ones streamed without duplicates. */
export function eventKey(event) {
  return `${event.time}\u0000${event.service}\u0000${event.type}\u0000${event.message}`;
}
