/**
 * The audit trail: one NDJSON line per mutating API call in
 * `$HXE_HOME/audit.log` (0600), rotated by size (audit.log.1 … .N), so it
 * is bounded. Written by the agent only; read by `hxe events --audit`.
 * Entries carry names, generations and outcomes, never specs, environments
 * or tokens.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface AuditEntry {
  time: string;
  /** Who: the socket's user (uid), or a token's subject, with the role. */
  who: { via: string; subject: string; role: string | null; uid?: number; address?: string };
  /** apply, delete, stop, start, restart, sync, sync-stop, token, agent-stop, or METHOD /path for others. */
  action: string;
  names?: string[];
  /** Services whose generation moved: null before = created, null after = deleted. */
  changes?: { name: string; before: number | null; after: number | null }[];
  details?: Record<string, unknown>;
  outcome: 'ok' | 'denied' | 'error';
  status: number;
  error?: string;
}

export const AUDIT_FILE = 'audit.log';
const MAX_BYTES = 1024 * 1024;
const KEEP = 3;

/** Appends entries in order; a write error is reported to `onError` and never stops the API. */
export class AuditLog {
  private size: number | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly onError: (err: unknown) => void,
    private readonly limits = { maxBytes: MAX_BYTES, keep: KEEP },
  ) {}

  record(entry: AuditEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    this.queue = this.queue.then(() => this.append(line)).catch(this.onError);
  }

  /** Resolves once every entry recorded so far is on disk. */
  flush(): Promise<void> {
    return this.queue;
  }

  private async append(line: string): Promise<void> {
    this.size ??= await fs.stat(this.file).then((s) => s.size, () => 0);
    if (this.size > 0 && this.size + Buffer.byteLength(line) > this.limits.maxBytes) await this.rotate();
    await fs.appendFile(this.file, line, { mode: 0o600 });
    this.size += Buffer.byteLength(line);
  }

  private async rotate(): Promise<void> {
    await fs.rm(`${this.file}.${this.limits.keep}`, { force: true });
    for (let i = this.limits.keep - 1; i >= 1; i--) await fs.rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch(() => undefined);
    await fs.rename(this.file, `${this.file}.1`);
    this.size = 0;
  }
}

/** The newest `limit` entries of a home's audit trail (rotated files included), oldest first; lines that do not parse are skipped. */
export async function readAudit(home: string, limit = 100): Promise<AuditEntry[]> {
  const file = path.join(home, AUDIT_FILE);
  const entries: AuditEntry[] = [];
  for (let i = KEEP; i >= 0; i--) {
    const text = await fs.readFile(i === 0 ? file : `${file}.${i}`, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A torn last line (the agent was killed mid-write) is skipped.
      }
    }
  }
  return entries.slice(-limit);
}
