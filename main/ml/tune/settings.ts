// Fine-tune settings and their defaults (chosen by measurement: main/ml/tune/README.md).
import type { TuneScope } from './scope';
import { TUNE_SCOPES } from './scope';

export interface TuneSettings {
  /** optimisation steps */
  steps: number;
  /** pairs per step (the person's pairs plus replay pairs from the anchor set) */
  batch: number;
  /** the person's pairs per step, at most; the rest of the batch is replay */
  userPerBatch: number;
  /** GradCache chunk: rows per forward/backward (memory depends on it, not on the batch); 0: the largest that fits memoryMiB */
  chunk: number;
  /** the memory a step may take, in MiB: picks the chunk when `chunk` is 0 (main/ml/tune/memory.ts) */
  memoryMiB: number;
  /** peak learning rate (0: the scope's default) */
  lr: number;
  warmup: number;
  scope: TuneScope;
  loraRank: number;
  lastLayers: number;
  /** share of each query's positives held out for the before/after score */
  heldOutShare: number;
  seed: number;
  /** onnxruntime intra-op threads */
  threads: number;
  /** checkpoint every N steps (a killed job resumes from the last one) */
  checkpointEvery: number;
}

export const DEFAULT_TUNE_SETTINGS: TuneSettings = {
  steps: 30,
  batch: 64,
  userPerBatch: 32,
  chunk: 0,
  memoryMiB: 1024,
  lr: 0,
  warmup: 3,
  scope: 'lora',
  loraRank: 8,
  lastLayers: 2,
  heldOutShare: 0.25,
  seed: 1,
  threads: 2,
  checkpointEvery: 5,
};

/** Peak learning rate per scope (adapters start at zero and need a larger step than whole weights). */
export const DEFAULT_LR: Record<TuneScope, number> = { lora: 1e-3, 'last-layers': 2e-4, full: 1e-4 };

export const effectiveLr = (s: TuneSettings): number => s.lr || DEFAULT_LR[s.scope];

/** Settings with defaults filled in, checked (a bad value is an error that names it). */
export function resolveTuneSettings(partial: Partial<TuneSettings> = {}): TuneSettings {
  const s: TuneSettings = { ...DEFAULT_TUNE_SETTINGS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const int = (k: keyof TuneSettings, min: number, max: number): void => {
    const v = s[k] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`fine-tune setting ${k} must be a whole number from ${min} to ${max}, got ${String(v)}`);
  };
  int('steps', 1, 100_000);
  int('batch', 2, 4096);
  int('userPerBatch', 1, 4096);
  int('chunk', 0, 4096);
  int('memoryMiB', 256, 1 << 20);
  int('warmup', 0, 100_000);
  int('loraRank', 1, 256);
  int('lastLayers', 1, 64);
  int('threads', 1, 64);
  int('checkpointEvery', 1, 100_000);
  if (!Number.isInteger(s.seed)) throw new Error(`fine-tune setting seed must be a whole number, got ${s.seed}`);
  if (!(s.lr >= 0 && s.lr < 1)) throw new Error(`fine-tune setting lr must be in [0, 1), got ${s.lr}`);
  if (!(s.heldOutShare >= 0 && s.heldOutShare < 1)) throw new Error(`fine-tune setting heldOutShare must be in [0, 1), got ${s.heldOutShare}`);
  if (!TUNE_SCOPES.includes(s.scope)) throw new Error(`fine-tune setting scope must be one of ${TUNE_SCOPES.join(', ')}, got ${String(s.scope)}`);
  return s;
}
