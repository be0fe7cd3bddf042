/**
 * `sync { path, git { url, branch, interval } }`: the agent clones the
 * remote into the path and fetches it every interval, fast-forwarding the
 * checkout; a new commit is applied by a sync pass at once (as Flux's
 * GitRepository feeds a Kustomization).
 */
import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log.js';
import { errorMessage } from '../core/errors.js';
import { ensureClone, fetchFastForward, redactUrl } from '../runtime/git-remote.js';

export interface GitSync {
  path: string;
  git: { url: string; branch: string; interval: number };
}

export interface GitPollerDeps {
  /** A sync pass of the path (it must be registered by then). */
  pass: (dir: string) => Promise<unknown>;
  events: EventLog;
  logger: Logger;
}

/** Polls each remote on its own timer; one poll at a time per path. */
export class GitPoller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failing = new Map<string, string>();
  private stopped = false;
  /** Bumped by clear(): a poll in flight from before schedules nothing. */
  private generation = 0;

  constructor(private readonly deps: GitPollerDeps) {}

  /** Clones what is missing (before the syncs' first pass), then polls. A remote that fails is retried at its interval. */
  async start(syncs: GitSync[]): Promise<void> {
    await Promise.all(syncs.map((sync) => this.poll(sync, false)));
  }

  /** Polls `sync` now; with `apply`, a new commit is applied at once. Then schedules the next poll. */
  async poll(sync: GitSync, apply = true): Promise<void> {
    const { path: dir, git } = sync;
    const generation = this.generation;
    try {
      const cloned = await ensureClone(dir, git.url, git.branch);
      const { before, after } = await fetchFastForward(dir, git.branch);
      if (this.failing.delete(dir) || cloned || before !== after) {
        const message = cloned ? `cloned ${redactUrl(git.url)} (${git.branch}) at ${after.slice(0, 12)}` : before !== after
          ? `${redactUrl(git.url)} (${git.branch}): ${before.slice(0, 12)} → ${after.slice(0, 12)}` : `${redactUrl(git.url)} reachable again at ${after.slice(0, 12)}`;
        this.deps.events.record({ service: '', type: 'GitFetched', message: `${dir}: ${message}` });
        this.deps.logger.info({ action: 'sync', path: dir, commit: after }, message);
        if (apply && (cloned || before !== after)) await this.deps.pass(dir);
      }
    } catch (err) {
      const message = errorMessage(err);
      // Said once per failure, not at every interval while it lasts.
      if (this.failing.get(dir) !== message) {
        this.failing.set(dir, message);
        this.deps.events.record({ service: '', type: 'GitFailed', message: `${dir}: ${message}` });
        this.deps.logger.warn({ action: 'sync', path: dir, err: message }, 'git fetch failed');
      }
    } finally {
      if (generation === this.generation) this.schedule(sync);
    }
  }

  /** Forgets every remote (a configuration reload): `start` then polls the new ones. */
  clear(): void {
    this.generation++;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.failing.clear();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(sync: GitSync): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(sync.path));
    const timer = setTimeout(() => void this.poll(sync), sync.git.interval);
    timer.unref();
    this.timers.set(sync.path, timer);
  }
}
