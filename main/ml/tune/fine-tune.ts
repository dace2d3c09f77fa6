// Fine-tunes a vlm2vec package on a person's labelled pairs and writes the result as a new
// package version (DESIGN.md "Teaches Trove"):
//   1. read the base package (weights from its graph) and its anchor set;
//   2. hold out part of the pairs; encode every side once (tokens; images through the frozen
//      trunk, once each);
//   3. score the base: held-out P@1 (+ R-precision) and the anchor's probe slice;
//   4. train with Trove's trainer: GradCache InfoNCE (tau 0.02), AdamW, warm-up + cosine, the
//      person's pairs and replay pairs in every batch, only what `scope` allows; checkpoints
//      in `work` let a killed run resume exactly where it stopped;
//   5. fold adapters in, score again, write the new package with scores and lineage.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../base/hash';
import type { SuiteScores } from '../eval/types';
import type { RgbImage, TaskName } from '../models/embedding-model';
import type { ModelManifest } from '../models/manifest';
import { readAnchorSet } from '../models/vlm2vec/anchor';
import { featureSize } from '../models/vlm2vec/model';
import { readVlm2vecPackage } from '../models/vlm2vec/package-read';
import { TRUNK_IMAGE_SIZE } from '../models/vlm2vec/package';
import { createVlm2vecTrainer } from '../models/vlm2vec/train';
import { createSession } from '../runtime/session';
import type { SessionOptions } from '../runtime/session';
import { tuneBatchSource } from './batches';
import type { EncodedPair } from './encoded';
import { encodeAnchor, FeatureBank, PairEncoder } from './encoded';
import { writeTunedPackage } from './package-out';
import type { LabelledPair, PairSide } from './pairs';
import { pairsSha256, splitHeldOut } from './pairs';
import { applyScope, mergeScope } from './scope';
import type { Distractor, HeldOutScores, ScoreSet } from './scoring';
import { scoreHeldOut, scoreSets, SideEmbedder } from './scoring';
import { chunkForMemory, stepMemoryMiB } from './memory';
import type { TuneSettings } from './settings';
import { effectiveLr, resolveTuneSettings } from './settings';

export type TunePhase = 'preparing' | 'scoring-before' | 'training' | 'scoring-after' | 'writing';

export interface TuneProgress {
  phase: TunePhase;
  step: number;
  steps: number;
  /** this step's InfoNCE loss (NaN before the first step) */
  loss: number;
  lr: number;
  /** seconds left in the training phase at the current pace, null while unknown */
  etaSec: number | null;
  elapsedSec: number;
}

export interface TuneScores {
  heldOut: HeldOutScores | null;
  /** the anchor's probe slice of mini-MMEB; null without an anchor set */
  probe: SuiteScores | null;
}

export interface FineTuneOptions {
  /** the base package folder */
  base: string;
  pairs: readonly LabelledPair[];
  /** decodes an image reference of the pairs to `size` RGB (the engine's decoder: what indexing feeds the model) */
  loadImage(ref: string, size: { width: number; height: number }): Promise<RgbImage>;
  /** more items a held-out positive of the same task must outrank (e.g. library photos nobody labelled for its query) */
  distractors?: readonly { task: TaskName | null; side: PairSide }[];
  /** where the new package version goes (a subfolder is made) */
  out: string;
  /** checkpoints and cached scores of this run; the same inputs resume from it */
  work: string;
  settings?: Partial<TuneSettings>;
  signal?: AbortSignal;
  onProgress?(p: TuneProgress): void;
  /** awaited before each step, each GradCache chunk and each scoring batch: a host holds the job while its user searches */
  pace?(): Promise<void>;
  /** extra session options (execution providers); threads come from the settings */
  session?: Omit<SessionOptions, 'intraOpNumThreads'>;
}

export interface FineTuneResult {
  cancelled: boolean;
  /** the new package (null when cancelled) */
  dir: string | null;
  manifest: ModelManifest | null;
  before: TuneScores;
  after: TuneScores | null;
  settings: TuneSettings;
  /** steps done in total, and the step this run resumed from (0 = fresh) */
  step: number;
  resumedFrom: number;
  /** loss per completed step of this run (resumed steps are not in it) */
  losses: { step: number; loss: number }[];
  trainPairs: number;
  heldOutPairs: number;
  /** settings the run could not honour as given, in words (e.g. no anchor set: no replay) */
  notes: string[];
}

const RUN_FILE = 'run.json';
const BEFORE_FILE = 'before.json';
const CHECKPOINT_FILE = 'tune.ckpt';

