// The fine-tune worker: runs main/ml's fineTune on a spec file, apart from the engine (a child
// process, or a worker thread where the host cannot start Node processes), at low priority.
// Started by worker-process.ts; reports progress and its outcome as WorkerMessages.
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../../base/errors';
import { fineTune } from '../../ml/tune/fine-tune';
import { loadImageRef } from './image-refs';
import type { ParentMessage, TuneSpec, WorkerMessage } from './protocol';

const inThread = !isMainThread && parentPort !== null;
/** Resolves when the message is handed over (the last one must be, before the channel closes). */
const send = (m: WorkerMessage): Promise<void> =>
  new Promise((ok) => {
    if (inThread) {
      parentPort!.postMessage(m);
      ok();
    } else if (process.send) process.send(m, undefined, undefined, () => ok());
    else ok();
  });

/**
 * Lowers this worker before onnxruntime starts its pool: threads inherit their creator's
 * niceness (Linux), so the whole run goes low. In a worker thread this touches only this
 * thread on Linux (tune-worker-thread.test.ts checks the host keeps its own); elsewhere it
 * would reach the engine itself, so a thread is left at normal priority there.
 */
function lowerPriority(nice: number): void {
  if (inThread && process.platform !== 'linux') return;
  try {
    setPriority(nice);
  } catch {
    // not permitted: run at normal priority
  }
}

async function main(): Promise<void> {
  const specFile = inThread ? (workerData as { specFile: string }).specFile : process.argv[2];
  if (!specFile) throw new Error('the tune worker needs a spec file');
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as TuneSpec;
  lowerPriority(spec.nice);
  const ctl = new AbortController();
  // while the user searches the engine says "hold": onnxruntime's threads sleep between
  // pieces of work, so the search has the cores, not just the higher priority
  let holdUntil = 0;
  const pace = async (): Promise<void> => {
    for (let wait = holdUntil - Date.now(); wait > 0 && !ctl.signal.aborted; wait = holdUntil - Date.now()) {
      await new Promise((ok) => setTimeout(ok, Math.min(wait, 100)));
    }
  };
  const onMessage = (m: ParentMessage): void => {
    if (m.type === 'cancel') ctl.abort();
    else if (m.type === 'hold') holdUntil = Math.max(holdUntil, Date.now() + m.ms);
  };
  if (inThread) parentPort!.on('message', onMessage);
  else {
    process.on('message', onMessage);
    // the engine went away: stop at the next step (the checkpoint keeps the work)
    process.on('disconnect', () => ctl.abort());
  }
  const r = await fineTune({
    base: spec.base,
    pairs: spec.pairs,
    distractors: spec.distractors,
    loadImage: loadImageRef,
    out: spec.out,
    work: spec.work,
    settings: spec.settings,
    signal: ctl.signal,
    pace,
    session: spec.providers ? { providers: spec.providers } : undefined,
    onProgress: (progress) => void send({ type: 'progress', progress }),
  });
  await send({
    type: 'done',
    outcome: {
      cancelled: r.cancelled,
      packageDir: r.dir,
      version: r.manifest?.version ?? null,
      before: r.before,
      after: r.after,
      step: r.step,
      resumedFrom: r.resumedFrom,
      trainPairs: r.trainPairs,
      heldOutPairs: r.heldOutPairs,
      notes: r.notes,
    },
  });
}

/** Ends the channel to the engine, so that the worker ends (a thread's open port would keep it alive). */
const hangUp = (): void => {
  if (inThread) parentPort!.close();
  else process.disconnect?.();
};

main().then(hangUp, async (err: unknown) => {
  await send({ type: 'error', message: messageOf(err) });
  if (!inThread) process.exitCode = 1;
  hangUp();
});
