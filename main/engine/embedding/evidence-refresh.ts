// For a model that reads perception evidence: photos are embedded as soon as they are read
// (searchable at once), before the passes have looked at them, so their first embedding has
// no evidence. After the passes phase this job embeds those photos again with what the passes
// stored (no model runs twice on a photo; only the small model input is decoded again).
//
// Which embedding reads which evidence is recorded as an `item_passes` row of the pseudo-pass
// `embedding` (pass rows are dropped with the photo's content, like every pass's): its
// version names the model version and the version of each evidence pass it read. A photo is
// due when its evidence passes have run on its content at their current versions and its
// embedding row says otherwise.
import { promises as fsp } from 'node:fs';
import { messageOf } from '../../base/errors';
import type { JobProgress } from '../../contract/api';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { PauseGate, type Job } from '../jobs/job';
import { jobProgress, ProgressThrottle, RateMeter } from '../jobs/progress';
import type { Db } from '../store/db';
import { deleteEmbeddingsOfItem, insertEmbedding } from '../store/embeddings';
import { getItem } from '../store/items';
import { updateJob } from '../store/jobs';
import { EMBEDDING_RECORD, passRunsOn, photosDueFor, writePassResult } from '../store/perception';
import type { Catalog } from './catalog';
import { evidencePassRuns, storedEvidence, withEvidence } from './evidence';
import { targetInput } from './instructions';
import { photoModelInput } from './prepare';
import type { VectorStore } from './vector-store';

/** The record's version: the model version and each evidence pass's version, in pass order. */
export function embeddingRecordVersion(modelVersion: number, passVersions: ReadonlyMap<string, string>): string {
  return [`model ${modelVersion}`, ...[...passVersions].sort((a, b) => a[0].localeCompare(b[0])).map(([p, v]) => `${p} ${v}`)].join('; ');
}

/** The record for an embedding made with the evidence stored for `hash` (null when there was none). */
export function recordFor(db: Db, itemId: number, hash: string, modelVersion: number): string | null {
  const runs = evidencePassRuns(db, itemId, hash);
  return runs.size ? embeddingRecordVersion(modelVersion, new Map([...runs].map(([p, r]) => [p, r.version]))) : null;
}

/** Writes the record (call inside the transaction that stores the embedding). */
export function writeEmbeddingRecord(db: Db, itemId: number, hash: string, version: string): void {
  writePassResult(db, itemId, EMBEDDING_RECORD, { version, hash }, { ok: true, result: {} });
}

export interface EvidenceRefreshOptions {
  db: Db;
  model: EmbeddingModel;
  modelVersion: number;
  vectors: VectorStore;
  catalog: Catalog;
  /** the evidence passes this engine runs, with their current versions */
  passes: readonly { name: string; version: string }[];
  jobId: number;
  onProgress: (p: JobProgress) => void;
  batchSize?: number;
}

/** Photos looked at per query while finding those to refresh. */
const SCAN_PAGE = 1000;

/**
 * The photos whose evidence passes (`passes`, at their current versions) have all run on
 * their content and whose embedding did not read what they stored. The embedding's record
 * is compared with the evidence rows the photo has now, so a row of a pass that is no longer
 * installed does not make a photo due again on every run.
 */
export function photosToRefresh(db: Db, modelVersion: number, passes: readonly { name: string; version: string }[]): number[] {
  if (!passes.length) return [];
  const expected = embeddingRecordVersion(modelVersion, new Map(passes.map((p) => [p.name, p.version])));
  const out: number[] = [];
  for (let after = 0; ; ) {
    const rows = photosDueFor(db, EMBEDDING_RECORD, expected, SCAN_PAGE, after);
    if (!rows.length) return out;
    for (const row of rows) {
      const runs = evidencePassRuns(db, row.id, row.hash);
      if (!passes.every((p) => runs.get(p.name)?.version === p.version)) continue; // its passes have not all run yet
      const read = passRunsOn(db, row.id, row.hash, [EMBEDDING_RECORD]).get(EMBEDDING_RECORD)?.version;
      if (read !== recordFor(db, row.id, row.hash, modelVersion)) out.push(row.id);
    }
    after = rows[rows.length - 1]!.id;
  }
}

