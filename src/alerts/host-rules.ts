/**
 * Alert rules on the host: CPU, memory and disk use in % and the 1-minute
 * load, evaluated at each host sample. A disk rule holds per mount point
 * (alert instance `host:/data`); the others for `host`.
 */
import type { HostSample } from '../metrics/host-sampler.js';
import { formatDuration } from '../manifest/duration.js';
import type { AlertRule } from './rule-config.js';
import type { Condition } from './rules.js';
import type { AlertRuleType } from './types.js';

export const HOST_RULE_TYPES = ['host_cpu', 'host_memory', 'host_disk', 'host_load'] as const satisfies readonly AlertRuleType[];

export function isHostRule(type: AlertRuleType): boolean {
  return (HOST_RULE_TYPES as readonly string[]).includes(type);
}

/** One measured value of a rule: what it is about, and the value. */
interface Reading {
  instance: string;
  value: number;
  what: string;
}

function readings(rule: AlertRule, sample: HostSample): Reading[] {
  switch (rule.type) {
    case 'host_cpu':
      return sample.cpuPercent === null ? [] : [{ instance: 'host', value: sample.cpuPercent, what: 'host CPU' }];
    case 'host_memory':
      return [{ instance: 'host', value: sample.memoryUsedPercent, what: 'host memory' }];
    case 'host_disk':
      return sample.filesystems.map((f) => ({ instance: `host:${f.mountpoint}`, value: f.usedPercent, what: `disk ${f.mountpoint}` }));
    case 'host_load':
      return [{ instance: 'host', value: sample.load.load1, what: 'host load1' }];
    default:
      return [];
  }
}

/**
 * When each host rule's value went above its threshold, per alert instance:
 * the start of a condition, so that `for` is timed as for every rule.
 */
export class HostFacts {
  private readonly aboveSince = new Map<string, number>();

  /** Each instance the rule measures in `sample`, with its condition now (null: it does not hold). */
  check(rule: AlertRule, sample: HostSample): { instance: string; condition: Condition | null }[] {
    return readings(rule, sample).map(({ instance, value, what }) => {
      const key = `${rule.name}/${instance}`;
      if (rule.above === null || value <= rule.above) {
        this.aboveSince.delete(key);
        return { instance, condition: null };
      }
      const since = this.aboveSince.get(key) ?? sample.at;
      this.aboveSince.set(key, since);
      const unit = rule.type === 'host_load' ? '' : '%';
      const during = rule.for > 0 ? ` for ${formatDuration(rule.for)}` : '';
      return { instance, condition: { since, value, summary: `${what} ${value}${unit} above ${rule.above}${unit}${during}` } };
    });
  }
}
