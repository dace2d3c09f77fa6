// The embedding model the engine runs, and everything tied to its version: the model
// version row, the HNSW index and the catalog. Settings (package, providers, threads) live
// here too, because changing them swaps the model: the new one is loaded first, and only
// when that works are the running jobs stopped and the slot switched.
import type { ParsedRequestOf, Settings } from '../contract/api';
import { trainingSupport, type EmbeddingModel } from '../ml/models/embedding-model';
import { loadModel as loadModelPackage, type LoadOptions } from '../ml/models/index';
import { Catalog } from './embedding/catalog';
import { indexFileFor, VectorStore } from './embedding/vector-store';
import { EngineError } from './errors';
import { defaultThreads, effectiveProviders, findModelPackages, modelRoots, readSettings, writeSettings, type SavedSettings } from './settings';
import type { Db } from './store/db';
import { catalogRows } from './store/embeddings';
import { ensureModelVersion } from './store/jobs';

export interface ModelSlotOptions {
  db: Db;
  dataDir: string;
  log: (line: string) => void;
  /** the model the host loaded (null: none installed) */
  model: EmbeddingModel | null;
  /** how `model` was loaded (undefined: its folder is found among the available packages by id and version) */
  loaded?: { dir: string | null; providers?: readonly string[]; threads?: number };
  loadModel?: (dir: string, options: LoadOptions) => Promise<EmbeddingModel>;
  modelRoots?: string[];
  dataDirChangeable?: boolean;
  /** the slot releases the host's own model too when it swaps it out or closes */
  ownsModel?: boolean;
}

/** What the engine must do around a swap: stop the model's jobs first, carry on after. */
export interface SwapHooks {
  /** stops every job using the old model; says whether indexing was running */
  quiesce(): Promise<{ wasIndexing: boolean }>;
  /**
   * The new model is loaded and the old one's jobs are stopped; the slot switches next.
   * What the store must know first (which items already have vectors of the new version).
   */
  beforeSwitch?(e: { next: EmbeddingModel; fromVersion: number | null }): void;
  /** the new model is in place */
  swapped(e: { versionChanged: boolean; wasIndexing: boolean }): void;
}

