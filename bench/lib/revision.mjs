/** Which hxe was measured: the checkout's commit, and whether it had uncommitted changes. */
import { REPO_DIR } from './config.mjs';
import { run } from './exec.mjs';

export async function revision() {
  const head = await run('git', ['-C', REPO_DIR, 'rev-parse', '--short', 'HEAD'], { timeoutMs: 10_000 }).catch(() => null);
  const dirty = await run('git', ['-C', REPO_DIR, 'status', '--porcelain', '--untracked-files=no'], { timeoutMs: 10_000 }).catch(() => null);
  return {
    /** BENCH_LABEL: free text saying what was measured (e.g. a snapshot of another commit). */
    label: process.env.BENCH_LABEL || null,
    commit: head?.code === 0 ? head.stdout.trim() : null,
    modifiedFiles: dirty?.code === 0 ? dirty.stdout.split('\n').filter(Boolean).length : null,
  };
}
