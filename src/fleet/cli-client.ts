/** The fleet client as the CLI creates it from `--server nats://...`, its flags and environment. */
import { HxeError } from '../core/errors.js';
import { FleetClient } from './client.js';

/**
 * A fleet client for `server` (several URLs separated by commas). Credentials
 * come from the environment: HXE_NATS_CREDS (a .creds file), HXE_NATS_USER
 * and HXE_NATS_PASSWORD, HXE_NATS_CA (TLS), or the token (--token,
 * HXE_TOKEN). Methods the fleet does not offer throw a usage error.
 */
export function createFleetClient(server: string, cluster: string, token: string | undefined, env: NodeJS.ProcessEnv): FleetClient {
  if (!/^[A-Za-z0-9_-]+$/.test(cluster)) throw new HxeError('BAD_USAGE', `--cluster: expected letters, digits, "_" and "-", got "${cluster}"`);
  const client = new FleetClient({
    cluster,
    nats: {
      servers: server.split(',').map((s) => s.trim()).filter(Boolean),
      token, user: env.HXE_NATS_USER, password: env.HXE_NATS_PASSWORD, credsFile: env.HXE_NATS_CREDS,
      tls: env.HXE_NATS_CA ? { caFile: env.HXE_NATS_CA } : undefined,
      name: 'hxe-cli',
    },
  });
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property in target || typeof property === 'symbol' || property === 'then') return Reflect.get(target, property, receiver);
      return () => { throw new HxeError('BAD_USAGE', `this command is not available with a nats:// server (${String(property)})`); };
    },
  });
}
