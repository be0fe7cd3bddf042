/**
 * Rules over the whole set of services: names unique, dependencies known,
 * no cycles. They see every declared service, valid or not, so that a
 * broken service does not also make its dependents "unknown".
 */
import type { ManifestIssue } from '../core/errors.js';
import type { DecodedService } from './decode-service.js';
import { formatFieldPath } from './field-path.js';
import { printableName } from './names.js';
import { suggestionSuffix } from './suggest.js';

/** What the set's rules read of a service: a decoded one, or one the store holds. */
export type RuleService = Pick<DecodedService, 'name' | 'line' | 'dependsOn' | 'lineOf'> & { source: { file: string } };

/**
 * Every issue of the set's cross-service rules. `complete` is false when a
 * file could not be read or parsed: its services are unknown, so "unknown
 * dependency" would only be noise.
 */
export function checkServiceSet(services: RuleService[], complete: boolean): ManifestIssue[] {
  const dependencies = complete ? checkDependencies(services) : [];
  return [...checkDuplicates(services), ...dependencies, ...checkCycles(services)];
}

function issueAt(service: RuleService, path: (string | number)[], message: string): ManifestIssue {
  return {
    file: service.source.file,
    line: service.lineOf(path),
    service: printableName(service.name),
    path: formatFieldPath(path),
    message,
  };
}

/** Where `earlier` is, seen from `later`'s message: a line of the same file, or another file. */
function where(earlier: RuleService, later: RuleService): string {
  const { file } = earlier.source;
  if (file === later.source.file) return earlier.line === null ? 'earlier in this file' : `line ${earlier.line}`;
  return earlier.line === null ? file : `${file}:${earlier.line}`;
}

function checkDuplicates(services: RuleService[]): ManifestIssue[] {
  const first = new Map<string, RuleService>();
  const issues: ManifestIssue[] = [];
  for (const service of services) {
    const earlier = first.get(service.name);
    if (earlier) issues.push(issueAt(service, [], `duplicate service name, already defined at ${where(earlier, service)}`));
    else first.set(service.name, service);
  }
  return issues;
}

function checkDependencies(services: RuleService[]): ManifestIssue[] {
  const names = new Set(services.map((service) => service.name));
  const issues: ManifestIssue[] = [];
  for (const service of services) {
    service.dependsOn.forEach((target, index) => {
      // A target listed twice is reported as such by the schema; say "unknown" once.
      if (service.dependsOn.indexOf(target) !== index) return;
      const at = (message: string) => issues.push(issueAt(service, ['depends_on', index], message));
      if (target === service.name) at('a service cannot depend on itself');
      else if (!names.has(target)) at(`unknown service ${JSON.stringify(target)}${suggestionSuffix(target, names)}`);
    });
  }
  return issues;
}

function checkCycles(services: RuleService[]): ManifestIssue[] {
  const byName = new Map(services.map((service) => [service.name, service]));
  const graph = new Map<string, string[]>();
  for (const service of services) {
    const targets = service.dependsOn.filter((target) => target !== service.name && byName.has(target));
    graph.set(service.name, [...(graph.get(service.name) ?? []), ...targets]);
  }
  return findCycles(graph).map((cycle) =>
    issueAt(byName.get(cycle[0])!, ['depends_on'], `dependency cycle: ${describeCycle(cycle)}`),
  );
}

/**
 * Each distinct cycle reached by a depth-first walk, rotated to start at its
 * smallest name. Iterative: a chain of thousands of services must not
 * overflow the call stack.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'active' | 'done'>();
  const cycles = new Map<string, string[]>();
  for (const root of [...graph.keys()].sort()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const positions = new Map([[root, 0]]);
    const next: number[] = [0];
    state.set(root, 'active');
    while (path.length > 0) {
      const node = path[path.length - 1];
      const targets = graph.get(node) ?? [];
      const index = next[next.length - 1]++;
      if (index >= targets.length) {
        state.set(node, 'done');
        positions.delete(node);
        path.pop();
        next.pop();
        continue;
      }
      const target = targets[index];
      if (state.get(target) === 'active') {
        const cycle = rotateToSmallest(path.slice(positions.get(target)));
        cycles.set(cycle.join('\0'), cycle);
      } else if (!state.has(target)) {
        state.set(target, 'active');
        positions.set(target, path.length);
        path.push(target);
        next.push(0);
      }
    }
  }
  return [...cycles.values()];
}

const MAX_CYCLE_SHOWN = 10;

/** `a → b → a`; a long cycle is shortened to its start and its length. */
function describeCycle(cycle: string[]): string {
  if (cycle.length <= MAX_CYCLE_SHOWN) return [...cycle, cycle[0]].join(' → ');
  return `${cycle.slice(0, MAX_CYCLE_SHOWN - 2).join(' → ')} → … → ${cycle[cycle.length - 1]} → ${cycle[0]} (${cycle.length} services)`;
}

function rotateToSmallest(cycle: string[]): string[] {
  const start = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}
