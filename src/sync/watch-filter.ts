import path from 'node:path';
import type { Stats } from 'node:fs';

const MANIFEST = /\.(hcl|toml)$/;
/** Editors' swap, backup and lock files, and Vim's write test file. */
const EDITOR_NOISE = /(^\.#|^#.*#$|~$|\.sw[a-p]$|\.tmp$|^4913$)/;

/**
 * What a manifest watch ignores: `.git/` and other hidden entries, editors'
 * temp files and every file that is not a manifest. Directories pass (their
 * manifests may matter) unless hidden.
 */
export function isIgnoredPath(file: string, stats?: Stats, root?: string): boolean {
  if (root && path.resolve(file) === path.resolve(root)) return false;
  const base = path.basename(file);
  if (base.startsWith('.')) return true;
  if (EDITOR_NOISE.test(base)) return true;
  if (stats?.isFile()) return !MANIFEST.test(base);
  return false;
}
