// npm run bench:index [-- --images N --notes N --vectors N --dim D --clusters C --queries Q --in-flight K
//                         --shares P,P,.. --pass-photos N --skip a,b,c,d --quick --json --json-out FILE --keep]
//
// Figures, not a test:
//  (a) the sharp ceiling: read + decode + resize to the model's input size of N 12-MP JPEGs,
//      4 in flight (sharp.concurrency() is 1 here, so parallelism comes from images in
//      flight); also 1 in flight, and with a thumbnail per photo as the engine makes one;
//  (b) indexing throughput of the real engine (TroveEngine + the hashed test-double
//      embedder) over the same files plus N notes, in the same run: the embed phase against
//      (a) and against the serial bound (one decode with the engine's functions + the model
//      alone per photo and note chunk; engine-throughput.ts), in wall time (meaningful only
//      on an otherwise idle machine) and in CPU seconds of every thread (the engine's work
//      beyond decoding and embedding, whatever else runs), with the cores each kept busy;
//  (c) HNSW (VectorIndex) on clustered vectors: build rate, query latency p50/p95 at
//      several ef, recall@10 against exact search, exact search latency, save/load times;
//      filtered search where the filter allows --shares percent of the vectors (default 1,
//      10, 50): the graph walk and the exact scan of the allowed rows, each forced, and the
//      strategy VectorIndex picks, with latency and recall@10 against exact search.
//  (d) the perception passes (places, colours, labels, faces, objects, text) on --pass-photos
//      12 MP JPEGs made from the committed real photos (passes-bench.ts): each pass's ms and
//      photos/s with the engine's Pass objects, next to the decode they share measured in
//      the same run, the ratio "all passes / decode of the same photo on 2 cores", and the
//      passes phase of a TroveEngine run over the same photos.
// `--json` prints one JSON document with every figure on stdout (progress goes to stderr).
// (a) and (b) live in decode-ceiling.ts and engine-throughput.ts, shared with embed-bench.ts.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactSearch } from '../../main/engine/vectors/exact-search';
import { VectorIndex } from '../../main/engine/vectors/vector-index';
import { machineInfo, r1, r3 } from './bench-util';
import { clusteredVectors, recallAtK, row } from './clustered-vectors';
import { decodeCeiling } from './decode-ceiling';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import { engineThroughput, engineThroughputLines, loadEngine, modelRates } from './engine-throughput';
import { filteredSearchLines, filteredSearchRuns, latencyStats } from './filtered-search';
import { makeLibrary, type LibraryFixture } from './library-fixture';
import { makePerceptionLibrary, passesBench, passesLines } from './passes-bench';

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
  /** shares of the vectors the filtered searches allow */
  shares: number[];
  /** 12 MP photos the perception passes are timed on */
  passPhotos: number;
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
    shares: [0.01, 0.1, 0.5],
    passPhotos: quick ? 5 : 15,
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
      case '--pass-photos': a.passPhotos = num('pass-photos', v); i++; break;
      case '--shares':
        a.shares = (v ?? '').split(',').map((x) => Number(x) / 100);
        if (!a.shares.length || a.shares.some((x) => !(x > 0 && x <= 1))) throw new Error(`--shares needs percentages in (0, 100], got ${v}`);
        i++;
        break;
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

  log(`(c) filtered searches: the filter allows ${a.shares.map((x) => `${x * 100}%`).join(', ')}`);
  const filtered = filteredSearchRuns(ix, base, dim, queries, a.shares);

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
    filtered,
    exactJs: latencyStats(exactMs),
    save: { seconds: r3(saveSec), megabytes: r1(statSync(file).size / 2 ** 20) },
    loadVerified: { seconds: r3(loadSec) },
    rssMegabytes: r1(process.memoryUsage().rss / 2 ** 20),
  };
}

// ---------------------------------------------------------------- (d) perception passes

