// How a host configures the engine (the app's engine host, `trove serve`, the CLI, tests).
import type { EmbeddingModel } from '../ml/models/embedding-model';
import type { LoadOptions } from '../ml/models/index';

export interface EngineOptions {
  dataDir: string;
  /** null when no model is installed: indexing and search then fail with a clear message */
  model: EmbeddingModel | null;
  /** watch source folders and keep the library up to date (the app; not the one-shot CLI) */
  watch?: boolean;
  /** start indexing by itself when sources are added or files change (default: = watch) */
  autoIndex?: boolean;
  /** pipeline tuning: decodes in flight, model inputs per embed call */
  concurrency?: number;
  batchSize?: number;
  log?: (line: string) => void;
  /** how `model` was loaded: its package folder and options (undefined: found by id and version among the packages) */
  loaded?: { dir: string | null; providers?: readonly string[]; threads?: number };
  /** loads a model package (settings: another model, providers or threads). Default: main/ml's loadModel */
  loadModel?: (dir: string, options: LoadOptions) => Promise<EmbeddingModel>;
  /** folders searched for model packages (default: the installation's native-models/ and <dataDir>/models) */
  modelRoots?: string[];
  /** the Electron app can move the data folder (it restarts the engine); `trove serve` cannot */
  dataDirChangeable?: boolean;
  /** the engine releases `model` when it swaps it out or closes (default false: the host does) */
  ownsModel?: boolean;
  /** apply settings.json at start when it differs from how `model` was loaded (default true) */
  applySavedSettings?: boolean;
  /** how Find ranks: 'fused' (every signal; the default) or 'embedding' (the embedding alone: a baseline for `trove eval --search`) */
  ranking?: 'fused' | 'embedding';
  /** false: index without the perception models (places, colours and the text index still run); tests of other parts */
  perception?: boolean;
}
