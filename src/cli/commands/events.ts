import { HxeError } from '../../core/errors.js';
import type { HomePaths } from '../../core/home.js';
import type { HxeEvent } from '../../core/types.js';
import { createContext, type GlobalArgs } from '../context.js';

/** `hxe events [-w]`: the agent's recent events; with -w, follow them; with --audit, the audit trail. Never starts an agent. */
export async function eventsCommand(args: GlobalArgs & { watch?: boolean; service?: string; output?: string; audit?: boolean }): Promise<number> {
  const context = createContext(args);
  if (args.audit) return printAudit(context.paths.home, args.output === 'json', context.out);
  const client = await context.runningAgent();
  const print = (event: HxeEvent) =>
    context.out(args.output === 'json' ? JSON.stringify(event) : `${event.time}  ${event.service || '(agent)'}  ${event.type}  ${event.message}`);
  if (!client) return noAgent(context.paths, Boolean(args.watch), args.service, print);
  if (!args.watch) {
    (await client.recentEvents({ service: args.service })).forEach(print);
    return 0;
  }
  const stream = client.events({ service: args.service });
  process.once('SIGINT', () => void stream.return?.());
  for await (const event of stream) print(event);
  return 0;
}

/** Read from the home's audit.log (no agent needed): who did what, with which outcome. */
async function printAudit(home: string, json: boolean, out: (text: string) => void): Promise<number> {
  const { readAudit } = await import('../../audit/audit-log.js');
  for (const entry of await readAudit(home, 1000)) {
    if (json) {
      out(JSON.stringify(entry));
      continue;
    }
    const who = `${entry.who.subject} (${entry.who.role ?? 'no role'}, ${entry.who.via}${entry.who.address ? ` ${entry.who.address}` : ''})`;
    const what = [
      entry.names?.join(',') ?? '',
      ...(entry.changes ?? []).map((c) => `${c.name} ${c.before ?? '-'}→${c.after ?? '-'}`),
      ...Object.entries(entry.details ?? {}).map(([key, value]) => `${key}=${String(value)}`),
    ].filter(Boolean).join('  ');
    out(`${entry.time}  ${who}  ${entry.action}  ${entry.outcome}${entry.error ? ` (${entry.error})` : ''}  ${what}`.trimEnd());
  }
  return 0;
}

/** No agent: the events the last one kept in the home, and a notice (exit 0); with -w there is nothing to follow (exit 1). */
async function noAgent(paths: HomePaths, watch: boolean, service: string | undefined, print: (event: HxeEvent) => void): Promise<number> {
  if (watch) throw new HxeError('AGENT_UNAVAILABLE', 'agent not running, no events to follow; `hxe agent start`');
  const { noticeNoAgent, storedEvents } = await import('../offline.js');
  noticeNoAgent();
  storedEvents(paths, service).forEach(print);
  return 0;
}
