import type { Logger } from 'pino';
import type { HomePaths } from '../core/home.js';
import type { ReconcileLoop } from '../core/ports.js';
import { createProber } from '../health/prober.js';
import { Controller } from '../reconcile/controller.js';
import type { HomeCgroups } from '../runtime/home-cgroups.js';
import { createProcessRuntime } from '../runtime/process-runtime.js';
import { createSpawnHelper } from '../runtime/spawn-helper.js';
import type { Store } from '../store/store.js';
import type { EventLog } from '../events/event-log.js';
import { moveLogFiles } from '../logs/log-files.js';

export interface ReconcileLoopDeps {
  paths: HomePaths;
  store: Store;
  events: EventLog;
  logger: Logger;
  /** The home's instance cgroups (setUpCgroups), or null. */
  cgroups: HomeCgroups | null;
  /** The values of `secret:NAME` references. */
  secrets?: (name: string) => string | undefined;
}

/** Wires the reconcile loop to the real process runtime and probes. */
export function createReconcileLoop(deps: ReconcileLoopDeps): ReconcileLoop {
  const runtime = createProcessRuntime({ logDir: deps.paths.logs, logger: deps.logger, cgroups: deps.cgroups, home: deps.paths.home, secrets: deps.secrets,
    launcher: createSpawnHelper({ logger: deps.logger }),
  });
  return new Controller({
    store: deps.store, runtime, prober: createProber(), events: deps.events, logger: deps.logger,
    moveLogs: (from, to) => moveLogFiles(deps.paths.logs, from, to, deps.logger),
  });
}
