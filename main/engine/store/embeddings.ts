// Typed access to `chunks` and `embeddings`. An embedding row id is the item's (or the
// chunk's) label in the HNSW index of its model version.
import type { ItemKind } from '../../contract/api';
import type { Db } from './db';

export interface ChunkInput {
  index: number;
  start: number;
  end: number;
  text: string;
}

export interface ChunkRow extends ChunkInput {
  id: number;
  itemId: number;
}

export function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function fromBlob(b: Buffer): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

export function deleteChunks(db: Db, itemId: number): void {
  db.prepare('DELETE FROM chunks WHERE item_id = ?').run(itemId);
}

export function insertChunk(db: Db, itemId: number, c: ChunkInput): number {
  return Number(
    db.prepare('INSERT INTO chunks (item_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)').run(itemId, c.index, c.start, c.end, c.text)
      .lastInsertRowid,
  );
}

export function getChunk(db: Db, id: number): ChunkRow | undefined {
  return db.prepare('SELECT id, item_id AS itemId, idx AS "index", start, "end", text FROM chunks WHERE id = ?').get(id) as ChunkRow | undefined;
}

export function chunksOfItem(db: Db, itemId: number): ChunkRow[] {
  return db.prepare('SELECT id, item_id AS itemId, idx AS "index", start, "end", text FROM chunks WHERE item_id = ? ORDER BY idx').all(itemId) as ChunkRow[];
}

/** Embedding ids of an item for one model version (to drop from the HNSW index). */
export function embeddingIdsOfItem(db: Db, itemId: number, modelVersion: number): number[] {
  return (db.prepare('SELECT id FROM embeddings WHERE item_id = ? AND model_version = ?').all(itemId, modelVersion) as { id: number }[]).map(
    (r) => r.id,
  );
}

export function deleteEmbeddingsOfItem(db: Db, itemId: number, modelVersion: number): void {
  db.prepare('DELETE FROM embeddings WHERE item_id = ? AND model_version = ?').run(itemId, modelVersion);
}

export function insertEmbedding(db: Db, e: { itemId: number; chunkId: number | null; modelVersion: number; vector: Float32Array }): number {
  return Number(
    db
      .prepare('INSERT INTO embeddings (item_id, chunk_id, model_version, vector) VALUES (?, ?, ?, ?)')
      .run(e.itemId, e.chunkId, e.modelVersion, toBlob(e.vector)).lastInsertRowid,
  );
}

export function embeddingIds(db: Db, modelVersion: number): number[] {
  return (db.prepare('SELECT id FROM embeddings WHERE model_version = ? ORDER BY id').all(modelVersion) as { id: number }[]).map((r) => r.id);
}

export function* embeddingVectors(db: Db, ids: number[]): Iterable<[number, Float32Array]> {
  const stmt = db.prepare('SELECT vector FROM embeddings WHERE id = ?');
  for (const id of ids) {
    const row = stmt.get(id) as { vector: Buffer } | undefined;
    if (row) yield [id, fromBlob(row.vector)];
  }
}

export function countEmbeddedItems(db: Db, modelVersion: number | null): number {
  if (modelVersion === null) return 0;
  return (db.prepare('SELECT count(DISTINCT item_id) AS n FROM embeddings WHERE model_version = ?').get(modelVersion) as { n: number }).n;
}

/** What search needs to know about each embedding, without touching the vectors. */
export interface CatalogEntry {
  itemId: number;
  chunkId: number | null;
  kind: ItemKind;
  sourceId: number;
  /** takenAt, else the file's mtime: epoch ms */
  date: number;
}

export function catalogRows(db: Db, modelVersion: number, itemId?: number): [number, CatalogEntry][] {
  const rows = db
    .prepare(
      `SELECT e.id, e.item_id AS itemId, e.chunk_id AS chunkId, i.kind, i.source_id AS sourceId, coalesce(i.taken_at, i.mtime) AS date
       FROM embeddings e JOIN items i ON i.id = e.item_id
       WHERE e.model_version = ? ${itemId === undefined ? '' : 'AND e.item_id = ?'}`,
    )
    .all(...(itemId === undefined ? [modelVersion] : [modelVersion, itemId])) as (CatalogEntry & { id: number })[];
  return rows.map(({ id, ...rest }) => [id, rest]);
}

/** An item with this content, already embedded with this model version (a copy or a duplicate). */
export function findTwin(db: Db, hash: string, kind: ItemKind, modelVersion: number, excludeId: number): number | null {
  const row = db
    .prepare(`SELECT id FROM items WHERE hash = ? AND kind = ? AND state = 'ready' AND embedded_version = ? AND id <> ? LIMIT 1`)
    .get(hash, kind, modelVersion, excludeId) as { id: number } | undefined;
  return row?.id ?? null;
}

/** Copies an item's chunks and embeddings (this model version) to another item; returns the new embeddings. */
export function copyEmbeddings(db: Db, fromItem: number, toItem: number, modelVersion: number): [number, Float32Array][] {
  const chunkMap = new Map<number, number>();
  for (const c of chunksOfItem(db, fromItem)) chunkMap.set(c.id, insertChunk(db, toItem, c));
  const rows = db
    .prepare('SELECT chunk_id AS chunkId, vector FROM embeddings WHERE item_id = ? AND model_version = ? ORDER BY id')
    .all(fromItem, modelVersion) as { chunkId: number | null; vector: Buffer }[];
  return rows.map((r) => {
    const vector = fromBlob(r.vector);
    const chunkId = r.chunkId === null ? null : (chunkMap.get(r.chunkId) ?? null);
    return [insertEmbedding(db, { itemId: toItem, chunkId, modelVersion, vector }), vector];
  });
}
