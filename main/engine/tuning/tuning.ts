// Personal fine-tuning in the engine (DESIGN.md "Teaches Trove"): labelled pairs in the
// store, the fine-tune job in its own low-priority process, and adopting a tuned version:
// the library is embedded with it in the background while searches use the active one,
// then ModelSlot switches to it at once (settings.json names it); the old version stays,
// and rolling back is the same switch the other way. TroveEngine delegates here.
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { EngineEvent, JobProgress, ParsedRequestOf } from '../../contract/api';
import type { Adoption, ModelVersionInfo, TuningRun, TuningStatus } from '../../contract/tuning';
import { sha256 } from '../../base/hash';
import { writeFileAtomic } from '../../base/durable-write';
import { messageOf } from '../../base/errors';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { trainingSupport } from '../../ml/models/embedding-model';
import { loadModel as loadModelPackage, type LoadOptions } from '../../ml/models/index';
import { DEFAULT_TUNE_SETTINGS, effectiveLr } from '../../ml/tune/settings';
import { EngineError } from '../errors';
import { JobLane } from '../jobs/job-lane';
import type { ModelSlot } from '../model-slot';
import { readSettings } from '../settings';
import type { Db } from '../store/db';
import { ensureModelVersion } from '../store/jobs';
import type { AdoptionRow, RunRow } from '../store/tuning';
import { deletePairs, getAdoption, getRun, insertAdoption, insertRun, latestAdoption, latestRun, listPairs, markRunRunning, updateAdoption } from '../store/tuning';
import { AdoptJob } from './adopt-job';
import { addPairs, importPairs, libraryDistractors, pairList, trainingPairs } from './pairs';
import type { TuneSpec } from './protocol';
import { TuneJob } from './tune-job';
import { prepareSwitch, syncToLoadedVersion } from './version-switch';
import type { TuneProcess } from './worker-process';
import { startTuneProcess } from './worker-process';
import { adoptionInfo, manifestOf, runInfo, versionInfo } from './tuning-status';

export interface TuningOptions {
  db: Db;
  dataDir: string;
  slot: ModelSlot;
  emit: (e: EngineEvent) => void;
  log: (line: string) => void;
  loadModel?: (dir: string, options: LoadOptions) => Promise<EmbeddingModel>;
  /** hosts that keep running (the app, `trove serve`) resume an interrupted fine-tune or adoption at start */
  resumeOnStart: boolean;
  /** how the worker is started (tests) */
  startProcess?: (specFile: string) => TuneProcess;
}

/** how long the fine-tune holds off after the user's last search */
const HOLD_MS = 1500;

export class Tuning {
  private readonly runs: JobLane;
  private readonly adoptions: JobLane;
  private tuneJob: TuneJob | null = null;
  private lastHold = 0;
  private adoptJob: AdoptJob | null = null;
  /** the current adoption from its background embedding through its switch */
  private adopting: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(private readonly o: TuningOptions) {
    const emit = (p: JobProgress): void => o.emit({ type: 'progress', progress: p });
    this.runs = new JobLane(emit);
    this.adoptions = new JobLane(emit);
  }

  private get db(): Db {
    return this.o.db;
  }

  // ---- switching versions (ModelSlot's hook) and recovery ----

  /** ModelSlot is about to take `next`: mark the items whose vectors of it are valid. */
  beforeSwitch(e: { next: EmbeddingModel; fromVersion: number | null }): void {
    const to = ensureModelVersion(this.db, { modelId: e.next.id, version: e.next.version, family: e.next.family, dim: e.next.dim });
    const taken = prepareSwitch(this.db, e.fromVersion, to);
    if (taken) this.o.log(`model switch: ${taken} items keep their stored vectors of ${e.next.id} ${e.next.version}`);
  }

  /** At start, before anything indexes: the library follows the loaded version; an interrupted switch is settled. */
  recover(): void {
    syncToLoadedVersion(this.db, this.o.slot.version);
    const a = latestAdoption(this.db, ['switching']);
    if (a) {
      // settings.json is the switch's commit point: it names the new version or it does not
      const switched = readSettings(this.o.dataDir).modelDir === a.toDir;
      updateAdoption(this.db, a.id, { state: switched ? 'active' : 'embedding', message: switched ? null : 'the switch was interrupted; it is done again' });
    }
    if (this.o.resumeOnStart) setTimeout(() => void this.resume(), 0);
  }

