import { createContext, type GlobalArgs } from '../context.js';
import { formatAge, renderTable } from '../render/table.js';

/** `hxe nodes`: the fleet's nodes (NAME, STATE ready|lost, LABELS, SERVICES, AGE). */
export async function nodesCommand(args: GlobalArgs & { output?: string }): Promise<number> {
  const context = createContext(args);
  const client = await context.fleet();
  const nodes = await client.nodes();
  if (args.output === 'json') {
    context.out(JSON.stringify(nodes, null, 2));
    return 0;
  }
  if (nodes.length === 0) {
    context.out('No nodes.');
    return 0;
  }
  const rows = nodes.map((n) => [
    n.name, n.state, Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-', String(n.services), formatAge(n.joinedAt),
  ]);
  context.out(renderTable(['NAME', 'STATE', 'LABELS', 'SERVICES', 'AGE'], rows));
  return 0;
}
