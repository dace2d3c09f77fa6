// Indexing throughput of the real engine (TroveEngine: add folder, scan, hash, EXIF, decode,
// thumbnail, embed, SQLite commit, HNSW) over a generated library, set next to the sharp
// decode ceiling (decode-ceiling.ts). Shared by index-bench.ts (with the hashed test-double
// embedder: the engine's own overhead) and embed-bench.ts (with a real model package: what
// a user gets).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkText } from '../../main/engine/library/chunking';
import type * as EngineService from '../../main/engine/service';
import { targetInput } from '../../main/engine/embedding/instructions';
import { decodeForModel } from '../../main/engine/library/images';
import type { EmbedInput, EmbeddingModel } from '../../main/ml/models/embedding-model';
import type * as ModelLoader from '../../main/ml/models/index';
import { cpuSeconds, r1, r3 } from './bench-util';
import type { LibraryFixture } from './library-fixture';
import { messageOf } from '../../main/base/errors';

/** the indexing pipeline's default batchSize (main/engine/embedding/pipeline.ts) */
export const ENGINE_BATCH = 16;

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
  phase?: string;
  done: number;
  total: number;
  rate: number;
  message?: string;
}

export interface EngineRunOptions {
  /** load the perception models for the passes phase (default false: only places and colours run after the embeddings) */
  perception?: boolean;
}

/** An engine factory and the model it runs, or why there is none. */
export type LoadedEngine<M extends ModelLike = ModelLike> =
  | { ok: true; makeEngine: (dataDir: string, model: M, options?: EngineRunOptions) => EngineLike; model: M; label: string }
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
    const Engine = svc.TroveEngine as (new (o: { dataDir: string; model: ModelLike; watch?: boolean; autoIndex?: boolean; perception?: boolean }) => EngineLike) | undefined;
    if (typeof Engine !== 'function') return { ok: false, reason: 'not available yet: engine not built (no TroveEngine export)' };
    const model = makeHashedModel(emb, dim);
    if (!model) return { ok: false, reason: 'not available yet: engine not built (no usable export in test/doubles/hashed-embedder.ts)' };
    return {
      ok: true,
      model,
      label: `${model.id} (test double, dim ${model.dim})`,
      makeEngine: (dataDir, m, o) => new Engine({ dataDir, model: m, watch: false, autoIndex: false, perception: o?.perception ?? false }),
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
    makeEngine: (dataDir, m, o) =>
      new TroveEngine({
        dataDir,
        model: m,
        watch: false,
        autoIndex: false,
        perception: o?.perception ?? false,
        loaded: { dir, providers: options.providers, threads: options.threads },
        applySavedSettings: false,
      }) as unknown as EngineLike,
  };
}

/** What the serial work of indexing costs on this machine, each part measured alone in the same run. */
export interface SerialRates {
  /** photos decoded to the model's input (and thumbnail) per second, all cores busy (decode-ceiling.ts) */
  decodePerSec: number;
  /** photos the model embeds per second alone (batch 16, inputs prepared before timing) */
  imageEmbedPerSec: number;
  /** note chunks the model embeds per second alone (batch 16) */
  textEmbedPerSec: number;
  /** CPU ms (every thread) of each, when measured: the same work on a machine shared with other processes */
  cpuMs?: { decode: number; imageEmbed: number; textEmbed: number };
}

/**
 * The bound on the embed phase: one decode and one embedding per photo, one embedding per
 * note chunk, done one after another at the rates each reaches alone. Decoding and inference
 * each keep every core busy, so overlapping them cannot beat the sum of their costs.
 */
export function serialBound(rates: SerialRates, photos: number, noteChunks: number) {
  const seconds = photos / rates.decodePerSec + photos / rates.imageEmbedPerSec + noteChunks / rates.textEmbedPerSec;
  const c = rates.cpuMs;
  const cpuSeconds = c ? (photos * (c.decode + c.imageEmbed) + noteChunks * c.textEmbed) / 1000 : null;
  return {
    ...rates,
    photos,
    noteChunks,
    seconds: r3(seconds),
    photosPerSecEquivalent: r1(photos / seconds),
    cpuSeconds: cpuSeconds === null ? null : r3(cpuSeconds),
    /** cores the parts kept busy while measured alone */
    coresBusy: cpuSeconds === null ? null : r3(cpuSeconds / seconds),
  };
}

