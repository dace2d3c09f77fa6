// Each CLI command opens the library's engine for its own run and closes it (and the
// model) after, with the same extra options for every command (test harnesses: no
// perception models).
import type { EngineOptions } from '../engine/engine-options';
import { TroveEngine } from '../engine/service';
import type { EmbeddingModel } from '../ml/models/embedding-model';

export type EngineExtras = Pick<EngineOptions, 'perception'>;

export type WithEngine = <T>(dataDir: string, model: EmbeddingModel | null, f: (e: TroveEngine) => Promise<T>) => Promise<T>;

export function engineOpener(extra: EngineExtras = {}): WithEngine {
  return (dataDir, model, f) => withEngine({ dataDir, model, ...extra }, f);
}

async function withEngine<T>(options: EngineOptions, f: (e: TroveEngine) => Promise<T>): Promise<T> {
  const engine = new TroveEngine(options);
  try {
    return await f(engine);
  } finally {
    await engine.close();
    await options.model?.dispose();
  }
}
