// The contrastive trainer: GradCache steps (or one full-batch graph) over a token encoder
// that embeds both sides, AdamW with linear warm-up + cosine decay, global-norm clipping,
// progress reports, cancellation and checkpoints that resume exactly.
//
// Exact resumption: a checkpoint holds every parameter, AdamW's moments and step, the
// trainer's step, its RNG state (the dropout seeds of every chunk are drawn from it) and
// the data cursor (the index of the next batch; a source must return the same batch for
// the same index). A run stopped after k steps and resumed ends bit-identical to a run
// that never stopped.
import { existsSync } from 'node:fs';
import type { SessionOptions } from '../runtime/session';
import type { AdamWOptions, AdamWState, Tensors } from './adamw';
import { adamWStep, clipGradNorm, createAdamWState } from './adamw';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { TokenModule } from './encoder';
import { DEFAULT_SESSION, FullBatchStep, tokenChunkEncoder } from './encoder';
import { gradCacheSteps } from './grad-cache';
import { VLM2VEC_TAU } from './info-nce';
import { Rng } from '../random';
import { learningRate } from './schedule';
import { chunkRowsPerStep } from './step';
import type { StepFunction, StepResult } from './step';
import type { ContrastiveTokens } from './token-rows';
import { rowCount } from './token-rows';

/** Where batches come from. `batch(i, size)` must be deterministic in `i` (resumption replays from the cursor). */
export interface ContrastiveSource {
  batch(index: number, size: number): ContrastiveTokens | Promise<ContrastiveTokens>;
}

export interface TrainProgress {
  /** steps done (1-based after the first step) */
  step: number;
  steps: number;
  loss: number;
  /** in-batch accuracy of this step's batch (before the update) */
  accuracy: number;
  lr: number;
  /** gradient norm before clipping */
  gradNorm: number;
  /** pairs per second over this run's steps so far */
  examplesPerSec: number;
  /** seconds left at the current pace */
  etaSec: number;
  elapsedSec: number;
}

export interface TrainerOptions {
  module: TokenModule;
  source: ContrastiveSource;
  /** pairs per step */
  batchSize: number;
  /** GradCache chunk (rows per forward/backward); 0 or >= batchSize with `gradCache: false` runs one full-batch graph */
  chunkSize?: number;
  /** false: no GradCache (one training graph holds the whole batch). Default true. */
  gradCache?: boolean;
  steps: number;
  lr: number;
  warmupSteps?: number;
  /** cosine floor as a share of the peak (default 0.1) */
  minLrRatio?: number;
  /** max global gradient norm (default 1; 0 = no clipping) */
  clip?: number;
  tau?: number;
  /** seeds the dropout-seed RNG (default 0) */
  seed?: number;
  adamW?: AdamWOptions;
  checkpoint?: {
    path: string;
    /** save every N steps (default 100); always on completion and on cancellation */
    every?: number;
    /** load `path` if it exists (default true) */
    resume?: boolean;
  };
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  session?: SessionOptions;
  paramDType?: 'float32' | 'float64';
}

export interface TrainResult {
  /** steps completed in total (resumed ones included) */
  step: number;
  cancelled: boolean;
  /** the last step's loss and accuracy (NaN when no step ran) */
  loss: number;
  accuracy: number;
  /** the step training resumed from (0 = fresh) */
  resumedFrom: number;
}

/** What a trainer checkpoint keeps besides tensors. */
export interface TrainerProgressState {
  step: number;
  rng: number;
  cursor: number;
  config: { batchSize: number; steps: number; seed: number };
}

/** Trains `module` in place. Resolves when done or cancelled (never rejects on cancellation). */
export async function train(o: TrainerOptions): Promise<TrainResult> {
  const trainer = await Trainer.create(o);
  try {
    return await trainer.run();
  } finally {
    await trainer.release();
  }
}

export class Trainer {
  readonly params: Tensors;
  optimizer: AdamWState;
  state: TrainerProgressState;
  private readonly rng: Rng;
  resumedFrom = 0;

  private constructor(
    private readonly o: TrainerOptions,
    private readonly runStep: StepFunction,
    private readonly releaseAll: () => Promise<void>,
  ) {
    this.params = new Map(o.module.parameters().filter((p) => p.trainable).map((p) => [p.name, p.data]));
    this.optimizer = createAdamWState(this.params);
    const seed = o.seed ?? 0;
    this.state = { step: 0, rng: seed >>> 0, cursor: 0, config: { batchSize: o.batchSize, steps: o.steps, seed } };
    this.rng = new Rng(this.state.rng);
    const ck = o.checkpoint;
    if (ck && (ck.resume ?? true) && existsSync(ck.path)) this.restore(ck.path);
  }

