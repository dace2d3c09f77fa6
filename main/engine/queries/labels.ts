// Sort into labels (classification): a background job that embeds every photo with the
// model's classification query instruction, the labels as classification targets, and
// stores each photo's best label and its score. A new label set replaces the old one. A model
// that reads perception evidence gets each photo's stored evidence (what its passes saw).
import { promises as fsp } from 'node:fs';
import type { JobProgress, LabelSet } from '../../contract/api';
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, RgbImage } from '../../ml/models/embedding-model';
import { storedEvidence, withEvidence } from '../embedding/evidence';
import { describeInput, fill } from '../embedding/instructions';
import { jobProgress, RateMeter } from '../jobs/progress';
import { decodeForModel } from '../library/images';
import type { Db } from '../store/db';
import { readyPhotos } from '../store/items';
import { insertJob, updateJob } from '../store/jobs';
import { EngineError } from '../errors';
import { currentLabelSet, insertLabelSet, itemsWithLabel, labelCounts, setItemLabel } from '../store/labels';
import { dot, embedAll } from './ask';
import { messageOf } from '../../base/errors';

export function classifyQueryInput(model: EmbeddingModel, image?: RgbImage, perception?: PerceptionEvidence): EmbedInput {
  return withEvidence(model, fill(model.instructions.classification.query, '', image), perception);
}

export function labelTargetInput(model: EmbeddingModel, label: string): EmbedInput {
  return fill(model.instructions.classification.target, label);
}

/** The instruction shown for a label run (the photo stands in as <image>). */
export function classifyInstruction(model: EmbeddingModel): string {
  return describeInput(classifyQueryInput(model, { width: 1, height: 1, data: new Uint8Array(3) }));
}

/** The best label for one query vector (ties: the earlier label). */
export function bestLabel(q: Float32Array, labels: string[], labelVecs: Float32Array[]): { label: string; score: number } {
  let best = 0;
  let score = -Infinity;
  labelVecs.forEach((v, i) => {
    const s = dot(q, v);
    if (s > score) {
      score = s;
      best = i;
    }
  });
  return { label: labels[best]!, score };
}

export interface LabelJobOptions {
  db: Db;
  model: EmbeddingModel;
  jobId: number;
  labelSet: number;
  labels: string[];
  batchSize?: number;
  onProgress: (p: JobProgress) => void;
}

export class LabelJob {
  private readonly meter = new RateMeter();
  private cancelled = false;
  private state: JobProgress['state'] = 'running';
  private done = 0;
  private total = 0;
  private unreadable = 0;
  private message: string | undefined = 'reading the labels';

  constructor(private readonly o: LabelJobOptions) {}

  progress(): JobProgress {
    const { state, done, total, message } = this;
    return jobProgress({ jobId: this.o.jobId, kind: 'label', state, done, total, message }, this.meter);
  }

  cancel(): boolean {
    if (this.state !== 'running') return false;
    this.cancelled = true;
    return true;
  }

  async run(): Promise<JobProgress> {
    const { db, model, labels } = this.o;
    const size = model.imageSize!;
    const items = readyPhotos(db);
    this.total = items.length;
    try {
      const labelVecs = await embedAll(model, labels.map((l) => labelTargetInput(model, l)));
      this.message = undefined;
      this.meter.record(0);
      this.report();
      const batch = this.o.batchSize ?? 16;
      for (let i = 0; i < items.length && !this.cancelled; i += batch) {
        const slice = items.slice(i, i + batch);
        const decoded = await Promise.all(
          slice.map(async (it) => {
            try {
              return { it, image: await decodeForModel(await fsp.readFile(it.path), size) };
            } catch {
              return { it, image: null };
            }
          }),
        );
        const ok = decoded.filter((d): d is { it: (typeof slice)[number]; image: RgbImage } => d.image !== null);
        this.unreadable += decoded.length - ok.length;
        const evidence = (it: (typeof slice)[number]) => (model.perception ? storedEvidence(db, it.id, it.hash) : undefined);
        const vecs = ok.length ? await model.embed(ok.map((d) => classifyQueryInput(model, d.image, evidence(d.it)))) : [];
        if (this.cancelled) break;
        db.transaction(() => {
          ok.forEach((d, j) => {
            const b = bestLabel(vecs[j]!, labels, labelVecs);
            // an item deleted meanwhile: its foreign key fails; skip it
            try {
              setItemLabel(db, this.o.labelSet, d.it.id, b.label, b.score);
            } catch {
              /* gone */
            }
          });
        })();
        this.done += slice.length;
        this.meter.record(this.done);
        this.report();
      }
      this.state = this.cancelled ? 'cancelled' : 'done';
      this.message = this.unreadable ? `${this.unreadable} photo${this.unreadable === 1 ? '' : 's'} could not be read and have no label` : undefined;
    } catch (err) {
      this.state = 'failed';
      this.message = `labelling failed: ${messageOf(err)}`;
    }
    const final = this.progress();
    updateJob(db, this.o.jobId, { state: final.state, done: final.done, total: final.total, message: final.message });
    this.o.onProgress(final);
    return final;
  }

  private report(): void {
    const p = this.progress();
    updateJob(this.o.db, this.o.jobId, { state: p.state, done: p.done, total: p.total, message: p.message });
    this.o.onProgress(p);
  }
}

/** A new label set (it replaces the old one) and the job that labels every photo with it. */
export function labelsJob(o: { db: Db; model: EmbeddingModel; modelVersion: number; labels: string[]; batchSize?: number; onProgress: (p: JobProgress) => void }): LabelJob {
  const instruction = classifyInstruction(o.model);
  const labelSet = insertLabelSet(o.db, { labels: o.labels, modelVersion: o.modelVersion, instruction });
  return new LabelJob({ ...o, jobId: insertJob(o.db, 'label', 0), labelSet });
}

/** The current label set with its counts (an empty one before any). */
export function listLabels(db: Db, model: EmbeddingModel | null): LabelSet {
  const set = currentLabelSet(db);
  if (!set) return { id: null, labels: [], labelled: 0, createdAt: null, instruction: model?.imageSize ? classifyInstruction(model) : '' };
  const labels = labelCounts(db, set);
  return { id: set.id, labels, labelled: labels.reduce((n, l) => n + l.count, 0), createdAt: set.createdAt, instruction: set.instruction };
}

/** The items a label filter allows, or undefined when there is no label filter. */
export function labelFilter(db: Db, label: string | undefined): Set<number> | undefined {
  if (label === undefined) return undefined;
  const set = currentLabelSet(db);
  if (!set) throw new EngineError('invalid', 'There are no labels yet: use Sort into labels to label your photos first, then filter by a label.');
  if (!set.labels.includes(label)) {
    throw new EngineError('invalid', `“${label}” is not one of the current labels (${set.labels.join(', ')}). Pick one of them, or sort into a new label set.`);
  }
  return itemsWithLabel(db, set.id, label);
}
