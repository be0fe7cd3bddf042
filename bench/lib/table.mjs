/** The summary as a Markdown table (readable in a terminal, pasteable into docs). */
import { fmtValue } from './format.mjs';
import { PEERS } from './summary.mjs';

export function renderTable(rows, tools) {
  const peers = PEERS.filter((p) => tools.includes(p));
  const head = ['row', 'hxe', ...peers.flatMap((p) => [p, `hxe/${p}`]), 'target', 'met'];
  const lines = rows.filter((r) => Object.keys(r.figures).length || r.target).map((r) => [
    r.label.trim().startsWith('(') ? r.label.replace(/^ +/, '↳ ') : r.label,
    cell(r, 'hxe'),
    ...peers.flatMap((p) => [cell(r, p), r.ratios[p] === undefined ? '-' : `${r.ratios[p].toFixed(2)}×`]),
    r.target ?? '',
    r.met === null ? (r.target ? 'n/a' : '') : r.met ? 'met' : '**missed**',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

function cell(row, tool) {
  const f = row.figures[tool];
  if (!f) return '-';
  const main = fmtValue(f.value, row.unit);
  if (f.n === 1) return main;
  const stat = row.stat === 'p99' ? ' p99' : '';
  return `${main}${stat} (${fmtValue(f.min, row.unit)}–${fmtValue(f.max, row.unit)}, n=${f.n})`;
}

export function renderNotes(rows) {
  return rows.filter((r) => r.notes.length).map((r) => `- ${r.id}: ${r.notes.join('; ')}`).join('\n');
}
