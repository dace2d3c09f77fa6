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
import type { EngineOptions } from './engine-options';
import { dbFile, thumbsDir } from './data-dir';
import { noModel } from './errors';
import { addModelFolder } from './add-model';
import { itemDetail } from './item-detail';
import { Indexer } from './indexing/indexer';
import { Enrichment } from './passes/enrichment';
import { ItemFiles } from './item-files';
import type { FileKind } from './served-files';
import { Library } from './library/library';
import { ModelSlot } from './model-slot';
import { Tuning } from './tuning/tuning';
import { InstructionModes } from './queries/instruction-modes';
import { engineStatus } from './status';
import { openDb, type Db } from './store/db';
import { listErrors } from './store/errors';
import { failInterruptedJobs } from './store/jobs';

export type { EngineOptions } from './engine-options';

export class TroveEngine implements TroveApi {
  readonly dataDir: string;
  private readonly db: Db;
  private readonly slot: ModelSlot;
  private readonly library: Library;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly log: (line: string) => void;
  private readonly indexer: Indexer;
  private readonly files: ItemFiles;
  private readonly enrichment: Enrichment;
  private readonly modes: InstructionModes;
  private readonly tuning: Tuning;
  private closed = false;

  constructor(opts: EngineOptions) {
    this.dataDir = opts.dataDir;
    this.log = opts.log ?? (() => undefined);
    mkdirSync(this.dataDir, { recursive: true });
    const thumbs = thumbsDir(this.dataDir);
    this.db = openDb(dbFile(this.dataDir));
    failInterruptedJobs(this.db);
    this.slot = new ModelSlot({ ...opts, db: this.db, log: this.log }, { quiesce: () => this.stopModelJobs(), beforeSwitch: (e) => this.tuning.beforeSwitch(e), swapped: (e) => this.modelSwapped(e) });
    this.enrichment = new Enrichment({ db: this.db, dataDir: this.dataDir, log: this.log, withoutModels: opts.perception === false });
    const refreshDocs = (id: number) => this.enrichment.refreshDocs(id);
    this.library = new Library(this.db, { watch: opts.watch ?? false, log: this.log, onSourcesChanged: (ids) => this.indexer.sourcesChanged(ids), refreshDocs });
    const emit = (e: EngineEvent) => this.emit(e);
    this.indexer = new Indexer({ ...opts, db: this.db, thumbsDir: thumbs, library: this.library, slot: this.slot, enrichment: this.enrichment, autoIndex: opts.autoIndex ?? opts.watch ?? false, emit, log: this.log, noModel });
    this.files = new ItemFiles(this.db, thumbs, undefined, this.log);
    this.modes = new InstructionModes({ ...opts, db: this.db, slot: this.slot, library: this.library, enrichment: this.enrichment, emit, log: this.log, isClosed: () => this.closed });
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
    return engineStatus({ dataDir: this.dataDir, db: this.db, slot: this.slot, library: this.library, indexing: this.indexer.lane, labelling: this.modes.labelling });
  }

  async listSources(): Promise<ResponseOf<'listSources'>> { return this.library.sources(); }
  async addSource(req: ParsedRequestOf<'addSource'>): Promise<ResponseOf<'addSource'>> { return this.indexer.addSource(req.path); }
  async removeSource(req: ParsedRequestOf<'removeSource'>): Promise<ResponseOf<'removeSource'>> { return { removed: await this.indexer.removeSource(req.id) }; }
  async listErrors(req: ParsedRequestOf<'listErrors'>): Promise<ResponseOf<'listErrors'>> { return listErrors(this.db, req.limit); }
  async getItem(req: ParsedRequestOf<'getItem'>): Promise<ItemDetail> { return itemDetail(this.library.item(req.id)); }

  // ---- indexing (waitFor*: resolves when the running job, if any, ends, with its final progress) ----

  async startIndexing(_req: ParsedRequestOf<'startIndexing'> = {}): Promise<JobProgress | null> { return this.indexer.start(); }
  async waitForIndexing(): Promise<JobProgress | null> { return this.indexer.lane.wait(); }
  async pauseIndexing(_req: ParsedRequestOf<'pauseIndexing'> = {}): Promise<{ ok: boolean }> { return { ok: this.indexer.lane.pause() }; }
  async resumeIndexing(_req: ParsedRequestOf<'resumeIndexing'> = {}): Promise<{ ok: boolean }> { return { ok: this.indexer.lane.resume() }; }
  async cancelIndexing(_req: ParsedRequestOf<'cancelIndexing'> = {}): Promise<{ ok: boolean }> { return { ok: this.indexer.lane.cancel() }; }

  // ---- instruction modes (queries/instruction-modes.ts) ----

