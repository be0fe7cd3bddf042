/**
 * PM2's value forms → hxe's: millisecond counts, PM2 memory sizes, names,
 * and argument lists given as a string or an array.
 */
import { splitCommand } from '../command.js';
import { parseDuration } from '../duration.js';
import { MAX_NAME_LENGTH } from '../names.js';

/** A problem with one PM2 field, named as the user wrote it. */
export class FieldProblem extends Error {}

const fail = (message: string): never => {
  throw new FieldProblem(message);
};

/** PM2 durations: a number of ms, a digit string, or a duration such as "10s". */
export function toMs(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (typeof value === 'string') {
    try {
      return parseDuration(value);
    } catch {
      // Falls through to the message below.
    }
  }
  return fail(`expected milliseconds (a whole number) or a duration such as "10s", got ${JSON.stringify(value)}`);
}

const MEMORY_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** PM2's max_memory_restart: bytes, or "300K", "260M", "1G" (powers of 1024, as PM2 counts them). */
export function toBytes(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*$/i.exec(value) : null;
  const bytes = match ? Math.round(Number(match[1]) * MEMORY_UNITS[match[2].toUpperCase()]) : 0;
  return bytes > 0 ? bytes : fail(`expected a size such as "260M", "1G" or bytes, got ${JSON.stringify(value)}`);
}

/** A string split by shell quoting (as PM2 splits args), or an array of scalars. */
export function toArgList(value: unknown): string[] {
  if (typeof value === 'string') {
    try {
      return splitCommand(value);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  if (Array.isArray(value) && value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) return value.map(String);
  return fail(`expected a string or a list of strings, got ${JSON.stringify(value)}`);
}

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return fail(`expected true or false, got ${JSON.stringify(value)}`);
}

/** A string or a list of strings, as a list (watch, ignore_watch). */
export function toStringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return fail(`expected a string or a list of strings, got ${JSON.stringify(value)}`);
}

/** A PM2 name as a DNS-1123 label: `HTTP-API` → `http-api`, `api.v2` → `api-v2`; '' when nothing is left. */
export function toServiceName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/-+$/, '');
}

/**
 * PM2's `instances`: a count, a digit string, "max", 0 or -1 (one per CPU,
 * as hxe's SPEC fixes it), or -N for N ≥ 2 (all CPUs but N, at least one).
 */
export function toInstances(value: unknown, cpus: number): number {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (number === 'max' || number === 0 || number === -1) return cpus;
  if (typeof number === 'number' && Number.isInteger(number)) return number > 0 ? number : Math.max(1, cpus + number);
  return fail(`expected a number of instances, "max", 0 or -N, got ${JSON.stringify(value)}`);
}
