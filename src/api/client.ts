import http from 'node:http';
import { createRequire } from 'node:module';
import { HxeError, ManifestError, type ErrorCode } from '../core/errors.js';
import type { HxeEvent, InstanceView } from '../core/types.js';
import type { SyncStatus } from './sync-status.js';
import type {
  AgentStatus, ApplyRequest, ApplyResponse, DescribeResponse, ErrorBody, NamesResponse,
} from './protocol.js';
import type { InstanceEnvironment } from './protocol-env.js';

/** Where the agent is: its local Unix socket, or a remote TCP URL with a token. */
export type AgentEndpoint = { socketPath: string } | { url: string; token?: string };

/** The CLI's only way to talk to the agent. */
export class ApiClient {
  constructor(private readonly endpoint: AgentEndpoint) {}

  health(): Promise<{ ok: boolean }> {
    return this.request('GET', '/v1/health');
  }
  agentStatus(): Promise<AgentStatus> {
    return this.request('GET', '/v1/agent');
  }
  stopAgent(keepServices: boolean): Promise<{ stopping: boolean }> {
    return this.request('POST', '/v1/agent/stop', { keepServices });
  }
  list(names: string[] = []): Promise<InstanceView[]> {
    const query = names.map((n) => `name=${encodeURIComponent(n)}`).join('&');
    return this.request('GET', `/v1/services${query ? `?${query}` : ''}`);
  }
  describe(name: string): Promise<DescribeResponse> {
    return this.request('GET', `/v1/services/${encodeURIComponent(name)}`);
  }
  /** The environment each instance's process really has (values only over the local socket). */
  environment(name: string): Promise<InstanceEnvironment[]> {
    return this.request('GET', `/v1/services/${encodeURIComponent(name)}/env`);
  }
  plan(request: ApplyRequest): Promise<ApplyResponse> {
    return this.request('POST', '/v1/plan', request);
  }
  apply(request: ApplyRequest): Promise<ApplyResponse> {
    return this.request('POST', '/v1/apply', request);
  }
  delete(names: string[], all = false): Promise<NamesResponse> {
    return this.request('POST', '/v1/delete', { names, all });
  }
  act(action: 'stop' | 'start' | 'restart', names: string[]): Promise<NamesResponse> {
    return this.request('POST', `/v1/${action}`, { names });
  }
  syncs(): Promise<SyncStatus[]> {
    return this.request('GET', '/v1/syncs');
  }
  registerSync(path: string, options: { prune: boolean; recursive: boolean }): Promise<SyncStatus> {
    return this.request('POST', '/v1/syncs', { path, ...options });
  }
  unregisterSync(path: string): Promise<{ path: string }> {
    return this.request('DELETE', `/v1/syncs?${new URLSearchParams({ path })}`);
  }
  events(service?: string, limit = 100): Promise<HxeEvent[]> {
    const query = new URLSearchParams({ limit: String(limit), ...(service ? { service } : {}) });
    return this.request('GET', `/v1/events?${query}`);
  }

  /** The tail of a service's logs; with `follow`, `onText` receives what is appended until `close`. */
  logs(name: string, options: { tail: number; stream: 'out' | 'err' | 'both'; follow: boolean }, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    const query = new URLSearchParams({ tail: String(options.tail), stream: options.stream, follow: options.follow ? '1' : '0' });
    return this.stream(`/v1/services/${encodeURIComponent(name)}/logs?${query}`, onText);
  }

  /** The logs of several services or instances (every one for none), as `logs` gives one's; `timestamps`: followed lines carry the time read. */
  logsOf(names: string[], options: { tail: number; stream: 'out' | 'err' | 'both'; follow: boolean; timestamps: boolean }, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    const query = new URLSearchParams({ tail: String(options.tail), stream: options.stream, follow: options.follow ? '1' : '0', timestamps: options.timestamps ? '1' : '0' });
    for (const name of names) query.append('name', name);
    return this.stream(`/v1/logs?${query}`, onText);
  }

  /** Follows the event stream, calling `onEvent` for each, until the returned function is called or the agent goes. */
  watchEvents(service: string | undefined, onEvent: (event: HxeEvent) => void): { done: Promise<void>; close: () => void } {
    const query = new URLSearchParams({ watch: '1', ...(service ? { service } : {}) });
    let buffer = '';
    return this.stream(`/v1/events?${query}`, (chunk) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        if (data) onEvent(JSON.parse(data.slice(6)) as HxeEvent);
      }
    });
  }

  /** A streamed GET: text chunks as they arrive, until the response ends or `close` is called. */
  private stream(path: string, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    let request: http.ClientRequest | null = null;
    const done = new Promise<void>((resolve, reject) => {
      request = this.send('GET', path, undefined, (response) => {
        response.setEncoding('utf8');
        if ((response.statusCode ?? 500) >= 400) {
          let body = '';
          response.on('data', (chunk: string) => { body += chunk; });
          response.on('end', () => reject(toError(safeParse(body), response.statusCode ?? 500)));
          return;
        }
        response.on('data', onText);
        response.on('end', resolve);
        response.on('close', resolve);
      });
      request.on('error', (err) => reject(unavailable(err)));
      request.end();
    });
    return { done, close: () => request?.destroy() };
  }

  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = this.send(method, path, payload, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = text ? JSON.parse(text) : undefined;
            if ((response.statusCode ?? 500) >= 400) reject(toError(parsed as ErrorBody, response.statusCode ?? 500));
            else resolve(parsed as T);
          } catch {
            reject(new HxeError('INTERNAL', `agent answered ${response.statusCode} with a body that is not JSON`));
          }
        });
      });
      request.on('error', (err) => reject(unavailable(err)));
      request.end(payload);
    });
  }

  private send(method: string, path: string, payload: string | undefined, onResponse: (r: http.IncomingMessage) => void): http.ClientRequest {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if ('socketPath' in this.endpoint) {
      // servername '' (TLS's name, unused here) keeps http's agent from deriving one with net.isIP():
      // its first call compiles the IPv6 pattern, 10-16 ms of every CLI command.
      const options: http.RequestOptions & { servername: string } = { socketPath: this.endpoint.socketPath, path, method, headers, servername: '' };
      return http.request(options, onResponse);
    }
    const url = new URL(path, this.endpoint.url);
    if (this.endpoint.token) headers.authorization = `Bearer ${this.endpoint.token}`;
    // TLS is loaded only for an https server: the local socket is the common case.
    const transport: typeof http = url.protocol === 'https:' ? createRequire(import.meta.url)('node:https') : http;
    return transport.request(url, { method, headers }, onResponse);
  }
}

function toError(body: ErrorBody | undefined, status: number): HxeError {
  const error = body?.error;
  if (error?.code === 'INVALID_MANIFEST' && error.issues) return new ManifestError(error.issues);
  const code = (error?.code ?? 'INTERNAL') as ErrorCode;
  return new HxeError(code, error?.message ?? `agent answered ${status}`);
}

function safeParse(text: string): ErrorBody | undefined {
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return undefined;
  }
}

function unavailable(err: Error): HxeError {
  return new HxeError('AGENT_UNAVAILABLE', `cannot reach the agent: ${err.message}`, { cause: err });
}
