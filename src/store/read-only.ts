import { promises as fs } from 'node:fs';
import { HxeError } from '../core/errors.js';
import { findCorruptCopies } from './durable-json-file.js';
import { migrateDocument, STORE_FORMAT, type StoreDocument } from './document.js';

/**
 * The store's document as it is on disk, read without writing anything: for
 * readers while no agent runs (the agent is the store's only writer, and
 * the one that keeps a corrupt file aside). A missing file is an empty
 * store; one that does not parse is reported and left where it is.
 */
export async function readStoreDocument(file: string): Promise<StoreDocument> {
  await refuseCorruptCopies(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return migrateDocument({ format: STORE_FORMAT }, file);
    throw new HxeError('STORE_IO', `cannot read store ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HxeError('STORE_CORRUPT', `store ${file} is corrupt (${(err as Error).message})`, { cause: err });
  }
  return migrateDocument(data, file);
}

/**
 * Rejects with STORE_CORRUPT while a corrupt copy of the store waits to be
 * dealt with: no reader or writer guesses what was applied.
 */
export async function refuseCorruptCopies(file: string): Promise<void> {
  const corrupt = await findCorruptCopies(file);
  if (corrupt.length === 0) return;
  throw new HxeError(
    'STORE_CORRUPT',
    `store ${file} was found corrupt and kept at ${corrupt.join(', ')}. ` +
      `Repair it and move it back to ${file}, or remove it to start with an empty store.`,
  );
}
