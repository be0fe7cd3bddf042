/** From raw samples to the table's figures: per row and tool the statistic, min, max and n; ratios; target met. */
import { ROWS } from './rows.mjs';
import { percentile, summarize } from './stats.mjs';

export const PEERS = ['pm2', 'supervisord'];

export function summarizeResults(results, tools) {
  return ROWS.map((row) => {
    const figures = {};
    for (const tool of tools) {
      const values = results.samples[row.id]?.[tool];
      const s = values && summarize(values);
      if (!s) continue;
      const value = row.stat === 'p99' ? percentile(values, 99) : s.median;
      figures[tool] = { value, ...s, samples: values.map((x) => Math.round(x * 1000) / 1000) };
    }
    const v = Object.fromEntries(Object.entries(figures).map(([tool, f]) => [tool, f.value]));
    const ratios = {};
    for (const peer of PEERS) {
      if (v.hxe !== undefined && v[peer]) ratios[peer] = v.hxe / v[peer];
    }
    const met = row.check ? row.check(v) : null;
    return {
      id: row.id, label: row.label, unit: row.unit, stat: row.stat ?? 'median',
      figures, ratios, target: row.target ?? null, met, notes: results.notes[row.id] ?? [],
    };
  });
}
