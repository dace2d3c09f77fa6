// The indexing job: reads pending items (several decodes in flight), embeds them in
// batches, commits each batch in one transaction, then updates the HNSW index.
//
// Crash safety: the database is the truth. An item leaves the pending set only in the
// same transaction that writes its chunks and embeddings, so a kill at any point loses at
// most the batch in flight, which is pending again on restart. The HNSW index is updated
// after the commit and saved now and then; the next open repairs any difference.
import type { ItemKind, JobProgress } from '../../contract/api';
import type { EmbedInput, EmbeddingModel } from '../../ml/models/embedding-model';
import type { Db } from '../store/db';
import { forgetPasses } from '../store/perception';
import { replaceSearchDocs } from '../store/search-text';
import { copyEmbeddings, deleteChunks, deleteEmbeddingsOfItem, findTwin, insertChunk, insertEmbedding } from '../store/embeddings';
import { clearError, recordError } from '../store/errors';
import { countPending, deleteItem, getItem, itemStillIs, markError, markReady, pendingItems } from '../store/items';
import { updateJob } from '../store/jobs';
import type { Catalog } from './catalog';
import { prepareItem, type Prepared } from './prepare';
import { storedEvidence } from './evidence';
import { recordFor, writeEmbeddingRecord } from './evidence-refresh';
import { jobProgress, ProgressThrottle, RateMeter } from '../jobs/progress';
import type { VectorStore } from './vector-store';

export interface PipelineOptions {
  db: Db;
  model: EmbeddingModel;
  modelVersion: number;
  vectors: VectorStore;
  catalog: Catalog;
  thumbsDir: string;
  jobId: number;
  onProgress: (p: JobProgress) => void;
  /** decodes in flight */
  concurrency?: number;
  /** model inputs per embed call */
  batchSize?: number;
  /** items read per round */
  itemsPerRound?: number;
  /** rebuilds an item's full-text documents (inside the commit) */
  refreshDocs?: (itemId: number) => void;
}

export class IndexJob {
  private state: JobProgress['state'] = 'running';
  private done = 0;
  private total: number;
  private readonly meter = new RateMeter();
  private resumeWaiters: (() => void)[] = [];
  private cancelled = false;
  private paused = false;
  private readonly throttle = new ProgressThrottle();
  private message: string | undefined;

  constructor(private readonly o: PipelineOptions) {
    this.total = countPending(o.db, o.modelVersion);
    this.meter.record(0);
  }

  get jobId(): number {
    return this.o.jobId;
  }

  progress(): JobProgress {
    const { state, done, total, message } = this;
    return jobProgress({ jobId: this.o.jobId, kind: 'index', phase: 'embed', state, done, total, message }, this.meter);
  }

  pause(): boolean {
    if (this.state !== 'running') return false;
    this.paused = true;
    this.state = 'paused';
    this.emit(true);
    return true;
  }

  resume(): boolean {
    if (this.state !== 'paused') return false;
    this.paused = false;
    this.state = 'running';
    for (const w of this.resumeWaiters.splice(0)) w();
    this.emit(true);
    return true;
  }

  cancel(): boolean {
    if (this.state !== 'running' && this.state !== 'paused') return false;
    this.cancelled = true;
    this.paused = false;
    for (const w of this.resumeWaiters.splice(0)) w();
    return true;
  }

