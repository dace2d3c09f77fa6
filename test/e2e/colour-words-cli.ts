// The `trove` CLI with the DETERMINISTIC TEST DOUBLE ColourWordsTestEmbedder injected (colour
// words link text and image features), for the browser test of Ask / Sort into labels /
// Point at, where the right answer, label and box must be knowable.
import { runCli } from '../../main/cli/main';
import { ColourWordsTestEmbedder } from '../doubles/colour-words-embedder';
import { messageOf } from '../../main/base/errors';

runCli(process.argv.slice(2), { loadModel: async () => new ColourWordsTestEmbedder() }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`trove: ${messageOf(err)}`);
    process.exitCode = 1;
  },
);
