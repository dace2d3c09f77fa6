// Labelled pairs between the store and the trainer: what the UI records (thumbs, "These
// are ...", Ask's right answer, a box in Point at, a JSONL import) becomes store rows; store
// rows become main/ml's LabelledPairs, one per right target, each carrying its query's wrong
// targets as negatives, with images named by file (and region) for the worker.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PairList } from '../../contract/tuning';
import type { ParsedRequestOf } from '../../contract/api';
import type { TaskName } from '../../ml/models/embedding-model';
import type { LabelledPair, PairSide } from '../../ml/tune/pairs';
import { PairsFileError, parseMmebTrainJsonl } from '../../ml/tune/pairs';
import { hash32 } from '../../ml/random';
import { EngineError } from '../errors';
import type { Db } from '../store/db';
import { getItem } from '../store/items';
import type { PairInput, PairRow } from '../store/tuning';
import { listPairs, upsertPair } from '../store/tuning';
import { imageRef } from './image-refs';

/** Imported MMEB-train rows whose texts carry their own instruction. */
const RAW_IMPORT = 'import-raw';

const queryKey = (p: PairRow): string => JSON.stringify([p.task, p.queryText, p.queryItem, p.queryFile]);

/** The store's pairs for the API: every row, and per query how many right and wrong targets. */
export function pairList(db: Db): PairList {
  const pairs = listPairs(db);
  const queries = new Map<string, PairList['queries'][number]>();
  for (const p of pairs) {
    const k = queryKey(p);
    const q = queries.get(k) ?? { task: p.task, queryText: p.queryText, queryItem: p.queryItem, positives: 0, negatives: 0 };
    if (p.label === 1) q.positives++;
    else q.negatives++;
    queries.set(k, q);
  }
  return { pairs, queries: [...queries.values()] };
}

/** Records pairs from the UI; items must be in the library, a box only on a photo. */
export function addPairs(db: Db, req: ParsedRequestOf<'addPairs'>): number {
  const item = (id: number, what: string) => {
    const it = getItem(db, id);
    if (!it) throw new EngineError('not_found', `There is no item with id ${id} (the ${what}); it may have been deleted. Search again and pick it from the results.`);
    return it;
  };
  if (req.query.itemId !== undefined && item(req.query.itemId, 'query photo').kind !== 'image') throw new EngineError('invalid', 'A query item must be a photo.');
  const rows: PairInput[] = req.targets.map((t) => {
    if (t.itemId !== undefined) {
      const it = item(t.itemId, 'target');
      if (t.box && it.kind !== 'image') throw new EngineError('invalid', `Item ${it.id} is a note: a box marks a region of a photo.`);
    }
    return {
      task: req.task,
      queryText: req.query.text ?? null,
      queryItem: req.query.itemId ?? null,
      targetText: t.text ?? null,
      targetItem: t.itemId ?? null,
      targetBox: t.box ?? null,
      label: t.label,
      origin: req.origin,
    };
  });
  db.transaction(() => rows.forEach((r) => upsertPair(db, r)))();
  return rows.length;
}

/** Imports an MMEB-train JSONL file (image paths relative to it). */
export function importPairs(db: Db, path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EngineError('not_found', `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Give the full path of a .jsonl file on this computer.`);
  }
  let pairs: LabelledPair[];
  try {
    pairs = parseMmebTrainJsonl(text, dirname(resolve(path)), path);
  } catch (err) {
    if (err instanceof PairsFileError) throw new EngineError('invalid', err.message);
    throw err;
  }
  const rows: PairInput[] = [];
  for (const p of pairs) {
    // a row without a task carries its instruction in its text (MMEB-train): stored as
    // 'import-raw' (under retrieval_text_to_image, the column needs one) and trained as written
    const task = (p.task ?? 'retrieval_text_to_image') as PairInput['task'];
    const origin = p.task ? 'import' : RAW_IMPORT;
    const q = { queryText: p.query.text ?? null, queryFile: p.query.image ?? null };
    rows.push({ task, ...q, targetText: p.positive.text ?? null, targetFile: p.positive.image ?? null, label: 1, origin });
    for (const n of p.negatives ?? []) rows.push({ task, ...q, targetText: n.text ?? null, targetFile: n.image ?? null, label: -1, origin });
  }
  db.transaction(() => rows.forEach((r) => upsertPair(db, r)))();
  return rows.length;
}

