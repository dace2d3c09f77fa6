// The default model: the vlm2vec-nano package shipped in native-models/.
// The single seam between the engine's hosts (CLI, Electron engine host) and model packages: it finds the package
// folder and hands it to main/ml's loader, which picks the family's runtime.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EmbeddingModel } from '../ml/models/embedding-model';
import { loadModel } from '../ml/models/index'; // registers every model family (vlm2vec)
import { defaultThreads, effectiveProviders, findModelPackages, modelRoots, readSettings } from './settings';

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

/**
 * The model a library's settings.json asks for (its package folder, providers, threads),
 * else the default package with the default options. `loaded` goes to the engine, which
 * then knows what is running and has nothing to reload at start.
 */
export async function loadLibraryModel(
  dataDir: string,
  log: (line: string) => void = () => undefined,
): Promise<{ model: EmbeddingModel; loaded: { dir: string; providers: string[]; threads: number } }> {
  const saved = readSettings(dataDir, log);
  const available = findModelPackages(modelRoots(dataDir));
  const dir = (saved.modelDir && available.some((p) => p.dir === saved.modelDir) ? saved.modelDir : null) ?? findModelDir();
  if (!dir) throw new NoModelError(`No embedding model is installed: expected native-models/${DEFAULT_MODEL}/manifest.json in the Trove installation, or a package in ${dataDir}/models/. Indexing and search need a model.`);
  const options = { providers: effectiveProviders(saved), threads: saved.threads ?? defaultThreads() };
  return { model: await loadModel(dir, options), loaded: { dir, ...options } };
}
