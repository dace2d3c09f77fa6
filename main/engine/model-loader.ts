// The default model: the vlm2vec-nano package shipped in native-models/.
// The single seam between the engine's hosts (CLI, Electron engine host) and model packages: it finds the package
// folder and hands it to main/ml's loader, which picks the family's runtime.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EmbeddingModel } from '../ml/models/embedding-model';
import { loadModel } from '../ml/models/index'; // registers every model family (vlm2vec)

export const DEFAULT_MODEL = 'vlm2vec-nano';

export class NoModelError extends Error {}

/** native-models/<name> found walking up from this file (works from main/ and dist/main/), or $TROVE_MODEL_DIR. */
export function findModelDir(env: NodeJS.ProcessEnv = process.env, from = __dirname, name = DEFAULT_MODEL): string | null {
  if (env.TROVE_MODEL_DIR) return existsSync(join(env.TROVE_MODEL_DIR, 'manifest.json')) ? resolve(env.TROVE_MODEL_DIR) : null;
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'native-models', name);
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export async function loadDefaultModel(): Promise<EmbeddingModel> {
  const dir = findModelDir();
  if (!dir) {
    throw new NoModelError(
      `No embedding model is installed: expected native-models/${DEFAULT_MODEL}/manifest.json in the Trove installation (or a package folder in $TROVE_MODEL_DIR). ` +
        'Indexing and search need a model; `trove add`, `trove status` and `trove errors` work without one. ' +
        `Build or install the ${DEFAULT_MODEL} package and try again.`,
    );
  }
  return loadModel(dir);
}
