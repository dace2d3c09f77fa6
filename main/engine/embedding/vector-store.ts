// The HNSW index of one model version, opened consistent with the stored embeddings and
// saved now and then (it is a cache: a crash between saves is repaired at the next open).
import { join } from 'node:path';
import type { Db } from '../store/db';
import { catalogRows, embeddingIds, embeddingVectors } from '../store/embeddings';
import { openConsistentIndex } from '../vectors/open-consistent';
import type { VectorIndex } from '../vectors/vector-index';
import type { Catalog } from './catalog';

export function indexFileFor(dataDir: string, modelVersion: number): string {
  return join(dataDir, `vectors-v${modelVersion}.hnsw`);
}

export class VectorStore {
  readonly index: VectorIndex;
  readonly rebuilt: boolean;
  readonly rebuildReason: string | undefined;
  private dirty = false;
  private lastSave = Date.now();

  constructor(
    db: Db,
    readonly file: string,
    readonly modelVersion: number,
    dim: number,
    private readonly saveEveryMs = 15_000,
  ) {
    const opened = openConsistentIndex(file, dim, {
      ids: () => embeddingIds(db, modelVersion),
      vectors: (ids) => embeddingVectors(db, ids),
    });
    this.index = opened.index;
    this.rebuilt = opened.rebuilt;
    this.rebuildReason = opened.reason;
  }

  add(id: number, v: Float32Array): void {
    this.index.add(id, v);
    this.dirty = true;
  }

  remove(ids: Iterable<number>): void {
    for (const id of ids) if (this.index.remove(id)) this.dirty = true;
  }

  /**
   * After a transaction that replaced embeddings: the index drops `dropped` and adds `added`,
   * and the catalog reads the rows of the `items` it touched back from the store.
   */
  followCommit(db: Db, catalog: Catalog, change: { dropped: number[]; added: [number, Float32Array][]; items: number[] }): void {
    this.remove(change.dropped);
    for (const [id, v] of change.added) this.add(id, v);
    for (const id of change.items) catalog.replaceItem(id, catalogRows(db, this.modelVersion, id));
  }

  saveIfDue(now = Date.now()): void {
    if (this.dirty && now - this.lastSave >= this.saveEveryMs) this.save();
  }

  save(): void {
    if (!this.dirty) return;
    this.index.save(this.file);
    this.dirty = false;
    this.lastSave = Date.now();
  }
}
