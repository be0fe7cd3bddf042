import type { HxeClient } from '../../client/client.js';
import { HxeError } from '../../core/errors.js';
import type { InstanceView } from '../../core/types.js';
import { createContext, type GlobalArgs } from '../context.js';
import { colourState, formatBytes, formatCpu } from '../render/instances.js';
import { createStyle, type Style } from '../render/style.js';
import { renderTable } from '../render/table.js';
import { renderHostHeader } from '../render/host.js';

interface TopArgs extends GlobalArgs {
  sort?: 'cpu' | 'memory' | 'name';
  interval?: number;
  once?: boolean;
}

/** `hxe top`: CPU and memory of every instance, refreshed live (like top), sorted by CPU or memory. Never starts an agent. */
export async function topCommand(args: TopArgs): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  // Only a running agent measures; starting one to show it would start every service.
  if (!client) throw new HxeError('AGENT_UNAVAILABLE', 'agent not running, nothing to measure; `hxe agent start`');
  const style = createStyle(context.color);
  const live = !args.once && Boolean(process.stdout.isTTY);
  let running = true;
  process.once('SIGINT', () => { running = false; });
  do {
    const frame = await renderFrame(client, args.sort ?? 'cpu', style);
    // Clear the screen and home the cursor, so each frame replaces the last.
    process.stdout.write(live ? `\u001b[2J\u001b[H${frame}\n` : `${frame}\n`);
    if (!live) break;
    await new Promise((resolve) => setTimeout(resolve, (args.interval ?? 2) * 1000));
  } while (running);
  return 0;
}

async function renderFrame(client: HxeClient, sort: 'cpu' | 'memory' | 'name', style: Style): Promise<string> {
  const [views, host] = await Promise.all([
    client.list(),
    // An agent without host metrics (metrics disabled, or older) just has no host lines.
    client.hostMetrics().catch(() => null),
  ]);
  const ordered = [...views].sort(compareBy(sort));
  const rows = ordered.map((view) => {
    const m = view.status.metrics;
    return [view.name, colourState(view.status.state, style), view.status.pid ? String(view.status.pid) : '-',
      m ? formatCpu(m.cpuPercent) : '-', m ? formatBytes(m.memoryBytes) : '-', String(view.status.restarts)];
  });
  const total = views.reduce((sum, v) => ({ cpu: sum.cpu + (v.status.metrics?.cpuPercent ?? 0), mem: sum.mem + (v.status.metrics?.memoryBytes ?? 0) }), { cpu: 0, mem: 0 });
  const header = `hxe top — ${views.length} instances, CPU ${formatCpu(total.cpu)}, memory ${formatBytes(total.mem)} (sorted by ${sort}; Ctrl-C quits)`;
  return `${header}\n${host ? `${renderHostHeader(host)}\n` : ''}\n${renderTable(['NAME', 'STATE', 'PID', 'CPU', 'MEMORY', 'RESTARTS'], rows)}`;
}

function compareBy(sort: 'cpu' | 'memory' | 'name') {
  const value = (view: InstanceView) => (sort === 'cpu' ? view.status.metrics?.cpuPercent : view.status.metrics?.memoryBytes) ?? -1;
  return (a: InstanceView, b: InstanceView) => (sort === 'name' ? a.name.localeCompare(b.name) : value(b) - value(a) || a.name.localeCompare(b.name));
}
