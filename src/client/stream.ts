/** A callback stream of the transport (`onItem` until `done`) as an async iterator that closes it on `break`. */

/** What ApiClient's streamed calls return. */
export interface Streaming {
  done: Promise<void>;
  close: () => void;
}

/**
 * Items pushed by `start`'s callback, yielded in order; the iterator ends
 * when the stream ends, throws what it rejects with, and closes the stream
 * when the caller stops early (`break`, `return`).
 */
export function iterate<T>(start: (push: (item: T) => void) => Streaming, mapError: (err: unknown) => unknown): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: unknown = null;
  const notify = () => { wake?.(); wake = null; };
  const streaming = start((item) => { queue.push(item); notify(); });
  streaming.done.then(() => { ended = true; notify(); }, (err: unknown) => { failure = mapError(err) ?? err; ended = true; notify(); });
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (queue.length === 0 && !ended) await new Promise<void>((resolve) => { wake = resolve; });
      if (queue.length > 0) return { value: queue.shift() as T, done: false };
      if (failure !== null) throw failure;
      return { value: undefined, done: true };
    },
    async return() {
      ended = true;
      streaming.close();
      queue.length = 0;
      // A next() already waiting (the caller stopped from outside its loop, e.g. on SIGINT) ends too.
      notify();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() { return iterator; },
  };
  return iterator;
}
