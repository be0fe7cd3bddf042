/**
 * The set's rules (names unique, dependencies known, no cycles) for an
 * apply that reaches the agent without a manifest behind it: the services
 * it puts, seen together with those the store keeps.
 */
import type { ManifestIssue } from '../core/errors.js';
import type { DesiredService, ServiceRecord } from '../core/types.js';
import { checkServiceSet, type RuleService } from './rules.js';

/**
 * Every issue of the set the store would hold after putting `applied` and
 * keeping `kept` (the stored services that the apply neither names nor
 * deletes). A kept service's dependency on a name the store lacks is not
 * this apply's doing (a `delete` may leave one) and is not reported.
 */
export function checkAppliedSet(kept: readonly ServiceRecord[], applied: readonly DesiredService[]): ManifestIssue[] {
  const names = new Set([...kept.map((record) => record.metadata.name), ...applied.map((service) => service.name)]);
  const services: RuleService[] = [
    ...applied.map((service) => ruleService(service.name, service.file, service.line, service.spec.depends_on)),
    ...kept.map((record) => ruleService(
      record.metadata.name, record.metadata.file ?? record.metadata.source, null,
      record.spec.depends_on.filter((target) => names.has(target)),
    )),
  ];
  return checkServiceSet(services, true);
}

function ruleService(name: string, file: string, line: number | null, dependsOn: string[]): RuleService {
  return { name, line, dependsOn, source: { file }, lineOf: () => line };
}
