/**
 * The runtime's two launchers, for tests that must hold for both: inline
 * (the agent forks) and the spawn helper (a small process forks), the
 * helper run from its TypeScript source.
 */
import { fileURLToPath } from 'node:url';
import type { Launcher } from '../../src/runtime/spawn-helper.js';
import { createSpawnHelper, type SpawnHelper } from '../../src/runtime/spawn-helper.js';

export const HELPER_ENTRY = fileURLToPath(new URL('../../src/runtime/spawn-helper-main.ts', import.meta.url));

/** A helper running the source entry (tsx). */
export function testSpawnHelper(pollIntervalMs?: number): SpawnHelper {
  return createSpawnHelper({ entry: HELPER_ENTRY, execArgv: ['--import', 'tsx'], pollIntervalMs });
}

/** `describe.each` over these: undefined is the runtime's default (inline). */
export const LAUNCHERS: [string, () => Launcher | undefined][] = [
  ['inline launcher', () => undefined],
  ['spawn helper', () => testSpawnHelper()],
];
