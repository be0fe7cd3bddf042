import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { HxeError } from '../core/errors.js';

/**
 * A lowdb adapter that survives crashes and power loss: each write goes to a
 * temp file that is fsynced, renamed over the store and the directory fsynced.
 * lowdb's own JSONFile renames without fsync. A file that does not parse is
 * moved aside (never overwritten) and reported as STORE_CORRUPT.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly filename: string;
  private readonly tempFilename: string;
  private readonly frozen: Set<string>;
  /** The JSON of each frozen member as last written, with the object it was made from. */
  private readonly written = new Map<string, { value: unknown; json: string }>();

  /**
   * `frozenKeys`: top-level members that are replaced whole, never changed
   * in place: one that is the same object as at the last write reuses that
   * write's JSON (a status flush of 1,000 services then serialises the
   * statuses, not the services again).
   */
  constructor(filename: string, { frozenKeys = [] }: { frozenKeys?: string[] } = {}) {
    this.filename = filename;
    this.tempFilename = path.join(path.dirname(filename), `.${path.basename(filename)}.tmp`);
    this.frozen = new Set(frozenKeys);
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.filename, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new HxeError('STORE_IO', `cannot read store ${this.filename}: ${(err as Error).message}`, { cause: err });
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      const keptAt = await this.moveAside();
      throw new HxeError(
        'STORE_CORRUPT',
        `store ${this.filename} is corrupt (${(err as Error).message}); it was kept at ${keptAt}. ` +
          `Repair it and move it back, or remove ${keptAt} to start with an empty store.`,
        { cause: err },
      );
    }
  }

  async write(data: T): Promise<void> {
    const handle = await fs.open(this.tempFilename, 'w', 0o600);
    try {
      await handle.writeFile(this.serialize(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(this.tempFilename, this.filename);
    await syncDirectory(path.dirname(this.filename));
  }

  /** JSON.stringify(data), compact, with the JSON of unchanged frozen members reused. */
  private serialize(data: T): string {
    const members: string[] = [];
    for (const [key, value] of Object.entries(data as object)) {
      if (value === undefined) continue;
      const last = this.written.get(key);
      let json: string;
      if (last !== undefined && last.value === value) json = last.json;
      else {
        json = JSON.stringify(value);
        if (this.frozen.has(key)) this.written.set(key, { value, json });
      }
      members.push(`${JSON.stringify(key)}:${json}`);
    }
    return `{${members.join(',')}}`;
  }

  /** Renames the unreadable file to `<name>.corrupt-<time>` and returns that path. */
  private async moveAside(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const keptAt = `${this.filename}.corrupt-${stamp}`;
    await fs.rename(this.filename, keptAt);
    return keptAt;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Paths of stores kept aside as corrupt in `dir` for `filename`, oldest first. */
export async function findCorruptCopies(filename: string): Promise<string[]> {
  const dir = path.dirname(filename);
  const prefix = `${path.basename(filename)}.corrupt-`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix)).sort().map((n) => path.join(dir, n));
}
