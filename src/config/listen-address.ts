/** A listen address as written in the configuration: `":9090"` (every interface) or `"host:port"`. */
export interface ListenAddress {
  host: string;
  port: number;
}

const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/;

/** `":9090"` → all interfaces (0.0.0.0), `"[::1]:9090"` → `::1`; null when it is not an address. */
export function parseListenAddress(value: string): ListenAddress | null {
  const match = ADDRESS.exec(value);
  if (!match) return null;
  const port = Number(match[2]);
  if (port > 65_535) return null;
  const host = match[1] === '' ? '0.0.0.0' : match[1].replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}
