/**
 * The shapes exchanged by the agent's HTTP API and its client. The CLI uses
 * nothing else to talk to the agent.
 */
import type { DesiredService, HxeEvent, InstanceView } from '../core/types.js';
import type { PlanSummary } from '../reconcile/apply-plan.js';

export const API_PREFIX = '/v1';

export interface ApplyRequest {
  /** The source set: the files or synced path this apply speaks for. */
  source: string;
  services: DesiredService[];
  prune: boolean;
  dryRun: boolean;
  /** Apply only if the store is still at this revision (from `diff`); else 409 CONFLICT and nothing changes. */
  checkIndex?: number;
}

export interface ApplyResponse {
  plan: PlanSummary;
  applied: boolean;
  revision: number;
}

export interface DeleteRequest {
  names?: string[];
  all?: boolean;
}

export interface NamesRequest {
  names: string[];
}

export interface NamesResponse {
  /** Services acted on. */
  names: string[];
}

export interface DescribeResponse {
  instances: InstanceView[];
  events: HxeEvent[];
}

export interface AgentStatus {
  pid: number;
  /** The agent's name (`agent { name }`, default the host name). */
  name: string;
  /** The TCP API's URL, or null when only the socket is served. */
  server: string | null;
  version: string;
  home: string;
  startedAt: string;
  services: number;
  instances: number;
  revision: number;
  /** Stored records that failed validation when the store was read: kept aside, not run; `hxe delete NAME` forgets one. */
  setAside: { name: string; reason: string; at: string }[];
  /** The configuration files: when loaded, the last refused reload, and changed fields that need a restart. */
  config?: { files: string[]; loadedAt: string; lastError: { at: string; message: string } | null; restartNeeded: string[] };
}

export interface StopAgentRequest {
  keepServices: boolean;
}

export type { ErrorBody } from '../core/errors.js';
