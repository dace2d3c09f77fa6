// What every `trove eval` mode needs from the CLI.
import type { EngineOptions } from '../../engine/engine-options';
import type { EmbeddingModel } from '../../ml/models/embedding-model';

export interface EvalCommandDeps {
  /** the default model (the CLI's injected loader, else the installed package) */
  loadModel?: () => Promise<EmbeddingModel>;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** more engine options (test harnesses: no perception models) */
  engine?: Pick<EngineOptions, 'perception'>;
}
