// The `trove` CLI for tests, with the DETERMINISTIC TEST DOUBLE model (HashedTestEmbedder) injected.
// Integration and browser tests spawn it: `npx tsx test/support/trove-test-cli.ts --data DIR index`.
// TROVE_TEST_EMBED_DELAY_MS slows each embed call (crash tests need time to kill it mid-run).
// TROVE_TEST_PERCEPTION=1 runs the real perception models' passes too (off by default: slow).
// TROVE_TEST_MODEL=package loads the committed default model package instead of the double.
// TROVE_TEST_INDEX_SAVE_PAUSE_MS pauses every HNSW index save at its crash points (the
// vectors' test hook), printing "test hook: index save at <point>" first, so that a test
// can kill the process inside a save.
// TROVE_TEST_EMBED_TRACE=1 prints "test hook: embed batch of <n> starts" and "... ends after
// <ms> ms" around every call into the model, so that a test can time its kill to land inside
// one and know whether it did.
import { runCli } from '../../main/cli/main';
import { loadDefaultModel } from '../../main/engine/model-loader';
import { indexSaveTestHook } from '../../main/engine/vectors/vector-index';
import { messageOf } from '../../main/base/errors';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';

const delayMs = Number(process.env.TROVE_TEST_EMBED_DELAY_MS ?? 0) || 0;

const perception = process.env.TROVE_TEST_PERCEPTION === '1';

const savePauseMs = Number(process.env.TROVE_TEST_INDEX_SAVE_PAUSE_MS ?? 0) || 0;
if (savePauseMs > 0) {
  indexSaveTestHook.at = (point) => {
    process.stdout.write(`test hook: index save at ${point}\n`); // synchronous on a pipe
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, savePauseMs); // the save is synchronous: so is its pause
  };
}

const chosenModel = process.env.TROVE_TEST_MODEL === 'package' ? loadDefaultModel : async () => new HashedTestEmbedder({ delayMs });
const loadModel = process.env.TROVE_TEST_EMBED_TRACE === '1' ? async () => traced(await chosenModel()) : chosenModel;

function traced(model: EmbeddingModel): EmbeddingModel {
  const embed = model.embed.bind(model);
  model.embed = async (batch) => {
    process.stdout.write(`test hook: embed batch of ${batch.length} starts\n`);
    const t0 = performance.now();
    const vectors = await embed(batch);
    process.stdout.write(`test hook: embed batch of ${batch.length} ends after ${Math.round(performance.now() - t0)} ms\n`);
    return vectors;
  };
  return model;
}

runCli(process.argv.slice(2), { loadModel, engine: { perception } }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`trove: ${messageOf(err)}`);
    process.exitCode = 1;
  },
);
