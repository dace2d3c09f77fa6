// The `trove` CLI with the DETERMINISTIC TEST DOUBLE model (HashedTestEmbedder) injected.
// Integration and browser tests spawn it: `npx tsx test/support/trove-test-cli.ts --data DIR index`.
// TROVE_TEST_EMBED_DELAY_MS slows each embed call (crash tests need time to kill it mid-run).
import { runCli } from '../../main/cli/main';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';

const delayMs = Number(process.env.TROVE_TEST_EMBED_DELAY_MS ?? 0) || 0;

runCli(process.argv.slice(2), { loadModel: async () => new HashedTestEmbedder({ delayMs }) }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`trove: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
