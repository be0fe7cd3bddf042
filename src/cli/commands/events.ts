import { HxeError } from '../../core/errors.js';
import type { HxeEvent } from '../../core/types.js';
import { createContext, type GlobalArgs } from '../context.js';

/** `hxe events [-w]`: the agent's recent events; with -w, follow them. Never starts an agent (events live in its memory). */
export async function eventsCommand(args: GlobalArgs & { watch?: boolean; service?: string; output?: string }): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  if (!client) return noAgent(Boolean(args.watch));
  const print = (event: HxeEvent) =>
    context.out(args.output === 'json' ? JSON.stringify(event) : `${event.time}  ${event.service || '(agent)'}  ${event.type}  ${event.message}`);
  if (!args.watch) {
    (await client.events(args.service)).forEach(print);
    return 0;
  }
  const stream = client.watchEvents(args.service, print);
  process.once('SIGINT', () => stream.close());
  await stream.done;
  return 0;
}

/** No agent, no events: a notice (exit 0); with -w there is nothing to follow (exit 1). */
async function noAgent(watch: boolean): Promise<number> {
  if (watch) throw new HxeError('AGENT_UNAVAILABLE', 'agent not running, no events to follow; `hxe agent start`');
  const { noticeNoAgent } = await import('../offline.js');
  noticeNoAgent();
  return 0;
}
