// Typed access to `jobs` and `model_versions`.
import type { JobProgress } from '../../contract/api';
import type { Db } from './db';

export type JobState = 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

export function insertJob(db: Db, kind: string, total: number, now = Date.now()): number {
  return Number(db.prepare(`INSERT INTO jobs (kind, state, total, started_at) VALUES (?, 'running', ?, ?)`).run(kind, total, now).lastInsertRowid);
}

export function updateJob(db: Db, id: number, j: { state: JobState; done: number; total: number; message?: string }, now = Date.now()): void {
  const finished = j.state === 'done' || j.state === 'cancelled' || j.state === 'failed' ? now : null;
  db.prepare('UPDATE jobs SET state = ?, done = ?, total = ?, message = ?, finished_at = ? WHERE id = ?').run(
    j.state, j.done, j.total, j.message ?? null, finished, id,
  );
}

/** Jobs left running by a process that died: they did not finish. */
export function failInterruptedJobs(db: Db, now = Date.now()): number {
  return db
    .prepare(`UPDATE jobs SET state = 'failed', message = 'interrupted (the process stopped); indexing resumes where it left off', finished_at = ?
              WHERE state IN ('running', 'paused')`)
    .run(now).changes;
}

export interface ModelVersionInput {
  modelId: string;
  version: string;
  family: string;
  dim: number;
}

/** The row id of this model version, created on first use. */
export function ensureModelVersion(db: Db, m: ModelVersionInput, now = Date.now()): number {
  db.prepare('INSERT INTO model_versions (model_id, version, family, dim, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
    m.modelId, m.version, m.family, m.dim, now,
  );
  const row = db.prepare('SELECT id, dim FROM model_versions WHERE model_id = ? AND version = ?').get(m.modelId, m.version) as { id: number; dim: number };
  if (row.dim !== m.dim) throw new Error(`model ${m.modelId} ${m.version} was stored with dimension ${row.dim}, but now reports ${m.dim}`);
  return row.id;
}

/** The newest model version that has embeddings, or null. */
export function latestModelVersion(db: Db): number | null {
  const row = db.prepare('SELECT max(model_version) AS v FROM embeddings').get() as { v: number | null };
  return row.v;
}

/** The most recent job of a kind, as the contract's progress shape (rate/ETA are not stored). */
export function lastJob(db: Db, kind: JobProgress['kind']): JobProgress | null {
  const row = db.prepare('SELECT id, state, done, total, message FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT 1').get(kind) as
    | { id: number; state: JobState; done: number; total: number; message: string | null }
    | undefined;
  if (!row) return null;
  const p: JobProgress = { jobId: row.id, kind, state: row.state, done: row.done, total: Math.max(row.total, row.done), rate: 0, etaSeconds: null };
  if (row.message) p.message = row.message;
  return p;
}
