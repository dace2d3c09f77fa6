// TroveEngine: the one service object behind the API contract, a facade over the parts
// that do the work. Plain Node (no Electron): the engine host, `trove serve` and the CLI
// all drive it.
//
//   const engine = new TroveEngine({ dataDir, model });   // model: null = no model installed
//   engine.onEvent((e) => ...);                            // progress, libraryChanged
//   await engine.startIndexing({}); await engine.waitForIndexing();
//   engine.thumbnailPath(id) / engine.originalPath(id)     // only ids in the database
//   await engine.close();
import { mkdirSync } from 'node:fs';
import { messageOf } from '../base/errors';
import type { EngineEvent, ItemDetail, JobProgress, ParsedRequestOf, ResponseOf, Settings, Status, TroveApi } from '../contract/api';
import type { EmbeddingModel } from '../ml/models/embedding-model';
import type { EngineOptions } from './engine-options';
import { dbFile, thumbsDir } from './data-dir';
import { EngineError, noModel } from './errors';
import { addModelFolder } from './add-model';
import { itemDetail } from './item-detail';
import { Indexer } from './indexing/indexer';
import { Enrichment } from './passes/enrichment';
import { ItemFiles } from './item-files';
import type { FileKind } from './served-files';
import { JobLane } from './jobs/job-lane';
import { Library } from './library/library';
import { ModelSlot } from './model-slot';
import { Tuning } from './tuning/tuning';
import { AnswerCache, ask } from './queries/ask';
import { labelFilter, labelsJob, listLabels } from './queries/labels';
import { pointAt } from './queries/point-at';
import { photoForModel } from './queries/query-image';
import { find } from './queries/find';
import type { SearchDeps } from './queries/search';
import { openDb, type Db } from './store/db';
import { countEmbeddedItems } from './store/embeddings';
import { countErrors, listErrors } from './store/errors';
import { countItemsByKind, countPending, getItem, type ItemRow } from './store/items';
import { passCounts } from './store/perception';
import { failInterruptedJobs, lastJob, latestModelVersion } from './store/jobs';

export type { EngineOptions } from './engine-options';

export class TroveEngine implements TroveApi {
  readonly dataDir: string;
  private readonly db: Db;
  private readonly slot: ModelSlot;
  private readonly library: Library;
  private readonly thumbs: string;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly autoIndex: boolean;
  private readonly log: (line: string) => void;
  private readonly indexer: Indexer;
  private readonly files: ItemFiles;
  private readonly enrichment: Enrichment;
  private readonly labelling = new JobLane((p) => this.emit({ type: 'progress', progress: p }));
  private readonly tuning: Tuning;
  private readonly answers = new AnswerCache();
  private closed = false;

  constructor(private readonly opts: EngineOptions) {
    this.dataDir = opts.dataDir;
    this.log = opts.log ?? (() => undefined);
    mkdirSync(this.dataDir, { recursive: true });
    this.thumbs = thumbsDir(this.dataDir);
    this.db = openDb(dbFile(this.dataDir));
    failInterruptedJobs(this.db);
    this.slot = new ModelSlot({ ...opts, db: this.db, log: this.log }, { quiesce: () => this.stopModelJobs(), beforeSwitch: (e) => this.tuning.beforeSwitch(e), swapped: (e) => this.modelSwapped(e) });
    this.autoIndex = opts.autoIndex ?? opts.watch ?? false;
    this.enrichment = new Enrichment({ db: this.db, dataDir: this.dataDir, log: this.log, withoutModels: opts.perception === false });
    const refreshDocs = (id: number) => this.enrichment.refreshDocs(id);
    this.library = new Library(this.db, { watch: opts.watch ?? false, log: this.log, onSourcesChanged: (ids) => this.indexer.sourcesChanged(ids), refreshDocs });
    const emit = (e: EngineEvent) => this.emit(e);
    this.indexer = new Indexer({ ...opts, db: this.db, thumbsDir: this.thumbs, library: this.library, slot: this.slot, enrichment: this.enrichment, autoIndex: this.autoIndex, emit, log: this.log, noModel });
    this.files = new ItemFiles(this.db, this.thumbs, undefined, this.log);
    // before anything indexes: the items follow the loaded model version (an interrupted switch is settled)
    this.tuning = new Tuning({ db: this.db, dataDir: this.dataDir, slot: this.slot, emit, log: this.log, loadModel: opts.loadModel, resumeOnStart: opts.watch ?? false });
    this.tuning.recover();
    if (opts.applySavedSettings ?? true) this.slot.applySaved();
  }

