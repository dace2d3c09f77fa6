// npm run bench:index [-- --images N --notes N --vectors N --dim D --clusters C --queries Q --in-flight K
//                         --skip a,b,c --quick --json --json-out FILE --keep]
//
// Figures, not a test:
//  (a) the sharp ceiling: read + decode + resize to the model's input size of N 12-MP JPEGs,
//      4 in flight (sharp.concurrency() is 1 here, so parallelism comes from images in
//      flight); also 1 in flight, and with a thumbnail per photo as the engine makes one;
//  (b) indexing throughput of the real engine (TroveEngine + the hashed test-double
//      embedder) over the same files plus N notes, in the same run, and its ratio to (a);
//  (c) HNSW (VectorIndex) on clustered vectors: build rate, query latency p50/p95 at
//      several ef, recall@10 against exact search, exact search latency, save/load times.
// `--json` prints one JSON document with every figure on stdout (progress goes to stderr).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { exactSearch } from '../../main/engine/vectors/exact-search';
import { VectorIndex } from '../../main/engine/vectors/vector-index';
import { clusteredVectors, recallAtK, row } from './clustered-vectors';
import { makeLibrary, type LibraryFixture } from './library-fixture';

interface Args {
  images: number;
  notes: number;
  vectors: number;
  dim: number;
  clusters: number;
  queries: number;
  inFlight: number;
  json: boolean;
  quick: boolean;
  keep: boolean;
  skip: Set<string>;
  jsonOut: string | null;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const a: Args = {
    images: quick ? 40 : 1000,
    notes: -1,
    vectors: quick ? 10_000 : 100_000,
    dim: quick ? 128 : 512,
    clusters: quick ? 100 : 1000,
    queries: quick ? 100 : 500,
    inFlight: 4,
    json: argv.includes('--json'),
    quick,
    keep: argv.includes('--keep'),
    skip: new Set(),
    jsonOut: null,
  };
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    switch (k) {
      case '--images': a.images = num('images', v); i++; break;
      case '--notes': a.notes = num('notes', v); i++; break;
      case '--vectors': a.vectors = num('vectors', v); i++; break;
      case '--dim': a.dim = num('dim', v); i++; break;
      case '--clusters': a.clusters = num('clusters', v); i++; break;
      case '--queries': a.queries = num('queries', v); i++; break;
      case '--in-flight': a.inFlight = Math.max(1, num('in-flight', v)); i++; break;
      case '--json-out': a.jsonOut = v ?? null; i++; break;
      case '--skip': for (const s of (v ?? '').split(',')) a.skip.add(s.trim()); i++; break;
      case '--json': case '--quick': case '--keep': break;
      default: throw new Error(`unknown argument ${k} (see the header of test/bench/index-bench.ts)`);
    }
  }
  if (a.notes < 0) a.notes = a.images;
  return a;
}

let jsonMode = false;
function log(line: string): void {
  process.stderr.write(`[bench:index] ${line}\n`);
}

