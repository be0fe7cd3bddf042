import path from 'node:path';

/** The source set of an apply: the absolute paths given, sorted, so the same files are the same set from any directory. */
export function sourceSet(files: string[]): string {
  return [...new Set(files.map((file) => path.resolve(file)))].sort().join(',');
}