  /** For the `trove serve` bridge (BridgeEngine). */
  get api(): TroveApi {
    return this;
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- library ----

  async status(): Promise<Status> {
    const m = this.slot.model;
    // without a model (CLI status), report against the newest model version that embedded
    const v = this.slot.version ?? latestModelVersion(this.db);
    return {
      dataDir: this.dataDir,
      sources: this.library.sources().length,
      items: countItemsByKind(this.db),
      embedded: countEmbeddedItems(this.db, v),
      pending: countPending(this.db, v),
      errors: countErrors(this.db),
      model: m ? { id: m.id, version: m.version, family: m.family, dim: m.dim, provider: m.provider.name, providersTried: m.provider.tried } : null,
      job: this.currentJob(),
      passes: passCounts(this.db),
    };
  }

  async listSources(): Promise<ResponseOf<'listSources'>> {
    return this.library.sources();
  }

  async addSource(req: ParsedRequestOf<'addSource'>): Promise<ResponseOf<'addSource'>> {
    const { source, isNew } = this.library.add(req.path);
    // scan it now (even while another job runs: that job, or the one after it, picks the new items up)
    if (isNew && this.autoIndex && this.slot.model) this.indexer.sourcesChanged([source.id]);
    return source;
  }

  async removeSource(req: ParsedRequestOf<'removeSource'>): Promise<ResponseOf<'removeSource'>> {
    const itemIds = await this.library.remove(req.id);
    this.indexer.dropFromCache(itemIds);
    this.slot.vectors?.save();
    this.emit({ type: 'libraryChanged', added: 0, changed: 0, removed: itemIds.length });
    return { removed: itemIds.length };
  }

  async listErrors(req: ParsedRequestOf<'listErrors'>): Promise<ResponseOf<'listErrors'>> {
    return listErrors(this.db, req.limit);
  }

  async getItem(req: ParsedRequestOf<'getItem'>): Promise<ItemDetail> {
    return itemDetail(this.mustGetItem(req.id));
  }

  // ---- indexing ----

  async startIndexing(_req: ParsedRequestOf<'startIndexing'> = {}): Promise<JobProgress | null> {
    return this.indexer.start();
  }

  /** Resolves when the current indexing job (if any) ends, with its final progress. */
  async waitForIndexing(): Promise<JobProgress | null> {
    return this.indexer.lane.wait();
  }

  async pauseIndexing(_req: ParsedRequestOf<'pauseIndexing'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.indexer.lane.pause() };
  }

