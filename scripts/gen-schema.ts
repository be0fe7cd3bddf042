/**
 * Writes manifests/schema/hxe-manifest.schema.json, the JSON Schema of a
 * TOML manifest file's input, from the zod schema (the single source of
 * truth). Editors (Taplo, VS Code "Even Better TOML") use it to complete
 * and check manifests.
 *
 *   npx tsx scripts/gen-schema.ts          write the file
 *   npx tsx scripts/gen-schema.ts --check  exit 1 when the file is not current
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { manifestFileSchema } from '../src/manifest/schema.js';

/** Where the schema is checked in. */
export const SCHEMA_PATH = fileURLToPath(new URL('../manifests/schema/hxe-manifest.schema.json', import.meta.url));

/** The schema's JSON text, as checked in. */
export function renderSchema(): string {
  const schema = z.toJSONSchema(manifestFileSchema, { io: 'input', unrepresentable: 'any' });
  const titled = { $schema: schema.$schema, title: 'hxe manifest', ...schema };
  return `${JSON.stringify(titled, null, 2)}\n`;
}

function readCurrent(): string | null {
  try {
    return readFileSync(SCHEMA_PATH, 'utf8');
  } catch {
    return null;
  }
}

function main(argv: string[]): number {
  const rendered = renderSchema();
  if (argv.includes('--check')) {
    if (readCurrent() === rendered) return 0;
    process.stderr.write(`${SCHEMA_PATH} is not current: run npx tsx scripts/gen-schema.ts\n`);
    return 1;
  }
  writeFileSync(SCHEMA_PATH, rendered);
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
  return 0;
}

// Run as a script only: tests import renderSchema() without writing anything.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
