/**
 * hxe's command line, as yargs defines it. Command handlers are imported
 * lazily so that a quick command does not pay for the manifest parser.
 */
import yargs, { type Argv } from 'yargs';
import { VERSION } from '../core/version.js';
import { run, type Handler } from './run-handler.js';
import type { GlobalArgs } from './context.js';

const manifestOptions = (y: Argv) =>
  y.option('filename', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'manifest file or directory (repeatable)', coerce: nonEmptyPaths })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'descend into directories' })
    .option('env', { type: 'string', describe: 'PM2 ecosystem files: apply env_NAME over env (as pm2 start --env NAME)' });

/** `-f` with nothing after it reaches yargs as ''; said before any agent starts. */
function nonEmptyPaths(paths: string[]): string[] {
  if (paths.length === 0 || paths.some((p) => p === '')) throw new Error('-f/--filename needs a path: a manifest file or directory');
  return paths;
}

const outputOption = (choices: string[]) => ({ alias: 'o', choices, describe: 'output format' }) as const;
const selectorOption = { alias: 'l', type: 'string', array: true, describe: 'label selector: key=value, key!=value, key, !key (comma-separated, repeatable)' } as const;

export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('hxe')
    .usage('$0 <command> [options]\n\nA declarative supervisor for the services of a host.')
    .option('home', { type: 'string', describe: 'hxe home directory (HXE_HOME, default ~/.hxe)', global: true })
    .option('server', { type: 'string', describe: 'a remote agent URL (HXE_SERVER)', global: true })
    .option('token', { type: 'string', describe: 'token for --server (HXE_TOKEN)', global: true })
    .option('cluster', { type: 'string', describe: 'with --server nats://...: the fleet (HXE_CLUSTER, default hxe-cluster)', global: true })
    .option('log-level', { type: 'string', choices: ['trace', 'debug', 'info', 'warn', 'error'], describe: "the agent's log level", global: true })
    .option('color', { type: 'boolean', default: true, describe: 'colour on a terminal (--no-color to disable)', global: true })
    .command('apply', 'store the desired state from manifests', (y) =>
      manifestOptions(y)
        .option('prune', { type: 'boolean', describe: 'remove services this source set applied before and no longer names' })
        .option('dry-run', { type: 'boolean', describe: 'print the plan, change nothing' })
        .option('wait', { type: 'boolean', describe: 'show progress until all are ready' })
        .option('timeout', { type: 'string', describe: 'with --wait: give up after this long (default 2m)' })
        .option('min-ready', { type: 'string', describe: 'with --wait: how long each instance must stay ready without a restart (default 2s)' })
        .option('check-index', { type: 'number', requiresArg: true, describe: 'apply only if the store is still at this index (printed by diff)' })
        .option('output', outputOption(['text', 'json']))
        .example('$0 apply -f services.hcl', 'apply one file')
        .example('$0 apply -f manifests/ -R --prune --wait', 'apply a tree, remove what it no longer names, wait until ready'),
    run(async () => (await import('./commands/apply.js')).applyCommand as Handler))
    .command('diff', 'show what apply would change (exit 1 when it would change something)', (y) =>
      manifestOptions(y)
        .option('prune', { type: 'boolean', describe: 'also show removals' })
        .option('output', outputOption(['text', 'json']))
        .example('$0 diff -f services.hcl', 'before a deploy'),
    run(async () => (await import('./commands/diff.js')).diffCommand as Handler))
    .command('validate', 'parse and check manifests only', (y) =>
      manifestOptions(y).option('output', outputOption(['text', 'json'])).example('$0 validate -f services.hcl', 'check a file in CI'),
    run(async () => (await import('./commands/validate.js')).validateCommand as Handler))
    .command('run [name] [words..]', 'store and start one service from a command line (as pm2 start, kubectl run)', (y) =>
      y.positional('name', { type: 'string', describe: "service name (default: the script's or program's name)" })
        .positional('words', { type: 'string', array: true, hidden: true })
        .option('instances', { alias: 'i', type: 'string', describe: 'number of instances, or "max" (one per CPU)' })
        .option('env', { alias: 'e', type: 'string', array: true, describe: 'KEY=VALUE (repeatable)' })
        .option('health', { type: 'string', describe: 'health check: an http(s):// URL or tcp://HOST:PORT' })
        .option('restart', { choices: ['always', 'on-failure', 'never'], describe: 'restart policy (default always)' })
        .option('dry-run', { type: 'boolean', describe: 'print the plan, change nothing' })
        .option('wait', { type: 'boolean', describe: 'show progress until it is ready' })
        .option('output', outputOption(['text', 'json', 'hcl', 'toml']))
        .example('$0 run api -i 2 --env PORT=3000 -- node app.js', 'two instances of app.js')
        .example('$0 run api -i 2 -o hcl -- node app.js > api.hcl', 'the same, as a manifest to commit'),
    run(async () => (await import('./commands/run.js')).runCommand as Handler))
    .command('convert <filename..>', 'print PM2 ecosystem files (or manifests) as an hxe manifest', (y) =>
      y.positional('filename', { type: 'string', array: true, demandOption: true, describe: 'ecosystem.config.js, .json, .json5, .yaml, or manifests' })
        .option('env', { type: 'string', describe: 'apply env_NAME over env (as pm2 start --env NAME)' })
        .option('output', { alias: 'o', choices: ['hcl', 'toml'], default: 'hcl', describe: 'manifest language' })
        .example('$0 convert ecosystem.config.js --env production > services.hcl', ''),
    run(async () => (await import('./commands/convert.js')).convertCommand as Handler))
    .command(['get [names..]', 'ls', 'list'], 'list services with their state', (y) =>
      y.positional('names', { type: 'string', array: true })
        .option('output', outputOption(['table', 'wide', 'json', 'yaml']))
        .option('selector', selectorOption)
        .option('watch', { alias: 'w', type: 'boolean', describe: 'after the list, one line per change' })
        .example('$0 get', 'all services')
        .example('$0 get -l tier=web -w', 'watch the services labelled tier=web')
        .example('$0 get web -o json', 'one service, for scripts'),
    run(async () => (await import('./commands/get.js')).getCommand as Handler))
    .command('describe <name>', 'spec, status and recent events of one service', (y) =>
      y.positional('name', { type: 'string', demandOption: true }).option('output', outputOption(['text', 'json'])).example('$0 describe web', ''),
    run(async () => (await import('./commands/describe.js')).describeCommand as Handler))
    .command('env <name>', 'the environment a running instance really got (values over the local socket only)', (y) =>
      y.positional('name', { type: 'string', demandOption: true }).option('output', outputOption(['text', 'json'])).example('$0 env web-0', ''),
    run(async () => (await import('./commands/env.js')).envCommand as Handler))
    .command('delete [names..]', 'remove services (their processes are stopped)', (y) =>
      y.positional('names', { type: 'string', array: true })
        .option('filename', { alias: 'f', type: 'string', array: true, describe: 'delete the services these manifests name' })
        .option('recursive', { alias: 'R', type: 'boolean', default: false })
        .option('all', { type: 'boolean', describe: 'delete every service' })
        .option('selector', selectorOption)
        .example('$0 delete web', '')
        .example('$0 delete -f services.hcl', ''),
    run(async () => (await import('./commands/delete.js')).deleteCommand as Handler))
    .command('restart [names..]', 'rolling restart', (y) => y.positional('names', { type: 'string', array: true }).option('selector', selectorOption).example('$0 restart web', ''),
      run(async () => async (args: never) => (await import('./commands/control.js')).controlCommand('restart', args)))
    .command('stop [names..]', 'set desired state stopped', (y) => y.positional('names', { type: 'string', array: true }).option('selector', selectorOption).example('$0 stop web', ''),
      run(async () => async (args: never) => (await import('./commands/control.js')).controlCommand('stop', args)))
    .command('start [names..]', 'set desired state running', (y) => y.positional('names', { type: 'string', array: true }).option('selector', selectorOption).example('$0 start web', ''),
      run(async () => async (args: never) => (await import('./commands/control.js')).controlCommand('start', args)))
    .command('logs [names..]', "services' captured stdout and stderr (every service without a name)", (y) =>
      y.positional('names', { type: 'string', array: true })
        .option('selector', selectorOption)
        .option('timestamps', { type: 'boolean', describe: 'prefix lines read while following with the time they were read' })
        .option('follow', { alias: 'f', type: 'boolean', describe: 'keep printing what is written' })
        .option('tail', { type: 'number', default: 100, describe: 'lines per instance, stdout and stderr together (-1: all)' })
        .option('stdout', { type: 'boolean', describe: 'only stdout' })
        .option('stderr', { type: 'boolean', describe: 'only stderr' })
        .example('$0 logs web -f', 'follow'),
    run(async () => (await import('./commands/logs.js')).logsCommand as Handler))
    .command('sync [path]', 'GitOps: keep the store equal to a directory', (y) =>
      y.positional('path', { type: 'string', describe: 'a directory of manifests (a Git checkout)' })
        .option('watch', { type: 'boolean', describe: 'register with the agent, which follows the directory from now on' })
        .option('prune', { type: 'boolean', describe: 'remove services this directory applied before and no longer names' })
        .option('recursive', { alias: 'R', type: 'boolean', describe: 'descend into subdirectories' })
        .option('list', { type: 'boolean', describe: 'show synced paths, their last applied hash/commit, drift and errors' })
        .option('stop', { type: 'boolean', describe: 'end the watch of PATH (its services stay)' })
        .option('output', outputOption(['text', 'json']))
        .example('$0 sync /srv/deploy --watch --prune', 'follow a checkout')
        .example('$0 sync ./manifests --prune', 'one pass, for CI or cron')
        .example('$0 sync --list', ''),
    run(async () => (await import('./commands/sync.js')).syncCommand as Handler))
    .command('top', 'CPU and memory of every instance, live', (y) =>
      y.option('sort', { choices: ['cpu', 'memory', 'name'], default: 'cpu', describe: 'order of the rows' })
        .option('interval', { type: 'number', default: 2, describe: 'seconds between refreshes' })
        .option('once', { type: 'boolean', describe: 'print one frame and exit' })
        .example('$0 top --sort memory', ''),
    run(async () => (await import('./commands/top.js')).topCommand as Handler))
    .command('events', "the agent's event stream", (y) =>
      y.option('watch', { alias: 'w', type: 'boolean', describe: 'follow new events' })
        .option('service', { type: 'string', describe: 'only this service' })
        .option('audit', { type: 'boolean', describe: 'the audit trail: who changed what, and the outcome (read from the home)' })
        .option('output', outputOption(['text', 'json']))
        .example('$0 events -w', '')
        .example('$0 events --audit', 'who applied, deleted, restarted or minted a token'),
    run(async () => (await import('./commands/events.js')).eventsCommand as Handler))
    .command('nodes', "the fleet's nodes (with --server nats://...)", (y) =>
      y.option('output', outputOption(['table', 'json'])).example('$0 --server nats://10.0.0.1:4222 nodes', ''),
    run(async () => (await import('./commands/nodes.js')).nodesCommand as Handler))
    .command('agent [action]', 'the agent: run (foreground), start, stop, status, reload (its --config files), install (systemd unit)', (y) =>
      y.positional('action', { choices: ['run', 'start', 'stop', 'status', 'reload', 'install'], default: 'status' })
        .option('unit-dir', { type: 'string', describe: 'with install: where to write the systemd unit (default /etc/systemd/system)' })
        .option('print', { type: 'boolean', describe: 'with install: print the systemd unit only' })
        .option('keep-services', { type: 'boolean', describe: 'with stop: leave services running for the next agent' })
        .option('config', { type: 'string', array: true, describe: 'agent.hcl / server.hcl files or a directory (repeatable); remembered for later starts once they load; --no-config drops them' })
        .option('output', outputOption(['text', 'json']))
        .example('$0 agent start', 'start in the background')
        .example('$0 agent run --config /etc/hxe/', 'foreground, as the systemd unit runs it')
        .example('$0 agent stop --keep-services', 'upgrade without restarting services')
        .example('$0 agent start --no-config', 'forget the remembered --config, start with the defaults'),
    run(async () => async (args: { action: string } & GlobalArgs) => (await import('./commands/agent.js')).agentCommand(args.action, args)))
    .command('token <action>', 'JWTs for the TCP API (server.auth.type = "jwt"), minted over the local socket', (y) =>
      y.positional('action', { choices: ['create'] })
        .option('ttl', { type: 'string', describe: 'lifetime such as "1h" (default: server.auth.token_expiry)' })
        .option('role', { choices: ['admin', 'read'], default: 'admin', describe: 'read: GET only; admin: every route' })
        .option('subject', { type: 'string', describe: 'who the token is for (default: your user name)' })
        .option('output', outputOption(['text', 'json']))
        .example('$0 token create --role read --ttl 8h', 'a token for the live page that cannot change anything'),
    run(async () => async (args: { action: string } & GlobalArgs) => (await import('./commands/token.js')).tokenCommand(args.action, args)))
    .command('secret <action> [name] [rest..]', 'secrets at rest, for "secret:NAME" in environment: set (value from stdin), list, rm', (y) =>
      y.positional('action', { choices: ['set', 'list', 'rm'] })
        .option('output', outputOption(['text', 'json']))
        .example('printf %s "$PW" | $0 secret set db-password', 'store a secret; manifests say DB_PASSWORD = "secret:db-password"'),
    run(async () => async (args: { action: string } & GlobalArgs) => (await import('./commands/secret.js')).secretCommand(args.action, args)))
    .completion('completion', 'print a shell completion script (bash/zsh)')
    .demandCommand(1, 'name a command (hxe --help lists them)')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      // yargs' own validation errors (YError: `--check-index` without a value) are usage mistakes too.
      if (error && error.name !== 'YError') throw error;
      process.stderr.write(`error: ${message ?? error?.message}\nRun hxe --help for usage.\n`);
      process.exit(2);
    });
}
