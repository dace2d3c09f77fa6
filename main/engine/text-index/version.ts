// Which version of this code built the full-text documents of a library. The documents are
// derived from the store (documents.ts, tag-words.ts decide what goes in them), so when
// that code changes they are rebuilt from what the store holds, not by running the passes
// again. The version is kept beside the database; a lost or unreadable file means a rebuild.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../base/errors';

/** Bump when documents.ts or tag-words.ts would write other documents for the same store. */
export const TEXT_INDEX_VERSION = 5;

export function textIndexStamp(dataDir: string): string {
  return join(dataDir, 'text-index.json');
}

export function readTextIndexVersion(file: string, log: (line: string) => void): number | null {
  try {
    const v = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'number' ? v : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`text index: ${file} is unreadable (${messageOf(err)}); rebuilding the documents`);
    return null;
  }
}