/** The identity of a run: the same base, pairs and settings resume; anything else starts afresh. */
export function tuneRunKey(baseManifestSha: string, pairsSha: string, settings: TuneSettings): string {
  return sha256(JSON.stringify({ baseManifestSha, pairsSha, settings }));
}

export async function fineTune(o: FineTuneOptions): Promise<FineTuneResult> {
  const settings = resolveTuneSettings(o.settings);
  const started = performance.now();
  const progress = (p: Omit<TuneProgress, 'elapsedSec'>): void => o.onProgress?.({ ...p, elapsedSec: (performance.now() - started) / 1000 });
  progress({ phase: 'preparing', step: 0, steps: settings.steps, loss: NaN, lr: 0, etaSec: null });
  const notes: string[] = [];

  // 1. the base and its anchor set
  const base = await readVlm2vecPackage(o.base);
  const cfg = base.model.cfg;
  // GradCache's chunk: as set, or the largest that fits the memory budget
  const chunk = settings.chunk || chunkForMemory(cfg, settings.memoryMiB);
  if (!settings.chunk && stepMemoryMiB(cfg, chunk) > settings.memoryMiB) notes.push(`A step needs about ${Math.round(stepMemoryMiB(cfg, chunk))} MiB even in chunks of ${chunk}, more than the ${settings.memoryMiB} MiB allowed.`);
  const baseManifestSha = sha256(readFileSync(join(o.base, 'manifest.json')));
  const pairsSha = pairsSha256(o.pairs);
  const runKey = tuneRunKey(baseManifestSha, pairsSha, settings);
  mkdirSync(o.work, { recursive: true });
  const runPath = join(o.work, RUN_FILE);
  if (existsSync(runPath) && (JSON.parse(readFileSync(runPath, 'utf8')) as { runKey?: string }).runKey !== runKey) {
    // another run's leftovers: its checkpoint must not be resumed into this one
    for (const f of [RUN_FILE, BEFORE_FILE, CHECKPOINT_FILE]) rmSync(join(o.work, f), { force: true });
  }
  writeFileSync(runPath, JSON.stringify({ runKey, base: o.base, pairsSha, settings }, null, 2) + '\n');

  const bank = new FeatureBank(featureSize(cfg));
  const anchor = base.manifest.anchor ? readAnchorSet(join(o.base, base.manifest.anchor), cfg) : null;
  if (!anchor) notes.push(`${base.manifest.id} ${base.manifest.version} has no anchor set: no replay pairs against forgetting and no probe score; the batch is the labelled pairs alone.`);

  // 2. split and encode
  const { train, heldOut } = splitHeldOut(o.pairs, { share: settings.heldOutShare, seed: `${settings.seed}` });
  if (!train.length) throw new Error('fine-tune: every pair was held out; label more pairs (at least 2 per phrase) or lower heldOutShare.');
  const trunk = await createSession(base.trunkPath, { ...o.session, intraOpNumThreads: settings.threads });
  let user: EncodedPair[];
  let held: EncodedPair[];
  let extra: Distractor[];
  try {
    const enc = new PairEncoder({ tokenizer: base.tokenizer, maxTextTokens: cfg.maxTextTokens, instructions: base.manifest.instructions, bank, trunk, imageSize: { width: TRUNK_IMAGE_SIZE, height: TRUNK_IMAGE_SIZE }, loadImage: o.loadImage });
    user = await enc.pairs(train);
    held = await enc.pairs(heldOut);
    await enc.addImages((o.distractors ?? []).map((d) => d.side));
    extra = (o.distractors ?? []).map((d) => ({ task: d.task, side: enc.side(d.side, d.task, 'target') }));
  } finally {
    await trunk.release();
  }
  const anchorSides = anchor ? encodeAnchor(anchor, bank, base.tokenizer, cfg.maxTextTokens) : null;
  const replay: EncodedPair[] = anchor && anchorSides ? anchor.replay.map((r) => ({ task: null, query: anchorSides.side(r.query), target: anchorSides.side(r.target), negatives: [] })) : [];
  const probe: ScoreSet[] = anchor && anchorSides ? anchor.probe.map((d) => ({ name: d.name, metaTask: d.metaTask, split: d.split, rows: d.rows.map((r) => ({ query: anchorSides.side(r.query), candidates: r.candidates.map(anchorSides.side) })) })) : [];
  const all = [...user, ...held];
  const batchSize = replay.length ? settings.batch : Math.min(settings.batch, user.length);
  if (!replay.length && batchSize < 2) throw new Error('fine-tune: a batch needs at least 2 pairs and the package has no anchor set to add replay pairs; label more pairs.');
  const sessionOpts: SessionOptions = { ...o.session, intraOpNumThreads: settings.threads };

  const score = async (label: string): Promise<TuneScores> => {
    const e = await SideEmbedder.create(base.model, bank, sessionOpts, o.pace);
    try {
      return { heldOut: held.length ? await scoreHeldOut(e, held, all, extra) : null, probe: probe.length ? await scoreSets(e, probe, label) : null };
    } finally {
      await e.release();
    }
  };

  // 3. before (kept in the work folder: a resumed run does not score the base again)
  progress({ phase: 'scoring-before', step: 0, steps: settings.steps, loss: NaN, lr: 0, etaSec: null });
  const beforePath = join(o.work, BEFORE_FILE);
  let before: TuneScores;
  if (existsSync(beforePath)) before = JSON.parse(readFileSync(beforePath, 'utf8')) as TuneScores;
  else {
    before = await score('before');
    writeFileSync(beforePath, JSON.stringify(before) + '\n');
  }

  // 4. train
  applyScope(base.model, settings);
  const losses: { step: number; loss: number }[] = [];
  const source = tuneBatchSource({ user, replay, bank, userPerBatch: settings.userPerBatch, seed: settings.seed });
  const trainer = await createVlm2vecTrainer({
    model: base.model,
    source: {
      batch: async (index, size) => {
        await o.pace?.();
        return source.batch(index, size);
      },
    },
    batchSize,
    chunkSize: chunk,
    ...(o.pace ? { beforeChunk: o.pace } : {}),
    steps: settings.steps,
    lr: effectiveLr(settings),
    warmupSteps: Math.min(settings.warmup, settings.steps - 1),
    tau: 0.02,
    seed: settings.seed,
    adamW: { weightDecay: 0 },
    checkpoint: { path: join(o.work, CHECKPOINT_FILE), every: settings.checkpointEvery },
    session: sessionOpts,
    signal: o.signal,
    onProgress: (p) => {
      losses.push({ step: p.step, loss: p.loss });
      progress({ phase: 'training', step: p.step, steps: p.steps, loss: p.loss, lr: p.lr, etaSec: p.etaSec });
    },
  });
  const resumedFrom = trainer.resumedFrom;
  let result;
  try {
    result = await trainer.run();
  } finally {
    await trainer.release();
  }
  const common = { settings, step: result.step, resumedFrom, losses, trainPairs: train.length, heldOutPairs: heldOut.length, notes, before };
  if (result.cancelled) return { ...common, cancelled: true, dir: null, manifest: null, after: null };

  // 5. after, and the new package
  mergeScope(base.model);
  progress({ phase: 'scoring-after', step: result.step, steps: settings.steps, loss: result.loss, lr: 0, etaSec: 0 });
  const after = await score('after');
  progress({ phase: 'writing', step: result.step, steps: settings.steps, loss: result.loss, lr: 0, etaSec: 0 });
  const scores: Record<string, number> = {};
  const put = (k: string, v: number | null | undefined): void => {
    if (v !== null && v !== undefined && Number.isFinite(v)) scores[k] = v;
  };
  put('heldout_p1_before', before.heldOut?.p1);
  put('heldout_p1_after', after.heldOut?.p1);
  put('heldout_rprecision_before', before.heldOut?.rPrecision);
  put('heldout_rprecision_after', after.heldOut?.rPrecision);
  put('probe_overall_before', before.probe?.overall);
  put('probe_overall_after', after.probe?.overall);
  const lr = effectiveLr(settings);
  const { dir, manifest } = writeTunedPackage({
    out: o.out,
    base,
    model: base.model,
    runKey,
    scores,
    lineage: {
      base: { id: base.manifest.id, version: base.manifest.version, manifestSha256: baseManifestSha },
      pairs: { count: o.pairs.length, heldOut: heldOut.length, sha256: pairsSha },
      settings: { ...settings, lr, chunk },
      createdAt: new Date().toISOString(),
    },
    summary: `Fine-tuned by Trove (main/ml/tune) from ${base.manifest.id} ${base.manifest.version} on ${o.pairs.length} labelled pairs (${heldOut.length} held out; SHA-256 ${pairsSha}): ${settings.scope}${settings.scope === 'lora' ? ` rank ${settings.loraRank}` : settings.scope === 'last-layers' ? ` ${settings.lastLayers}` : ''}, ${result.step} steps of GradCache InfoNCE (tau 0.02) at batch ${batchSize} (at most ${settings.userPerBatch} labelled pairs, the rest replay pairs from the anchor set), chunk ${chunk}${settings.chunk ? '' : ` (from ${settings.memoryMiB} MiB of memory)`}, lr ${lr}, seed ${settings.seed}.`,
  });
  return { ...common, cancelled: false, dir, manifest, after };
}
