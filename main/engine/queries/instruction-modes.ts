// The instruction modes over the loaded model: Find, Ask, Point at, and Sort into labels
// (a background job in a lane of its own, one label run at a time).
import type { EngineEvent, JobProgress, ParsedRequestOf, ResponseOf } from '../../contract/api';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { EngineError, noModel } from '../errors';
import { JobLane } from '../jobs/job-lane';
import type { Library } from '../library/library';
import type { ModelSlot } from '../model-slot';
import type { Enrichment } from '../passes/enrichment';
import type { Db } from '../store/db';
import { queryEvidence, type QueryEvidence } from '../embedding/evidence';
import { AnswerCache, ask } from './ask';
import { find } from './find';
import { labelFilter, labelsJob, listLabels } from './labels';
import { pointAt } from './point-at';
import { photoQuery } from './query-image';
import type { SearchDeps } from './search';

export interface InstructionModesOptions {
  db: Db;
  slot: ModelSlot;
  library: Library;
  enrichment: Enrichment;
  /** 'embedding': Find ranks by the embedding alone (the baseline of `trove eval --search`) */
  ranking?: 'fused' | 'embedding';
  batchSize?: number;
  emit: (e: EngineEvent) => void;
  log: (line: string) => void;
  isClosed: () => boolean;
}

export class InstructionModes {
  readonly labelling = new JobLane((p) => this.o.emit({ type: 'progress', progress: p }));
  private readonly answers = new AnswerCache();
  /** a query photo's perception evidence (models that read it): stored by the passes, else computed by their models */
  private readonly evidence: QueryEvidence;

  constructor(private readonly o: InstructionModesOptions) {
    this.evidence = queryEvidence(o.db, () => o.enrichment.evidenceModels());
  }

  find(req: ParsedRequestOf<'find'>): Promise<ResponseOf<'find'>> {
    const { enrichment, library } = this.o;
    return find(
      {
        ...this.searchDeps(),
        ranking: this.o.ranking ?? 'fused',
        lexicon: () => enrichment.lexiconOrNull(),
        tagWords: () => enrichment.tagWords(),
        generality: () => enrichment.generalityOrNull(),
        itemById: (id) => library.item(id),
        evidence: this.evidence,
      },
      req,
    );
  }

  /** Ask (VQA): the photo + the question; the built-in answers and the user's options ranked. */
  async ask(req: ParsedRequestOf<'ask'>): Promise<ResponseOf<'ask'>> {
    const model = this.photoModel('answer questions about photos');
    const it = this.o.library.item(req.itemId);
    if (it.kind !== 'image') throw new EngineError('invalid', `Ask works on photos: item ${it.id} is a note. Pick a photo, or search the note's text with Find.`);
    const { image, perception } = await photoQuery(model, it, this.evidence);
    return ask(model, this.answers, { itemId: it.id, image, perception, question: req.question, options: req.options, k: req.k });
  }

  /** Point at (grounding): photos where a region matches the caption, best region as `box`. */
  pointAt(req: ParsedRequestOf<'pointAt'>): Promise<ResponseOf<'pointAt'>> {
    this.photoModel('point at regions of photos');
    const deps = { ...this.searchDeps(), isClosed: this.o.isClosed, log: this.o.log };
    return pointAt(deps, req, labelFilter(this.o.db, req.filters.label));
  }

  /** Sort into labels: starts the labelling job (a running one is cancelled and replaced). */
  async sortIntoLabels(req: ParsedRequestOf<'sortIntoLabels'>): Promise<JobProgress> {
    const model = this.photoModel('label photos');
    await this.labelling.stop();
    const onProgress = (p: JobProgress) => this.o.emit({ type: 'progress', progress: p });
    const job = labelsJob({ db: this.o.db, model, modelVersion: this.o.slot.version!, labels: req.labels, batchSize: this.o.batchSize, onProgress });
    void this.labelling.start(job);
    const first = job.progress();
    onProgress(first);
    return first;
  }

  listLabels(): ResponseOf<'listLabels'> {
    return listLabels(this.o.db, this.o.slot.model);
  }

  private searchDeps(): SearchDeps {
    const { model, vectors, catalog } = this.o.slot;
    if (!model || !vectors) throw noModel();
    return { db: this.o.db, model, index: vectors.index, catalog };
  }

  /** The model, which must read images to do `what`. */
  private photoModel(what: string): EmbeddingModel {
    const m = this.o.slot.model;
    if (!m || this.o.slot.version === null) throw noModel();
    if (!m.imageSize) throw new EngineError('unavailable', `The installed model (${m.id}) reads text only; it cannot ${what}.`);
    return m;
  }
}
