/**
 * The manifest loader's front end for PM2 ecosystem files: each app is
 * mapped to a raw service body and decoded by the same decodeService (one
 * schema, one set of rules and messages) as HCL and TOML services. Issues
 * name the file, the app (`apps[1]`, and its name) and the PM2 field.
 */
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import type { ManifestIssue } from '../../core/errors.js';
import type { ManifestFile } from '../collect-files.js';
import type { DecodedService, ManifestSource } from '../decode-service.js';
import { mapApp, type MappedApp } from './map-app.js';
import { PM2_FIELD_OF } from './pm2-fields.js';
import { readEcosystem, type EcosystemKind } from './read-ecosystem.js';

export interface EcosystemOptions {
  /** `--env NAME`: env_NAME over env. */
  envName?: string;
  /** What instances "max" means (default: this host's CPUs). */
  cpus?: number;
}

export interface LoadedEcosystem {
  services: DecodedService[];
  issues: ManifestIssue[];
  /** `FILE: apps[0] "api": out_file: not mapped: ...`: for people, on stderr. */
  warnings: string[];
  /** False when some app's name is unknown (the set's dependency checks then hold back). */
  complete: boolean;
}

/** Reads, maps and decodes one ecosystem file; never throws for a bad file. */
export async function loadEcosystem(file: ManifestFile, kind: EcosystemKind, options: EcosystemOptions = {}): Promise<LoadedEcosystem> {
  const read = await readEcosystem(file.absolute, kind);
  const issue = (service: string | null, path: string, message: string, line: number | null = null): ManifestIssue =>
    ({ file: file.display, line, service, path, message });
  if (read.apps === null) {
    const problem = read.problem ?? { line: null, message: 'no apps' };
    return { services: [], issues: [issue(null, '', problem.message, problem.line)], warnings: [], complete: false };
  }
  const warnings = read.warnings.map((warning) => `${file.display}: ${warning}`);
  const context = { dir: dirname(file.absolute), envName: options.envName, cpus: options.cpus ?? availableParallelism() };
  const mapped = read.apps.map((app) => mapApp(app, context));
  if (options.envName !== undefined && !read.apps.some((app) => hasKey(app, `env_${options.envName}`))) {
    warnings.push(`${file.display}: --env ${options.envName}: no app has env_${options.envName}, only env applies`);
  }
  const { decodeService } = await import('../decode-service.js');
  const source: ManifestSource = { file: file.display, absolute: file.absolute, format: 'toml', index: [] };
  const result: LoadedEcosystem = { services: [], issues: [], warnings, complete: true };
  mapped.forEach((app, index) => {
    const where = `apps[${index}]`;
    result.warnings.push(...app.warnings.map((warning) => `${file.display}: ${where}${app.name ? ` "${app.name}"` : ''}: ${warning}`));
    result.issues.push(...app.issues.map((problem) => issue(app.name, fieldPath(where, problem.field), problem.message)));
    if (app.name === null) {
      result.complete = false;
      return;
    }
    const decoded = decodeService({ name: app.name, body: app.body, line: null, end: Infinity }, source);
    result.services.push(mappedIssues(app, decoded.service));
    result.issues.push(...decoded.issues.map((found) => ({ ...found, path: pm2Path(where, found.path) })));
  });
  return result;
}

/** A service whose app had mapping issues has no spec either. */
function mappedIssues(app: MappedApp, service: DecodedService): DecodedService {
  return app.issues.length > 0 ? { ...service, spec: null } : service;
}

function fieldPath(where: string, field: string): string {
  return field === '' ? where : `${where}.${field}`;
}

/** `environment.FOO` → `apps[0].env.FOO`; `crashloop.window` → `apps[0].max_restarts (crashloop.window)`. */
export function pm2Path(where: string, path: string): string {
  const first = /^[a-z_]+/.exec(path)?.[0] ?? '';
  const rest = path.slice(first.length);
  const field = PM2_FIELD_OF[first];
  if (field === undefined) return path === '' ? where : `${where} (${path})`;
  if (first === 'environment' || first === 'args' || rest === '') return `${where}.${field}${rest}`;
  return `${where}.${field} (${path})`;
}

function hasKey(app: unknown, key: string): boolean {
  return typeof app === 'object' && app !== null && key in app;
}