  async resumeIndexing(_req: ParsedRequestOf<'resumeIndexing'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.indexer.lane.resume() };
  }

  async cancelIndexing(_req: ParsedRequestOf<'cancelIndexing'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.indexer.lane.cancel() };
  }

  // ---- instruction modes ----

  async find(req: ParsedRequestOf<'find'>): Promise<ResponseOf<'find'>> {
    return find(
      {
        ...this.searchDeps(),
        ranking: this.opts.ranking ?? 'fused',
        lexicon: () => this.enrichment.lexiconOrNull(),
        tagWords: () => this.enrichment.tagWords(),
        generality: () => this.enrichment.generalityOrNull(),
        itemById: (id) => this.mustGetItem(id),
      },
      req,
    );
  }

  /** Ask (VQA): the photo + the question; the built-in answers and the user's options ranked. */
  async ask(req: ParsedRequestOf<'ask'>): Promise<ResponseOf<'ask'>> {
    const model = this.photoModel('answer questions about photos');
    const it = this.mustGetItem(req.itemId);
    if (it.kind !== 'image') throw new EngineError('invalid', `Ask works on photos: item ${it.id} is a note. Pick a photo, or search the note's text with Find.`);
    const image = await photoForModel(it, model.imageSize!);
    return ask(model, this.answers, { itemId: it.id, image, question: req.question, options: req.options, k: req.k });
  }

  /** Sort into labels: starts the labelling job (a running one is cancelled and replaced). */
  async sortIntoLabels(req: ParsedRequestOf<'sortIntoLabels'>): Promise<JobProgress> {
    const model = this.photoModel('label photos');
    await this.labelling.stop();
    const job = labelsJob({ db: this.db, model, modelVersion: this.slot.version!, labels: req.labels, batchSize: this.opts.batchSize, onProgress: (p) => this.emit({ type: 'progress', progress: p }) });
    void this.labelling.start(job);
    const first = job.progress();
    this.emit({ type: 'progress', progress: first });
    return first;
  }

  async cancelLabels(_req: ParsedRequestOf<'cancelLabels'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.labelling.cancel() };
  }

  /** Resolves when the current labelling job (if any) ends, with its final progress. */
  async waitForLabels(): Promise<JobProgress | null> {
    return this.labelling.wait();
  }

  async listLabels(_req: ParsedRequestOf<'listLabels'> = {}): Promise<ResponseOf<'listLabels'>> {
    return listLabels(this.db, this.slot.model);
  }

  /** Point at (grounding): photos where a region matches the caption, best region as `box`. */
  async pointAt(req: ParsedRequestOf<'pointAt'>): Promise<ResponseOf<'pointAt'>> {
    this.photoModel('point at regions of photos');
    const deps = { ...this.searchDeps(), isClosed: () => this.closed, log: this.log };
    return pointAt(deps, req, labelFilter(this.db, req.filters.label));
  }

  // ---- settings ----

  async getSettings(_req: ParsedRequestOf<'getSettings'> = {}): Promise<Settings> {
    return this.slot.settings();
  }

  /** Changes the model package, providers or threads (a new model version re-embeds the library). */
  async updateSettings(req: ParsedRequestOf<'updateSettings'>): Promise<Settings> {
    return this.slot.update(req);
  }

  /** Settings' "Add model...": checks an export folder and adds it to the library's models. */
  async addModel(req: ParsedRequestOf<'addModel'>): Promise<ResponseOf<'addModel'>> {
    return addModelFolder(this.dataDir, req.dir, this.log);
  }

  /** Resolves when a settings change (or the start-up one) has finished. */
  async settingsIdle(): Promise<void> {
    await this.slot.idle();
  }

  // ---- for the UI bridge: files by item id only ----

  thumbnailPath(id: number): string | null {
    return this.files.thumbnail(id);
  }

  originalPath(id: number): string | null {
    return this.files.original(id);
  }

  async resolveFile(which: FileKind, id: number): Promise<string | null> {
    return this.files.resolve(which, id);
  }

  async allowedRoots(which: FileKind): Promise<string[]> {
    return this.files.allowedRoots(which);
  }

  /** Diagnostics (tests, `trove status`): embedding ids live in the vector index. */
  vectorIds(): number[] {
    return this.slot.vectors ? this.slot.vectors.index.liveIds().sort((a, b) => a - b) : [];
  }

  // ---- lifecycle ----

  /** Resolves when no watcher change, reconcile or indexing job is pending. */
  async idle(): Promise<void> {
    for (;;) {
      await this.library.settled();
      await this.indexer.lane.wait();
      await new Promise((r) => setTimeout(r, 20));
      if (this.library.changesWaiting || this.indexer.lane.busy) continue;
      await this.library.settled();
      if (!this.indexer.lane.busy && !this.library.changesWaiting) return;
    }
  }

  /** Re-scan every source now (what the watcher triggers), then index if autoIndex. */
  async rescan(): Promise<void> {
    await this.indexer.reconcileThenIndex(this.library.sources().map((s) => s.id));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.library.close();
    await this.indexer.close();
    await this.labelling.stop();
    await this.tuning.close();
    try {
      await this.slot.close();
    } finally {
      this.db.close();
    }
    await this.slot.release();
    await this.enrichment.dispose();
  }

  // ---- internals ----

  private searchDeps(): SearchDeps {
    const { model, vectors, catalog } = this.slot;
    if (!model || !vectors) throw noModel();
    return { db: this.db, model, index: vectors.index, catalog };
  }

  /** The model, which must read images to do `what`. */
  private photoModel(what: string): EmbeddingModel {
    const m = this.slot.model;
    if (!m || this.slot.version === null) throw noModel();
    if (!m.imageSize) throw new EngineError('unavailable', `The installed model (${m.id}) reads text only; it cannot ${what}.`);
    return m;
  }

  /** The running job (indexing first), else the last indexing run. */
  private currentJob(): JobProgress | null {
    if (this.indexer.lane.active) return this.indexer.lane.progress();
    if (this.labelling.active) return this.labelling.progress();
    return this.indexer.lane.progress() ?? lastJob(this.db, 'index');
  }

  private async stopModelJobs(): Promise<{ wasIndexing: boolean }> {
    const wasIndexing = this.indexer.lane.busy;
    await this.labelling.stop();
    await this.indexer.lane.stop();
    await this.library.settled();
    return { wasIndexing };
  }

  /** Another model version: everything is pending for it (re-embed with progress); a run stopped for the swap carries on. */
  private modelSwapped(e: { versionChanged: boolean; wasIndexing: boolean }): void {
    if ((e.versionChanged || e.wasIndexing) && countPending(this.db, this.slot.version) > 0) this.indexer.startLater('re-embedding');
  }

  private mustGetItem(id: number): ItemRow {
    const it = getItem(this.db, id);
    if (!it) throw new EngineError('not_found', `There is no item with id ${id} in the library (it may have been deleted). Search again and pick an item from the results.`);
    return it;
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log(`event listener failed: ${messageOf(err)}`);
      }
    }
  }

  // ---- personal fine-tuning (main/engine/tuning) ----

  async listPairs(_req: ParsedRequestOf<'listPairs'> = {}): Promise<ResponseOf<'listPairs'>> {
    return this.tuning.listPairs();
  }

  async addPairs(req: ParsedRequestOf<'addPairs'>): Promise<ResponseOf<'addPairs'>> {
    return this.tuning.addPairs(req);
  }

  async removePairs(req: ParsedRequestOf<'removePairs'>): Promise<ResponseOf<'removePairs'>> {
    return this.tuning.removePairs(req);
  }

  async importPairs(req: ParsedRequestOf<'importPairs'>): Promise<ResponseOf<'importPairs'>> {
    return this.tuning.importPairs(req);
  }

  async startTuning(req: ParsedRequestOf<'startTuning'>): Promise<ResponseOf<'startTuning'>> {
    return this.tuning.startTuning(req);
  }

  async cancelTuning(_req: ParsedRequestOf<'cancelTuning'> = {}): Promise<ResponseOf<'cancelTuning'>> {
    return this.tuning.cancelTuning();
  }

  async tuningStatus(_req: ParsedRequestOf<'tuningStatus'> = {}): Promise<ResponseOf<'tuningStatus'>> {
    return this.tuning.status();
  }

  async adoptModel(req: ParsedRequestOf<'adoptModel'>): Promise<ResponseOf<'adoptModel'>> {
    return this.tuning.adopt(req);
  }

  async cancelAdoption(_req: ParsedRequestOf<'cancelAdoption'> = {}): Promise<ResponseOf<'cancelAdoption'>> {
    return this.tuning.cancelAdoption();
  }

  async rollbackModel(_req: ParsedRequestOf<'rollbackModel'> = {}): Promise<ResponseOf<'rollbackModel'>> {
    return this.tuning.rollback();
  }

  /** Tests and benchmarks: the fine-tune and adoption jobs, waited for and reached. */
  get tuningJobs(): Pick<Tuning, 'waitForTuning' | 'waitForAdoption' | 'worker'> {
    return this.tuning;
  }
}
