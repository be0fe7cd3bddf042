/** The fleet client as `connect({ nats })` and the CLI's `--server nats://...` create it. */
import { HxeError } from '../core/errors.js';
import { FleetClient } from './client.js';
import { checkClusterName } from './config.js';

/** How to authenticate to NATS: a token, a user and password, a `.creds` file; `caFile` for TLS. */
export interface FleetAuth {
  token?: string;
  user?: string;
  password?: string;
  credsFile?: string;
  caFile?: string;
}

/**
 * A fleet client for `servers` (several URLs separated by commas, or an
 * array) and `cluster`. Methods the fleet does not offer throw a usage error.
 */
export function createFleetClient(servers: string | string[], cluster: string, auth: FleetAuth = {}): FleetClient {
  checkClusterName(cluster);
  const client = new FleetClient({
    cluster,
    nats: {
      servers: [servers].flat().flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      token: auth.token, user: auth.user, password: auth.password, credsFile: auth.credsFile,
      tls: auth.caFile ? { caFile: auth.caFile } : undefined,
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