function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i];
}
function latencyStats(ms: number[]): { p50Ms: number; p95Ms: number; meanMs: number } {
  const s = [...ms].sort((x, y) => x - y);
  return { p50Ms: r3(percentile(s, 50)), p95Ms: r3(percentile(s, 95)), meanMs: r3(s.reduce((x, y) => x + y, 0) / Math.max(1, s.length)) };
}
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function pool<T>(items: T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(inFlight, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

// ---------------------------------------------------------------- (b) engine loading

interface ModelLike {
  id: string;
  dim: number;
  imageSize: { width: number; height: number } | null;
  dispose(): Promise<void>;
}
interface EngineLike {
  addSource(req: { path: string }): Promise<unknown>;
  startIndexing(req: Record<string, never>): Promise<unknown>;
  waitForIndexing(): Promise<ProgressLike | null>;
  onEvent(l: (e: { type: string; progress?: ProgressLike }) => void): () => void;
  status(): Promise<{ items: { image: number; note: number }; embedded: number; pending: number; errors: number }>;
  close(): Promise<void>;
}
interface ProgressLike {
  state: string;
  done: number;
  total: number;
  rate: number;
  message?: string;
}

const repoRoot = join(__dirname, '..', '..');
const ENGINE_MODULE = join(repoRoot, 'main', 'engine', 'service.ts');
const EMBEDDER_MODULE = join(repoRoot, 'test', 'doubles', 'hashed-embedder.ts');

/** The engine and the hashed test-double embedder, if both exist in this checkout. */
async function loadEngine(dim: number): Promise<
  { ok: true; makeEngine: (dataDir: string, model: ModelLike) => EngineLike; model: ModelLike } | { ok: false; reason: string }
> {
  if (!existsSync(ENGINE_MODULE)) return { ok: false, reason: 'not available yet: engine not built (main/engine/service.ts missing)' };
  if (!existsSync(EMBEDDER_MODULE)) return { ok: false, reason: 'not available yet: engine not built (test/doubles/hashed-embedder.ts missing)' };
  try {
    const svc = (await import(ENGINE_MODULE)) as Record<string, unknown>;
    const emb = (await import(EMBEDDER_MODULE)) as Record<string, unknown>;
    const Engine = svc.TroveEngine as (new (o: { dataDir: string; model: ModelLike; watch?: boolean; autoIndex?: boolean }) => EngineLike) | undefined;
    if (typeof Engine !== 'function') return { ok: false, reason: 'not available yet: engine not built (no TroveEngine export)' };
    const model = makeHashedModel(emb, dim);
    if (!model) return { ok: false, reason: 'not available yet: engine not built (no usable export in test/doubles/hashed-embedder.ts)' };
    return { ok: true, model, makeEngine: (dataDir, m) => new Engine({ dataDir, model: m, watch: false, autoIndex: false }) };
  } catch (err) {
    return { ok: false, reason: `not available yet: engine not built (${(err as Error).message.split('\n')[0]})` };
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

// ---------------------------------------------------------------- (a) decode ceiling

async function decodeCeiling(lib: LibraryFixture, size: { width: number; height: number }, inFlight: number) {
  const toModel = async (file: string, to = size) => {
    const buf = readFileSync(file);
    await sharp(buf, { failOn: 'error' })
      .rotate()
      .resize(to.width, to.height, { fit: 'cover' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
  };
  const toModelAndThumb = async (file: string) => {
    const buf = readFileSync(file);
    await Promise.all([
      sharp(buf, { failOn: 'error' }).rotate().resize(size.width, size.height, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer(),
      sharp(buf, { failOn: 'error' }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer(),
    ]);
  };
  // one decode (shrink-on-load to thumbnail size) feeding both the thumbnail and the model input
  const singleDecode = async (file: string) => {
    const buf = readFileSync(file);
    const { data, info } = await sharp(buf, { failOn: 'error' })
      .rotate()
      .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: 3 as const } };
    await Promise.all([
      sharp(data, raw).webp({ quality: 80 }).toBuffer(),
      sharp(data, raw).resize(size.width, size.height, { fit: 'cover' }).raw().toBuffer(),
    ]);
  };
  const run = async (files: string[], n: number, f: (file: string) => Promise<void>) => {
    const t0 = performance.now();
    await pool(files, n, f);
    const s = (performance.now() - t0) / 1000;
    return { images: files.length, seconds: r3(s), imagesPerSec: r1(files.length / s) };
  };
  const mp = (lib.width * lib.height) / 1e6;
  await toModel(lib.photos[0], size); // warm-up
  log(`(a) decode+resize ${lib.photos.length} x ${mp.toFixed(0)} MP, ${inFlight} in flight`);
  const main = await run(lib.photos, inFlight, (f) => toModel(f));
  const std = { width: 224, height: 224 };
  let at224: Awaited<ReturnType<typeof run>> | null = null;
  if (size.width !== std.width || size.height !== std.height) {
    log(`(a) again at 224x224 (a real model's input), ${inFlight} in flight`);
    at224 = await run(lib.photos, inFlight, (f) => toModel(f, std));
  }
  const serialSet = lib.photos.slice(0, Math.min(lib.photos.length, 100));
  log(`(a) 1 in flight over ${serialSet.length}`);
  const serial = await run(serialSet, 1, (f) => toModel(f));
  log(`(a) decode+resize + 320px webp thumbnail, ${inFlight} in flight`);
  const withThumb = await run(lib.photos, inFlight, toModelAndThumb);
  log(`(a) one decode to 320px feeding both thumbnail and model input, ${inFlight} in flight`);
  const oneDecode = await run(lib.photos, inFlight, singleDecode);
  // notes: read + utf-8 decode, for scale
  const t0 = performance.now();
  let chars = 0;
  for (const f of lib.notes) chars += readFileSync(f, 'utf8').length;
  const noteSec = (performance.now() - t0) / 1000;
  return {
    modelInput: size,
    imageMegapixels: mp,
    sharpConcurrency: sharp.concurrency(),
    inFlight,
    decodeResize: { ...main, megapixelsPerSec: r1(main.imagesPerSec * mp) },
    decodeResizeSerial: serial,
    decodeResizeTo224: at224,
    decodeResizeWithThumbnail: withThumb,
    singleDecodeThumbnailAndModelInput: oneDecode,
    notesRead: { notes: lib.notes.length, seconds: r3(noteSec), notesPerSec: r1(lib.notes.length / Math.max(noteSec, 1e-9)), chars },
  };
}

// ---------------------------------------------------------------- (b) engine throughput

async function engineThroughput(
  lib: LibraryFixture,
  work: string,
  loaded: Awaited<ReturnType<typeof loadEngine>>,
  ceilingImagesPerSec: number | null,
  ceilingWithThumbImagesPerSec: number | null,
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
    if (!jsonMode && events % 50 === 0) log(`(b) ${e.progress.done}/${e.progress.total} ${e.progress.rate.toFixed(1)}/s`);
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
      model: `${loaded.model.id} (test double, dim ${loaded.model.dim})`,
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

// ---------------------------------------------------------------- (c) HNSW

function hnswBench(a: Args, work: string) {
  const { vectors: n, dim, clusters } = a;
  const q = Math.min(a.queries, 1000);
  log(`(c) generating ${n} + ${q} clustered ${dim}-d vectors (${clusters} clusters)`);
  const d = clusteredVectors({ count: n + q, dim, clusters, seed: 42 });
  const base = d.points.subarray(0, n * dim);

  log(`(c) building HNSW (M=16, efConstruction=100)`);
  const ix = VectorIndex.create({ dim, capacity: n });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    ix.add(i, row(d.points, dim, i));
    if (!jsonMode && i > 0 && i % 20_000 === 0) log(`(c) ${i} inserted, ${r1(i / ((performance.now() - t0) / 1000))}/s`);
  }
  const buildSec = (performance.now() - t0) / 1000;

  log(`(c) exact search over ${q} queries`);
  const queries = Array.from({ length: q }, (_, i) => row(d.points, dim, n + i));
  const exactMs: number[] = [];
  const truth = queries.map((query) => {
    const s = performance.now();
    const r = exactSearch(base, dim, query, 10, { normalized: true });
    exactMs.push(performance.now() - s);
    return r;
  });

  const efs = [16, 32, 64, 128];
  const byEf = efs.map((ef) => {
    for (let i = 0; i < Math.min(20, q); i++) ix.search(queries[i], 10, undefined, ef); // warm-up
    const ms: number[] = [];
    const res = queries.map((query) => {
      const s = performance.now();
      const r = ix.search(query, 10, undefined, ef);
      ms.push(performance.now() - s);
      return r;
    });
    return { ef, ...latencyStats(ms), recallAt10: r3(recallAtK(res, truth, 10)) };
  });

  // filtered search via the JS filter callback: half the ids allowed, and 1 in 100
  const filtered = (allow: (id: number) => boolean) => {
    const ms: number[] = [];
    const res = queries.map((query) => {
      const s = performance.now();
      const r = ix.search(query, 10, allow, 64);
      ms.push(performance.now() - s);
      return r;
    });
    const fTruth = queries.map((query) => exactSearch(base, dim, query, 10, { normalized: true, filter: allow }));
    return { ef: 64, ...latencyStats(ms), recallAt10: r3(recallAtK(res, fTruth, 10)) };
  };
  log('(c) filtered searches');
  const filteredHalf = filtered((id) => (id & 1) === 0);
  const filteredOnePercent = filtered((id) => id % 100 === 0);

  log('(c) save / load');
  const file = join(work, 'bench.hnsw');
  const s0 = performance.now();
  ix.save(file);
  const saveSec = (performance.now() - s0) / 1000;
  const l0 = performance.now();
  const loaded = VectorIndex.load(file, dim);
  const loadSec = (performance.now() - l0) / 1000;
  if (loaded.size !== n) throw new Error('loaded index has the wrong size');

  return {
    vectors: n,
    dim,
    clusters,
    queries: q,
    M: 16,
    efConstruction: 100,
    build: { seconds: r3(buildSec), insertsPerSec: r1(n / buildSec) },
    search: byEf,
    filteredHalf,
    filteredOnePercent,
    exactJs: latencyStats(exactMs),
    save: { seconds: r3(saveSec), megabytes: r1(statSync(file).size / 2 ** 20) },
    loadVerified: { seconds: r3(loadSec) },
    rssMegabytes: r1(process.memoryUsage().rss / 2 ** 20),
  };
}

// ---------------------------------------------------------------- output

type Result = Awaited<ReturnType<typeof main>>;

function printTable(r: Result): void {
  const out: string[] = [];
  const sec = (t: string) => out.push('', t, '-'.repeat(t.length));
  const kv = (k: string, v: string | number) => out.push(`  ${k.padEnd(44)} ${v}`);
  out.push(`Trove index benchmark  (${r.machine.cpus} CPUs ${r.machine.cpuModel}, node ${r.machine.node}${r.args.quick ? ', QUICK sizes' : ''})`);
  out.push(`load average at start ${r.machine.loadAvgAtStart.join(' ')}, at end ${r.machine.loadAvgAtEnd.join(' ')} (other work on the machine skews every figure)`);
  if (r.library) {
    const l = r.library;
    sec(`Library: ${l.images} JPEGs ${l.width}x${l.height} (${l.distinctPhotos} distinct, ${r1(l.photoMegabytes)} MB) + ${l.notes} notes`);
    kv('generated in', `${r1(l.generateSeconds)} s`);
  }
  if (r.decode) {
    const a = r.decode;
    sec(`(a) sharp ceiling: read + decode + resize to the engine model's ${a.modelInput.width}x${a.modelInput.height} (sharp.concurrency=${a.sharpConcurrency})`);
    kv(`${a.inFlight} in flight`, `${a.decodeResize.imagesPerSec} img/s  (${a.decodeResize.megapixelsPerSec} MP/s, ${a.decodeResize.seconds} s)`);
    if (a.decodeResizeTo224) kv(`${a.inFlight} in flight, to 224x224 instead`, `${a.decodeResizeTo224.imagesPerSec} img/s`);
    kv(`1 in flight (${a.decodeResizeSerial.images} images)`, `${a.decodeResizeSerial.imagesPerSec} img/s`);
    kv(`${a.inFlight} in flight, + 320px webp thumbnail`, `${a.decodeResizeWithThumbnail.imagesPerSec} img/s`);
    kv(`${a.inFlight} in flight, one decode -> thumb + input`, `${a.singleDecodeThumbnailAndModelInput.imagesPerSec} img/s`);
    kv('notes read (utf-8)', `${a.notesRead.notesPerSec} notes/s`);
  }
  sec('(b) indexing through the real engine (same files, same run)');
  if (!r.engine) kv('skipped', '');
  else if (!r.engine.available) kv(r.engine.reason, '');
  else {
    const e = r.engine;
    kv('model', e.model);
    kv('final state', e.state);
    kv('items (photos + notes)', `${e.items} in ${e.seconds} s (add folder, scan, decode, embed, index)`);
    kv('items/s', e.itemsPerSec);
    kv('photos/s equivalent (photos / total time)', e.imagesPerSecEquivalent);
    const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
    kv('ratio to ceiling (a), decode + resize', pct(e.ratioToCeiling));
    kv('ratio to (a) decode + resize + thumbnail', pct(e.ratioToCeilingWithThumbnail));
    kv('status after', `${e.status.images} photos, ${e.status.notes} notes, ${e.status.embedded} embedded, ${e.status.pending} pending, ${e.status.errors} errors`);
  }
  if (r.hnsw) {
    const h = r.hnsw;
    sec(`(c) HNSW: ${h.vectors} clustered ${h.dim}-d vectors, ${h.clusters} clusters, M=${h.M}, efC=${h.efConstruction}, ${h.queries} queries`);
    kv('build', `${h.build.insertsPerSec} inserts/s  (${h.build.seconds} s)`);
    out.push(`  ${'query'.padEnd(16)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'recall@10'.padStart(12)}`);
    for (const s of h.search) out.push(`  ${`ef ${s.ef}`.padEnd(16)}${s.p50Ms.toFixed(3).padStart(10)}${s.p95Ms.toFixed(3).padStart(10)}${s.recallAt10.toFixed(3).padStart(12)}`);
    for (const [name, f] of [['ef 64, filter ½', h.filteredHalf], ['ef 64, filter 1%', h.filteredOnePercent]] as const) {
      out.push(`  ${name.padEnd(16)}${f.p50Ms.toFixed(3).padStart(10)}${f.p95Ms.toFixed(3).padStart(10)}${f.recallAt10.toFixed(3).padStart(12)}`);
    }
    out.push(`  ${'exact (JS)'.padEnd(16)}${h.exactJs.p50Ms.toFixed(3).padStart(10)}${h.exactJs.p95Ms.toFixed(3).padStart(10)}${'1.000'.padStart(12)}`);
    kv('save (temp + fsync + rename)', `${h.save.seconds} s, ${h.save.megabytes} MB`);
    kv('load (size + sha256 verified)', `${h.loadVerified.seconds} s`);
    kv('process RSS after', `${h.rssMegabytes} MB`);
  }
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

async function main(a: Args) {
  const work = mkdtempSync(join(tmpdir(), 'trove-bench-index-'));
  const cpu = cpus();
  const result = {
    args: { images: a.images, notes: a.notes, vectors: a.vectors, dim: a.dim, clusters: a.clusters, queries: a.queries, inFlight: a.inFlight, quick: a.quick },
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAvgAtStart: loadavg().map(r1),
      loadAvgAtEnd: [] as number[],
    },
    workDir: work,
    library: null as null | { images: number; notes: number; width: number; height: number; distinctPhotos: number; photoMegabytes: number; generateSeconds: number },
    decode: null as null | Awaited<ReturnType<typeof decodeCeiling>>,
    engine: null as null | Awaited<ReturnType<typeof engineThroughput>>,
    hnsw: null as null | ReturnType<typeof hnswBench>,
  };
  try {
    const wantFiles = !a.skip.has('a') || !a.skip.has('b');
    const loaded = a.skip.has('b') ? null : await loadEngine(512);
    const size = loaded?.ok && loaded.model.imageSize ? loaded.model.imageSize : { width: 224, height: 224 };
    let lib: LibraryFixture | null = null;
    if (wantFiles && (a.images > 0 || a.notes > 0)) {
      log(`generating ${a.images} photos + ${a.notes} notes in ${work}`);
      lib = await makeLibrary(join(work, 'library'), { images: a.images, notes: a.notes });
      result.library = {
        images: lib.photos.length,
        notes: lib.notes.length,
        width: lib.width,
        height: lib.height,
        distinctPhotos: lib.distinctPhotos,
        photoMegabytes: lib.photoBytes / 2 ** 20,
        generateSeconds: lib.generateSeconds,
      };
    }
    if (lib && !a.skip.has('a') && lib.photos.length > 0) result.decode = await decodeCeiling(lib, size, a.inFlight);
    if (lib && loaded) {
      log('(b) indexing through TroveEngine');
      result.engine = await engineThroughput(
        lib,
        work,
        loaded,
        result.decode?.decodeResize.imagesPerSec ?? null,
        result.decode?.decodeResizeWithThumbnail.imagesPerSec ?? null,
      );
      if (loaded.ok) await loaded.model.dispose();
    }
    if (!a.skip.has('c') && a.vectors > 0) result.hnsw = hnswBench(a, work);
  } finally {
    result.machine.loadAvgAtEnd = loadavg().map(r1);
    if (!a.keep) rmSync(work, { recursive: true, force: true });
  }
  return result;
}

const args = parseArgs(process.argv.slice(2));
jsonMode = args.json;
main(args).then(
  (r) => {
    const doc = JSON.stringify(r, null, 2) + '\n';
    if (args.jsonOut) writeFileSync(args.jsonOut, doc);
    if (args.json) process.stdout.write(doc);
    else printTable(r);
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
