// `trove search`: Find from the command line, with the same understanding and ranking as
// the app; --json carries each result's reasons and what the query was understood as.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ChunkRef, ItemKind as ItemKindSchema, MatchReason, ParsedQuery, type Filters, type ItemKind, type SearchResponse } from '../contract/api';
import type { EmbeddingModel } from '../ml/models/embedding-model';
import { flagInt, flagString, UsageError, type ParsedArgs } from './args';
import type { WithEngine } from './engine-opener';

interface SearchDeps {
  dataDir: string;
  loadModel: () => Promise<EmbeddingModel>;
  out: { write(s: string): unknown };
  withEngine: WithEngine;
}

/** "2019" / "2019-06" / "2019-06-12" -> the first or last millisecond of that period, local time. */
export function dateBound(text: string, end: boolean, flag: string): number {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} must be a date like 2019, 2019-06 or 2019-06-12, got "${text}"`);
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) - 1 : null;
  const d = m[3] ? Number(m[3]) : null;
  if ((mo !== null && (mo < 0 || mo > 11)) || (d !== null && (d < 1 || d > 31))) throw new UsageError(`--${flag}: "${text}" is not a valid date`);
  if (!end) return new Date(y, mo ?? 0, d ?? 1).getTime();
  const next = d !== null ? new Date(y, mo!, d + 1) : mo !== null ? new Date(y, mo + 1, 1) : new Date(y + 1, 0, 1);
  return next.getTime() - 1;
}

export function searchFilters(args: ParsedArgs): Filters {
  const filters: Filters = {};
  const kind = flagString(args, 'kind');
  if (kind !== undefined && kind !== 'image' && kind !== 'note') throw new UsageError(`--kind must be image or note, got "${kind}"`);
  if (kind) filters.kinds = [kind as ItemKind];
  const from = flagString(args, 'from');
  const to = flagString(args, 'to');
  if (from !== undefined) filters.dateFrom = dateBound(from, false, 'from');
  if (to !== undefined) filters.dateTo = dateBound(to, true, 'to');
  if (filters.dateFrom !== undefined && filters.dateTo !== undefined && filters.dateFrom > filters.dateTo) throw new UsageError('--from is after --to');
  const place = flagString(args, 'place');
  if (place !== undefined) filters.places = [place];
  return filters;
}

export async function cmdSearch(args: ParsedArgs, d: SearchDeps): Promise<number> {
  const text = args.positional.join(' ').trim() || undefined;
  const imagePath = flagString(args, 'image');
  if (!text && !imagePath) throw new UsageError('search needs a text or --image PATH: trove search "receipt from the bike shop"');
  const k = flagInt(args, 'k', 1, 1000) ?? 10;
  const sort = flagString(args, 'sort') ?? 'relevance';
  if (sort !== 'relevance' && sort !== 'date') throw new UsageError(`--sort must be relevance or date, got "${sort}"`);
  const filters = searchFilters(args);
  let imageBase64: string | undefined;
  if (imagePath) {
    try {
      imageBase64 = readFileSync(imagePath).toString('base64');
    } catch {
      throw new UsageError(`cannot read the image ${imagePath}`);
    }
  }
  const model = await d.loadModel();
  return d.withEngine(d.dataDir, model, async (e) => {
    const res = await e.find({ text, imageBase64, k, filters, sort });
    if (args.flags.has('json')) {
      d.out.write(JSON.stringify(jsonOf(res)) + '\n');
      return 0;
    }
    printHuman(res, d.out, (await e.status()).embedded > 0);
    return 0;
  });
}

/** What `trove search --json` prints (scripts and the held-out evaluation read `results[].path`). */
export const SearchJson = z
  .object({
    results: z.array(
      z.object({ id: z.number().int().positive(), path: z.string(), kind: ItemKindSchema, score: z.number(), why: z.array(MatchReason), chunk: ChunkRef.optional() }).strict(),
    ),
    /** what the query was understood as (null for an image query) */
    parsed: ParsedQuery.nullable(),
    /** false: nothing matched well, the results are the closest there are */
    strong: z.boolean(),
    instruction: z.string(),
  })
  .strict();
export type SearchJson = z.infer<typeof SearchJson>;

function jsonOf(res: SearchResponse): SearchJson {
  const results = res.results.map((r) => ({ id: r.id, path: r.path, kind: r.kind, score: r.score, why: r.why ?? [], ...(r.chunk ? { chunk: r.chunk } : {}) }));
  return { results, parsed: res.parsed ?? null, strong: res.strong ?? results.length > 0, instruction: res.instruction };
}

function printHuman(res: SearchResponse, out: SearchDeps['out'], indexed: boolean): void {
  const chips = res.parsed?.chips ?? [];
  if (chips.length) out.write(`Understood: ${chips.map((c) => `${c.kind} ${c.label}`).join(', ')}${res.parsed?.text ? `; looking for "${res.parsed.text}"` : ''}\n`);
  if (!res.results.length) {
    out.write(indexed ? 'No matches.\n' : 'No matches: nothing is indexed yet. Run `trove add <folder>` and `trove index` first.\n');
    return;
  }
  if (res.strong === false) out.write('No strong matches; the closest are:\n');
  for (const r of res.results) {
    const why = r.why?.length ? `  (${r.why.map((w) => w.label).join('; ')})` : '';
    out.write(`${r.score.toFixed(3)}  ${r.kind.padEnd(5)}  ${r.path}${why}\n`);
    if (r.chunk) out.write(`        …${r.chunk.text.slice(0, 120).replace(/\s+/g, ' ')}…\n`);
  }
}
