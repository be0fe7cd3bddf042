/**
 * A periodic job that never overlaps itself and never keeps the process alive.
 */

export interface Ticker<T> {
  /** Starts ticking (the first run after one interval); idempotent. */
  start(): void;
  /** Stops ticking; a run in flight finishes but schedules no other. */
  stop(): void;
  /** Runs at once; while a run is in flight, returns that one instead of overlapping it. */
  runNow(): Promise<T>;
}

/**
 * Runs `job` every `intervalMs`, counted from the end of the previous run
 * (a slow run delays the next instead of piling up). Errors of timer runs go
 * to `onError` and never escape; `runNow` callers get them as rejections.
 */
export function createTicker<T>(intervalMs: number, job: () => Promise<T>, onError?: (err: unknown) => void): Ticker<T> {
  let inFlight: Promise<T> | null = null;
  let timer: NodeJS.Timeout | null = null;
  // Each start/stop begins a new epoch: a run of an older epoch schedules nothing.
  let epoch = 0;
  let active = false;

  function runNow(): Promise<T> {
    inFlight ??= job().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  function schedule(tickEpoch: number): void {
    if (tickEpoch !== epoch) return;
    timer = setTimeout(() => {
      timer = null;
      runNow()
        .catch((err: unknown) => report(onError, err))
        .finally(() => schedule(tickEpoch));
    }, intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (active) return;
      active = true;
      schedule(++epoch);
    },
    stop() {
      active = false;
      epoch += 1;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    runNow,
  };
}

function report(onError: ((err: unknown) => void) | undefined, err: unknown): void {
  try {
    onError?.(err);
  } catch {
    // A failing error handler must not stop the ticking either.
  }
}
