// The host strip of the live page: CPU, memory, load, the fullest disks and
// the busiest interfaces of the agent's host, from GET /v1/metrics/host and
// the stream's `host` events. Pure `hostFacts` (tested without a browser).
import { formatBytes, formatPercent } from './format.js';

/** Disks at or above this use are marked (the usual host_disk alert threshold). */
const DISK_WARN = 90;

/** The figures shown for one host sample: `{ term, value, title, warn }`, in order. */
export function hostFacts(sample) {
  if (!sample) return [];
  const m = sample.meminfo ?? {};
  const facts = [
    { term: 'host CPU', value: sample.cpuPercent === null ? '—' : formatPercent(sample.cpuPercent), title: `busy share of all ${sample.cpus} CPUs` },
    { term: 'memory', value: `${sample.memoryUsedPercent}%`, title: `${formatBytes(m.MemTotal - m.MemAvailable)} used of ${formatBytes(m.MemTotal)}` },
    { term: 'load', value: sample.load.load1.toFixed(2), title: `1, 5, 15 min: ${sample.load.load1} ${sample.load.load5} ${sample.load.load15}` },
  ];
  const disks = [...(sample.filesystems ?? [])].sort((a, b) => b.usedPercent - a.usedPercent).slice(0, 2);
  for (const f of disks) {
    facts.push({ term: `disk ${f.mountpoint}`, value: `${f.usedPercent}%`, title: `${formatBytes(f.availBytes)} free of ${formatBytes(f.sizeBytes)} (${f.device})`, warn: f.usedPercent >= DISK_WARN });
  }
  const nets = (sample.network ?? []).filter((n) => n.device !== 'lo' && n.receiveBytes + n.transmitBytes > 0 && n.receiveBytesPerSecond !== null)
    .sort((a, b) => b.receiveBytesPerSecond + b.transmitBytesPerSecond - a.receiveBytesPerSecond - a.transmitBytesPerSecond).slice(0, 1);
  for (const n of nets) {
    facts.push({ term: n.device, value: `↓${formatBytes(n.receiveBytesPerSecond)}/s ↑${formatBytes(n.transmitBytesPerSecond)}/s`, title: `bytes per second received and sent on ${n.device}` });
  }
  return facts;
}

/** Replaces the content of the `<dl>` with the sample's facts. */
export function renderHost(doc, list, sample) {
  const items = hostFacts(sample).map((fact) => {
    const div = doc.createElement('div');
    div.title = fact.title;
    if (fact.warn) div.className = 'warn';
    const dt = doc.createElement('dt');
    dt.textContent = fact.term;
    const dd = doc.createElement('dd');
    dd.textContent = fact.value;
    div.append(dt, dd);
    return div;
  });
  list.replaceChildren(...items);
  list.hidden = items.length === 0;
}
