import type { Logger } from 'pino';
import { detectCgroups } from '../runtime/cgroup-detection.js';
import { openHomeCgroups, type HomeCgroups } from '../runtime/home-cgroups.js';
import type { AgentBlock } from '../config/schema.js';
import type { EventLog } from '../events/event-log.js';

/**
 * Detects cgroup support once and says, once, what the agent does with it
 * under `agent { cgroups }` (see CgroupPolicy): limits (kernel-enforced
 * memory.max and cpu.max), tracking (a cgroup per instance for membership
 * and kills, limits not enforced by the kernel: event `CgroupsTrackingOnly`),
 * or none (cgroup v1, containers, `never`, or `auto` where cgroups would
 * only cost: event `CgroupsUnavailable`). Resolves null without cgroups;
 * never rejects.
 */
export async function setUpCgroups(home: string, setting: AgentBlock['cgroups'], events: EventLog, logger: Logger): Promise<HomeCgroups | null> {
  const support = setting === 'never'
    ? { available: false as const, reason: 'agent.cgroups = "never"' }
    : await detectCgroups().catch((err: unknown) => ({ available: false as const, reason: String(err) }));
  const unused = (reason: string) => {
    const message = `cgroups not used (${reason}): instances run as process groups; memory_limit is enforced by the watchdog, cpu_limit is not enforced`;
    logger.warn({ action: 'cgroups' }, message);
    events.record({ service: '', type: 'CgroupsUnavailable', message });
    return null;
  };
  if (!support.available) return unused(support.reason);
  const cheap = support.mount.favorDynMods;
  if (setting === 'auto' && !support.limits && !cheap) {
    return unused(`${support.note ?? 'no limits'}; and without the favordynmods mount option on ${support.mount.mountPoint}, ` +
      'each move into a cgroup stalls every fork of the host for ~10 ms: set agent.cgroups = "always" to track instances anyway');
  }
  let failure = '';
  const cgroups = await openHomeCgroups(support, home, logger, setting === 'always' ? 'always' : 'auto').catch((err: Error) => {
    failure = `cannot create this home's cgroup under ${support.root}: ${err.message}`;
    return null;
  });
  if (!cgroups) return unused(failure);
  if (cgroups.limits) {
    const who = setting === 'always' || cheap ? 'every instance gets'
      : 'instances with memory_limit or cpu_limit get (the others run as process groups: without favordynmods, each move into a cgroup stalls every fork of the host for ~10 ms)';
    logger.info({ action: 'cgroups', root: cgroups.root, mode: 'limits' }, `cgroup v2 available: ${who} a cgroup with memory.max and cpu.max`);
    return cgroups;
  }
  const message = `cgroup v2 without limits (${support.note ?? ''}): each instance still gets a cgroup, so that a stop kills all its processes; ` +
    'memory_limit is enforced by the watchdog, cpu_limit is not enforced';
  logger.warn({ action: 'cgroups', root: cgroups.root, mode: 'tracking' }, message);
  events.record({ service: '', type: 'CgroupsTrackingOnly', message });
  return cgroups;
}
