import { extname } from 'node:path';

/** The two manifest languages; the extension decides. */
export type ManifestFormat = 'hcl' | 'toml';

/** The format of a manifest path, or null when its extension is neither `.hcl` nor `.toml`. */
export function formatOf(path: string): ManifestFormat | null {
  const extension = extname(path);
  if (extension === '.hcl') return 'hcl';
  if (extension === '.toml') return 'toml';
  return null;
}