export class ModelSlot {
  model: EmbeddingModel | null;
  version: number | null = null;
  vectors: VectorStore | null = null;
  catalog = new Catalog();
  /** set while a model is being swapped in */
  swapping = false;
  private dir: string | null = null;
  private loadedWith: { providers?: readonly string[]; threads?: number } = {};
  private saved: SavedSettings;
  /** settings changes run one at a time */
  private work: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly o: ModelSlotOptions,
    private readonly hooks: SwapHooks,
  ) {
    this.model = o.model;
    if (this.model) this.use(this.model);
    this.saved = readSettings(o.dataDir, o.log);
    if (o.loaded) {
      this.dir = o.loaded.dir;
      this.loadedWith = { providers: o.loaded.providers, threads: o.loaded.threads };
    } else if (this.model) {
      const m = this.model;
      this.dir = this.availableModels().find((p) => p.id === m.id && p.version === m.version)?.dir ?? null;
    }
  }

  availableModels(): ReturnType<typeof findModelPackages> {
    return findModelPackages(this.o.modelRoots ?? modelRoots(this.o.dataDir));
  }

  settings(): Settings {
    const m = this.model;
    return {
      modelDir: this.dir,
      availableModels: this.availableModels(),
      provider: { preferred: effectiveProviders(this.saved), running: m ? m.provider.name : null, tried: m ? m.provider.tried : [] },
      threads: this.saved.threads ?? this.loadedWith.threads ?? defaultThreads(),
      dataDir: this.o.dataDir,
      dataDirChangeable: this.o.dataDirChangeable ?? false,
      training: m ? { trainable: trainingSupport(m).trainable, reason: trainingSupport(m).reason ?? '' } : null,
    };
  }

  /**
   * Changes the model package, the providers or the threads. A change that needs the model
   * reloaded loads the new one first: if that fails, the old model keeps running, nothing is
   * saved, and the error says why.
   */
  update(req: ParsedRequestOf<'updateSettings'>): Promise<Settings> {
    const run = this.work.then(() => this.apply(req));
    this.work = run.catch(() => undefined);
    return run;
  }

  /** Resolves when a settings change (or the start-up one) has finished. */
  async idle(): Promise<void> {
    await this.work;
  }

  /** At start: settings.json asks for another package, providers or threads than the host loaded. */
  applySaved(): void {
    const s = this.saved;
    let dir = this.dir;
    if (s.modelDir) {
      if (this.availableModels().some((p) => p.dir === s.modelDir)) dir = s.modelDir;
      else this.o.log(`settings: the saved model package ${s.modelDir} is not installed any more; keeping ${dir ?? 'no model'}`);
    }
    if (dir === null) return;
    const providersDiffer = s.providers !== undefined && s.providers.join(',') !== (this.loadedWith.providers ?? effectiveProviders({})).join(',');
    const threadsDiffer = s.threads !== undefined && s.threads !== this.loadedWith.threads;
    if (dir === this.dir && this.model && !providersDiffer && !threadsDiffer) return;
    const options = { providers: effectiveProviders(s), threads: s.threads ?? this.loadedWith.threads ?? defaultThreads() };
    this.o.log(`settings: loading ${dir} as settings.json asks`);
    this.work = this.reload(dir, options).catch((err: unknown) => this.o.log(`settings: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Waits for settings work, saves the index, releases a model the slot owns. */
  async close(): Promise<void> {
    this.closed = true;
    await this.work;
    this.vectors?.save();
  }

  async release(): Promise<void> {
    if (this.model && this.owns(this.model)) await this.model.dispose().catch(() => undefined);
  }

  private owns(m: EmbeddingModel): boolean {
    return m !== this.o.model || (this.o.ownsModel ?? false);
  }

  private use(m: EmbeddingModel): void {
    const { db, dataDir, log } = this.o;
    this.version = ensureModelVersion(db, { modelId: m.id, version: m.version, family: m.family, dim: m.dim });
    this.vectors = new VectorStore(db, indexFileFor(dataDir, this.version), this.version, m.dim);
    if (this.vectors.rebuilt) log(`vector index rebuilt from the database: ${this.vectors.rebuildReason ?? ''}`);
    this.catalog = new Catalog(catalogRows(db, this.version));
  }

  private async apply(req: ParsedRequestOf<'updateSettings'>): Promise<Settings> {
    if (this.closed) throw shuttingDown();
    let dir = this.dir;
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
    const current = this.settings();
    const options = { providers: effectiveProviders(next), threads: next.threads ?? current.threads };
    const changed = dir !== this.dir || !this.model || !sameOptions(options, { providers: current.provider.preferred, threads: current.threads });
    // without a package folder (no model, or one the host loaded from elsewhere) the choice is saved for the next load
    if (dir !== null && changed) await this.reload(dir, options);
    writeSettings(this.o.dataDir, next);
    this.saved = next;
    return this.settings();
  }

  /** Loads the package in `dir` and swaps it in; on failure the old model keeps running. */
  private async reload(dir: string, options: { providers: string[]; threads: number }): Promise<void> {
    const load = this.o.loadModel ?? loadModelPackage;
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
      throw shuttingDown();
    }
    const old = this.model;
    const oldVersion = this.version;
    let wasIndexing = false;
    this.swapping = true;
    try {
      // jobs running on the old model stop first (their work so far is kept)
      ({ wasIndexing } = await this.hooks.quiesce());
      this.hooks.beforeSwitch?.({ next, fromVersion: this.version });
      this.vectors?.save();
      this.model = next;
      this.dir = dir;
      this.loadedWith = { providers: options.providers, threads: options.threads };
      this.use(next);
    } finally {
      this.swapping = false;
    }
    this.o.log(`model: now ${next.id} ${next.version} on ${next.provider.name} (${dir})`);
    if (old && old !== next && this.owns(old)) {
      await old.dispose().catch((err: unknown) => this.o.log(`model: releasing the old one failed: ${String(err)}`));
    }
    this.hooks.swapped({ versionChanged: this.version !== oldVersion, wasIndexing });
  }
}

function shuttingDown(): EngineError {
  return new EngineError('unavailable', 'Trove is shutting down; change the settings after it restarts.');
}

function sameOptions(a: { providers?: readonly string[]; threads?: number }, b: { providers?: readonly string[]; threads?: number }): boolean {
  return a.threads === b.threads && (a.providers ?? []).join(',') === (b.providers ?? []).join(',');
}
