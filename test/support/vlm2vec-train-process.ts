// A training run in its own process, for the resume test: a fresh TINY vlm2vec model
// trained on synthetic batches with a checkpoint after every step. The test kill -9s it
// after a checkpoint and runs it again, so the second process can only get its progress
// from the file on disk.
//   node --import tsx test/support/vlm2vec-train-process.ts CHECKPOINT STEPS
// Prints "checkpoint N" once step N's checkpoint is on disk, and a last line of JSON:
// {"step":..,"resumedFrom":..}.
import { Vlm2vecModel } from '../../main/ml/models/vlm2vec/model';
import { createVlm2vecTrainer } from '../../main/ml/models/vlm2vec/train';
import { synthVlm2vecBatch, TINY_VLM2VEC } from './vlm2vec-synthetic';

async function main(): Promise<void> {
  const [checkpoint, steps] = process.argv.slice(2);
  if (!checkpoint || !(Number(steps) > 0)) throw new Error('usage: vlm2vec-train-process.ts CHECKPOINT STEPS');
  const trainer = await createVlm2vecTrainer({
    model: new Vlm2vecModel(TINY_VLM2VEC),
    source: { batch: synthVlm2vecBatch },
    batchSize: 8,
    chunkSize: 3,
    steps: Number(steps),
    lr: 1e-3,
    seed: 11,
    checkpoint: { path: checkpoint, every: 1 },
    session: { providers: ['cpu'], intraOpNumThreads: 1 },
    // the trainer saves a due checkpoint before it reports the step
    onProgress: (p) => process.stdout.write(`checkpoint ${p.step}\n`),
  });
  try {
    const r = await trainer.run();
    process.stdout.write(`${JSON.stringify({ step: r.step, resumedFrom: r.resumedFrom })}\n`);
  } finally {
    await trainer.release();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
