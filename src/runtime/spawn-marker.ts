/**
 * The marker every spawned process carries in its environment,
 * `HXE_SPAWN=<home id>:<instance>:<spawn id>:<spec fingerprint>`: it lets
 * the next agent find every process an agent of this home started, even
 * one whose pid never reached the store (the agent died right after the
 * fork). Children inherit it; the spawn id tells one start from another.
 */
import { randomBytes } from 'node:crypto';
import { DNS_1123_LABEL } from '../manifest/names.js';

/** The variable's name. */
export const SPAWN_MARKER = 'HXE_SPAWN';

export interface SpawnMarker {
  /** homeId(HXE_HOME). */
  home: string;
  instance: string;
  spawnId: string;
  /** specFingerprint of the spec started. */
  spec: string;
}

const HEX = /^[0-9a-f]+$/;

/** A fresh id for one spawn (64 random bits). */
export function newSpawnId(): string {
  return randomBytes(8).toString('hex');
}

/** The variable's value. */
export function formatMarker(marker: SpawnMarker): string {
  return [marker.home, marker.instance, marker.spawnId, marker.spec].join(':');
}

/** The marker in `value`, or null if it is not one (a user may set the variable too). */
export function parseMarker(value: string): SpawnMarker | null {
  const parts = value.split(':');
  if (parts.length !== 4) return null;
  const [home, instance, spawnId, spec] = parts;
  if (!HEX.test(home) || !DNS_1123_LABEL.test(instance) || !HEX.test(spawnId) || !HEX.test(spec)) return null;
  return { home, instance, spawnId, spec };
}
