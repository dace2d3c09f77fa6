// A search evaluation set: a folder with `library/` (photos and notes, as a person keeps
// them) and `queries.json`, a list of { kind, query, relevant } where `relevant` holds
// paths relative to library/ ('/'-separated). Built for development by
// native-models/recipes/build-search-dev.ts; `trove eval --search DIR` runs it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { z } from 'zod';
import { messageOf } from '../../base/errors';

export const SEARCH_QUERY_KINDS = ['object', 'text', 'place', 'date', 'note-words', 'note-meaning', 'mixed'] as const;
export type SearchQueryKind = (typeof SEARCH_QUERY_KINDS)[number];

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && posix.normalize(p) === p && !p.startsWith('..'), {
    message: "must be a '/'-separated path inside library/ (no leading '/', '..' or '\\')",
  });

export const SearchQuery = z
  .object({
    kind: z.enum(SEARCH_QUERY_KINDS),
    query: z.string().trim().min(1),
    relevant: z.array(relativePath).min(1, 'needs at least one relevant path'),
  })
  .strict();
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchQueries = z.array(SearchQuery).min(1, 'holds no queries');

export interface SearchSet {
  /** the set's folder (absolute) */
  dir: string;
  /** its library/ folder (absolute) */
  library: string;
  queries: SearchQuery[];
}

export class SearchSetError extends Error {}

/** Reads and checks a search set: library/ exists, queries.json parses, every relevant path is a file in library/. */
export function readSearchSet(dirArg: string): SearchSet {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SearchSetError(`${dirArg}: no such folder`);
  const library = join(dir, 'library');
  if (!existsSync(library) || !statSync(library).isDirectory()) {
    throw new SearchSetError(`${dir} has no library/ folder: a search set is library/ (the photos and notes) + queries.json (build one with \`npx tsx native-models/recipes/build-search-dev.ts\`)`);
  }
  const file = join(dir, 'queries.json');
  if (!existsSync(file)) throw new SearchSetError(`${dir} has no queries.json: expected [{ "kind", "query", "relevant": [paths in library/] }]`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SearchSetError(`${file} is not valid JSON: ${messageOf(e)}`);
  }
  const parsed = SearchQueries.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `  queries.json${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
    const more = parsed.error.issues.length > 5 ? `\n  ... and ${parsed.error.issues.length - 5} more` : '';
    throw new SearchSetError(`${file} is malformed (each entry: { "kind": ${SEARCH_QUERY_KINDS.map((k) => `"${k}"`).join(' | ')}, "query": text, "relevant": [paths in library/] }):\n${issues.join('\n')}${more}`);
  }
  const missing: string[] = [];
  for (const [i, q] of parsed.data.entries()) {
    for (const p of q.relevant) if (!existsSync(join(library, p))) missing.push(`queries.json[${i}] ("${q.query}"): ${p}`);
  }
  if (missing.length) {
    throw new SearchSetError(`${missing.length} relevant path(s) are not files in ${library}:\n  ${missing.slice(0, 5).join('\n  ')}${missing.length > 5 ? `\n  ... and ${missing.length - 5} more` : ''}`);
  }
  return { dir, library, queries: parsed.data };
}
