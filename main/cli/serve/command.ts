// `trove serve [--port N]`: runs the engine and the loopback bridge until Ctrl-C.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { TroveEngine, type EngineOptions } from '../../engine/service';
import { startBridge } from './server';
import { messageOf } from '../../base/errors';

export interface ServeOptions {
  dataDir: string;
  /** the `--port` flag as given (undefined: any free port) */
  port: string | true | undefined;
  /** a positional argument, for `--port N` when the flag parser treats --port as a switch */
  positional?: string[];
  loadModel: () => Promise<EmbeddingModel>;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
  env?: NodeJS.ProcessEnv;
  /** more engine options (test harnesses: no perception models) */
  engine?: Pick<EngineOptions, 'perception'>;
  /** resolves to stop serving (default: SIGINT / SIGTERM) */
  until?: Promise<unknown>;
}

/** Where the built UI is: $TROVE_UI_DIR, else renderer/dist next to the sources or the compiled output. */
export function findRendererDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [env.TROVE_UI_DIR, resolve(__dirname, '../../../renderer/dist'), resolve(__dirname, '../../../../renderer/dist')];
  for (const c of candidates) if (c && existsSync(join(c, 'index.html'))) return c;
  return null;
}

export function parsePort(value: string | true | undefined, positional: string[] = []): number {
  const v = value === true ? positional[0] : value;
  if (v === undefined) return 0;
  const n = Number(v);
  if (!/^\d+$/.test(String(v)) || !Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be a number from 0 to 65535, got "${v}"`);
  return n;
}

export async function cmdServe(o: ServeOptions): Promise<number> {
  const port = parsePort(o.port, o.positional);
  let model: EmbeddingModel | null = null;
  try {
    model = await o.loadModel();
  } catch (e) {
    o.err.write(`trove: no model could be loaded (${messageOf(e)}); browsing works, indexing and search will say why they cannot run.\n`);
  }
  const engine = new TroveEngine({ dataDir: o.dataDir, model, watch: true, log: (l) => o.err.write(`trove: ${l}\n`), ...o.engine });
  const rendererDir = findRendererDir(o.env);
  let bridge;
  try {
    bridge = await startBridge(engine, { port, rendererDir, log: (l) => o.err.write(`trove: ${l}\n`) });
  } catch (e) {
    await engine.close();
    await model?.dispose();
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'EADDRINUSE' ? `port ${port} is already in use; pick another with --port, or --port 0 for any free port` : messageOf(e));
  }
  if (!rendererDir) o.err.write('trove: the UI is not built (run `npm run build:renderer`); the API is served anyway.\n');
  o.out.write(`Trove is serving your library at ${bridge.url}\n`);
  o.out.write('Open that URL in a browser on this machine (it carries this launch\'s access token). Ctrl-C stops.\n');

  const stop =
    o.until ??
    new Promise<void>((ok) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        ok();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    });
  await stop;
  await bridge.close();
  await engine.close();
  await model?.dispose();
  return 0;
}
