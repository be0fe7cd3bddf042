import YAML from 'yaml';
import { createContext, type CliContext, type GlobalArgs } from '../context.js';
import { colourState } from '../render/instances.js';
import { createStyle } from '../render/style.js';
import { renderTable } from '../render/table.js';
import { specAsWritten } from '../render/spec.js';

/** `hxe describe NAME`: spec, status and recent events, for people (or -o json). */
export async function describeCommand(args: GlobalArgs & { name: string; output?: string }): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  const described = client ? await client.get(args.name) : await readOffline(context.paths, args.name);
  if (args.output === 'json') {
    context.out(JSON.stringify(described, null, 2));
    return 0;
  }
  const style = createStyle(context.color);
  const first = described.instances[0];
  const lines = [
    `Name:        ${first.metadata.service}`,
    `Generation:  ${first.metadata.generation}`,
    `Source:      ${first.metadata.source}`,
    `File:        ${first.metadata.file ?? '-'}`,
    `Created:     ${first.metadata.createdAt}`,
    `Updated:     ${first.metadata.updatedAt}`,
    'Instances:',
    ...described.instances.map((view) => {
      const s = view.status;
      const parts = [`  ${view.name}: ${colourState(s.state, style)}`, `ready=${s.ready}`, `pid=${s.pid ?? '-'}`, `restarts=${s.restarts}`];
      if (s.exitCode !== null) parts.push(`exit=${s.exitCode}`);
      if (s.signal) parts.push(`signal=${s.signal}`);
      if (s.message) parts.push(`(${s.message})`);
      return parts.join(' ');
    }),
    'Spec:',
    YAML.stringify(specAsWritten(first.spec)).trimEnd().split('\n').map((line) => `  ${line}`).join('\n'),
    'Events:',
  ];
  const events = described.events.map((e) => [e.time, e.service, e.type, e.message]);
  const none = client ? '  <none>' : '  <none: the agent is not running>';
  lines.push(events.length ? renderTable(['TIME', 'INSTANCE', 'TYPE', 'MESSAGE'], events).split('\n').map((l) => `  ${l}`).join('\n') : none);
  context.out(lines.join('\n'));
  return 0;
}

/** While no agent runs: the stored spec, instances as `unknown`, and a notice (never starting an agent). */
async function readOffline(paths: CliContext['paths'], name: string) {
  const { noticeNoAgent, storedDescription } = await import('../offline.js');
  noticeNoAgent();
  return storedDescription(paths, name);
}
