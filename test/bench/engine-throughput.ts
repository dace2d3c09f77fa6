// Indexing throughput of the real engine (TroveEngine: add folder, scan, hash, EXIF, decode,
// thumbnail, embed, SQLite commit, HNSW) over a generated library, set next to the sharp
// decode ceiling (decode-ceiling.ts). Shared by index-bench.ts (with the hashed test-double
// embedder: the engine's own overhead) and embed-bench.ts (with a real model package: what
// a user gets).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as EngineService from '../../main/engine/service';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import type * as ModelLoader from '../../main/ml/models/index';
import { r1, r3 } from './bench-util';
import type { LibraryFixture } from './library-fixture';
import { messageOf } from '../../main/base/errors';

export interface ModelLike {
  id: string;
  dim: number;
  imageSize: { width: number; height: number } | null;
  dispose(): Promise<void>;
}
export interface EngineLike {
  addSource(req: { path: string }): Promise<unknown>;
  startIndexing(req: Record<string, never>): Promise<unknown>;
  waitForIndexing(): Promise<ProgressLike | null>;
  onEvent(l: (e: { type: string; progress?: ProgressLike }) => void): () => void;
  status(): Promise<{ items: { image: number; note: number }; embedded: number; pending: number; errors: number }>;
  close(): Promise<void>;
}
export interface ProgressLike {
  state: string;
  done: number;
  total: number;
  rate: number;
  message?: string;
}

/** An engine factory and the model it runs, or why there is none. */
export type LoadedEngine<M extends ModelLike = ModelLike> =
  | { ok: true; makeEngine: (dataDir: string, model: M) => EngineLike; model: M; label: string }
  | { ok: false; reason: string };

const repoRoot = join(__dirname, '..', '..');
const ENGINE_MODULE = join(repoRoot, 'main', 'engine', 'service.ts');
const EMBEDDER_MODULE = join(repoRoot, 'test', 'doubles', 'hashed-embedder.ts');
const MODELS_MODULE = join(repoRoot, 'main', 'ml', 'models', 'index.ts');

/** The engine and the hashed test-double embedder, if both exist in this checkout. */
export async function loadEngine(dim: number): Promise<LoadedEngine> {
  if (!existsSync(ENGINE_MODULE)) return { ok: false, reason: 'not available yet: engine not built (main/engine/service.ts missing)' };
  if (!existsSync(EMBEDDER_MODULE)) return { ok: false, reason: 'not available yet: engine not built (test/doubles/hashed-embedder.ts missing)' };
  try {
    const svc = (await import(ENGINE_MODULE)) as Record<string, unknown>;
    const emb = (await import(EMBEDDER_MODULE)) as Record<string, unknown>;
    const Engine = svc.TroveEngine as (new (o: { dataDir: string; model: ModelLike; watch?: boolean; autoIndex?: boolean }) => EngineLike) | undefined;
    if (typeof Engine !== 'function') return { ok: false, reason: 'not available yet: engine not built (no TroveEngine export)' };
    const model = makeHashedModel(emb, dim);
    if (!model) return { ok: false, reason: 'not available yet: engine not built (no usable export in test/doubles/hashed-embedder.ts)' };
    return {
      ok: true,
      model,
      label: `${model.id} (test double, dim ${model.dim})`,
      makeEngine: (dataDir, m) => new Engine({ dataDir, model: m, watch: false, autoIndex: false }),
    };
  } catch (err) {
    return { ok: false, reason: `not available yet: engine not built (${messageOf(err).split('\n')[0]})` };
  }
}

function makeHashedModel(mod: Record<string, unknown>, dim: number): ModelLike | null {
  const isModel = (m: unknown): m is ModelLike => !!m && typeof m === 'object' && typeof (m as ModelLike).dim === 'number' && 'embed' in (m as object);
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v !== 'function') continue;
    const attempts: (() => unknown)[] = /^[A-Z]/.test(name)
      ? [() => new (v as new (o?: unknown) => unknown)({ dim }), () => new (v as new () => unknown)()]
      : [() => (v as (o?: unknown) => unknown)({ dim }), () => (v as () => unknown)()];
    for (const attempt of attempts) {
      try {
        const m = attempt();
        if (isModel(m)) return m;
      } catch {
        /* try the next shape */
      }
    }
  }
  return null;
}

export interface PackageLoadOptions {
  providers: string[];
  threads: number;
}