  async run(): Promise<JobProgress> {
    const { db, modelVersion } = this.o;
    const perRound = this.o.itemsPerRound ?? 32;
    try {
      let afterId = 0;
      let progressedThisPass = false;
      let next = this.readRound(afterId, perRound);
      for (;;) {
        if (this.paused) {
          this.o.vectors.save();
          await new Promise<void>((r) => this.resumeWaiters.push(r));
        }
        if (this.cancelled) break;
        const round = await next;
        if (round.items.length === 0) {
          // items that turned pending behind us during this pass: one more pass
          if (!progressedThisPass || countPending(db, modelVersion) === 0) break;
          afterId = 0;
          progressedThisPass = false;
          this.total = this.done + countPending(db, modelVersion); // files that changed meanwhile
          next = this.readRound(afterId, perRound);
          continue;
        }
        afterId = round.lastId;
        progressedThisPass = true;
        next = this.readRound(afterId, perRound); // decode the next round while this one embeds
        const vectors = await this.embedAll(round.items);
        if (this.cancelled) break;
        this.commit(round.items, vectors);
        this.done += round.items.length;
        this.meter.record(this.done);
        this.o.vectors.saveIfDue();
        this.emit(false);
      }
      await next.catch(() => undefined);
      this.o.vectors.save();
      this.state = this.cancelled ? 'cancelled' : 'done';
      if (this.state === 'done') this.total = this.done;
    } catch (err) {
      this.state = 'failed';
      this.message = `indexing stopped: ${err instanceof Error ? err.message : String(err)}`;
      try {
        this.o.vectors.save();
      } catch {
        // the index is a cache; it is rebuilt at the next open
      }
    }
    updateJob(db, this.o.jobId, { state: this.state, done: this.done, total: this.total, message: this.message });
    this.emit(true);
    return this.progress();
  }