async function perceptionPasses(a: Args, work: string) {
  log(`(d) making ${a.passPhotos} 12 MP photos from the committed real photos`);
  const lib = await makePerceptionLibrary(join(work, 'passes-library'), a.passPhotos);
  const figures = await passesBench(lib, (line) => log(`(d) ${line}`));
  let engine: { photos: number; seconds: number; photosPerSec: number } | null = null;
  const loaded = await loadEngine(512);
  if (loaded.ok) {
    log('(d) the same photos through TroveEngine with the perception models (the test double embeds)');
    const run = await engineThroughput(lib, work, loaded, { decode: null, decodeWithThumbnail: null, serial: null }, jsonMode ? null : (line) => log(`(d) ${line}`), {
      perception: true,
      folder: 'engine-passes',
    });
    if (run.available && run.passes) engine = run.passes;
    await loaded.model.dispose();
  }
  return { ...figures, engine };
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
    kv(`${a.inFlight} in flight, one decode -> thumb + input`, `${a.singleDecodeThumbnailAndModelInput.imagesPerSec} img/s (the engine's functions)`);
    kv('notes read (utf-8)', `${a.notesRead.notesPerSec} notes/s`);
  }
  sec('(b) indexing through the real engine (same files, same run)');
  if (!r.engine) kv('skipped', '');
  else if (!r.engine.available) kv(r.engine.reason, '');
  else {
    engineThroughputLines(r.engine, 'ceiling (a)', kv);
  }
  if (r.hnsw) {
    const h = r.hnsw;
    sec(`(c) HNSW: ${h.vectors} clustered ${h.dim}-d vectors, ${h.clusters} clusters, M=${h.M}, efC=${h.efConstruction}, ${h.queries} queries`);
    kv('build', `${h.build.insertsPerSec} inserts/s  (${h.build.seconds} s)`);
    out.push(`  ${'query'.padEnd(16)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'recall@10'.padStart(12)}`);
    for (const s of h.search) out.push(`  ${`ef ${s.ef}`.padEnd(16)}${s.p50Ms.toFixed(3).padStart(10)}${s.p95Ms.toFixed(3).padStart(10)}${s.recallAt10.toFixed(3).padStart(12)}`);
    out.push(`  ${'exact (JS)'.padEnd(16)}${h.exactJs.p50Ms.toFixed(3).padStart(10)}${h.exactJs.p95Ms.toFixed(3).padStart(10)}${'1.000'.padStart(12)}`);
    out.push('', '  filtered search: graph walk and exact scan of the allowed rows (each forced), and the one VectorIndex picks', ...filteredSearchLines(h.filtered), '');
    kv('save (temp + fsync + rename)', `${h.save.seconds} s, ${h.save.megabytes} MB`);
    kv('load (size + sha256 verified)', `${h.loadVerified.seconds} s`);
    kv('process RSS after', `${h.rssMegabytes} MB`);
  }
  if (r.passes) {
    const p = r.passes;
    sec(`(d) perception passes on ${p.photos} 12 MP JPEGs (real photos scaled up, with noise, GPS and text), one decode each`);
    out.push(...passesLines(p, p.engine));
  }
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

async function main(a: Args) {
  const work = mkdtempSync(join(tmpdir(), 'trove-bench-index-'));
  const result = {
    args: { images: a.images, notes: a.notes, vectors: a.vectors, dim: a.dim, clusters: a.clusters, queries: a.queries, inFlight: a.inFlight, quick: a.quick },
    machine: machineInfo(),
    workDir: work,
    library: null as null | { images: number; notes: number; width: number; height: number; distinctPhotos: number; photoMegabytes: number; generateSeconds: number },
    decode: null as null | Awaited<ReturnType<typeof decodeCeiling>>,
    engine: null as null | Awaited<ReturnType<typeof engineThroughput>>,
    hnsw: null as null | ReturnType<typeof hnswBench>,
    passes: null as null | Awaited<ReturnType<typeof perceptionPasses>>,
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
    if (lib && !a.skip.has('a') && lib.photos.length > 0) result.decode = await decodeCeiling(lib, size, a.inFlight, log);
    if (lib && loaded) {
      const d = result.decode;
      const rates = d && loaded.ok ? await modelRates(loaded.model as unknown as EmbeddingModel, lib) : null;
      log('(b) indexing through TroveEngine');
      result.engine = await engineThroughput(
        lib,
        work,
        loaded,
        {
          decode: d?.decodeResize.imagesPerSec ?? null,
          decodeWithThumbnail: d?.decodeResizeWithThumbnail.imagesPerSec ?? null,
          serial:
            d && rates
              ? {
                  decodePerSec: d.singleDecodeThumbnailAndModelInput.imagesPerSec,
                  imageEmbedPerSec: rates.imageEmbedPerSec,
                  textEmbedPerSec: rates.textEmbedPerSec,
                  cpuMs: { decode: d.singleDecodeThumbnailAndModelInput.cpuMsPerImage, ...rates.cpuMs },
                }
              : null,
        },
        jsonMode ? null : (line) => log(`(b) ${line}`),
      );
      if (loaded.ok) await loaded.model.dispose();
    }
    if (!a.skip.has('c') && a.vectors > 0) result.hnsw = hnswBench(a, work);
    if (!a.skip.has('d') && a.passPhotos > 0) result.passes = await perceptionPasses(a, work);
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
