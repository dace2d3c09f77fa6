// The `trove` CLI with the DETERMINISTIC TEST DOUBLE model (HashedTestEmbedder) injected.
// Integration and browser tests spawn it: `npx tsx test/support/trove-test-cli.ts --data DIR index`.
// TROVE_TEST_EMBED_DELAY_MS slows each embed call (crash tests need time to kill it mid-run).
// TROVE_TEST_PERCEPTION=1 runs the real perception models' passes too (off by default: slow).
import { runCli } from '../../main/cli/main';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { messageOf } from '../../main/base/errors';

const delayMs = Number(process.env.TROVE_TEST_EMBED_DELAY_MS ?? 0) || 0;

const perception = process.env.TROVE_TEST_PERCEPTION === '1';

runCli(process.argv.slice(2), { loadModel: async () => new HashedTestEmbedder({ delayMs }), engine: { perception } }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`trove: ${messageOf(err)}`);
    process.exitCode = 1;
  },
);