/** One side of a stored pair as the worker reads it (images as file references). */
function side(db: Db, text: string | null, itemId: number | null, file: string | null, box: PairRow['targetBox'] = null): PairSide | null {
  const s: PairSide = {};
  if (text) s.text = text;
  if (itemId !== null) {
    const it = getItem(db, itemId);
    if (!it) return null;
    if (it.kind === 'image') s.image = imageRef(it.path, box);
  } else if (file) s.image = imageRef(file, box);
  return s.text || s.image ? s : null;
}

export interface TrainingPairs {
  pairs: LabelledPair[];
  /** queries with wrong targets but no right one (InfoNCE needs a right one): left out */
  withoutPositives: number;
}

/** The store's pairs as main/ml's: one per right target, its query's wrong targets as negatives. */
export function trainingPairs(db: Db): TrainingPairs {
  const groups = new Map<string, PairRow[]>();
  for (const p of listPairs(db)) groups.set(queryKey(p), [...(groups.get(queryKey(p)) ?? []), p]);
  const out: LabelledPair[] = [];
  let withoutPositives = 0;
  for (const rows of groups.values()) {
    const r0 = rows[0]!;
    const query = side(db, r0.queryText, r0.queryItem, r0.queryFile);
    if (!query) continue;
    const task: TaskName | null = r0.origin === RAW_IMPORT ? null : r0.task;
    const negatives = rows.filter((r) => r.label === -1).map((r) => side(db, r.targetText, r.targetItem, r.targetFile, r.targetBox)).filter((s): s is PairSide => s !== null);
    const positives = rows.filter((r) => r.label === 1).map((r) => side(db, r.targetText, r.targetItem, r.targetFile, r.targetBox)).filter((s): s is PairSide => s !== null);
    if (!positives.length) withoutPositives++;
    for (const positive of positives) out.push({ task, query, positive, ...(negatives.length ? { negatives } : {}) });
  }
  return { pairs: out, withoutPositives };
}

/**
 * Library items a held-out positive must outrank (none of them labelled for any query): up
 * to `n` photos for text-to-photo queries and `n` note chunks for text-to-note ones, picked
 * by a fixed hash of their ids so a rerun scores against the same ones.
 */
export function libraryDistractors(db: Db, tasks: ReadonlySet<TaskName | null>, n = 60): { task: TaskName; side: PairSide }[] {
  const labelled = new Set((db.prepare('SELECT DISTINCT target_item AS id FROM tuning_pairs WHERE target_item IS NOT NULL').all() as { id: number }[]).map((r) => r.id));
  const pick = <T extends { id: number }>(rows: T[]): T[] => rows.filter((r) => !labelled.has(r.id)).sort((a, b) => hash32(`d${a.id}`) - hash32(`d${b.id}`)).slice(0, n);
  const out: { task: TaskName; side: PairSide }[] = [];
  if (tasks.has('retrieval_text_to_image')) {
    const photos = db.prepare(`SELECT id, path FROM items WHERE kind = 'image' AND state = 'ready'`).all() as { id: number; path: string }[];
    for (const p of pick(photos)) out.push({ task: 'retrieval_text_to_image', side: { image: p.path } });
  }
  if (tasks.has('retrieval_text_to_text')) {
    const chunks = db.prepare(`SELECT c.id, c.item_id AS itemId, c.text FROM chunks c JOIN items i ON i.id = c.item_id WHERE i.state = 'ready'`).all() as { id: number; itemId: number; text: string }[];
    for (const c of pick(chunks.map((x) => ({ ...x, id: x.itemId, chunk: x.id })))) out.push({ task: 'retrieval_text_to_text', side: { text: c.text } });
  }
  return out;
}