  private async resume(): Promise<void> {
    if (this.closing) return;
    const run = latestRun(this.db);
    if (run?.state === 'running' && !this.runs.busy) {
      this.o.log(`fine-tune: resuming run ${run.id} from its last checkpoint`);
      markRunRunning(this.db, run.id);
      this.launch(run);
    }
    const a = latestAdoption(this.db);
    if (a?.state === 'embedding' && !this.adoptions.busy) {
      this.o.log(`adoption: resuming embedding the library with ${a.toDir}`);
      await this.startAdoption(a).catch((err: unknown) => this.o.log(`adoption: ${messageOf(err)}`));
    }
  }

  // ---- pairs ----

  listPairs(): ReturnType<typeof pairList> {
    return pairList(this.db);
  }

  addPairs(req: ParsedRequestOf<'addPairs'>): { added: number } {
    return { added: addPairs(this.db, req) };
  }

  removePairs(req: ParsedRequestOf<'removePairs'>): { removed: number } {
    return { removed: deletePairs(this.db, req.ids) };
  }

  importPairs(req: ParsedRequestOf<'importPairs'>): { added: number } {
    return { added: importPairs(this.db, resolve(req.path)) };
  }

  // ---- the fine-tune job ----

  startTuning(req: ParsedRequestOf<'startTuning'>): TuningStatus {
    if (this.runs.busy) return this.status();
    const base = this.trainableBase();
    const { pairs, withoutPositives } = trainingPairs(this.db);
    if (!pairs.length) {
      throw new EngineError('invalid', `There are no labelled pairs to learn from${withoutPositives ? ` (${withoutPositives} phrase(s) have only wrong examples)` : ''}. Mark results right with the thumbs, or select photos and say what they are, then start again.`);
    }
    const tasks = new Set(pairs.map((p) => p.task));
    const spec: TuneSpec = {
      base,
      out: join(this.o.dataDir, 'models'),
      work: '',
      pairs,
      distractors: libraryDistractors(this.db, tasks),
      // every core, at the lowest priority: searches still come first
      settings: { threads: availableParallelism(), ...req.settings },
      nice: 19,
      providers: ['cpu'],
    };
    // the work folder is named by what is trained: the same run started again resumes
    const key = sha256(JSON.stringify({ ...spec, work: '' })).slice(0, 16);
    spec.work = join(this.o.dataDir, 'tuning', `work-${key}`);
    mkdirSync(spec.work, { recursive: true });
    const specFile = join(spec.work, 'spec.json');
    writeFileAtomic(specFile, JSON.stringify(spec));
    const steps = spec.settings.steps ?? DEFAULT_TUNE_SETTINGS.steps;
    const id = insertRun(this.db, { baseDir: base, specFile, workDir: spec.work, pairs: pairs.length, steps });
    this.launch(getRun(this.db, id)!);
    return this.status();
  }

  private launch(run: RunRow): void {
    // the loss curve of earlier processes of the same run (a resume continues it)
    const earlier = this.db.prepare(`SELECT losses FROM tuning_runs WHERE work_dir = ? AND id <> ? ORDER BY id DESC LIMIT 1`).get(run.workDir, run.id) as { losses: string } | undefined;
    const losses = run.losses.length ? run.losses : earlier ? (JSON.parse(earlier.losses) as [number, number][]) : [];
    const job = new TuneJob({
      db: this.db,
      runId: run.id,
      steps: run.steps,
      losses,
      start: () => (this.o.startProcess ?? startTuneProcess)(run.specFile),
      onProgress: (p) => this.o.emit({ type: 'progress', progress: p }),
      onPackage: (dir) => this.o.log(`fine-tune: new model version in ${dir}`),
    });
    this.tuneJob = job;
    void this.runs.start(job);
    this.o.emit({ type: 'progress', progress: job.progress() });
  }