  // a query holds a running fine-tune off the cores until the user has been quiet a moment
  async find(req: ParsedRequestOf<'find'>): Promise<ResponseOf<'find'>> { this.tuning.userActive(); return this.modes.find(req); }
  async ask(req: ParsedRequestOf<'ask'>): Promise<ResponseOf<'ask'>> { this.tuning.userActive(); return this.modes.ask(req); }
  async pointAt(req: ParsedRequestOf<'pointAt'>): Promise<ResponseOf<'pointAt'>> { this.tuning.userActive(); return this.modes.pointAt(req); }
  async sortIntoLabels(req: ParsedRequestOf<'sortIntoLabels'>): Promise<JobProgress> { return this.modes.sortIntoLabels(req); }
  async cancelLabels(_req: ParsedRequestOf<'cancelLabels'> = {}): Promise<{ ok: boolean }> { return { ok: this.modes.labelling.cancel() }; }
  async waitForLabels(): Promise<JobProgress | null> { return this.modes.labelling.wait(); }
  async listLabels(_req: ParsedRequestOf<'listLabels'> = {}): Promise<ResponseOf<'listLabels'>> { return this.modes.listLabels(); }

  // ---- settings (model-slot.ts; a new model version re-embeds the library) ----

  async getSettings(_req: ParsedRequestOf<'getSettings'> = {}): Promise<Settings> { return this.slot.settings(); }
  async updateSettings(req: ParsedRequestOf<'updateSettings'>): Promise<Settings> { return this.slot.update(req); }
  /** Settings' "Add model...": checks an export folder and adds it to the library's models. */
  async addModel(req: ParsedRequestOf<'addModel'>): Promise<ResponseOf<'addModel'>> { return addModelFolder(this.dataDir, req.dir, this.log); }
  /** Resolves when a settings change (or the start-up one) has finished. */
  async settingsIdle(): Promise<void> { await this.slot.idle(); }

  // ---- for the UI bridge: files by item id only (item-files.ts) ----

  thumbnailPath(id: number): string | null { return this.files.thumbnail(id); }
  originalPath(id: number): string | null { return this.files.original(id); }
  async resolveFile(which: FileKind, id: number): Promise<string | null> { return this.files.resolve(which, id); }
  async allowedRoots(which: FileKind): Promise<string[]> { return this.files.allowedRoots(which); }

  /** Diagnostics (tests, `trove status`): embedding ids live in the vector index. */
  vectorIds(): number[] {
    return this.slot.vectors ? this.slot.vectors.index.liveIds().sort((a, b) => a - b) : [];
  }

  // ---- lifecycle ----

  /** Resolves when no watcher change, reconcile or indexing job is pending. */
  async idle(): Promise<void> { return this.indexer.idle(); }
  /** Re-scan every source now (what the watcher triggers), then index if autoIndex. */
  async rescan(): Promise<void> { await this.indexer.rescanAll(); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.library.close();
    await this.indexer.close();
    await this.modes.labelling.stop();
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

  /** Stops what uses the model before a swap; says whether indexing ran (it carries on after). */
  private async stopModelJobs(): Promise<{ wasIndexing: boolean }> {
    const wasIndexing = this.indexer.lane.busy;
    await this.modes.labelling.stop();
    await this.indexer.lane.stop();
    await this.library.settled();
    return { wasIndexing };
  }

  private modelSwapped(e: { versionChanged: boolean; wasIndexing: boolean }): void {
    this.indexer.modelSwapped(e);
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

  async listPairs(_req: ParsedRequestOf<'listPairs'> = {}): Promise<ResponseOf<'listPairs'>> { return this.tuning.listPairs(); }
  async addPairs(req: ParsedRequestOf<'addPairs'>): Promise<ResponseOf<'addPairs'>> { return this.tuning.addPairs(req); }
  async removePairs(req: ParsedRequestOf<'removePairs'>): Promise<ResponseOf<'removePairs'>> { return this.tuning.removePairs(req); }
  async importPairs(req: ParsedRequestOf<'importPairs'>): Promise<ResponseOf<'importPairs'>> { return this.tuning.importPairs(req); }
  async startTuning(req: ParsedRequestOf<'startTuning'>): Promise<ResponseOf<'startTuning'>> { return this.tuning.startTuning(req); }
  async cancelTuning(_req: ParsedRequestOf<'cancelTuning'> = {}): Promise<ResponseOf<'cancelTuning'>> { return this.tuning.cancelTuning(); }
  async tuningStatus(_req: ParsedRequestOf<'tuningStatus'> = {}): Promise<ResponseOf<'tuningStatus'>> { return this.tuning.status(); }
  async adoptModel(req: ParsedRequestOf<'adoptModel'>): Promise<ResponseOf<'adoptModel'>> { return this.tuning.adopt(req); }
  async cancelAdoption(_req: ParsedRequestOf<'cancelAdoption'> = {}): Promise<ResponseOf<'cancelAdoption'>> { return this.tuning.cancelAdoption(); }
  async rollbackModel(_req: ParsedRequestOf<'rollbackModel'> = {}): Promise<ResponseOf<'rollbackModel'>> { return this.tuning.rollback(); }

  /** Tests and benchmarks: the fine-tune and adoption jobs, waited for and reached. */
  get tuningJobs(): Pick<Tuning, 'waitForTuning' | 'waitForAdoption' | 'worker'> {
    return this.tuning;
  }
}
