/**
 * What hxe makes of each PM2 app field: the fields mapped (by map-app.ts),
 * and for each field without an hxe meaning, why it is left out. The
 * warnings quote these reasons, so a PM2 user learns where the feature went.
 */

/** PM2 fields map-app.ts turns into hxe fields. */
export const MAPPED_FIELDS: readonly string[] = [
  'name', 'script', 'cwd', 'args', 'interpreter', 'exec_interpreter', 'interpreter_args', 'node_args',
  'instances', 'exec_mode', 'instance_var', 'env', 'max_memory_restart', 'autorestart', 'autostart',
  'stop_exit_codes', 'max_restarts', 'min_uptime', 'restart_delay', 'exp_backoff_restart_delay',
  'kill_timeout', 'watch', 'ignore_watch', 'watch_delay', 'uid', 'user', 'gid', 'namespace',
];

const LOGS = 'hxe writes each instance\'s stdout and stderr to $HXE_HOME/logs (hxe logs NAME; logs { max_size, keep } rotates)';
const READY = 'hxe has no ready message or listen timeout: give the service a health_check';
const STOP = 'hxe stops the whole process group with stop_signal (SIGINT for PM2 apps), then SIGKILL after stop_timeout';
const NONE = 'no hxe equivalent';

/** PM2 fields hxe leaves out, with the reason the warning gives. */
export const UNMAPPED_FIELDS: Readonly<Record<string, string>> = {
  out_file: LOGS,
  error_file: LOGS,
  log_file: LOGS,
  combine_logs: LOGS,
  merge_logs: LOGS,
  log_date_format: LOGS,
  log_type: LOGS,
  disable_logs: LOGS,
  time: LOGS,
  pid_file: 'hxe keeps pids in its store (hxe get -o json: status.pid)',
  cron_restart: 'hxe has no scheduled restarts: run hxe restart NAME from cron or a systemd timer',
  listen_timeout: READY,
  wait_ready: READY,
  shutdown_with_message: STOP,
  kill_retry_time: STOP,
  treekill: STOP,
  source_map_support: NONE,
  filter_env: 'hxe passes the agent\'s environment, then environment',
  append_env_to_name: NONE,
  increment_var: NONE,
  vizion: 'hxe does not track versions of the code (apply a new spec instead)',
  post_update: NONE,
  force: 'hxe never starts two copies of a service',
  windowsHide: NONE,
  watch_options: 'hxe watches with its own settings (watch { paths, ignore, debounce })',
  max_memory_restart_check_interval: NONE,
  pmx: NONE,
  automation: NONE,
  trace: NONE,
  disable_trace: NONE,
  version: NONE,
  node_version: NONE,
};

/** Interpreters PM2 picks by the script's extension (`.py` runs python3 here, where PM2 says `python`). */
export const INTERPRETER_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
  '.sh': 'bash',
  '.py': 'python3',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
  '.ts': 'ts-node',
  '.tsx': 'ts-node',
};

/** Top-level keys of an ecosystem file besides the app list. */
export const FILE_LEVEL_UNMAPPED: Readonly<Record<string, string>> = {
  deploy: 'hxe does not deploy code: check out the code, then hxe apply (or hxe sync) the manifest',
};

/** The hxe field (first path segment) → the PM2 field that sets it, for error messages. */
export const PM2_FIELD_OF: Readonly<Record<string, string>> = {
  command: 'script',
  args: 'args',
  working_dir: 'cwd',
  environment: 'env',
  instances: 'instances',
  resources: 'max_memory_restart',
  restart_policy: 'autorestart',
  crashloop: 'max_restarts',
  backoff: 'restart_delay',
  stop_timeout: 'kill_timeout',
  watch: 'watch',
  user: 'uid',
  group: 'gid',
  disabled: 'autostart',
  labels: 'namespace',
};
