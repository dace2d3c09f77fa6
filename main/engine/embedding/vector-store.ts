// The HNSW index of one model version, opened consistent with the stored embeddings and
// saved now and then (it is a cache: a crash between saves is repaired at the next open).
import { join } from 'node:path';
import type { Db } from '../store/db';
import { embeddingIds, embeddingVectors } from '../store/embeddings';
import { openConsistentIndex } from '../vectors/open-consistent';
import type { VectorIndex } from '../vectors/vector-index';

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
