import { HxeError } from '../../core/errors.js';
import type { AgentStatus } from '../../api/protocol.js';
import type { InstanceView } from '../../core/types.js';
import type { HxeClient } from '../../client/client.js';
import { isAlive } from '../../runtime/pid-lock.js';
import { createContext, type CliContext, type GlobalArgs } from '../context.js';
import { homeFromConfig, homeUnnamed } from '../data-dir.js';
import { localClient } from '../clients.js';
import { startAgentProcess } from '../ensure-agent.js';

/** `hxe agent run|start|stop|status`. */
export async function agentCommand(action: string, args: GlobalArgs & { 'keep-services'?: boolean; output?: string; config?: (string | false)[]; 'unit-dir'?: string; print?: boolean }): Promise<number> {
  const given = args.config?.filter((flag): flag is string => typeof flag === 'string') ?? [];
  if ((action === 'run' || action === 'start') && given.length > 0 && homeUnnamed(args.home)) {
    args = { ...args, home: await homeFromConfig(given) };
  }
  const context = createContext(args);
  // The home's own agent, whatever --server says.
  const client = localClient(context.paths, args['log-level']);
  const configPaths = await configFlags(context, action, args.config);
  switch (action) {
    case 'run': {
      const { runAgent } = await import('../../agent/run.js');
      await runAgent({ home: context.paths.home, logLevel: args['log-level'], configPaths, console: true });
      return 0;
    }
    case 'start': {
      if (await client.answers()) {
        context.out(`agent already running (pid ${(await client.agentStatus()).pid})`);
        return 0;
      }
      const pid = await startAgentProcess(context.paths, { logLevel: args['log-level'], configPaths });
      context.out(`agent started (pid ${pid || (await client.agentStatus()).pid})`);
      return 0;
    }
    case 'install': {
      const { installAgent } = await import('./agent-install.js');
      return installAgent(context, { unitDir: args['unit-dir'], print: args.print });
    }
    case 'stop':
      return stopAgent(client, context, Boolean(args['keep-services']));
    case 'status': {
      if (!(await client.answers())) {
        context.out('agent not running');
        return 1;
      }
      const status = await client.agentStatus();
      context.out(args.output === 'json' ? JSON.stringify(status, null, 2)
        : `agent ${status.name} running (pid ${status.pid}, version ${status.version}, ${status.services} services, ${status.instances} instances, since ${status.startedAt})` +
          (status.server ? `\nAPI: ${status.server}  page: ${status.server}/ui/` : '') +
          (status.setAside ?? []).map((entry) => `\nset aside (invalid in the store, not used): ${entry.name}: ${entry.reason}` +
            (entry.name.startsWith('sync ') ? '' : ` (hxe delete ${entry.name} forgets it)`)).join('') +
          configLines(status.config));
      return 0;
    }
    case 'reload': {
      if (!(await client.answers())) throw new HxeError('AGENT_UNAVAILABLE', 'agent not running');
      const result = await client.reloadAgent();
      if (args.output === 'json') context.out(JSON.stringify(result, null, 2));
      else if (result.error) process.stderr.write(`error: configuration not reloaded, the running one stays:\n${result.error}\n`);
      else context.out(`configuration reloaded: ${result.applied.length ? `applied ${result.applied.join(', ')}` : 'nothing changed'}` +
        (result.restartNeeded.length ? `\nneeds a restart (hxe agent stop --keep-services && hxe agent start): ${result.restartNeeded.join(', ')}` : ''));
      return result.error ? 2 : 0;
    }
    default:
      throw new HxeError('BAD_USAGE', `unknown agent action "${action}": expected run, start, stop, status, reload or install`);
  }
}

/**
 * `--config FILE...` (yargs gives `false` for `--no-config`): the paths
 * given; `--no-config` first forgets the remembered ones, so that this start
 * and later ones use the defaults.
 */
async function configFlags(context: CliContext, action: string, flags: (string | false)[] | undefined): Promise<string[] | undefined> {
  if (!flags) return undefined;
  const paths = flags.filter((flag): flag is string => typeof flag === 'string');
  if (!flags.includes(false)) return paths;
  if (paths.length > 0) throw new HxeError('BAD_USAGE', '--no-config and --config exclude each other');
  if (action !== 'start' && action !== 'run') throw new HxeError('BAD_USAGE', '--no-config goes with agent start or agent run');
  const { forgetConfigPaths } = await import('../../config/config-paths.js');
  if (await forgetConfigPaths(context.paths.home)) context.out('the remembered --config is dropped: the agent starts with its defaults');
  return undefined;
}

async function stopAgent(client: HxeClient, context: CliContext, keepServices: boolean): Promise<number> {
  const { out } = context;
  if (!(await client.answers())) {
    const left = await unsupervised(context);
    if (left.length === 0) {
      out('agent not running');
      return 0;
    }
    const named = left.map((view) => `${view.name} (pid ${view.status.pid})`).join(', ');
    if (keepServices) {
      out(`agent not running; services left running: ${named}`);
      return 0;
    }
    // An agent killed (-9, OOM) left its services running: "stopped" would be untrue.
    throw new HxeError('AGENT_UNAVAILABLE', `agent not running, and processes it started still run, unsupervised: ${named}; ` +
      '`hxe agent start` supervises them again, then `hxe agent stop` stops them');
  }
  const pid = (await client.agentStatus()).pid;
  await client.stopAgent({ keepServices });
  const deadline = Date.now() + 120_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (isAlive(pid)) throw new HxeError('INTERNAL', `the agent (pid ${pid}) did not stop`);
  out(keepServices ? 'agent stopped; services left running' : 'agent and services stopped');
  return 0;
}

/** Instances whose process the last agent recorded still runs (checked to be that very process), as `get` shows them without an agent. */
async function unsupervised(context: CliContext): Promise<InstanceView[]> {
  const { storedViews } = await import('../offline.js');
  const views = await storedViews(context.paths, []).catch(() => []);
  return views.filter((view) => view.status.pid !== null);
}

/** What `agent status` says of the configuration: a refused reload, and what waits for a restart. */
function configLines(config: AgentStatus['config']): string {
  if (!config) return '';
  return (config.files.length ? `\nconfiguration: ${config.files.join(', ')} (loaded ${config.loadedAt})` : '') +
    (config.lastError ? `\nlast reload refused (${config.lastError.at}), the running configuration stays:\n${config.lastError.message}` : '') +
    (config.restartNeeded.length ? `\nneeds a restart to take effect: ${config.restartNeeded.join(', ')}` : '');
}
