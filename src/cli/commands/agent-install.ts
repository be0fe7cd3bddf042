import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../context.js';
import { AGENT_ENTRY, AGENT_NODE_FLAGS } from '../ensure-agent.js';

const UNIT_NAME = 'hxe-agent.service';
const SYSTEMD_UNIT_DIR = '/etc/systemd/system';
const TEMPLATE = fileURLToPath(new URL('../manifests/systemd/hxe-agent.service', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/hxe', import.meta.url));

/**
 * `hxe agent install [--unit-dir DIR] [--print]`: writes the systemd unit
 * that runs the agent at boot and enables it where systemd runs; elsewhere
 * it says what to do instead.
 */
export async function installAgent(context: CliContext, options: { unitDir?: string; print?: boolean }): Promise<number> {
  // The unit runs the agent's bundle directly, with the agent's V8 flags (as `hxe agent start` does).
  const command = [process.execPath, ...AGENT_NODE_FLAGS, AGENT_ENTRY].join(' ');
  const unit = (await fs.readFile(TEMPLATE, 'utf8')).replace('@AGENT_COMMAND@', command);
  if (options.print) {
    context.out(unit);
    return 0;
  }
  const systemd = existsSync('/run/systemd/system');
  const unitDir = options.unitDir ?? SYSTEMD_UNIT_DIR;
  if (!systemd && !options.unitDir) {
    context.out([
      'systemd is not running on this host, so there is no unit to enable.',
      'Start the agent at boot with what this host uses instead, for example:',
      `  - an init script or supervisor program running: ${BIN} agent run --config /etc/hxe/`,
      `  - a container's entrypoint: ${BIN} agent run (the agent reaps orphans when it is PID 1)`,
      `  - cron: @reboot ${BIN} agent start --config /etc/hxe/`,
      `The unit is printed by: hxe agent install --print`,
    ].join('\n'));
    return 1;
  }
  const file = path.join(unitDir, UNIT_NAME);
  await fs.mkdir(unitDir, { recursive: true });
  await fs.writeFile(file, unit, { mode: 0o644 });
  context.out(`wrote ${file}`);
  if (!systemd) {
    context.out('systemd is not running here: enable it on the target host with: systemctl daemon-reload && systemctl enable --now hxe-agent');
    return 0;
  }
  await run('systemctl', ['daemon-reload']);
  await run('systemctl', ['enable', '--now', UNIT_NAME]);
  context.out(`enabled and started ${UNIT_NAME}; configuration is read from /etc/hxe/ (see manifests/agent.hcl and server.hcl)`);
  return 0;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(command, args, (error) => (error ? reject(error) : resolve())));
}
