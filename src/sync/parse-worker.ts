/**
 * A child process that loads manifests for the agent. The HCL parser is Go
 * compiled to WebAssembly (~100 MB once loaded): it lives and dies with this
 * process, never in the resident agent (a worker thread would leave tens of
 * MB behind in the agent's allocator after it exits).
 */
import { ManifestError } from '../core/errors.js';
import { loadAgentConfig } from '../config/load-config.js';
import { loadManifests } from '../manifest/load.js';
import { createFileParseCache } from '../manifest/parse-cache.js';
import type { WorkerReply, WorkerRequest } from './manifest-worker.js';

process.on('message', async (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (request.kind === 'config') {
      reply = { id: request.id, ok: true, config: await loadAgentConfig(request.paths) };
    } else {
      const cache = createFileParseCache(request.cacheDir);
      reply = { id: request.id, ok: true, result: await loadManifests(request.paths, { recursive: request.recursive, cache }) };
    }
  } catch (err) {
    reply = err instanceof ManifestError
      ? { id: request.id, ok: false, issues: err.issues }
      : { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  process.send?.(reply);
});

// The agent went away (even by SIGKILL): nothing left to do.
process.on('disconnect', () => process.exit(0));