/**
 * The engine with a real model package, loaded through main/ml's model loader (`loadModel`,
 * which registers every family) as the app does. Throws what the loader throws (a missing or
 * damaged package says how to fix it). The engine is told how the model was loaded and
 * ignores any settings.json, so it never reloads the model during a run; the caller
 * disposes the model.
 */
export async function loadEngineWithPackage(dir: string, options: PackageLoadOptions): Promise<LoadedEngine<EmbeddingModel> & { ok: true }> {
  const { loadModel } = (await import(MODELS_MODULE)) as typeof ModelLoader;
  const { TroveEngine } = (await import(ENGINE_MODULE)) as typeof EngineService;
  const model = await loadModel(dir, { providers: options.providers, threads: options.threads });
  return {
    ok: true,
    model,
    label: `${model.id} ${model.version} (${model.provider.name}, ${options.threads} threads, dim ${model.dim})`,
    makeEngine: (dataDir, m) =>
      new TroveEngine({
        dataDir,
        model: m,
        watch: false,
        autoIndex: false,
        loaded: { dir, providers: options.providers, threads: options.threads },
        applySavedSettings: false,
      }) as unknown as EngineLike,
  };
}

/**
 * Adds `lib.root` as a source to a fresh engine in `work/engine-data`, indexes it to the end
 * and reports the rate; the ratios are to the given ceilings (images/s). `progress` gets a
 * line every 50 progress events (null: quiet).
 */
export async function engineThroughput<M extends ModelLike>(
  lib: LibraryFixture,
  work: string,
  loaded: LoadedEngine<M>,
  ceilingImagesPerSec: number | null,
  ceilingWithThumbImagesPerSec: number | null,
  progress: ((line: string) => void) | null,
) {
  if (!loaded.ok) return { available: false as const, reason: loaded.reason };
  const dataDir = join(work, 'engine-data');
  const engine = loaded.makeEngine(dataDir, loaded.model);
  let events = 0;
  let last: ProgressLike | null = null;
  const t0 = performance.now();
  const off = engine.onEvent((e) => {
    if (e.type !== 'progress' || !e.progress) return;
    events++;
    last = e.progress;
    if (progress && events % 50 === 0) progress(`${e.progress.done}/${e.progress.total} ${e.progress.rate.toFixed(1)}/s`);
  });
  try {
    await engine.addSource({ path: lib.root });
    await engine.startIndexing({});
    const final = await engine.waitForIndexing();
    const seconds = (performance.now() - t0) / 1000;
    const st = await engine.status();
    const items = lib.photos.length + lib.notes.length;
    const imagesPerSecEquivalent = lib.photos.length / seconds;
    const lastP = last as ProgressLike | null;
    return {
      available: true as const,
      model: loaded.label,
      state: final?.state ?? lastP?.state ?? 'unknown',
      items,
      seconds: r3(seconds),
      itemsPerSec: r1(items / seconds),
      imagesPerSecEquivalent: r1(imagesPerSecEquivalent),
      ratioToCeiling: ceilingImagesPerSec ? r3(imagesPerSecEquivalent / ceilingImagesPerSec) : null,
      ratioToCeilingWithThumbnail: ceilingWithThumbImagesPerSec ? r3(imagesPerSecEquivalent / ceilingWithThumbImagesPerSec) : null,
      lastReportedRate: lastP ? r1(lastP.rate) : null,
      status: { images: st.items.image, notes: st.items.note, embedded: st.embedded, pending: st.pending, errors: st.errors },
      progressEvents: events,
    };
  } finally {
    off();
    await engine.close();
  }
}

export type EngineThroughput = Awaited<ReturnType<typeof engineThroughput>>;

/** The lines both benches print for an engine run; `ceiling` names the ceiling section. */
export function engineThroughputLines(e: EngineThroughput & { available: true }, ceiling: string, kv: (k: string, v: string | number) => void, extra: () => void = () => {}): void {
  kv('model', e.model);
  kv('final state', e.state);
  kv('items (photos + notes)', `${e.items} in ${e.seconds} s (add folder, scan, decode, embed, index)`);
  kv('items/s', e.itemsPerSec);
  kv('photos/s equivalent (photos / total time)', e.imagesPerSecEquivalent);
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
  kv(`ratio to ${ceiling}, decode + resize`, pct(e.ratioToCeiling));
  kv(`ratio to ${ceiling}, decode + resize + thumbnail`, pct(e.ratioToCeilingWithThumbnail));
  extra();
  kv('status after', `${e.status.images} photos, ${e.status.notes} notes, ${e.status.embedded} embedded, ${e.status.pending} pending, ${e.status.errors} errors`);
}
