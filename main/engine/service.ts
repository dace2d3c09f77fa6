// TroveEngine: the one service object behind the API contract. Plain Node (no Electron):
// the engine host, `trove serve` and the CLI all drive it.
//
//   const engine = new TroveEngine({ dataDir, model });   // model: null = no model installed
//   engine.onEvent((e) => ...);                            // progress, libraryChanged
//   await engine.startIndexing({}); await engine.waitForIndexing();
//   engine.thumbnailPath(id) / engine.originalPath(id)     // only ids in the database
//   await engine.close();
import { promises as fsp, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import type { EngineEvent, ItemDetail, JobProgress, ParsedRequestOf, ResponseOf, Settings, Status, TroveApi } from '../contract/api';
import type { EmbeddingModel, RgbImage } from '../ml/models/embedding-model';
import { loadModel as loadModelPackage, type LoadOptions } from '../ml/models/index';
import { dbFile, thumbsDir } from './data-dir';
import { Catalog } from './embedding/catalog';
import { IndexJob } from './embedding/pipeline';
import { indexFileFor, VectorStore } from './embedding/vector-store';
import { EngineError } from './errors';
import { tryLock } from './index-lock';
import { decodeForModel, decodeIntermediate, MAX_IMAGE_PIXELS, modelInputFrom, probeImage, thumbnailFile } from './library/images';
import { decodeNote } from './library/note-text';
import { reconcileSource } from './library/reconcile';
import { SourceWatcher } from './library/watcher';
import { AnswerCache, ask } from './queries/ask';
import { emptyGrounding, groundInImage, rankGrounded } from './queries/ground';
import { classifyInstruction, LabelJob } from './queries/labels';
import { search } from './queries/search';
import { defaultThreads, effectiveProviders, findModelPackages, modelRoots, readSettings, writeSettings, type SavedSettings } from './settings';
import { openDb, type Db } from './store/db';
import { catalogRows, countEmbeddedItems } from './store/embeddings';
import { countErrors, listErrors } from './store/errors';
import { countItemsByKind, countPending, getItem, type ItemRow } from './store/items';
import { ensureModelVersion, failInterruptedJobs, insertJob, lastJob, latestModelVersion } from './store/jobs';
import { currentLabelSet, insertLabelSet, itemsWithLabel, labelCounts } from './store/labels';
import { deleteSource, getSource, insertSource, listSources, type SourceRow } from './store/sources';

export interface EngineOptions {
  dataDir: string;
  /** null when no model is installed: indexing and search then fail with a clear message */
  model: EmbeddingModel | null;
  /** watch source folders and keep the library up to date (the app; not the one-shot CLI) */
  watch?: boolean;
  /** start indexing by itself when sources are added or files change (default: = watch) */
  autoIndex?: boolean;
  /** pipeline tuning */
  concurrency?: number;
  batchSize?: number;
  log?: (line: string) => void;
  /** how `model` was loaded: its package folder and options (undefined: the folder is found by
   *  the model's id and version among the available packages, with the default options) */
  loaded?: { dir: string | null; providers?: readonly string[]; threads?: number };
  /** loads a model package (settings: another model, providers or threads). Default: main/ml's loadModel */
  loadModel?: (dir: string, options: LoadOptions) => Promise<EmbeddingModel>;
  /** folders searched for model packages (default: the installation's native-models/ and <dataDir>/models) */
  modelRoots?: string[];
  /** the Electron app can move the data folder (it restarts the engine); `trove serve` cannot */
  dataDirChangeable?: boolean;
  /** the engine releases `model` when it swaps it out or closes (default false: the host does) */
  ownsModel?: boolean;
  /** apply settings.json at start when it differs from how `model` was loaded (default true) */
  applySavedSettings?: boolean;
  /** how Find ranks: 'fused' (every signal; the default) or 'embedding' (the embedding alone: a baseline for `trove eval --search`) */
  ranking?: 'fused' | 'embedding';
}

type Listener = (e: EngineEvent) => void;
const NOTE_DISPLAY_LIMIT = 200_000;
/** Point at: photos shortlisted by Find before their regions are compared (at most) */
const GROUNDING_SHORTLIST = 50;
/** Point at decodes each photo once with this shorter side (never enlarged) and crops from it */
const GROUNDING_DECODE_SIDE = 512;

export class TroveEngine implements TroveApi {
  readonly dataDir: string;
  private readonly db: Db;
  private model: EmbeddingModel | null;
  private modelVersion: number | null = null;
  private vectors: VectorStore | null = null;
  private catalog = new Catalog();
  /** the package folder of `model` and the options it was loaded with */
  private modelDir: string | null = null;
  private loadedWith: { providers?: readonly string[]; threads?: number } = {};
  private saved: SavedSettings;
  /** settings changes run one at a time; set while a model is being swapped */
  private settingsWork: Promise<unknown> = Promise.resolve();
  private swapping = false;
  private readonly thumbs: string;
  private readonly listeners = new Set<Listener>();
  private readonly watcher: SourceWatcher | null;
  private readonly autoIndex: boolean;
  private readonly log: (line: string) => void;
  private job: IndexJob | null = null;
  private jobRun: Promise<JobProgress> | null = null;
  private scanning: { cancelled: boolean; progress: JobProgress } | null = null;
  private lastProgress: JobProgress | null = null;
  private labelJob: LabelJob | null = null;
  private labelRun: Promise<JobProgress> | null = null;
  private readonly answers = new AnswerCache();
  /** reconciles run one at a time */
  private work: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: EngineOptions) {
    this.dataDir = opts.dataDir;
    this.log = opts.log ?? (() => undefined);
    mkdirSync(this.dataDir, { recursive: true });
    this.thumbs = thumbsDir(this.dataDir);
    this.db = openDb(dbFile(this.dataDir));
    failInterruptedJobs(this.db);
    this.model = opts.model;
    if (this.model) this.useModel(this.model);
    this.saved = readSettings(this.dataDir, this.log);
    if (opts.loaded) {
      this.modelDir = opts.loaded.dir;
      this.loadedWith = { providers: opts.loaded.providers, threads: opts.loaded.threads };
    } else if (this.model) {
      const m = this.model;
      this.modelDir = this.availableModels().find((p) => p.id === m.id && p.version === m.version)?.dir ?? null;
    }
    this.autoIndex = opts.autoIndex ?? opts.watch ?? false;
    this.watcher = opts.watch ? new SourceWatcher((ids) => this.onSourcesChanged(ids), 300, this.log) : null;
    if (this.watcher) for (const s of listSources(this.db)) this.watcher.watch(s.id, s.path);
    if (opts.applySavedSettings ?? true) this.applySavedSettings();
  }

  /** For the `trove serve` bridge (BridgeEngine). */
  get api(): TroveApi {
    return this;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- API ----

  async status(): Promise<Status> {
    const m = this.model;
    // without a model (CLI status), report against the newest model version that embedded
    const v = this.modelVersion ?? latestModelVersion(this.db);
    return {
      dataDir: this.dataDir,
      sources: listSources(this.db).length,
      items: countItemsByKind(this.db),
      embedded: countEmbeddedItems(this.db, v),
      pending: countPending(this.db, v),
      errors: countErrors(this.db),
      model: m
        ? { id: m.id, version: m.version, family: m.family, dim: m.dim, provider: m.provider.name, providersTried: m.provider.tried }
        : null,
      job: this.currentProgress(),
    };
  }

  async listSources(): Promise<ResponseOf<'listSources'>> {
    return listSources(this.db);
  }

  async addSource(req: ParsedRequestOf<'addSource'>): Promise<ResponseOf<'addSource'>> {
    let path: string;
    try {
      path = realpathSync(req.path);
      if (!statSync(path).isDirectory()) throw new EngineError('invalid', `${req.path} is a file, not a folder. Add the folder that contains your photos and notes.`);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('not_found', `The folder ${req.path} does not exist or cannot be read. Check the path and try again.`);
    }
    for (const s of listSources(this.db)) {
      if (s.path === path) return s;
      if (isInside(path, s.path)) throw new EngineError('invalid', `${path} is already part of the library, inside ${s.path}.`);
      if (isInside(s.path, path)) {
        throw new EngineError('invalid', `${path} contains ${s.path}, which is already in the library. Remove ${s.path} first, then add ${path}.`);
      }
    }
    const src = insertSource(this.db, path);
    this.watcher?.watch(src.id, src.path);
    // scan it now (even while another job runs: that job, or the one after it, picks the
    // new pending items up), then index if nothing is running
    if (this.autoIndex && this.model) void this.queueReconcile([src.id]).catch((err: unknown) => this.log(`indexing: ${String(err)}`));
    return src;
  }

  async removeSource(req: ParsedRequestOf<'removeSource'>): Promise<ResponseOf<'removeSource'>> {
    if (!getSource(this.db, req.id)) throw new EngineError('not_found', `There is no folder with id ${req.id} in the library.`);
    await this.watcher?.unwatch(req.id);
    const itemIds = (this.db.prepare('SELECT id FROM items WHERE source_id = ?').all(req.id) as { id: number }[]).map((r) => r.id);
    const removed = deleteSource(this.db, req.id);
    this.dropFromCache(itemIds);
    this.vectors?.save();
    this.emit({ type: 'libraryChanged', added: 0, changed: 0, removed });
    return { removed };
  }

  async startIndexing(_req: ParsedRequestOf<'startIndexing'> = {}): Promise<JobProgress | null> {
    if (this.swapping) throw new EngineError('unavailable', 'Trove is switching to another model right now. Indexing starts by itself when it is ready; try again in a moment.');
    if (!this.model || !this.vectors || this.modelVersion === null) throw noModel();
    if (this.jobRun || this.scanning) return this.currentProgress();
    const lock = tryLock(join(this.dataDir, 'index.lock'));
    if (!lock.ok) {
      throw new EngineError(
        'unavailable',
        `Another Trove process${Number.isNaN(lock.ownerPid) ? '' : ` (pid ${lock.ownerPid})`} is indexing this library right now. Wait for it to finish or stop it, then try again.`,
      );
    }
    const jobId = insertJob(this.db, 'index', 0);
    const scanning = {
      cancelled: false,
      progress: { jobId, kind: 'index' as const, state: 'running' as const, done: 0, total: 0, rate: 0, etaSeconds: null, message: 'looking for new and changed files' },
    };
    this.scanning = scanning;
    this.jobRun = this.runIndexing(jobId, scanning);
    const run = this.jobRun;
    const finish = (p: JobProgress | null) => {
      lock.release();
      if (this.jobRun === run) this.jobRun = null;
      this.job = null;
      this.scanning = null;
      // changes that arrived as the job was finishing: go again, with no gap for idle() to see
      if (p?.state === 'done' && this.autoIndex && !this.closed && countPending(this.db, this.modelVersion) > 0) {
        void this.startIndexing().catch((err: unknown) => this.log(`indexing: ${String(err)}`));
      }
    };
    run.then(finish, (err: unknown) => {
      this.log(`indexing failed: ${String(err)}`);
      finish(null);
    });
    this.emit({ type: 'progress', progress: scanning.progress });
    return scanning.progress;
  }

  /** Resolves when the current indexing job (if any) ends, with its final progress. */
  async waitForIndexing(): Promise<JobProgress | null> {
    return this.jobRun ? this.jobRun : null;
  }

  async pauseIndexing(_req: ParsedRequestOf<'pauseIndexing'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.job?.pause() ?? false };
  }

  async resumeIndexing(_req: ParsedRequestOf<'resumeIndexing'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.job?.resume() ?? false };
  }

  async cancelIndexing(_req: ParsedRequestOf<'cancelIndexing'> = {}): Promise<{ ok: boolean }> {
    if (this.scanning && !this.job) {
      this.scanning.cancelled = true;
      return { ok: true };
    }
    return { ok: this.job?.cancel() ?? false };
  }

  async listErrors(req: ParsedRequestOf<'listErrors'>): Promise<ResponseOf<'listErrors'>> {
    return listErrors(this.db, req.limit);
  }

  async getItem(req: ParsedRequestOf<'getItem'>): Promise<ItemDetail> {
    const it = this.mustGetItem(req.id);
    const detail: ItemDetail = {
      id: it.id,
      sourceId: it.sourceId,
      path: it.path,
      kind: it.kind,
      size: it.size,
      mtime: it.mtime,
      takenAt: it.takenAt,
      camera: [it.cameraMake, it.cameraModel].filter(Boolean).join(' ') || null,
      gps: it.gpsLat !== null && it.gpsLon !== null ? { lat: it.gpsLat, lon: it.gpsLon } : null,
      width: it.width,
      height: it.height,
    };
    if (it.kind === 'note') {
      try {
        const text = decodeNote(await fsp.readFile(it.path));
        detail.text = text.length > NOTE_DISPLAY_LIMIT ? text.slice(0, NOTE_DISPLAY_LIMIT) : text;
      } catch {
        // unreadable now: the detail is still useful without the text
      }
    }
    return detail;
  }

  async find(req: ParsedRequestOf<'find'>): Promise<ResponseOf<'find'>> {
    if (!this.model || !this.vectors) throw noModel();
    let image: RgbImage | undefined;
    if (req.imageItemId !== undefined || req.imageBase64 !== undefined) {
      if (!this.model.imageSize) throw new EngineError('unavailable', `The installed model (${this.model.id}) reads text only; it cannot search with an image.`);
      let buf: Buffer;
      if (req.imageItemId !== undefined) {
        const it = this.mustGetItem(req.imageItemId);
        if (it.kind !== 'image') throw new EngineError('invalid', `Item ${it.id} is a note, not a photo; search with its text instead.`);
        buf = await fsp.readFile(it.path).catch(() => {
          throw new EngineError('not_found', `The photo ${it.path} can no longer be read (moved or deleted?).`);
        });
      } else {
        buf = Buffer.from(req.imageBase64!, 'base64');
        if (buf.length > 30 * 1024 * 1024) throw new EngineError('invalid', 'The dropped image is larger than 30 MB.');
      }
      const meta = await sharp(buf, { limitInputPixels: false }).metadata().catch(() => null);
      if (!meta || !meta.width || !meta.height) throw new EngineError('invalid', 'The image to search with is not an image Trove can read.');
      if (meta.width * meta.height > MAX_IMAGE_PIXELS) throw new EngineError('invalid', `The image to search with is too large (${meta.width}×${meta.height}).`);
      image = await decodeForModel(buf, this.model.imageSize).catch((err: unknown) => {
        throw new EngineError('invalid', `The image to search with could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    return search(
      { db: this.db, model: this.model, index: this.vectors.index, catalog: this.catalog },
      { text: req.text, image, k: req.k, filters: req.filters, sort: req.sort, onlyItems: this.labelFilter(req.filters.label) },
    );
  }

  /** Ask (VQA): the photo + the question; the built-in answers and the user's options ranked. */
  async ask(req: ParsedRequestOf<'ask'>): Promise<ResponseOf<'ask'>> {
    if (!this.model) throw noModel();
    const size = this.model.imageSize;
    if (!size) throw new EngineError('unavailable', `The installed model (${this.model.id}) reads text only; it cannot answer questions about photos.`);
    const it = this.mustGetItem(req.itemId);
    if (it.kind !== 'image') throw new EngineError('invalid', `Ask works on photos: item ${it.id} is a note. Pick a photo, or search the note's text with Find.`);
    const buf = await this.readPhoto(it);
    const image = await decodeForModel(buf, size).catch((err: unknown) => {
      throw new EngineError('invalid', `The photo ${it.path} could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    });
    return ask(this.model, this.answers, { itemId: it.id, image, question: req.question, options: req.options, k: req.k });
  }

  /** Sort into labels: starts the labelling job (a running one is cancelled and replaced). */
  async sortIntoLabels(req: ParsedRequestOf<'sortIntoLabels'>): Promise<JobProgress> {
    if (!this.model || this.modelVersion === null) throw noModel();
    if (!this.model.imageSize) throw new EngineError('unavailable', `The installed model (${this.model.id}) reads text only; it cannot label photos.`);
    if (this.labelJob) {
      this.labelJob.cancel();
      await this.labelRun?.catch(() => undefined);
    }
    const labels = req.labels;
    const instruction = classifyInstruction(this.model);
    const labelSet = insertLabelSet(this.db, { labels, modelVersion: this.modelVersion, instruction });
    const jobId = insertJob(this.db, 'label', 0);
    const job = new LabelJob({
      db: this.db,
      model: this.model,
      jobId,
      labelSet,
      labels,
      batchSize: this.opts.batchSize,
      onProgress: (p) => this.emit({ type: 'progress', progress: p }),
    });
    this.labelJob = job;
    const first = job.progress();
    this.emit({ type: 'progress', progress: first });
    const run = job.run();
    this.labelRun = run;
    const finish = () => {
      if (this.labelRun === run) {
        this.labelRun = null;
        this.labelJob = null;
      }
    };
    run.then(finish, (err: unknown) => {
      this.log(`labelling failed: ${String(err)}`);
      finish();
    });
    return first;
  }

  async cancelLabels(_req: ParsedRequestOf<'cancelLabels'> = {}): Promise<{ ok: boolean }> {
    return { ok: this.labelJob?.cancel() ?? false };
  }

  /** Resolves when the current labelling job (if any) ends, with its final progress. */
  async waitForLabels(): Promise<JobProgress | null> {
    return this.labelRun ? this.labelRun : null;
  }

  async listLabels(_req: ParsedRequestOf<'listLabels'> = {}): Promise<ResponseOf<'listLabels'>> {
    const set = currentLabelSet(this.db);
    if (!set) return { id: null, labels: [], labelled: 0, createdAt: null, instruction: this.model?.imageSize ? classifyInstruction(this.model) : '' };
    const labels = labelCounts(this.db, set);
    return { id: set.id, labels, labelled: labels.reduce((n, l) => n + l.count, 0), createdAt: set.createdAt, instruction: set.instruction };
  }

  /** Point at (grounding): photos where a region matches the caption, best region as `box`. */
  async pointAt(req: ParsedRequestOf<'pointAt'>): Promise<ResponseOf<'pointAt'>> {
    if (!this.model || !this.vectors) throw noModel();
    const model = this.model;
    const size = model.imageSize;
    if (!size) throw new EngineError('unavailable', `The installed model (${model.id}) reads text only; it cannot point at regions of photos.`);
    if (req.filters.kinds?.length && !req.filters.kinds.includes('image')) return emptyGrounding(model, req.caption);
    const shortlist = await search(
      { db: this.db, model, index: this.vectors.index, catalog: this.catalog },
      {
        text: req.caption,
        k: Math.min(GROUNDING_SHORTLIST, Math.max(2 * req.k, 10)),
        filters: { ...req.filters, kinds: ['image'] },
        sort: 'relevance',
        onlyItems: this.labelFilter(req.filters.label),
      },
    );
    const grounded: (ResponseOf<'pointAt'>['results'][number] & { box: { x: number; y: number; width: number; height: number } })[] = [];
    let instruction = '';
    for (const r of shortlist.results) {
      if (this.closed) break;
      const it = getItem(this.db, r.id);
      if (!it || it.kind !== 'image') continue;
      try {
        const buf = await fsp.readFile(it.path);
        const img = await decodeIntermediate(buf, GROUNDING_DECODE_SIDE);
        const full = await modelInputFrom(img, size);
        // the stored size is after EXIF rotation, as the viewer shows the photo
        const displayed = it.width && it.height ? { width: it.width, height: it.height } : await probeImage(buf);
        const g = await groundInImage(model, img, displayed, req.caption, full);
        instruction ||= g.instruction;
        grounded.push({ ...r, score: g.score, box: g.box });
      } catch (err) {
        this.log(`point at: skipped ${it.path}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!grounded.length) return emptyGrounding(model, req.caption);
    return { results: rankGrounded(grounded, req.k), instruction };
  }

  // ---- settings ----

  async getSettings(_req: ParsedRequestOf<'getSettings'> = {}): Promise<Settings> {
    const m = this.model;
    return {
      modelDir: this.modelDir,
      availableModels: this.availableModels(),
      provider: { preferred: effectiveProviders(this.saved), running: m ? m.provider.name : null, tried: m ? m.provider.tried : [] },
      threads: this.saved.threads ?? this.loadedWith.threads ?? defaultThreads(),
      dataDir: this.dataDir,
      dataDirChangeable: this.opts.dataDirChangeable ?? false,
    };
  }

  /**
   * Changes the model package, the providers or the threads. A change that needs the model
   * reloaded loads the new one first: if that fails, the old model keeps running, nothing is
   * saved, and the error says why. A model of another id or version re-embeds the library.
   */
  async updateSettings(req: ParsedRequestOf<'updateSettings'>): Promise<Settings> {
    const run = this.settingsWork.then(() => this.applySettings(req));
    this.settingsWork = run.catch(() => undefined);
    return run;
  }

  /** Resolves when a settings change (or the start-up one) has finished. */
  async settingsIdle(): Promise<void> {
    await this.settingsWork;
  }

  // ---- for the UI bridge: files by item id only ----

  /** The thumbnail of a photo in the library, or null (no such item, not a photo, not made yet). */
  thumbnailPath(id: number): string | null {
    const it = getItem(this.db, id);
    if (!it || it.kind !== 'image' || !it.hash) return null;
    const f = thumbnailFile(this.thumbs, it.hash);
    try {
      statSync(f);
      return f;
    } catch {
      return null;
    }
  }

  /** The original file of an item in the library, or null when the id is unknown. */
  originalPath(id: number): string | null {
    return getItem(this.db, id)?.path ?? null;
  }

  async resolveFile(which: 'thumb' | 'original', id: number): Promise<string | null> {
    return which === 'thumb' ? this.thumbnailPath(id) : this.originalPath(id);
  }

  async allowedRoots(which: 'thumb' | 'original'): Promise<string[]> {
    return which === 'thumb' ? [this.thumbs] : listSources(this.db).map((s) => s.path);
  }

  /** Diagnostics (tests, `trove status`): embedding ids live in the vector index. */
  vectorIds(): number[] {
    return this.vectors ? this.vectors.index.liveIds().sort((a, b) => a - b) : [];
  }

  // ---- lifecycle ----

  /** Resolves when no watcher change, reconcile or indexing job is pending. */
  async idle(): Promise<void> {
    for (;;) {
      await this.watcher?.ready();
      await this.work;
      if (this.jobRun) await this.jobRun.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
      if (!this.watcher?.busy && !this.jobRun) {
        const w = this.work;
        await w;
        if (w === this.work && !this.jobRun) return;
      }
    }
  }

  /** Re-scan every source now (what the watcher triggers), then index if autoIndex. */
  async rescan(): Promise<void> {
    await this.queueReconcile(listSources(this.db).map((s) => s.id));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    await this.cancelIndexing();
    this.labelJob?.cancel();
    await this.labelRun?.catch(() => undefined);
    await this.jobRun?.catch(() => undefined);
    await this.work.catch(() => undefined);
    await this.settingsWork;
    try {
      this.vectors?.save();
    } finally {
      this.db.close();
    }
    // a model the engine loaded itself is the engine's to release; the host's own is the host's
    if (this.model && (this.model !== this.opts.model || this.opts.ownsModel)) await this.model.dispose().catch(() => undefined);
  }

  // ---- internals ----

  private useModel(m: EmbeddingModel): void {
    this.modelVersion = ensureModelVersion(this.db, { modelId: m.id, version: m.version, family: m.family, dim: m.dim });
    this.vectors = new VectorStore(this.db, indexFileFor(this.dataDir, this.modelVersion), this.modelVersion, m.dim);
    if (this.vectors.rebuilt) this.log(`vector index rebuilt from the database: ${this.vectors.rebuildReason ?? ''}`);
    this.catalog = new Catalog(catalogRows(this.db, this.modelVersion));
  }

  private availableModels(): ReturnType<typeof findModelPackages> {
    return findModelPackages(this.opts.modelRoots ?? modelRoots(this.dataDir));
  }

  private async applySettings(req: ParsedRequestOf<'updateSettings'>): Promise<Settings> {
    if (this.closed) throw new EngineError('unavailable', 'Trove is shutting down; change the settings after it restarts.');
    let dir = this.modelDir;
    if (req.modelDir !== undefined) {
      const available = this.availableModels();
      const pick = available.find((p) => p.dir === req.modelDir);
      if (!pick) {
        throw new EngineError(
          'invalid',
          `${req.modelDir} is not one of the installed model packages (${available.map((p) => p.dir).join(', ') || 'none found'}). Pick one from the list in Settings.`,
        );
      }
      dir = pick.dir;
    }
    const next: SavedSettings = { ...this.saved };
    if (req.modelDir !== undefined) next.modelDir = dir;
    if (req.providers !== undefined) next.providers = req.providers;
    if (req.threads !== undefined) next.threads = req.threads;
    const current = await this.getSettings();
    const options = { providers: effectiveProviders(next), threads: next.threads ?? current.threads };
    const changed = dir !== this.modelDir || !this.model || !sameOptions(options, { providers: current.provider.preferred, threads: current.threads });
    // without a package folder (no model, or one the host loaded from elsewhere) the choice is saved for the next load
    if (dir !== null && changed) await this.reloadModel(dir, options);
    writeSettings(this.dataDir, next);
    this.saved = next;
    return this.getSettings();
  }

  /** Loads the package in `dir` and swaps it in; on failure the old model keeps running. */
  private async reloadModel(dir: string, options: { providers: string[]; threads: number }): Promise<void> {
    const load = this.opts.loadModel ?? loadModelPackage;
    let next: EmbeddingModel;
    try {
      next = await load(dir, options);
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).replace(/[.\s]+$/, '');
      const old = this.model ? `The previous model (${this.model.id} ${this.model.version}) keeps running` : 'Trove keeps running without a model';
      throw new EngineError(
        'unavailable',
        `The model in ${dir} could not be loaded with ${options.providers.join(', ')} and ${options.threads} thread(s): ${why}. ${old}; nothing was changed. Pick another model package or other execution providers, or reinstall the package.`,
      );
    }
    if (this.closed) {
      await next.dispose().catch(() => undefined);
      throw new EngineError('unavailable', 'Trove is shutting down; change the settings after it restarts.');
    }
    const old = this.model;
    const oldVersion = this.modelVersion;
    const wasIndexing = this.jobRun !== null || this.scanning !== null;
    this.swapping = true;
    try {
      // jobs running on the old model stop first (their work so far is kept)
      if (this.labelJob) {
        this.labelJob.cancel();
        await this.labelRun?.catch(() => undefined);
      }
      if (this.jobRun || this.scanning) {
        await this.cancelIndexing();
        await this.jobRun?.catch(() => undefined);
      }
      await this.work.catch(() => undefined);
      this.vectors?.save();
      this.model = next;
      this.modelDir = dir;
      this.loadedWith = { providers: options.providers, threads: options.threads };
      this.useModel(next);
    } finally {
      this.swapping = false;
    }
    this.log(`model: now ${next.id} ${next.version} on ${next.provider.name} (${dir})`);
    // the host's own model is the host's to release (it does at exit), unless it handed it over
    if (old && old !== next && (old !== this.opts.model || this.opts.ownsModel)) {
      await old.dispose().catch((err: unknown) => this.log(`model: releasing the old one failed: ${String(err)}`));
    }
    // another model version: everything is pending for it; re-embed with progress (and an
    // indexing run stopped for the swap carries on)
    if ((this.modelVersion !== oldVersion || wasIndexing) && countPending(this.db, this.modelVersion) > 0) {
      void this.startIndexing().catch((err: unknown) => this.log(`re-embedding: ${String(err)}`));
    }
  }

  /** At start: settings.json asks for another package, providers or threads than the host loaded. */
  private applySavedSettings(): void {
    const s = this.saved;
    let dir = this.modelDir;
    if (s.modelDir) {
      if (this.availableModels().some((p) => p.dir === s.modelDir)) dir = s.modelDir;
      else this.log(`settings: the saved model package ${s.modelDir} is not installed any more; keeping ${dir ?? 'no model'}`);
    }
    if (dir === null) return;
    const providersDiffer = s.providers !== undefined && s.providers.join(',') !== (this.loadedWith.providers ?? effectiveProviders({})).join(',');
    const threadsDiffer = s.threads !== undefined && s.threads !== this.loadedWith.threads;
    if (dir === this.modelDir && this.model && !providersDiffer && !threadsDiffer) return;
    const options = { providers: effectiveProviders(s), threads: s.threads ?? this.loadedWith.threads ?? defaultThreads() };
    this.log(`settings: loading ${dir} as settings.json asks`);
    this.settingsWork = this.reloadModel(dir, options).catch((err: unknown) => this.log(`settings: ${err instanceof Error ? err.message : String(err)}`));
  }

  private async runIndexing(jobId: number, scanning: { cancelled: boolean; progress: JobProgress }): Promise<JobProgress> {
    try {
      await this.queueReconcile(listSources(this.db).map((s) => s.id), false);
    } catch (err) {
      this.log(`scan failed: ${String(err)}`);
    }
    if (scanning.cancelled || this.closed) {
      const p: JobProgress = { ...scanning.progress, state: 'cancelled', message: undefined };
      delete p.message;
      this.db.prepare(`UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ?`).run(Date.now(), jobId);
      this.lastProgress = p;
      this.emit({ type: 'progress', progress: p });
      return p;
    }
    const job = new IndexJob({
      db: this.db,
      model: this.model!,
      modelVersion: this.modelVersion!,
      vectors: this.vectors!,
      catalog: this.catalog,
      thumbsDir: this.thumbs,
      jobId,
      concurrency: this.opts.concurrency,
      batchSize: this.opts.batchSize,
      onProgress: (p) => {
        this.lastProgress = p;
        this.emit({ type: 'progress', progress: p });
      },
    });
    this.job = job;
    const final = await job.run();
    this.lastProgress = final;
    return final;
  }

  private onSourcesChanged(ids: number[]): void {
    if (this.closed) return;
    void this.queueReconcile(ids).catch((err: unknown) => this.log(`rescan failed: ${String(err)}`));
  }

  private queueReconcile(ids: number[], thenIndex = true): Promise<void> {
    const next = this.work.then(async () => {
      let added = 0;
      let changed = 0;
      let removed = 0;
      let toRead = 0;
      for (const id of ids) {
        if (this.closed) return;
        const src: SourceRow | undefined = getSource(this.db, id);
        if (!src) continue;
        const r = await reconcileSource(this.db, src);
        this.dropFromCache(r.removedItemIds);
        added += r.added;
        changed += r.changed + r.moved;
        removed += r.removedItemIds.length;
        toRead += r.added + r.changed; // moves keep their embeddings: nothing to read
      }
      if (added || changed || removed) this.emit({ type: 'libraryChanged', added, changed, removed });
      if (thenIndex && this.autoIndex && this.model && !this.closed && toRead > 0 && !this.jobRun) {
        await this.startIndexing();
      }
    });
    this.work = next.catch(() => undefined);
    return next;
  }

  private dropFromCache(itemIds: number[]): void {
    const embIds: number[] = [];
    for (const id of itemIds) embIds.push(...this.catalog.removeItem(id));
    this.vectors?.remove(embIds);
  }

  private currentProgress(): JobProgress | null {
    if (this.job) return this.job.progress();
    if (this.scanning) return this.scanning.progress;
    if (this.labelJob) return this.labelJob.progress();
    return this.lastProgress ?? lastJob(this.db, 'index');
  }

  /** The items a label filter allows, or undefined when there is no label filter. */
  private labelFilter(label: string | undefined): Set<number> | undefined {
    if (label === undefined) return undefined;
    const set = currentLabelSet(this.db);
    if (!set) throw new EngineError('invalid', 'There are no labels yet: use Sort into labels to label your photos first, then filter by a label.');
    if (!set.labels.includes(label)) {
      throw new EngineError('invalid', `“${label}” is not one of the current labels (${set.labels.join(', ')}). Pick one of them, or sort into a new label set.`);
    }
    return itemsWithLabel(this.db, set.id, label);
  }

  private async readPhoto(it: ItemRow): Promise<Buffer> {
    return fsp.readFile(it.path).catch(() => {
      throw new EngineError('not_found', `The photo ${it.path} can no longer be read (moved or deleted?). Check the folder, or remove it from the library.`);
    });
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
        this.log(`event listener failed: ${String(err)}`);
      }
    }
  }
}

function noModel(): EngineError {
  return new EngineError(
    'unavailable',
    'No embedding model is installed: expected a model package in native-models/vlm2vec-nano (manifest.json). Indexing and search need one; adding folders, status and errors work without it.',
  );
}

function sameOptions(a: { providers?: readonly string[]; threads?: number }, b: { providers?: readonly string[]; threads?: number }): boolean {
  return a.threads === b.threads && (a.providers ?? []).join(',') === (b.providers ?? []).join(',');
}

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r !== '' && !r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r);
}
