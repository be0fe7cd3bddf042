/**
 * Rows 1a/1b: from launching the start command until (a) all N processes
 * are alive in /proc and (b) the tool's own status CLI says all run.
 */
import { now, waitFor } from '../lib/clock.mjs';
import { countSleeps } from '../lib/proc.mjs';

export async function startUntilRunning(driver, launch, { timeoutMs = 60_000 } = {}) {
  const want = driver.work.services.length;
  const t0 = now();
  await launch();
  const commandMs = now() - t0;
  await waitFor(`${want} ${driver.name} processes in /proc`, () => countSleeps(driver.work.prefix) >= want, { timeoutMs, intervalMs: 20 });
  const aliveMs = now() - t0;
  await waitFor(`${driver.name} status: all running`, async () => (await driver.status()).ready >= want, { timeoutMs, intervalMs: 0 });
  return { commandMs, aliveMs, confirmedMs: now() - t0 };
}

/** Row 7: from launching the remove command until no process is left in /proc. */
export async function removeUntilGone(driver, { timeoutMs = 60_000 } = {}) {
  const t0 = now();
  await driver.removeAll();
  const commandMs = now() - t0;
  await waitFor(`${driver.name} processes gone`, () => countSleeps(driver.work.prefix) === 0, { timeoutMs, intervalMs: 10 });
  return { commandMs, goneMs: now() - t0 };
}