/**
 * The model's own rates on this library, inputs prepared before timing as the engine
 * prepares them (decodeForModel, targetInput): photos and note chunks per second at the
 * pipeline's batch of 16, after a warm-up call of each.
 */
export async function modelRates(model: EmbeddingModel, lib: LibraryFixture, inputs = 64) {
  const rate = async (all: EmbedInput[]) => {
    if (!all.length) return { perSec: Number.POSITIVE_INFINITY, cpuMs: 0 };
    await model.embed(all.slice(0, ENGINE_BATCH));
    const c0 = cpuSeconds();
    const t0 = performance.now();
    for (let s = 0; s < all.length; s += ENGINE_BATCH) await model.embed(all.slice(s, s + ENGINE_BATCH));
    return { perSec: r1(all.length / ((performance.now() - t0) / 1000)), cpuMs: r3(((cpuSeconds() - c0) * 1000) / all.length) };
  };
  const size = model.imageSize;
  const photo = size && lib.photos.length ? await decodeForModel(readFileSync(lib.photos[0]!), size) : null;
  const chunks = lib.notes.slice(0, inputs).flatMap((f) => chunkText(readFileSync(f, 'utf8')).map((c) => c.text));
  const images = await rate(photo ? Array.from({ length: inputs }, () => targetInput(model, 'image', { image: photo })) : []);
  const texts = await rate(chunks.slice(0, inputs).map((text) => targetInput(model, 'note', { text })));
  return { imageEmbedPerSec: images.perSec, textEmbedPerSec: texts.perSec, cpuMs: { imageEmbed: images.cpuMs, textEmbed: texts.cpuMs } };
}

/** How many chunks the engine cuts the library's notes into (each is one embedding). */
export function noteChunkCount(lib: LibraryFixture): number {
  return lib.notes.reduce((n, f) => n + chunkText(readFileSync(f, 'utf8')).length, 0);
}

/**
 * Adds `lib.root` as a source to a fresh engine in `work/<folder>`, indexes it to the end
 * and reports each phase: the embed phase (add folder, scan, hash, EXIF, one decode per
 * photo, thumbnail, embed, SQLite commit, HNSW) against the given ceilings (images/s) and
 * the serial bound, and the perception passes phase after it. `progress` gets a line every
 * 50 progress events (null: quiet).
 */
