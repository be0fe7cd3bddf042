/** bench/results/<timestamp>.json and latest.json, for comparing runs. */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from './config.mjs';

export function writeResults(report) {
  const dir = path.join(BENCH_DIR, 'results');
  fs.mkdirSync(dir, { recursive: true });
  // ISO 8601 basic time (no ':'), e.g. 2026-11-23T093133Z.json
  const stamp = report.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '');
  const file = path.join(dir, `${stamp}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(dir, 'latest.json'), text);
  return file;
}
