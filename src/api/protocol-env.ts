/** The answer of GET /v1/services/:name/env, one element per instance. */
export interface InstanceEnvironment {
  instance: string;
  /** null: the instance has no process now. */
  pid: number | null;
  /** True when the values read `(redacted)` (asked over TCP). */
  redacted: boolean;
  /** The process's environment as /proc shows it (hxe's `HXE_SPAWN` marker left out); null without a process. */
  environment: Record<string, string> | null;
}
