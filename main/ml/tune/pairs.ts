// Labelled pairs: what a person teaches the model. A query (text and/or image) goes with
// the items that answer it (positives) and, optionally, items that do not (negatives), under
// a task whose instructions wrap each side, exactly as the engine phrases searches. MMEB-train
// rows carry their instruction inside the text: their task is null.
import { createHash } from 'node:crypto';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { TaskName } from '../models/embedding-model';
import { hash32 } from '../random';

/** One side: a text, an image (a reference the caller's image loader resolves: a file path, an item id), or both. */
export interface PairSide {
  text?: string;
  image?: string;
}

export interface LabelledPair {
  /** whose instructions wrap the sides; null: the texts already carry their instruction (MMEB-train rows) */
  task: TaskName | null;
  query: PairSide;
  positive: PairSide;
  negatives?: PairSide[];
}

export const sideKey = (s: PairSide): string => `${s.image ?? ''}\u0000${s.text ?? ''}`;

const canonical = (p: LabelledPair): string =>
  JSON.stringify([p.task, sideKey(p.query), sideKey(p.positive), (p.negatives ?? []).map(sideKey).sort()]);

/** SHA-256 of the pairs in canonical form, independent of their order (the lineage's "pairs' hash"). */
export function pairsSha256(pairs: readonly LabelledPair[]): string {
  const h = createHash('sha256');
  for (const line of pairs.map(canonical).sort()) h.update(line).update('\n');
  return h.digest('hex');
}

export interface HeldOutSplit {
  train: LabelledPair[];
  heldOut: LabelledPair[];
}

/**
 * Holds out about `share` of the positives (by the positive item, so a photo is never both
 * trained on and scored), at least one per query that has three or more positives and at
 * least `min` overall when there are five pairs or more; the split is fixed by the items, not by their order
 * nor by where the library lies (a photo counts by its file and folder name and its text, so the same
 * pairs copied elsewhere split alike).
 */
export function splitHeldOut(pairs: readonly LabelledPair[], { share = 0.25, min = 1, seed = 'trove-held-out' } = {}): HeldOutSplit {
  const place = (image = ''): string => `${basename(dirname(image))}/${basename(image)}`;
  const score = (p: LabelledPair): number => hash32(`${seed}\u0000${place(p.positive.image)}\u0000${p.positive.text ?? ''}`) / 2 ** 32;
  const heldKeys = new Set<string>();
  const byQuery = new Map<string, LabelledPair[]>();
  for (const p of pairs) byQuery.set(sideKey(p.query), [...(byQuery.get(sideKey(p.query)) ?? []), p]);
  for (const group of byQuery.values()) {
    const sorted = [...group].sort((a, b) => score(a) - score(b));
    const want = group.length >= 3 ? Math.max(1, Math.round(group.length * share)) : 0;
    for (const p of sorted.slice(0, want)) heldKeys.add(sideKey(p.positive));
  }
  if (pairs.length >= 5 && heldKeys.size < min) {
    for (const p of [...pairs].sort((a, b) => score(a) - score(b))) {
      if (heldKeys.size >= min) break;
      heldKeys.add(sideKey(p.positive));
    }
  }
  const held = (p: LabelledPair): boolean => heldKeys.has(sideKey(p.positive));
  return { train: pairs.filter((p) => !held(p)), heldOut: pairs.filter(held) };
}

export class PairsFileError extends Error {}

interface MmebTrainRow {
  qry?: unknown;
  qry_image_path?: unknown;
  pos_text?: unknown;
  pos_image_path?: unknown;
  neg_text?: unknown;
  neg_image_path?: unknown;
  task?: unknown;
}

const TASKS: readonly TaskName[] = ['retrieval_text_to_image', 'retrieval_image_to_image', 'retrieval_text_to_text', 'classification', 'vqa', 'grounding'];

/**
 * MMEB-train JSONL (`qry`, `qry_image_path`, `pos_text`, `pos_image_path`, optional
 * `neg_text`, `neg_image_path`; image paths relative to `baseDir`) -> pairs. A row may name
 * a `task` (one of the instruction tasks): its texts are then wrapped in that task's
 * instructions; without one, they are used as written (MMEB rows carry their instruction).
 */
export function parseMmebTrainJsonl(text: string, baseDir: string, fileName = 'the pairs file'): LabelledPair[] {
  const out: LabelledPair[] = [];
  const lines = text.split('\n');
  const str = (v: unknown, field: string, line: number): string => {
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new PairsFileError(`${fileName} line ${line}: "${field}" must be a string`);
    return v;
  };
  const path = (p: string): string | undefined => (p ? (isAbsolute(p) ? p : resolve(baseDir, p)) : undefined);
  const side = (t: string, img: string): PairSide => ({ ...(t.trim() ? { text: t } : {}), ...(path(img) ? { image: path(img) } : {}) });
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let row: MmebTrainRow;
    try {
      row = JSON.parse(raw) as MmebTrainRow;
    } catch (e) {
      throw new PairsFileError(`${fileName} line ${line} is not valid JSON (${e instanceof Error ? e.message : String(e)}). Each line must be one JSON object with qry, qry_image_path, pos_text, pos_image_path.`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new PairsFileError(`${fileName} line ${line}: expected a JSON object`);
    const task = row.task === undefined ? null : row.task;
    if (task !== null && !TASKS.includes(task as TaskName)) throw new PairsFileError(`${fileName} line ${line}: unknown task ${JSON.stringify(task)} (known: ${TASKS.join(', ')})`);
    const query = side(str(row.qry, 'qry', line), str(row.qry_image_path, 'qry_image_path', line));
    const positive = side(str(row.pos_text, 'pos_text', line), str(row.pos_image_path, 'pos_image_path', line));
    if (!query.text && !query.image) throw new PairsFileError(`${fileName} line ${line}: the query is empty (give qry and/or qry_image_path)`);
    if (!positive.text && !positive.image) throw new PairsFileError(`${fileName} line ${line}: the positive is empty (give pos_text and/or pos_image_path)`);
    const negative = side(str(row.neg_text, 'neg_text', line), str(row.neg_image_path, 'neg_image_path', line));
    out.push({ task: task as TaskName | null, query, positive, ...(negative.text || negative.image ? { negatives: [negative] } : {}) });
  });
  if (!out.length) throw new PairsFileError(`${fileName} has no pairs: write one JSON object per line (qry, qry_image_path, pos_text, pos_image_path).`);
  return out;
}
