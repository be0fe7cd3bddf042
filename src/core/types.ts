/**
 * The values hxe passes between its layers. Pure data: no behaviour, no I/O.
 * Field names of ServiceSpec are the manifest's own (snake_case), so that a
 * diff speaks the user's words; values are normalised (durations in ms,
 * CPU in millicores, memory in bytes, paths absolute).
 */

export type RestartPolicy = 'always' | 'on-failure' | 'never';
export type HealthCheckType = 'http' | 'tcp' | 'exec';

export interface HealthCheckSpec {
  type: HealthCheckType;
  /** http: the URL to GET; 2xx and 3xx pass. */
  url: string | null;
  /** tcp: host (default 127.0.0.1) and port to connect to. */
  host: string | null;
  port: number | null;
  /** exec: a command line, split like `command`; exit 0 passes. */
  command: string | null;
  interval: number;
  timeout: number;
  /** Consecutive failures before the instance is unhealthy. */
  retries: number;
  /** Failures during this time after start do not count. */
  start_period: number;
}

export interface BackoffSpec {
  initial: number;
  multiplier: number;
  max: number;
  reset_after: number;
}

export interface CrashloopSpec {
  max_restarts: number;
  window: number;
  give_up: boolean;
}

export interface ResourcesSpec {
  /** Millicores (1000 = one core), or null for no limit. */
  cpu_limit: number | null;
  /** Bytes, or null for no limit. */
  memory_limit: number | null;
}

export interface WatchSpec {
  paths: string[];
  ignore: string[];
  debounce: number;
}

export interface LogsSpec {
  /** Rotate a log file when it grows past this many bytes. */
  max_size: number;
  /** Rotated files kept. */
  keep: number;
}

/** The desired state of one service, normalised. */
export interface ServiceSpec {
  command: string;
  args: string[];
  shell: boolean;
  working_dir: string | null;
  user: string | null;
  group: string | null;
  /** Values are secrets; `env:VAR` values are resolved by the agent at start. */
  environment: Record<string, string>;
  env_file: string | null;
  depends_on: string[];
  instances: number;
  health_check: HealthCheckSpec | null;
  resources: ResourcesSpec;
  restart_policy: RestartPolicy;
  stop_signal: string;
  stop_timeout: number;
  backoff: BackoffSpec;
  crashloop: CrashloopSpec;
  watch: WatchSpec | null;
  logs: LogsSpec;
  labels: Record<string, string>;
  tags: string[];
  disabled: boolean;
  /** Fleet: where it may run; absent means any node. */
  placement?: PlacementSpec;
}

/** `placement { node, labels }`: a node name and labels a node must all have. */
export interface PlacementSpec {
  node: string | null;
  labels: Record<string, string>;
}

/** One service as decoded from a manifest, before it is stored. */
export interface DesiredService {
  name: string;
  spec: ServiceSpec;
  /** Where it was declared, for errors and `describe`. */
  file: string;
  line: number | null;
}

export interface ServiceMetadata {
  name: string;
  generation: number;
  createdAt: string;
  updatedAt: string;
  /** The source set of the apply that last wrote this service. */
  source: string;
  labels: Record<string, string>;
  file: string | null;
}

/** A stored service: what was asked. Read-only once it leaves the store. */
export interface ServiceRecord {
  metadata: ServiceMetadata;
  spec: ServiceSpec;
  /** `hxe stop` / `hxe start` set this; null means: follow `spec.disabled`. */
  desiredState: 'running' | 'stopped' | null;
  /** Bumped by `hxe restart`: a change asks for a rolling restart. */
  restartNonce: number;
  /** Bumped by `hxe start`: a change starts instances that had completed or failed. */
  startNonce: number;
  /** What `hxe stop|start|restart NAME-i` asked of single instances, by index (absent: nothing). */
  instanceControl?: Record<string, InstanceControl>;
}

/** One instance's own requests: added to the service's (stop wins; nonces add up). */
export interface InstanceControl {
  stopped?: boolean;
  restartNonce?: number;
  startNonce?: number;
}

export type LifecycleState =
  | 'pending'
  | 'starting'
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'backoff'
  | 'crashloop'
  | 'stopping'
  | 'stopped'
  | 'completed'
  | 'failed';

export const LIFECYCLE_STATES: readonly LifecycleState[] = [
  'pending', 'starting', 'running', 'healthy', 'unhealthy', 'backoff',
  'crashloop', 'stopping', 'stopped', 'completed', 'failed',
];

/** The states in which an instance's process may be up: it counts as live for dependents, metrics and alerts. */
export const LIVE_STATES: ReadonlySet<LifecycleState> = new Set(['starting', 'running', 'healthy', 'unhealthy', 'stopping']);

export interface ProbeResult {
  ok: boolean;
  at: string;
  latencyMs: number;
  message: string;
}

/**
 * One instance's status as the store keeps it (`statuses` in the store's
 * document): what its runner last wrote from the machine's snapshot.
 */
export interface InstanceStatus {
  state: LifecycleState;
  ready: boolean;
  pid: number | null;
  /** Process start time in clock ticks since boot (from /proc/PID/stat), to tell a reused pid. */
  pidStartTime: number | null;
  /** The host's boot id when the process started; absent from records written before it was kept. */
  pidBootId?: string | null;
  /** The command line hxe executed for it; absent from records written before it was kept. */
  pidCommand?: string | null;
  restarts: number;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  observedGeneration: number;
  message: string;
  lastProbe: ProbeResult | null;
  updatedAt: string;
}

/**
 * One row of `hxe get` and of the API's instance lists: a service instance
 * with its spec and its stored status, plus what only views carry.
 */
export interface InstanceView {
  name: string;
  metadata: ServiceMetadata & { service: string; instance: number };
  spec: ServiceSpec;
  status: InstanceStatus & {
    /** Fleet views only: the node that runs (or is to run) the instance; null while it is not placed. */
    node?: string | null;
    /** The last metrics sample (never stored): CPU % of one core and memory of the process group. */
    metrics?: { cpuPercent: number; memoryBytes: number; at: number } | null;
  };
}

export interface HxeEvent {
  time: string;
  /** Instance or service name; '' for the agent itself. */
  service: string;
  type: string;
  message: string;
  state?: LifecycleState;
  generation?: number;
}

/** A directory the agent keeps the store equal to (GitOps), as registered by `hxe sync --watch`. */
export interface SyncRecord {
  /** Absolute path; also the source set of the services it applies. */
  path: string;
  prune: boolean;
  recursive: boolean;
  createdAt: string;
  /** The last pass that applied (or found nothing to apply). */
  lastApplied: {
    at: string;
    /** sha256 of the manifest files' names and contents. */
    hash: string;
    /** Git HEAD of the checkout holding the path, when it is one. */
    commit: string | null;
    services: number;
  } | null;
  /** The last pass that was refused, cleared by the next good one. */
  lastError: { at: string; message: string } | null;
  /** Service names the directory declared at its last successful parse. */
  declared: string[];
}