  /**
   * The user is searching: the fine-tune starts no new piece of work until they have been
   * quiet for HOLD_MS (told at most every third of it, so a burst of searches is a few messages).
   */
  userActive(): void {
    if (!this.runs.busy || !this.tuneJob) return;
    const now = Date.now();
    if (now - this.lastHold < HOLD_MS / 3) return;
    this.lastHold = now;
    this.tuneJob.hold(HOLD_MS);
  }

  cancelTuning(): { ok: boolean } {
    return { ok: this.runs.cancel() };
  }

  /** The running fine-tune's worker (tests kill it to play a crash). */
  get worker(): TuneProcess | null {
    return this.runs.busy ? (this.tuneJob?.process ?? null) : null;
  }

  async waitForTuning(): Promise<void> {
    await this.runs.wait();
  }

  private trainableBase(): string {
    const m = this.o.slot.model;
    if (!m) throw new EngineError('unavailable', 'No model is running, so there is nothing to fine-tune. Install or pick a model in Settings.');
    const t = trainingSupport(m);
    if (!t.trainable) throw new EngineError('unavailable', `The running model (${m.id}) cannot be fine-tuned: ${t.reason ?? 'unknown reason'}.`);
    const dir = this.o.slot.settings().modelDir;
    if (!dir) throw new EngineError('unavailable', `Trove does not know the folder of the running model (${m.id} ${m.version}), so it cannot fine-tune it. Pick the model in Settings first.`);
    return dir;
  }

  // ---- adopting a version, rolling back ----

  async adopt(req: ParsedRequestOf<'adoptModel'>): Promise<TuningStatus> {
    if (this.adoptions.busy) throw new EngineError('unavailable', 'A model version is being adopted already; wait for it, or cancel it.');
    const available = this.o.slot.availableModels();
    const pick = available.find((p) => p.dir === resolve(req.dir) || p.dir === req.dir);
    if (!pick) throw new EngineError('invalid', `${req.dir} is not one of the installed model packages. Pick a version from the list.`);
    const active = this.o.slot.settings().modelDir;
    if (pick.dir === active) throw new EngineError('invalid', `${pick.id} ${pick.version} is the active model already.`);
    await this.startAdoption(getAdoption(this.db, insertAdoption(this.db, { fromDir: active, toDir: pick.dir }))!);
    return this.status();
  }

  private async startAdoption(a: AdoptionRow): Promise<void> {
    const load = this.o.loadModel ?? loadModelPackage;
    let model: EmbeddingModel;
    try {
      // one thread: the active model keeps the rest of the machine for searches
      model = await load(a.toDir, { providers: this.o.slot.settings().provider.preferred, threads: 1 });
    } catch (err) {
      updateAdoption(this.db, a.id, { state: 'failed', message: `the version could not be loaded: ${messageOf(err)}` });
      throw new EngineError('unavailable', `The model in ${a.toDir} could not be loaded (${messageOf(err)}). Nothing was changed.`);
    }
    const version = ensureModelVersion(this.db, { modelId: model.id, version: model.version, family: model.family, dim: model.dim });
    const job = new AdoptJob({ db: this.db, dataDir: this.o.dataDir, adoptionId: a.id, model, modelVersion: version, onProgress: (p) => this.o.emit({ type: 'progress', progress: p }) });
    this.adoptJob = job;
    this.adopting = this.adoptions.start(job).then(async (final) => {
      await model.dispose().catch(() => undefined);
      if (this.closing) return; // stays 'embedding': resumed at the next start
      if (final.state !== 'done') {
        updateAdoption(this.db, a.id, { state: final.state === 'cancelled' ? 'cancelled' : 'failed', message: final.message ?? null });
        return;
      }
      await this.switchTo(a.id).catch((err: unknown) => this.o.log(`adoption: ${messageOf(err)}`));
    });
  }

