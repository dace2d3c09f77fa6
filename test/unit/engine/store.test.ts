import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDb, schemaVersion, type Db } from '../../../main/engine/store/db';
import { migrations } from '../../../main/engine/store/migrations';
import { insertChunk, insertEmbedding, embeddingIds, fromBlob, toBlob, embeddingVectors } from '../../../main/engine/store/embeddings';
import { insertItem, countPending, markReady, pendingItems, getItem } from '../../../main/engine/store/items';
import { ensureModelVersion } from '../../../main/engine/store/jobs';
import { deleteSource, insertSource } from '../../../main/engine/store/sources';
import { tempDir } from '../../support/tmp';

let dir: ReturnType<typeof tempDir>;
let db: Db;
beforeEach(() => {
  dir = tempDir();
  db = openDb(join(dir.path, 'trove.db'));
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const meta = { hash: 'h', size: 1, mtime: 1, takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null, width: 1, height: 1, orientation: null };

describe('store', () => {
  it('applies every migration once, in WAL mode with foreign keys and 16 KiB pages', () => {
    expect(schemaVersion(db)).toBe(Math.max(...migrations.map((m) => m.version)));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('page_size', { simple: true })).toBe(16384);
    // re-running is a no-op, and reopening keeps the data
    insertSource(db, '/photos');
    migrate(db, migrations);
    db.close();
    db = openDb(join(dir.path, 'trove.db'));
    expect((db.prepare('SELECT count(*) AS n FROM migrations').get() as { n: number }).n).toBe(migrations.length);
    expect((db.prepare('SELECT count(*) AS n FROM sources').get() as { n: number }).n).toBe(1);
  });

  it('applies a later migration on top and rolls back a failing one', () => {
    const extra = [...migrations, { version: 999, name: 'labels', sql: 'CREATE TABLE labels_test (id INTEGER PRIMARY KEY);' }];
    migrate(db, extra);
    expect(schemaVersion(db)).toBe(999);
    const bad = [...extra, { version: 1000, name: 'bad', sql: 'CREATE TABLE t1000 (id INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, bad)).toThrow();
    expect(schemaVersion(db)).toBe(999);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't1000'").get()).toBeUndefined();
  });

  it('never reuses an embedding id (they are HNSW labels)', () => {
    const s = insertSource(db, '/p');
    const mv = ensureModelVersion(db, { modelId: 'm', version: '1', family: 'f', dim: 2 });
    const item = insertItem(db, { sourceId: s.id, path: '/p/a.jpg', kind: 'image', size: 1, mtime: 1 });
    const a = insertEmbedding(db, { itemId: item, chunkId: null, modelVersion: mv, vector: new Float32Array([1, 0]) });
    db.prepare('DELETE FROM embeddings WHERE id = ?').run(a);
    const b = insertEmbedding(db, { itemId: item, chunkId: null, modelVersion: mv, vector: new Float32Array([0, 1]) });
    expect(b).toBeGreaterThan(a);
  });

  it('refuses a second embedding of the same item for the same model version', () => {
    const s = insertSource(db, '/p');
    const mv = ensureModelVersion(db, { modelId: 'm', version: '1', family: 'f', dim: 2 });
    const item = insertItem(db, { sourceId: s.id, path: '/p/a.jpg', kind: 'image', size: 1, mtime: 1 });
    insertEmbedding(db, { itemId: item, chunkId: null, modelVersion: mv, vector: new Float32Array([1, 0]) });
    expect(() => insertEmbedding(db, { itemId: item, chunkId: null, modelVersion: mv, vector: new Float32Array([1, 0]) })).toThrow(/UNIQUE/);
  });

  it('removing a source deletes its items, chunks and embeddings', () => {
    const s = insertSource(db, '/p');
    const mv = ensureModelVersion(db, { modelId: 'm', version: '1', family: 'f', dim: 2 });
    const note = insertItem(db, { sourceId: s.id, path: '/p/n.md', kind: 'note', size: 1, mtime: 1 });
    const c = insertChunk(db, note, { index: 0, start: 0, end: 3, text: 'abc' });
    insertEmbedding(db, { itemId: note, chunkId: c, modelVersion: mv, vector: new Float32Array([1, 0]) });
    expect(deleteSource(db, s.id)).toBe(1);
    for (const t of ['items', 'chunks', 'embeddings']) {
      expect((db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n).toBe(0);
    }
  });

  it('round-trips float32 vectors through blobs', () => {
    const v = new Float32Array([0.5, -1.25, 3e-8]);
    expect(Array.from(fromBlob(toBlob(v)))).toEqual(Array.from(v));
    const s = insertSource(db, '/p');
    const mv = ensureModelVersion(db, { modelId: 'm', version: '1', family: 'f', dim: 3 });
    const item = insertItem(db, { sourceId: s.id, path: '/p/a.jpg', kind: 'image', size: 1, mtime: 1 });
    const id = insertEmbedding(db, { itemId: item, chunkId: null, modelVersion: mv, vector: v });
    expect(embeddingIds(db, mv)).toEqual([id]);
    const [[gotId, got]] = [...embeddingVectors(db, [id])];
    expect(gotId).toBe(id);
    expect(Array.from(got)).toEqual(Array.from(v));
  });

  it('counts an item as pending until it is embedded with the current model version', () => {
    const s = insertSource(db, '/p');
    const v1 = ensureModelVersion(db, { modelId: 'm', version: '1', family: 'f', dim: 2 });
    const v2 = ensureModelVersion(db, { modelId: 'm', version: '2', family: 'f', dim: 2 });
    const item = insertItem(db, { sourceId: s.id, path: '/p/a.jpg', kind: 'image', size: 1, mtime: 1 });
    expect(countPending(db, v1)).toBe(1);
    markReady(db, item, meta, v1);
    expect(getItem(db, item)!.state).toBe('ready');
    expect(countPending(db, v1)).toBe(0);
    expect(countPending(db, v2)).toBe(1);
    expect(pendingItems(db, v2, 10).map((i) => i.id)).toEqual([item]);
    expect(() => ensureModelVersion(db, { modelId: 'm', version: '1', family: 'f', dim: 3 })).toThrow(/dimension/);
  });
});
