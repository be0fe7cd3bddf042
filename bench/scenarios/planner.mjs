/** Row 9: the planner micro-benchmark, in a child process of its own (bounded in time). */
import path from 'node:path';
import fs from 'node:fs';
import { BENCH_DIR, REPO_DIR } from '../lib/config.mjs';
import { runOk } from '../lib/exec.mjs';
import { fmtMs } from '../lib/format.mjs';

export async function plannerPhase(results, config, log) {
  const child = path.join(BENCH_DIR, 'scenarios', 'planner-child.mjs');
  // The built planner when dist/ has it (tsc output); else the sources through tsx (esbuild bundles have no per-module files).
  const fromDist = fs.existsSync(path.join(REPO_DIR, 'dist', 'reconcile', 'plan.js'));
  const args = [...(fromDist ? [] : ['--import', 'tsx']), child, String(config.plannerServices), String(config.plannerRuns)];
  const env = { ...process.env, PLANNER_FROM: fromDist ? 'dist' : 'src' };
  const { stdout } = await runOk(process.execPath, args, { cwd: REPO_DIR, env, timeoutMs: 180_000 });
  const from = fromDist ? 'dist/reconcile/*.js' : 'src/reconcile/*.ts through tsx (dist/ is a bundle)';
  const { plan, apply } = JSON.parse(stdout);
  results.add('9-plan', 'hxe', ...plan.samples);
  results.add('9-apply', 'hxe', ...apply.samples);
  results.note('9-plan', `${from}; in-process, after one untimed warm-up run (${fmtMs(plan.first)})`);
  results.note('9-apply', `in-process, after one untimed warm-up run (${fmtMs(apply.first)})`);
  log(`9 planService × ${config.plannerServices}: ${plan.samples.map(fmtMs).join(' ')}; planApply: ${apply.samples.map(fmtMs).join(' ')}`);
}
