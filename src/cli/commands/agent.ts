import { HxeError } from '../../core/errors.js';
import { ApiClient } from '../../api/client.js';
import { isAlive } from '../../agent/pid-lock.js';
import { createContext, type GlobalArgs } from '../context.js';
import { agentAnswers, startAgentProcess } from '../ensure-agent.js';

/** `hxe agent run|start|stop|status`. */
export async function agentCommand(action: string, args: GlobalArgs & { 'keep-services'?: boolean; output?: string; config?: string[]; 'unit-dir'?: string; print?: boolean }): Promise<number> {
  const context = createContext(args);
  const client = new ApiClient({ socketPath: context.paths.socket });
  switch (action) {
    case 'run': {
      const { runAgent } = await import('../../agent/run.js');
      await runAgent({ home: context.paths.home, logLevel: args['log-level'], configPaths: args.config });
      return 0;
    }
    case 'start': {
      if (await agentAnswers(client)) {
        context.out(`agent already running (pid ${(await client.agentStatus()).pid})`);
        return 0;
      }
      const pid = await startAgentProcess(context.paths, { logLevel: args['log-level'], configPaths: args.config });
      context.out(`agent started (pid ${pid || (await client.agentStatus()).pid})`);
      return 0;
    }
    case 'install': {
      const { installAgent } = await import('./agent-install.js');
      return installAgent(context, { unitDir: args['unit-dir'], print: args.print });
    }
    case 'stop':
      return stopAgent(client, Boolean(args['keep-services']), context.out);
    case 'status': {
      if (!(await agentAnswers(client))) {
        context.out('agent not running');
        return 1;
      }
      const status = await client.agentStatus();
      context.out(args.output === 'json' ? JSON.stringify(status, null, 2)
        : `agent ${status.name} running (pid ${status.pid}, version ${status.version}, ${status.services} services, ${status.instances} instances, since ${status.startedAt})` +
          (status.server ? `\nAPI: ${status.server}  page: ${status.server}/ui/` : '') +
          (status.setAside ?? []).map((entry) => `\nset aside (invalid in the store, not used): ${entry.name}: ${entry.reason}` +
            (entry.name.startsWith('sync ') ? '' : ` (hxe delete ${entry.name} forgets it)`)).join(''));
      return 0;
    }
    default:
      throw new HxeError('BAD_USAGE', `unknown agent action "${action}": expected run, start, stop, status or install`);
  }
}

async function stopAgent(client: ApiClient, keepServices: boolean, out: (text: string) => void): Promise<number> {
  if (!(await agentAnswers(client))) {
    out('agent not running');
    return 0;
  }
  const pid = (await client.agentStatus()).pid;
  await client.stopAgent(keepServices);
  const deadline = Date.now() + 120_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (isAlive(pid)) throw new HxeError('INTERNAL', `the agent (pid ${pid}) did not stop`);
  out(keepServices ? 'agent stopped; services left running' : 'agent and services stopped');
  return 0;
}
