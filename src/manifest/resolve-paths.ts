import { resolve } from 'node:path';
import type { ServiceSpec } from '../core/types.js';

/**
 * Makes a spec's paths absolute against the manifest file's directory, so
 * that they mean the same wherever the agent runs. `working_dir` defaults
 * to that directory.
 */
export function resolveSpecPaths(spec: ServiceSpec, manifestDir: string): ServiceSpec {
  return {
    ...spec,
    working_dir: resolve(manifestDir, spec.working_dir ?? '.'),
    env_file: spec.env_file === null ? null : resolve(manifestDir, spec.env_file),
    watch: spec.watch === null ? null : { ...spec.watch, paths: spec.watch.paths.map((path) => resolve(manifestDir, path)) },
  };
}