export async function engineThroughput<M extends ModelLike>(
  lib: LibraryFixture,
  work: string,
  loaded: LoadedEngine<M>,
  ceilings: { decode: number | null; decodeWithThumbnail: number | null; serial: SerialRates | null },
  progress: ((line: string) => void) | null,
  options: EngineRunOptions & { folder?: string } = {},
) {
  if (!loaded.ok) return { available: false as const, reason: loaded.reason };
  const dataDir = join(work, options.folder ?? 'engine-data');
  const engine = loaded.makeEngine(dataDir, loaded.model, options);
  let events = 0;
  let last: ProgressLike | null = null;
  let embedEnd: number | null = null;
  let embedCpuEnd: number | null = null;
  let passesStart: number | null = null;
  let passesDone = 0;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const off = engine.onEvent((e) => {
    if (e.type !== 'progress' || !e.progress) return;
    events++;
    last = e.progress;
    const now = performance.now();
    if (e.progress.phase === 'embed' || e.progress.phase === 'scan') {
      embedEnd = now;
      embedCpuEnd = cpuSeconds();
    }
    if (e.progress.phase === 'passes') {
      passesStart ??= now;
      passesDone = e.progress.done;
    }
    if (progress && events % 50 === 0) progress(`${e.progress.phase ?? ''} ${e.progress.done}/${e.progress.total} ${e.progress.rate.toFixed(1)}/s`);
  });
  try {
    await engine.addSource({ path: lib.root });
    await engine.startIndexing({});
    const final = await engine.waitForIndexing();
    const end = performance.now();
    const seconds = (end - t0) / 1000;
    const embedSeconds = ((embedEnd ?? end) - t0) / 1000;
    const embedCpu = (embedCpuEnd ?? cpuSeconds()) - c0;
    const st = await engine.status();
    const items = lib.photos.length + lib.notes.length;
    const imagesPerSecEquivalent = lib.photos.length / embedSeconds;
    const bound = ceilings.serial ? serialBound(ceilings.serial, lib.photos.length, noteChunkCount(lib)) : null;
    const lastP = last as ProgressLike | null;
    const passesSeconds = passesStart === null ? null : (end - passesStart) / 1000;
    return {
      available: true as const,
      model: loaded.label,
      state: final?.state ?? lastP?.state ?? 'unknown',
      items,
      seconds: r3(seconds),
      embedSeconds: r3(embedSeconds),
      itemsPerSec: r1(items / embedSeconds),
      imagesPerSecEquivalent: r1(imagesPerSecEquivalent),
      ratioToCeiling: ceilings.decode ? r3(imagesPerSecEquivalent / ceilings.decode) : null,
      ratioToCeilingWithThumbnail: ceilings.decodeWithThumbnail ? r3(imagesPerSecEquivalent / ceilings.decodeWithThumbnail) : null,
      bound,
      ratioToBound: bound ? r3(bound.seconds / embedSeconds) : null,
      /** CPU seconds of every thread during the embed phase, and how many cores that kept busy on average */
      embedCpuSeconds: r3(embedCpu),
      coresBusy: r3(embedCpu / embedSeconds),
      cpuRatioToBound: bound?.cpuSeconds ? r3(bound.cpuSeconds / embedCpu) : null,
      passes: passesSeconds === null ? null : { seconds: r3(passesSeconds), photos: passesDone, photosPerSec: r1(passesDone / passesSeconds) },
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

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);

/** The lines both benches print for an engine run; `ceiling` names the ceiling section. */
export function engineThroughputLines(e: EngineThroughput & { available: true }, ceiling: string, kv: (k: string, v: string | number) => void, extra: () => void = () => {}): void {
  kv('model', e.model);
  kv('final state', e.state);
  kv('items (photos + notes)', `${e.items}; embed phase ${e.embedSeconds} s (add folder, scan, decode, embed, index)`);
  kv('items/s', e.itemsPerSec);
  kv('photos/s equivalent (photos / embed phase)', e.imagesPerSecEquivalent);
  kv(`ratio to ${ceiling}, decode + resize`, pct(e.ratioToCeiling));
  kv(`ratio to ${ceiling}, decode + resize + thumbnail`, pct(e.ratioToCeilingWithThumbnail));
  if (e.bound) {
    const b = e.bound;
    kv('serial bound: decode + embed, each alone', `${b.photosPerSecEquivalent} photos/s equivalent (${b.seconds} s: ${b.photos} photos at ${b.decodePerSec} decodes/s and ${b.imageEmbedPerSec} embeds/s, ${b.noteChunks} note chunks at ${b.textEmbedPerSec}/s)`);
    kv('ENGINE / BOUND (goal >= 90 %)', pct(e.ratioToBound));
    if (e.cpuRatioToBound !== null) {
      kv('CPU: bound / engine (every thread)', `${pct(e.cpuRatioToBound)} (${b.cpuSeconds} s of decode + embed CPU, the engine used ${e.embedCpuSeconds} s: the rest is hashing, EXIF, SQLite, HNSW)`);
      kv('cores kept busy: engine / the parts alone', `${e.coresBusy} / ${b.coresBusy} (of 2 on a quiet machine; fewer: idle, or taken by other processes)`);
    }
  }
  extra();
  if (e.passes) kv('then the perception passes phase', `${e.passes.photos} photos in ${e.passes.seconds} s, ${e.passes.photosPerSec} photos/s`);
  kv('status after', `${e.status.images} photos, ${e.status.notes} notes, ${e.status.embedded} embedded, ${e.status.pending} pending, ${e.status.errors} errors`);
}