export class EvidenceRefreshJob implements Job {
  private state: JobProgress['state'] = 'running';
  private done = 0;
  private total = 0;
  private cancelled = false;
  private readonly meter = new RateMeter();
  private readonly throttle = new ProgressThrottle();
  private readonly gate = new PauseGate();
  private message: string | undefined = 'embedding photos again with what the passes saw';

  constructor(private readonly o: EvidenceRefreshOptions) {}

  progress(): JobProgress {
    const { state, done, total, message } = this;
    return jobProgress({ jobId: this.o.jobId, kind: 'index', phase: 'embed', state, done, total, message }, this.meter);
  }

  pause(): boolean {
    if (this.state !== 'running') return false;
    this.gate.pause();
    this.state = 'paused';
    this.emit(true);
    return true;
  }

  resume(): boolean {
    if (this.state !== 'paused') return false;
    this.state = 'running';
    this.gate.open();
    this.emit(true);
    return true;
  }

  cancel(): boolean {
    if (this.state !== 'running' && this.state !== 'paused') return false;
    this.cancelled = true;
    this.gate.open();
    return true;
  }

  async run(): Promise<JobProgress> {
    const { db, model, modelVersion } = this.o;
    try {
      const ids = photosToRefresh(db, modelVersion, this.o.passes);
      this.total = ids.length;
      this.meter.record(0);
      this.emit(true);
      const batch = this.o.batchSize ?? 16;
      for (let s = 0; s < ids.length; s += batch) {
        if (this.gate.paused) this.o.vectors.save();
        await this.gate.wait();
        if (this.cancelled) break;
        const items = ids.slice(s, s + batch).map((id) => getItem(db, id)).filter((it) => it && it.state === 'ready' && it.hash && it.embeddedVersion === modelVersion);
        const inputs = await Promise.all(
          items.map(async (it) => {
            try {
              const image = await photoModelInput(await fsp.readFile(it!.path), model.imageSize!);
              const input = withEvidence(model, targetInput(model, 'image', { image }), storedEvidence(db, it!.id, it!.hash));
              return { item: it!, input, record: recordFor(db, it!.id, it!.hash!, modelVersion) };
            } catch {
              return null; // unreadable now: the next indexing run reads it again
            }
          }),
        );
        const ok = inputs.filter((x): x is NonNullable<typeof x> => x !== null && x.record !== null);
        const vecs = ok.length ? await model.embed(ok.map((x) => x.input)) : [];
        if (this.cancelled) break;
        this.commit(ok.map((x, i) => ({ ...x, vector: vecs[i]! })));
        this.done = Math.min(ids.length, s + batch);
        this.meter.record(this.done);
        this.o.vectors.saveIfDue();
        this.emit(false);
      }
      this.o.vectors.save();
      this.state = this.cancelled ? 'cancelled' : 'done';
      this.message = undefined;
    } catch (err) {
      this.state = 'failed';
      this.message = `embedding photos with what the passes saw stopped: ${messageOf(err)}`;
    }
    updateJob(db, this.o.jobId, { state: this.state, done: this.done, total: this.total, message: this.message });
    this.emit(true);
    return this.progress();
  }

  private commit(rows: { item: { id: number; hash: string | null }; record: string | null; vector: Float32Array }[]): void {
    const { db, modelVersion, catalog } = this.o;
    const drop: number[] = [];
    const add: [number, Float32Array][] = [];
    const touched: number[] = [];
    db.transaction(() => {
      for (const r of rows) {
        // the photo may have changed while it was read and embedded
        const now = getItem(db, r.item.id);
        if (!now || now.hash !== r.item.hash || now.embeddedVersion !== modelVersion || recordFor(db, r.item.id, r.item.hash!, modelVersion) !== r.record) continue;
        drop.push(...catalog.idsOfItem(r.item.id));
        deleteEmbeddingsOfItem(db, r.item.id, modelVersion);
        add.push([insertEmbedding(db, { itemId: r.item.id, chunkId: null, modelVersion, vector: r.vector }), r.vector]);
        writeEmbeddingRecord(db, r.item.id, r.item.hash!, r.record!);
        touched.push(r.item.id);
      }
    })();
    this.o.vectors.followCommit(db, catalog, { dropped: drop, added: add, items: touched });
  }

  private emit(force: boolean): void {
    if (!this.throttle.due(force)) return;
    updateJob(this.o.db, this.o.jobId, { state: this.state, done: this.done, total: this.total });
    this.o.onProgress(this.progress());
  }
}