  private async readRound(afterId: number, n: number): Promise<{ items: Prepared[]; lastId: number }> {
    const rows = pendingItems(this.o.db, this.o.modelVersion, n, afterId);
    if (!rows.length) return { items: [], lastId: afterId };
    const { db, modelVersion } = this.o;
    const ctx = {
      model: this.o.model,
      modelVersion,
      thumbsDir: this.o.thumbsDir,
      twinOf: (hash: string, kind: ItemKind, selfId: number) => findTwin(db, hash, kind, modelVersion, selfId),
      evidenceOf: (itemId: number, hash: string) => storedEvidence(db, itemId, hash),
    };
    const out = new Array<Prepared>(rows.length);
    let i = 0;
    const worker = async () => {
      while (i < rows.length) {
        const k = i++;
        out[k] = await prepareItem(rows[k]!, ctx);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 4, rows.length) }, worker));
    return { items: out, lastId: rows[rows.length - 1]!.id };
  }

  /**
   * Embeds every input of the round in batches. When a batch fails, its inputs are retried
   * one by one, so one input the model cannot take fails only its own item (which becomes
   * an error row) rather than the whole job. If even single inputs fail for every item, the
   * model itself is broken: that fails the job.
   */
  private async embedAll(items: Prepared[]): Promise<Float32Array[][]> {
    const batchSize = this.o.batchSize ?? 16;
    const flat = items.flatMap((p, k) => (p.outcome === 'embed' ? p.inputs.map((x) => ({ k, input: x.input })) : []));
    const out: Float32Array[][] = items.map(() => []);
    const failed = new Map<number, string>();
    let succeeded = 0;
    for (let s = 0; s < flat.length; s += batchSize) {
      if (this.cancelled) break;
      const slice = flat.slice(s, s + batchSize).filter((x) => !failed.has(x.k));
      if (!slice.length) continue;
      let vecs: Float32Array[] | null = null;
      try {
        vecs = await this.embedChecked(slice.map((x) => x.input));
      } catch (err) {
        if (slice.length === 1) failed.set(slice[0]!.k, modelReason(err));
        else {
          vecs = [];
          for (const x of slice) {
            if (failed.has(x.k)) {
              vecs.push(new Float32Array(0));
              continue;
            }
            try {
              vecs.push((await this.embedChecked([x.input]))[0]!);
            } catch (e) {
              failed.set(x.k, modelReason(e));
              vecs.push(new Float32Array(0));
            }
          }
        }
      }
      if (!vecs) continue;
      slice.forEach((x, j) => {
        if (failed.has(x.k)) return;
        out[x.k]!.push(vecs[j]!);
        succeeded++;
      });
    }
    if (failed.size && succeeded === 0 && failed.size === new Set(flat.map((x) => x.k)).size && flat.length > 1) {
      throw new Error(`the model failed on every input: ${[...failed.values()][0]}`);
    }
    for (const [k, reason] of failed) {
      const p = items[k]!;
      items[k] = { outcome: 'error', item: p.item, reason, gone: false };
      out[k] = [];
    }
    return out;
  }

  private async embedChecked(inputs: EmbedInput[]): Promise<Float32Array[]> {
    const vecs = await this.o.model.embed(inputs);
    if (vecs.length !== inputs.length) throw new Error(`the model returned ${vecs.length} embeddings for ${inputs.length} inputs`);
    for (const v of vecs) {
      if (v.length !== this.o.model.dim) throw new Error(`the model returned a ${v.length}-d embedding, expected ${this.o.model.dim}`);
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new Error('the model returned an embedding with NaN or infinite values');
    }
    return vecs;
  }

  private commit(items: Prepared[], vectors: Float32Array[][]): void {
    const { db, modelVersion, catalog } = this.o;
    const dropFromIndex: number[] = [];
    const toIndex: [number, Float32Array][] = [];
    const touched = new Set<number>();
    /** items that are ready after this commit, with the content hash they had before */
    const readied: { id: number; oldHash: string | null; newHash: string }[] = [];
    db.transaction(() => {
      items.forEach((p, k) => {
        const id = p.item.id;
        // the row may have been deleted, moved or marked changed (by a rescan) while we read
        // the file: then what we read is stale, and the item stays pending for the next pass
        if (!itemStillIs(db, p.item)) return;
        touched.add(id);
        if (p.outcome === 'error') {
          if (p.gone) deleteItem(db, id);
          else {
            markError(db, id);
            replaceSearchDocs(db, id, []);
          }
          recordError(db, p.item.path, p.reason, p.item.sourceId);
          dropFromIndex.push(...catalog.idsOfItem(id));
          return;
        }
        if (p.outcome === 'unchanged') {
          markReady(db, id, p.meta, modelVersion);
          readied.push({ id, oldHash: p.item.hash, newHash: p.meta.hash });
          clearError(db, p.item.path);
          return;
        }
        if (p.outcome === 'copy') {
          // the twin must still be what it was when we looked; else this item stays pending
          const twin = getItem(db, p.twinId);
          if (!twin || twin.state !== 'ready' || twin.embeddedVersion !== modelVersion || twin.hash !== p.meta.hash) {
            touched.delete(id);
            return;
          }
          dropFromIndex.push(...catalog.idsOfItem(id));
          deleteEmbeddingsOfItem(db, id, modelVersion);
          if (p.item.kind === 'note') deleteChunks(db, id);
          toIndex.push(...copyEmbeddings(db, p.twinId, id, modelVersion));
          markReady(db, id, p.meta, modelVersion);
          readied.push({ id, oldHash: p.item.hash, newHash: p.meta.hash });
          clearError(db, p.item.path);
          return;
        }
        dropFromIndex.push(...catalog.idsOfItem(id));
        deleteEmbeddingsOfItem(db, id, modelVersion);
        if (p.item.kind === 'note') deleteChunks(db, id);
        const vecs = vectors[k]!;
        p.inputs.forEach((x, j) => {
          const chunkId = x.chunk ? insertChunk(db, id, x.chunk) : null;
          const v = vecs[j]!;
          toIndex.push([insertEmbedding(db, { itemId: id, chunkId, modelVersion, vector: v }), v]);
          // which evidence this embedding read (evidence-refresh.ts embeds it again when the passes see more)
          const record = x.input.perception ? recordFor(db, id, p.meta.hash, modelVersion) : null;
          if (record) writeEmbeddingRecord(db, id, p.meta.hash, record);
        });
        markReady(db, id, p.meta, modelVersion);
        readied.push({ id, oldHash: p.item.hash, newHash: p.meta.hash });
        clearError(db, p.item.path);
      });
      for (const r of readied) {
        // what the perception passes saw of other content no longer holds
        if (r.oldHash !== null && r.oldHash !== r.newHash) forgetPasses(db, r.id);
        this.o.refreshDocs?.(r.id);
      }
    })();
    // after the commit: the cache follows the truth
    this.o.vectors.followCommit(db, catalog, { dropped: dropFromIndex, added: toIndex, items: [...touched] });
  }

  private emit(force: boolean): void {
    if (!this.throttle.due(force)) return;
    updateJob(this.o.db, this.o.jobId, { state: this.state, done: this.done, total: this.total });
    this.o.onProgress(this.progress());
  }
}

function modelReason(err: unknown): string {
  return `the embedding model could not process this file (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
}
