// Adopting a model version, first half: embed the library with it in the background while
// searches keep using the active version's vectors. Photos are decoded as indexing decodes
// them; notes reuse their stored chunks. Each round commits in one transaction: the new
// vectors, and the content they were made from (item_version_hashes), so that the switch
// (version-switch.ts) only takes embeddings that still match their item, and a stopped or
// killed job resumes with what is missing. The version's HNSW file is built as it goes, so
// the switch opens it instead of building it.
import { readFile } from 'node:fs/promises';
import type { JobProgress } from '../../contract/api';
import { sha256 } from '../../base/hash';
import type { EmbedInput, EmbeddingModel } from '../../ml/models/embedding-model';
import { targetInput } from '../embedding/instructions';
import { indexFileFor, VectorStore } from '../embedding/vector-store';
import type { Job } from '../jobs/job';
import { jobProgress, RateMeter } from '../jobs/progress';
import { decodeIntermediate, modelInputFrom, THUMB_SIZE } from '../library/images';
import type { Db } from '../store/db';
import { chunksOfItem, deleteEmbeddingsOfItem, embeddingIdsOfItem, insertEmbedding } from '../store/embeddings';
import { countNeedingVersion, itemsNeedingVersion, recordVersionHash, updateAdoption } from '../store/tuning';
import type { ItemToEmbed } from '../store/tuning';

export interface AdoptJobOptions {
  db: Db;
  dataDir: string;
  adoptionId: number;
  /** the version being adopted, loaded apart from the active one */
  model: EmbeddingModel;
  modelVersion: number;
  onProgress: (p: JobProgress) => void;
  /** items per round (one transaction each) */
  itemsPerRound?: number;
  /** model inputs per embed call */
  batchSize?: number;
}

interface Read {
  item: ItemToEmbed;
  /** the content hash of what was read */
  hash: string;
  inputs: { chunkId: number | null; input: EmbedInput }[];
}

export class AdoptJob implements Job {
  private state: JobProgress['state'] = 'running';
  private done = 0;
  private total: number;
  private failed = 0;
  private cancelled = false;
  private readonly meter = new RateMeter();
  private message: string | undefined;

  constructor(private readonly o: AdoptJobOptions) {
    this.total = countNeedingVersion(o.db, o.modelVersion);
    this.meter.record(0);
  }

  progress(): JobProgress {
    const { state, done, total } = this;
    return jobProgress({ jobId: this.o.adoptionId, kind: 'adopt', state, done, total, message: this.message ?? (state === 'running' ? `embedding the library with ${this.o.model.id} ${this.o.model.version}; searches use the current model until it is done` : undefined) }, this.meter);
  }

  cancel(): boolean {
    if (this.state !== 'running') return false;
    this.cancelled = true;
    return true;
  }

  /** Items that could not be embedded (left to the indexer after the switch). */
  get skipped(): number {
    return this.failed;
  }

  async run(): Promise<JobProgress> {
    const { db, modelVersion } = this.o;
    const perRound = this.o.itemsPerRound ?? 16;
    const store = new VectorStore(db, indexFileFor(this.o.dataDir, modelVersion), modelVersion, this.o.model.dim);
    updateAdoption(db, this.o.adoptionId, { state: 'embedding', total: this.total, done: 0, toVersion: modelVersion });
    try {
      let afterId = 0;
      for (;;) {
        if (this.cancelled) break;
        const rows = itemsNeedingVersion(db, modelVersion, afterId, perRound);
        if (!rows.length) break;
        afterId = rows[rows.length - 1]!.id;
        const read = (await Promise.all(rows.map((r) => this.read(r)))).filter((r): r is Read => r !== null);
        this.failed += rows.length - read.length;
        const vectors = await this.embed(read.flatMap((r) => r.inputs.map((x) => x.input)));
        if (this.cancelled) break;
        this.commit(read, vectors, store);
        this.done += rows.length;
        this.meter.record(this.done);
        updateAdoption(db, this.o.adoptionId, { done: this.done, total: Math.max(this.total, this.done) });
        store.saveIfDue();
        this.o.onProgress(this.progress());
      }
      store.save();
      this.state = this.cancelled ? 'cancelled' : 'done';
      if (this.state === 'done') this.total = this.done;
    } catch (err) {
      this.state = 'failed';
      this.message = `embedding the library with the new version stopped: ${err instanceof Error ? err.message : String(err)}`;
      store.save();
    }
    const final = this.progress();
    this.o.onProgress(final);
    return final;
  }

  /** One item's model inputs, or null when its file cannot be read now (the indexer will see to it). */
  private async read(item: ItemToEmbed): Promise<Read | null> {
    const m = this.o.model;
    try {
      if (item.kind === 'note') {
        const chunks = chunksOfItem(this.o.db, item.id);
        return { item, hash: item.hash, inputs: chunks.map((c) => ({ chunkId: c.id, input: targetInput(m, 'note', { text: c.text }) })) };
      }
      if (!m.imageSize) return null;
      const buf = await readFile(item.path);
      // the decode indexing makes (embedding/prepare.ts): one intermediate, then cover + crop
      const img = await decodeIntermediate(buf, Math.max(THUMB_SIZE, m.imageSize.width, m.imageSize.height));
      return { item, hash: sha256(buf), inputs: [{ chunkId: null, input: targetInput(m, 'image', { image: await modelInputFrom(img, m.imageSize) }) }] };
    } catch {
      return null;
    }
  }

  private async embed(inputs: EmbedInput[]): Promise<Float32Array[]> {
    const batch = this.o.batchSize ?? 16;
    const out: Float32Array[] = [];
    for (let s = 0; s < inputs.length; s += batch) {
      if (this.cancelled) return out;
      out.push(...(await this.o.model.embed(inputs.slice(s, s + batch))));
    }
    return out;
  }

  private commit(read: Read[], vectors: Float32Array[], store: VectorStore): void {
    const { db, modelVersion } = this.o;
    const added: [number, Float32Array][] = [];
    const removed: number[] = [];
    let k = 0;
    db.transaction(() => {
      for (const r of read) {
        const vecs = vectors.slice(k, k + r.inputs.length);
        k += r.inputs.length;
        // the item changed or its chunks were redone while we read: leave it for the indexer
        const now = db.prepare(`SELECT hash, state FROM items WHERE id = ?`).get(r.item.id) as { hash: string | null; state: string } | undefined;
        if (!now || now.state !== 'ready' || now.hash !== r.item.hash) continue;
        if (r.item.kind === 'note' && chunksOfItem(db, r.item.id).map((c) => c.id).join(',') !== r.inputs.map((x) => x.chunkId).join(',')) continue;
        removed.push(...embeddingIdsOfItem(db, r.item.id, modelVersion));
        deleteEmbeddingsOfItem(db, r.item.id, modelVersion);
        r.inputs.forEach((x, j) => added.push([insertEmbedding(db, { itemId: r.item.id, chunkId: x.chunkId, modelVersion, vector: vecs[j]! }), vecs[j]!]));
        recordVersionHash(db, r.item.id, modelVersion, r.hash);
      }
    })();
    store.remove(removed);
    for (const [id, v] of added) store.add(id, v);
  }
}
