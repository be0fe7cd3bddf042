import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Agent } from './agent-operations.js';
import { HxeError } from '../core/errors.js';
import { REDACTED } from '../core/redact.js';
import { SPAWN_MARKER } from '../runtime/spawn-marker.js';
import type { InstanceEnvironment } from './protocol-env.js';

/**
 * GET /v1/services/:name/env: the environment each running instance of a
 * service (or one instance) really got, read from `/proc/PID/environ`, as
 * `pm2 env` shows it. Values only over the local socket (0600: the agent's
 * own user or root, who can read that file anyway); over TCP, whatever the
 * token's role, the keys with every value `(redacted)`. hxe's own
 * `HXE_SPAWN` marker is left out: the service did not ask for it.
 */
export function registerEnvRoutes(app: FastifyInstance, agent: Agent): void {
  app.get<{ Params: { name: string } }>('/v1/services/:name/env', async (request) => {
    const name = request.params.name;
    const views = agent.list([name]).filter((v) => v.name === name || v.metadata.service === name);
    if (views.length === 0) throw new HxeError('NOT_FOUND', `no such service: ${name}`);
    const reveal = request.caller?.via === 'socket';
    const answer: InstanceEnvironment[] = [];
    for (const view of views) {
      const pid = view.status.pid;
      const environment = pid === null ? null : await readEnviron(pid);
      answer.push({ instance: view.name, pid, redacted: !reveal, environment: environment && (reveal ? environment : redactAll(environment)) });
    }
    return answer;
  });
}

/** The NUL-separated `KEY=VALUE` pairs of /proc/PID/environ, without hxe's marker; null when the process is gone. */
async function readEnviron(pid: number): Promise<Record<string, string> | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return null;
  }
  const pairs = text.split('\0').filter(Boolean).map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
  });
  return Object.fromEntries(pairs.filter(([key]) => key !== SPAWN_MARKER));
}

function redactAll(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(environment).map((key) => [key, REDACTED]));
}
