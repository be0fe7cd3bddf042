/**
 * The runtime's two launchers, for tests that must hold for both: inline
 * (the agent forks) and the spawn helper (a small process forks), the
 * helper run from its TypeScript source.
 */
import { fileURLToPath } from 'node:url';
import type { Launcher } from '../../src/runtime/spawn-helper.js';
import { createSpawnHelper, type SpawnHelper } from '../../src/runtime/spawn-helper.js';
import { isPidAlive, waitFor } from './processes.js';

export const HELPER_ENTRY = fileURLToPath(new URL('../../src/runtime/spawn-helper-main.ts', import.meta.url));

/** Pids of the helpers that tests started, until helpersEnded() saw them end. */
const helperPids = new Set<number>();

/** A helper running the source entry (tsx); its pid is noted for helpersEnded(). */
export function testSpawnHelper(pollIntervalMs?: number): SpawnHelper {
  const helper = createSpawnHelper({ entry: HELPER_ENTRY, execArgv: ['--import', 'tsx'], pollIntervalMs });
  const note = () => {
    if (helper.pid !== undefined) helperPids.add(helper.pid);
  };
  return {
    start() {
      helper.start?.();
      note();
    },
    launch(spec) {
      const child = helper.launch(spec);
      note();
      return child;
    },
    close: () => helper.close(),
    get pid() {
      return helper.pid;
    },
  };
}

/**
 * Waits until every helper the tests started has ended. A closed helper
 * ends when it reads the end of its stdin: on a loaded machine, seconds
 * later for one still starting through tsx.
 */
export async function helpersEnded(): Promise<void> {
  await waitFor(() => [...helperPids].every((pid) => !isPidAlive(pid)), { timeoutMs: 25_000, what: 'the spawn helpers to end with their stdin' });
  helperPids.clear();
}

/** `describe.each` over these: undefined is the runtime's default (inline). */
export const LAUNCHERS: [string, () => Launcher | undefined][] = [
  ['inline launcher', () => undefined],
  ['spawn helper', () => testSpawnHelper()],
];
