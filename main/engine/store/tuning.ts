// Typed access to the fine-tuning tables (migration 4): labelled pairs, tuning runs, model
// adoptions, and which content each model version's embeddings of an item were made from.
import type { Db } from './db';

export type PairTask = 'retrieval_text_to_image' | 'retrieval_image_to_image' | 'retrieval_text_to_text' | 'classification' | 'vqa' | 'grounding';

export interface PairInput {
  task: PairTask;
  queryText?: string | null;
  queryItem?: number | null;
  queryFile?: string | null;
  targetText?: string | null;
  targetItem?: number | null;
  targetFile?: string | null;
  /** [x, y, width, height], fractions of the photo */
  targetBox?: [number, number, number, number] | null;
  label: 1 | -1;
  origin: string;
}

export interface PairRow {
  id: number;
  task: PairTask;
  queryText: string | null;
  queryItem: number | null;
  queryFile: string | null;
  targetText: string | null;
  targetItem: number | null;
  targetFile: string | null;
  targetBox: [number, number, number, number] | null;
  label: 1 | -1;
  origin: string;
  createdAt: number;
}

const PAIR_COLUMNS = `id, task, query_text AS queryText, query_item AS queryItem, query_file AS queryFile, target_text AS targetText,
  target_item AS targetItem, target_file AS targetFile, target_box AS targetBox, label, origin, created_at AS createdAt`;

