// The fine-tune worker as a worker thread (main/engine/tuning/worker-process.ts, inThread):
// the path Electron's engine host takes, whose binary cannot run as Node. Here in Node, with
// the committed vlm2vec-nano and real photos: it reports its steps, holds while told to,
// stops on cancel with its checkpoint, and a second start finishes the run and writes the
// package, and ends after its last message; lowering the thread's priority does not lower
// the process that started it.
import { getPriority } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findModelDir } from '../../main/engine/model-loader';
import type { TuneOutcome, TuneSpec, WorkerMessage } from '../../main/engine/tuning/protocol';
import { startTuneProcess } from '../../main/engine/tuning/worker-process';
import { parseMmebTrainJsonl } from '../../main/ml/tune/pairs';
import { tempDir } from '../support/tmp';
import { conceptSplits, TUNING_PHOTOS } from '../support/tuning-fixture';

const tmp = tempDir('trove-tune-thread-');
afterAll(() => tmp.cleanup());

function specFile(steps: number): string {
  const rows = conceptSplits().flatMap((s) => s.labelled.map((p) => ({ qry: s.concept.word, pos_image_path: p, task: 'retrieval_text_to_image' })));
  const spec: TuneSpec = {
    base: findModelDir()!,
    out: join(tmp.path, 'models'),
    work: join(tmp.path, 'work'),
    pairs: parseMmebTrainJsonl(rows.map((r) => JSON.stringify(r)).join('\n'), TUNING_PHOTOS),
    distractors: [],
    settings: { steps, batch: 16, checkpointEvery: 2, threads: 1 },
    nice: 19,
    providers: ['cpu'],
  };
  const file = join(tmp.path, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** Runs the worker thread until it exits; `onStep` sees each training step as it is reported. */
async function run(file: string, onStep: (step: number, w: ReturnType<typeof startTuneProcess>) => void = () => undefined) {
  const w = startTuneProcess(file, { inThread: true });
  const steps: { step: number; at: number }[] = [];
  let outcome: TuneOutcome | null = null;
  let error: string | null = null;
  w.onMessage((m: WorkerMessage) => {
    if (m.type === 'progress' && m.progress.phase === 'training' && Number.isFinite(m.progress.loss)) {
      steps.push({ step: m.progress.step, at: performance.now() });
      onStep(m.progress.step, w);
    } else if (m.type === 'done') outcome = m.outcome;
    else if (m.type === 'error') error = m.message;
  });
  const exit = await w.exited;
  return { w, exit, steps, outcome: outcome as TuneOutcome | null, error };
}

describe('the fine-tune worker in a thread', () => {
  it('reports steps, holds while told, stops on cancel, resumes from its checkpoint and writes the package; the host keeps its priority', async () => {
    const file = specFile(8);
    // the test runner's own (it may run under `nice`); the thread goes to 19
    const hostPriority = getPriority();
    let heldAt = 0;
    const first = await run(file, (step, w) => {
      if (step === 1) {
        // hold for 3 s: no step may be reported for about that long
        heldAt = performance.now();
        w.hold(3000);
      }
      if (step === 4) w.cancel();
    });
    expect(first.error).toBeNull();
    expect(first.exit.code).toBe(0);
    expect(first.w.pid).toBeNull();
    expect(first.outcome).toMatchObject({ cancelled: true, packageDir: null });
    expect(first.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    // the step in flight may finish; the one after waits out the hold
    const third = first.steps.find((s) => s.step === 3)!;
    expect(third.at - heldAt).toBeGreaterThan(2500);
    expect(getPriority()).toBe(hostPriority);

    const second = await run(file);
    expect(second.error).toBeNull();
    expect(second.outcome).toMatchObject({ cancelled: false, step: 8, resumedFrom: 4 });
    expect(second.steps[0]!.step).toBe(5);
    expect(existsSync(join(second.outcome!.packageDir!, 'manifest.json'))).toBe(true);
    expect(getPriority()).toBe(hostPriority);
  }, 600_000);
});
