/** supervisord must be on the PATH; as root, install Debian's `supervisor` when it is not. */
import { run } from './exec.mjs';

const has = async () => (await run('sh', ['-c', 'command -v supervisord && command -v supervisorctl'])).code === 0;

export async function ensureSupervisord(log) {
  if (await has()) return { ok: true };
  if (process.getuid?.() !== 0) return { ok: false, note: 'supervisord not installed and not root: skipped' };
  log('supervisord missing: apt-get install -y supervisor');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = await run('apt-get', ['install', '-y', 'supervisor'], { env, timeoutMs: 300_000 });
  if (result.code !== 0) {
    await run('apt-get', ['update'], { env, timeoutMs: 300_000 });
    result = await run('apt-get', ['install', '-y', 'supervisor'], { env, timeoutMs: 300_000 });
  }
  // The package's own service is not started in containers (policy-rc.d); if it was, it is not ours to stop.
  if (await has()) return { ok: true, note: 'installed Debian package supervisor' };
  return { ok: false, note: `apt-get install supervisor failed (exit ${result.code}): skipped` };
}
