// What the engine and its fine-tune worker say to each other. The engine writes a spec file
// (the pairs with their images as file references, the settings, where to write) and starts
// the worker on it; the worker reports progress and its result; the engine may ask it to stop.
import type { TaskName } from '../../ml/models/embedding-model';
import type { TuneProgress, TuneScores } from '../../ml/tune/fine-tune';
import type { LabelledPair, PairSide } from '../../ml/tune/pairs';
import type { TuneSettings } from '../../ml/tune/settings';

export interface TuneSpec {
  /** the package to tune */
  base: string;
  /** where the new package version goes */
  out: string;
  /** checkpoints: a worker started again on the same spec resumes from them */
  work: string;
  pairs: LabelledPair[];
  distractors: { task: TaskName | null; side: PairSide }[];
  settings: Partial<TuneSettings>;
  /** scheduling niceness for the worker (0 normal .. 19 lowest) */
  nice: number;
  providers?: string[];
}

export interface TuneOutcome {
  cancelled: boolean;
  packageDir: string | null;
  version: string | null;
  before: TuneScores;
  after: TuneScores | null;
  step: number;
  resumedFrom: number;
  trainPairs: number;
  heldOutPairs: number;
  notes: string[];
}

export type WorkerMessage = { type: 'progress'; progress: TuneProgress } | { type: 'done'; outcome: TuneOutcome } | { type: 'error'; message: string };

/** cancel: stop at the next step, writing the checkpoint; hold: the user is searching, start
 *  no new piece of work (a GradCache chunk, a step, a scoring batch) for `ms` */
export type ParentMessage = { type: 'cancel' } | { type: 'hold'; ms: number };