/** Adds a pair, or changes the label of the same (query, target) pair. Returns its id. */
export function upsertPair(db: Db, p: PairInput, now = Date.now()): number {
  const box = p.targetBox ? JSON.stringify(p.targetBox.map((v) => Math.round(v * 1e4) / 1e4)) : null;
  const args = [p.task, p.queryText ?? null, p.queryItem ?? null, p.queryFile ?? null, p.targetText ?? null, p.targetItem ?? null, p.targetFile ?? null, box];
  const existing = db
    .prepare(
      `SELECT id FROM tuning_pairs WHERE task = ? AND ifnull(query_text, '') = ifnull(?, '') AND ifnull(query_item, 0) = ifnull(?, 0) AND ifnull(query_file, '') = ifnull(?, '')
       AND ifnull(target_text, '') = ifnull(?, '') AND ifnull(target_item, 0) = ifnull(?, 0) AND ifnull(target_file, '') = ifnull(?, '') AND ifnull(target_box, '') = ifnull(?, '')`,
    )
    .get(...args) as { id: number } | undefined;
  if (existing) {
    db.prepare('UPDATE tuning_pairs SET label = ?, origin = ?, created_at = ? WHERE id = ?').run(p.label, p.origin, now, existing.id);
    return existing.id;
  }
  return Number(
    db
      .prepare(
        `INSERT INTO tuning_pairs (task, query_text, query_item, query_file, target_text, target_item, target_file, target_box, label, origin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...args, p.label, p.origin, now).lastInsertRowid,
  );
}

export function listPairs(db: Db): PairRow[] {
  const rows = db.prepare(`SELECT ${PAIR_COLUMNS} FROM tuning_pairs ORDER BY id`).all() as (Omit<PairRow, 'targetBox'> & { targetBox: string | null })[];
  return rows.map((r) => ({ ...r, targetBox: r.targetBox ? (JSON.parse(r.targetBox) as [number, number, number, number]) : null }));
}

export function deletePairs(db: Db, ids: readonly number[]): number {
  const stmt = db.prepare('DELETE FROM tuning_pairs WHERE id = ?');
  return db.transaction(() => ids.reduce((n, id) => n + stmt.run(id).changes, 0))();
}

// ---- runs ----

export type RunState = 'running' | 'done' | 'cancelled' | 'failed';

export interface RunRow {
  id: number;
  state: RunState;
  baseDir: string;
  specFile: string;
  workDir: string;
  pairs: number;
  step: number;
  steps: number;
  phase: string | null;
  /** [step, loss] per completed step */
  losses: [number, number][];
  /** the worker's result (scores, counts), JSON */
  result: unknown;
  packageDir: string | null;
  message: string | null;
  startedAt: number;
  finishedAt: number | null;
}

const RUN_COLUMNS = `id, state, base_dir AS baseDir, spec_file AS specFile, work_dir AS workDir, pairs, step, steps, phase, losses, result,
  package_dir AS packageDir, message, started_at AS startedAt, finished_at AS finishedAt`;

function runOf(r: Omit<RunRow, 'losses' | 'result'> & { losses: string; result: string | null }): RunRow {
  return { ...r, losses: JSON.parse(r.losses) as [number, number][], result: r.result ? (JSON.parse(r.result) as unknown) : null };
}

export function insertRun(db: Db, r: { baseDir: string; specFile: string; workDir: string; pairs: number; steps: number }, now = Date.now()): number {
  return Number(
    db
      .prepare(`INSERT INTO tuning_runs (state, base_dir, spec_file, work_dir, pairs, steps, started_at) VALUES ('running', ?, ?, ?, ?, ?, ?)`)
      .run(r.baseDir, r.specFile, r.workDir, r.pairs, r.steps, now).lastInsertRowid,
  );
}

export function getRun(db: Db, id: number): RunRow | null {
  const r = db.prepare(`SELECT ${RUN_COLUMNS} FROM tuning_runs WHERE id = ?`).get(id) as Parameters<typeof runOf>[0] | undefined;
  return r ? runOf(r) : null;
}

export function latestRun(db: Db): RunRow | null {
  const r = db.prepare(`SELECT ${RUN_COLUMNS} FROM tuning_runs ORDER BY id DESC LIMIT 1`).get() as Parameters<typeof runOf>[0] | undefined;
  return r ? runOf(r) : null;
}

export function updateRunProgress(db: Db, id: number, p: { step: number; phase: string; losses: [number, number][] }): void {
  db.prepare('UPDATE tuning_runs SET step = ?, phase = ?, losses = ? WHERE id = ?').run(p.step, p.phase, JSON.stringify(p.losses), id);
}

export function finishRun(db: Db, id: number, r: { state: Exclude<RunState, 'running'>; result?: unknown; packageDir?: string | null; message?: string | null }, now = Date.now()): void {
  db.prepare('UPDATE tuning_runs SET state = ?, result = ?, package_dir = ?, message = ?, finished_at = ? WHERE id = ?').run(
    r.state,
    r.result === undefined ? null : JSON.stringify(r.result),
    r.packageDir ?? null,
    r.message ?? null,
    now,
    id,
  );
}

export function markRunRunning(db: Db, id: number): void {
  db.prepare(`UPDATE tuning_runs SET state = 'running', message = NULL, finished_at = NULL WHERE id = ?`).run(id);
}

/** Tuned packages this library made, by folder, with the run that made them. */
export function runsByPackage(db: Db): Map<string, RunRow> {
  const rows = db.prepare(`SELECT ${RUN_COLUMNS} FROM tuning_runs WHERE package_dir IS NOT NULL ORDER BY id`).all() as Parameters<typeof runOf>[0][];
  return new Map(rows.map((r) => [r.packageDir!, runOf(r)]));
}

// ---- adoptions ----

export type AdoptionState = 'embedding' | 'switching' | 'active' | 'rolled-back' | 'cancelled' | 'failed' | 'superseded';

export interface AdoptionRow {
  id: number;
  fromDir: string | null;
  toDir: string;
  toVersion: number | null;
  state: AdoptionState;
  done: number;
  total: number;
  message: string | null;
  startedAt: number;
  finishedAt: number | null;
}

const ADOPTION_COLUMNS = 'id, from_dir AS fromDir, to_dir AS toDir, to_version AS toVersion, state, done, total, message, started_at AS startedAt, finished_at AS finishedAt';

export function insertAdoption(db: Db, a: { fromDir: string | null; toDir: string }, now = Date.now()): number {
  return Number(db.prepare(`INSERT INTO model_adoptions (from_dir, to_dir, state, started_at) VALUES (?, ?, 'embedding', ?)`).run(a.fromDir, a.toDir, now).lastInsertRowid);
}

export function getAdoption(db: Db, id: number): AdoptionRow | null {
  return (db.prepare(`SELECT ${ADOPTION_COLUMNS} FROM model_adoptions WHERE id = ?`).get(id) as AdoptionRow | undefined) ?? null;
}

export function latestAdoption(db: Db, states?: readonly AdoptionState[]): AdoptionRow | null {
  const where = states ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
  return (db.prepare(`SELECT ${ADOPTION_COLUMNS} FROM model_adoptions ${where} ORDER BY id DESC LIMIT 1`).get(...(states ?? [])) as AdoptionRow | undefined) ?? null;
}

export function updateAdoption(db: Db, id: number, a: Partial<Pick<AdoptionRow, 'state' | 'done' | 'total' | 'message' | 'toVersion'>>, now = Date.now()): void {
  const cur = getAdoption(db, id);
  if (!cur) return;
  const next = { ...cur, ...a };
  const ended = next.state !== 'embedding' && next.state !== 'switching';
  db.prepare('UPDATE model_adoptions SET state = ?, done = ?, total = ?, message = ?, to_version = ?, finished_at = ? WHERE id = ?').run(
    next.state,
    next.done,
    next.total,
    next.message,
    next.toVersion,
    ended ? (cur.finishedAt ?? now) : null,
    id,
  );
}

// ---- which items each model version has valid embeddings for ----

/**
 * An item's embeddings of version :v are valid when it is ready, its content is what they
 * were made from, and they are complete (a photo's one vector; a vector for every chunk of
 * a note).
 */
const VALID_FOR_VERSION = `items.state = 'ready' AND items.hash IS NOT NULL
  AND EXISTS (SELECT 1 FROM item_version_hashes h WHERE h.item_id = items.id AND h.model_version = :v AND h.hash = items.hash)
  AND ((items.kind = 'image' AND EXISTS (SELECT 1 FROM embeddings e WHERE e.item_id = items.id AND e.model_version = :v AND e.chunk_id IS NULL))
    OR (items.kind = 'note' AND EXISTS (SELECT 1 FROM chunks c WHERE c.item_id = items.id)
      AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.item_id = items.id
        AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.item_id = items.id AND e.chunk_id = c.id AND e.model_version = :v))))`;

/** Records the content every ready item embedded with `version` has now (before the library switches away from it). */
export function snapshotVersionHashes(db: Db, version: number): number {
  return db
    .prepare(`INSERT OR REPLACE INTO item_version_hashes (item_id, model_version, hash) SELECT id, ?, hash FROM items WHERE state = 'ready' AND embedded_version = ? AND hash IS NOT NULL`)
    .run(version, version).changes;
}

export function recordVersionHash(db: Db, itemId: number, version: number, hash: string): void {
  db.prepare('INSERT OR REPLACE INTO item_version_hashes (item_id, model_version, hash) VALUES (?, ?, ?)').run(itemId, version, hash);
}

/** Marks every item whose `version` embeddings are valid as embedded with it; returns how many changed. */
export function adoptValidEmbeddings(db: Db, version: number): number {
  return db.prepare(`UPDATE items SET embedded_version = :v WHERE (embedded_version IS NULL OR embedded_version <> :v) AND ${VALID_FOR_VERSION}`).run({ v: version }).changes;
}

export interface ItemToEmbed {
  id: number;
  kind: 'image' | 'note';
  path: string;
  hash: string;
}

/** Ready items (after `afterId`) without valid `version` embeddings: what a switch to it still needs. */
export function itemsNeedingVersion(db: Db, version: number, afterId: number, limit: number): ItemToEmbed[] {
  return db
    .prepare(`SELECT id, kind, path, hash FROM items WHERE id > :after AND state = 'ready' AND hash IS NOT NULL AND NOT (${VALID_FOR_VERSION}) ORDER BY id LIMIT :limit`)
    .all({ v: version, after: afterId, limit }) as ItemToEmbed[];
}

export function countNeedingVersion(db: Db, version: number): number {
  return (db.prepare(`SELECT count(*) AS n FROM items WHERE state = 'ready' AND hash IS NOT NULL AND NOT (${VALID_FOR_VERSION})`).get({ v: version }) as { n: number }).n;
}

export function countReady(db: Db): number {
  return (db.prepare(`SELECT count(*) AS n FROM items WHERE state = 'ready' AND hash IS NOT NULL`).get() as { n: number }).n;
}
