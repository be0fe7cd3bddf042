/** The bench's knobs, read once from the environment. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = path.dirname(BENCH_DIR);

const quick = process.env.BENCH_QUICK === '1';
const only = (process.env.BENCH_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);
const TOOLS = ['hxe', 'pm2', 'supervisord'];

for (const name of only) {
  if (!TOOLS.includes(name)) throw new Error(`BENCH_ONLY: unknown tool ${name} (expected ${TOOLS.join(', ')})`);
}

export const config = {
  quick,
  /** Tools to run; hxe always runs (every ratio is hxe / peer). */
  tools: only.length ? TOOLS.filter((t) => t === 'hxe' || only.includes(t)) : TOOLS,
  repeats: Number(process.env.BENCH_REPEATS) || (quick ? 1 : 3),
  services: 100,
  /** Row 3: idle CPU window. */
  idleCpuSeconds: quick ? 10 : 30,
  /** Row 6b: the agent sits idle this long before one diff (done in the last repeat only). */
  idleDiffSeconds: quick ? 10 : 120,
  statusSamples: quick ? 5 : 10,
  diffSamples: quick ? 3 : 5,
  killSamples: 20,
  /** Row 8 (1,000 services) is skipped in quick mode unless BENCH_SCALE=1. */
  scale: process.env.BENCH_SCALE ? process.env.BENCH_SCALE === '1' : !quick,
  scaleServices: 1000,
  scaleSamples: quick ? 10 : 30,
  /** Rows 10 and 11: `hxe run` samples; the storm's 250 steady services and its samples. */
  runSamples: quick ? 3 : 5,
  stormServices: 250,
  stormSamples: quick ? 10 : 30,
  /** BENCH_PHASES=planner,repeats,scale,storm (default all): run only these parts. */
  phases: new Set((process.env.BENCH_PHASES || 'planner,repeats,scale,storm').split(',').map((s) => s.trim())),
  plannerServices: 10_000,
  plannerRuns: quick ? 3 : 5,
  /** Whole-run watchdog: past this, clean up and exit 1. */
  deadlineMs: (quick ? 5 : 14) * 60_000,
};

export const HXE_BIN = path.join(REPO_DIR, 'bin', 'hxe');
export const PM2_BIN = path.join(REPO_DIR, 'node_modules', '.bin', 'pm2');