  /**
   * A trainer over a step of the caller's (a model family whose chunks carry more than
   * token ids); the loop, optimiser, schedule, checkpoints and cancellation are shared.
   */
  static withStep(o: TrainerOptions, step: StepFunction, release: () => Promise<void>): Trainer {
    if (!(o.batchSize >= 1) || !(o.steps >= 0)) throw new Error('train: batchSize must be >= 1 and steps >= 0');
    return new Trainer(o, step, release);
  }

  static async create(o: TrainerOptions): Promise<Trainer> {
    if (!(o.batchSize >= 1) || !(o.steps >= 0)) throw new Error('train: batchSize must be >= 1 and steps >= 0');
    const tau = o.tau ?? VLM2VEC_TAU;
    const encOpts = { session: o.session ?? DEFAULT_SESSION, paramDType: o.paramDType };
    if (o.gradCache === false) {
      const full = await FullBatchStep.create(o.module, { ...encOpts, tau });
      return new Trainer(o, (batch, rng) => full.step(batch, rng.nextU32()), () => full.release());
    }
    const enc = await tokenChunkEncoder(o.module, encOpts);
    return new Trainer(o, gradCacheSteps(enc, { chunk: chunkRowsPerStep(o.batchSize, o.chunkSize), tau }), () => enc.release());
  }

  private restore(path: string): void {
    const ck = loadCheckpoint<TrainerProgressState>(path);
    const { config } = ck.extra;
    if (config.batchSize !== this.o.batchSize || config.seed !== (this.o.seed ?? 0)) {
      throw new Error(`${path} was written by a run with batch ${config.batchSize}, seed ${config.seed}; this run has batch ${this.o.batchSize}, seed ${this.o.seed ?? 0}. Delete it or use another path.`);
    }
    this.o.module.loadStateDict(ck.params);
    for (const name of this.params.keys()) {
      if (!ck.optimizer.m.has(name) || !ck.optimizer.v.has(name)) throw new Error(`${path}: no optimiser state for ${name}`);
    }
    this.optimizer = ck.optimizer;
    this.state = { ...ck.extra, config: this.state.config };
    this.rng.state = ck.extra.rng >>> 0;
    this.resumedFrom = this.state.step;
  }

  /** Writes the current state (atomically) to the checkpoint path. */
  save(path = this.o.checkpoint?.path): void {
    if (!path) return;
    this.state.rng = this.rng.state;
    saveCheckpoint(path, { params: this.o.module.stateDict(), optimizer: this.optimizer, extra: this.state });
  }

  /** Trains up to `o.steps` (or stops early after `stopAfter` more steps: for tests that "crash"). */
  async run(stopAfter = Infinity): Promise<TrainResult> {
    const o = this.o;
    const every = o.checkpoint?.every ?? 100;
    const started = performance.now();
    let done = 0;
    let last = { loss: NaN, accuracy: NaN };
    const sched = { peak: o.lr, warmupSteps: o.warmupSteps ?? 0, totalSteps: o.steps, minRatio: o.minLrRatio };
    const finish = (cancelled: boolean): TrainResult => ({ step: this.state.step, cancelled, ...last, resumedFrom: this.resumedFrom });
    while (this.state.step < o.steps && done < stopAfter) {
      if (o.signal?.aborted) {
        this.save();
        return finish(true);
      }
      const batch = await o.source.batch(this.state.cursor, o.batchSize);
      if (rowCount(batch.queries) !== o.batchSize || rowCount(batch.targets) !== o.batchSize) {
        throw new Error(`train: batch ${this.state.cursor} has ${rowCount(batch.queries)} queries / ${rowCount(batch.targets)} targets, expected ${o.batchSize}`);
      }
      const rngBefore = this.rng.state;
      let out: StepResult;
      try {
        out = await this.runStep(batch, this.rng, o.signal);
      } catch (e) {
        if (!o.signal?.aborted) throw e;
        this.rng.state = rngBefore; // the interrupted step never happened
        this.save();
        return finish(true);
      }
      const clip = o.clip ?? 1;
      const gradNorm = clip > 0 ? clipGradNorm(out.grads, clip) : Math.sqrt([...out.grads.values()].reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
      const lr = learningRate(this.state.step, sched);
      adamWStep(this.params, out.grads, this.optimizer, lr, o.adamW);
      this.state.step += 1;
      this.state.cursor += 1;
      done += 1;
      last = { loss: out.loss, accuracy: out.accuracy };
      if (o.checkpoint && (this.state.step % every === 0 || this.state.step === o.steps)) this.save();
      if (o.onProgress) {
        const elapsedSec = (performance.now() - started) / 1000;
        const perStep = elapsedSec / done;
        o.onProgress({
          step: this.state.step,
          steps: o.steps,
          loss: out.loss,
          accuracy: out.accuracy,
          lr,
          gradNorm,
          examplesPerSec: (done * o.batchSize) / elapsedSec,
          etaSec: perStep * (o.steps - this.state.step),
          elapsedSec,
        });
      }
    }
    return finish(false);
  }

  async release(): Promise<void> {
    await this.releaseAll();
  }
}