  /** The second half of adopting: the switch itself (ModelSlot; settings.json is its commit point). */
  private async switchTo(adoptionId: number): Promise<void> {
    const a = getAdoption(this.db, adoptionId)!;
    updateAdoption(this.db, a.id, { state: 'switching' });
    try {
      await this.o.slot.update({ modelDir: a.toDir });
    } catch (err) {
      updateAdoption(this.db, a.id, { state: 'failed', message: messageOf(err) });
      throw err;
    }
    const skipped = this.adoptJob?.skipped ?? 0;
    this.db.prepare(`UPDATE model_adoptions SET state = 'superseded' WHERE state = 'active' AND id <> ?`).run(a.id);
    updateAdoption(this.db, a.id, { state: 'active', message: skipped ? `${skipped} item(s) could not be read in the background; they are indexed with the new version now` : null });
    this.o.emit({ type: 'progress', progress: { jobId: a.id, kind: 'adopt', state: 'done', done: a.done, total: a.total, rate: 0, etaSeconds: null, message: 'switched' } });
  }

  cancelAdoption(): { ok: boolean } {
    return { ok: this.adoptions.cancel() };
  }

  /** Resolves when no adoption is embedding or switching. */
  async waitForAdoption(): Promise<void> {
    await this.adopting;
    await this.o.slot.idle();
  }

  /** Back to the version active before the last adoption: the same instant switch (its vectors are still stored). */
  async rollback(): Promise<TuningStatus> {
    const running = latestAdoption(this.db, ['embedding']);
    if (running && this.adoptions.busy) {
      // not switched yet: the old version is still the active one
      this.adoptions.cancel();
      await this.adopting;
      return this.status();
    }
    const a = latestAdoption(this.db, ['active']);
    if (!a || !a.fromDir) throw new EngineError('invalid', 'There is no adopted version to roll back from.');
    await this.o.slot.update({ modelDir: a.fromDir });
    updateAdoption(this.db, a.id, { state: 'rolled-back' });
    return this.status();
  }

  // ---- status ----

  status(): TuningStatus {
    const m = this.o.slot.model;
    const support = m ? trainingSupport(m) : { trainable: false, reason: 'no model is running' };
    const pairs = listPairs(this.db);
    const queries = new Set(pairs.map((p) => JSON.stringify([p.task, p.queryText, p.queryItem, p.queryFile])));
    const d = DEFAULT_TUNE_SETTINGS;
    const activeDir = this.o.slot.settings().modelDir;
    const active = latestAdoption(this.db, ['active']);
    return {
      trainable: support.trainable,
      ...(support.reason ? { reason: support.reason } : {}),
      pairs: { total: pairs.length, positives: pairs.filter((p) => p.label === 1).length, negatives: pairs.filter((p) => p.label === -1).length, queries: queries.size },
      defaults: { steps: d.steps, batch: d.batch, chunk: d.chunk, memoryMiB: d.memoryMiB, scope: d.scope, loraRank: d.loraRank, lastLayers: d.lastLayers, lr: effectiveLr(d), heldOutShare: d.heldOutShare },
      run: this.runInfo(),
      adoption: this.adoptionInfo(),
      versions: this.versions(activeDir, active?.fromDir ?? null),
      activeDir,
      rollbackTo: active?.fromDir ? { dir: active.fromDir, version: manifestOf(active.fromDir)?.version ?? '' } : null,
    };
  }

  private runInfo(): TuningRun | null {
    const r = latestRun(this.db);
    return r ? runInfo(r, this.runs.busy && this.tuneJob ? this.tuneJob.progress() : null, this.runs.busy) : null;
  }

  private adoptionInfo(): Adoption | null {
    const a = latestAdoption(this.db);
    return a ? adoptionInfo(a, this.adoptions.busy && this.adoptJob ? this.adoptJob.progress() : null, this.adoptions.busy) : null;
  }

  /** The active version, the one a rollback goes to, and the library's own (tuned) versions. */
  private versions(activeDir: string | null, rollbackDir: string | null): ModelVersionInfo[] {
    const own = resolve(this.o.dataDir, 'models');
    return this.o.slot
      .availableModels()
      .filter((p) => p.dir === activeDir || p.dir === rollbackDir || resolve(p.dir).startsWith(own))
      .map((p) => versionInfo(p, activeDir));
  }

  async close(): Promise<void> {
    this.closing = true;
    this.tuneJob?.suspend();
    this.adoptions.cancel();
    await Promise.all([this.runs.wait(), this.adopting]);
  }
}
