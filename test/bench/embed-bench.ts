// npm run bench:embed [-- --model DIR --images N --notes N --reps N --quick --json]
// npm run bench:embed -- --model-shape qwen2-vl-2b [--providers LIST --threads N --json]: see qwen2vl-shape-bench.ts
//
// Figures, not a test: what the packaged vlm2vec model gives on the CPU, as a user runs it
// (onnxruntime-node, CPU execution provider, 2 intra-op threads, loaded through main/ml's
// model loader `loadModel(dir, { providers: ['cpu'], threads: 2 })`). Default package
// native-models/vlm2vec-nano; --model DIR for another (exit 2 when DIR has no manifest.json).
//  (a) model time only. Every input is built BEFORE the clock starts (photos decoded to the
//      model's RgbImage, 256x256 for nano, by the engine's decodeForModel; texts phrased with
//      the package's instruction templates as the engine phrases them); only model.embed()
//      is timed, in the batch sizes the engine uses:
//        images        photo targets (retrieval_text_to_image.target), batch 16: the indexing
//                      pipeline's batchSize (main/engine/embedding/pipeline.ts);
//        queries       ~8-word text queries (retrieval_text_to_image / _text_to_text .query),
//                      batch 16, and batch 2 = one Find (one query per kind, queries/search.ts);
//        notes         100-300-word note texts (retrieval_text_to_text.target), batch 16 (the
//                      pipeline; the engine's note chunks are ~1000 characters);
//        image+text    photo + question (vqa.query) alternating with photo + caption
//                      (grounding.query), batch 16, and batch 1 = one Ask / Point at query.
//      Each case runs warm-up calls first (at least 2; a whole repetition unless --quick),
//      then --reps timed repetitions over the same inputs.
//      The figure is the MEDIAN per-repetition rate (inputs/s), with min-max and spread =
//      (max - min) / median; ms/call is the median time of one embed() call of that batch.
//      "tokens" is the mean text length the model sees (instruction + text, after <s>) and
//      how many inputs were cut at the package's maxTextTokens (96 for nano): a 300-word note
//      costs what a 96-token text costs. An input with an image adds 16 visual tokens and one
//      run of the CNN trunk, which is most of an image's cost.
//  (b) end to end: TroveEngine with the SAME loaded model indexes N generated 12-MP JPEGs + N
//      notes (library-fixture.ts; add folder, scan, hash, EXIF, one decode per photo,
//      thumbnail, embed, SQLite commit, HNSW), next to the sharp ceiling measured in the same
//      run on the same files (decode-ceiling.ts: read + decode + resize to the model input, 4
//      in flight; and with a 320 px thumbnail too). Ratio = (photos / embed phase time) /
//      ceiling images/s; the notes are indexed in the same run, so their time is charged to
//      the photos too (the same definition as index-bench's (b), which uses the hashed test
//      double instead of a model). ENGINE / BOUND: the serial bound (one decode with the
//      engine's functions at the ceiling's rate + (a)'s images/s per photo + (a)'s notes
//      texts/s per note chunk) over the embed phase's time; the same in CPU seconds of every
//      thread (not skewed by other processes), and the cores the engine kept busy. The
//      perception passes run after the embed phase with places and colours only (their
//      figures are bench:index's (d)).
// How to read it: (a) images/s is the model's own limit on photos/s; the sharp ceiling is the
// decoder's. (b) photos/s near (a)'s images/s: the model is the bottleneck; near the ceiling:
// decoding is. sharp and onnxruntime share the same cores in (b), so on a 2-core machine (b)
// is below both. Other work on the machine skews every figure: the load average at start and
// end is printed, and a spread above ~10 % means the repetitions were disturbed.
// --quick: 3 repetitions of one batch per case and a 12 + 12 library, for a check that it runs
// (too few calls for figures to quote). Defaults: 5 repetitions of 64 inputs (128 short
// queries, 32 Find calls, 16 single Ask queries) and a 200 + 200 library.
// --json: one JSON document with every figure on stdout; progress goes to stderr.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { EmbedInput, EmbeddingModel, RgbImage } from '../../main/ml/models/embedding-model';
import { decodeForModel } from '../../main/engine/library/images';
import { fill } from '../../main/engine/embedding/instructions';
import { cpuSeconds, machineInfo, median, r1, r3 } from './bench-util';
import { rng } from './clustered-vectors';
import { decodeCeilingCore } from './decode-ceiling';
import { ENGINE_BATCH, engineThroughput, engineThroughputLines, loadEngineWithPackage } from './engine-throughput';
import { makeLibrary, proseWords, type LibraryFixture } from './library-fixture';
import { shapeBench } from './qwen2vl-shape-bench';

const repoRoot = join(__dirname, '..', '..');
const DEFAULT_MODEL_DIR = join(repoRoot, 'native-models', 'vlm2vec-nano');
/** the CPU a user without a GPU gets; 2 threads = this bench's reference machine */
const PROVIDERS = ['cpu'];
const THREADS = 2;

interface Args {
  model: string;
  images: number;
  notes: number;
  reps: number;
  json: boolean;
  quick: boolean;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const a: Args = { model: DEFAULT_MODEL_DIR, images: quick ? 12 : 200, notes: -1, reps: quick ? 3 : 5, json: argv.includes('--json'), quick };
  const num = (name: string, v: string | undefined, min = 0): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs an integer >= ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    switch (k) {
      case '--model':
        if (!v) throw new Error('--model needs a package folder');
        a.model = resolve(v);
        i++;
        break;
      case '--images': a.images = num('images', v); i++; break;
      case '--notes': a.notes = num('notes', v); i++; break;
      case '--reps': a.reps = num('reps', v, 1); i++; break;
      case '--json': case '--quick': break;
      default: throw new Error(`unknown argument ${k} (see the header of test/bench/embed-bench.ts)`);
    }
  }
  if (a.notes < 0) a.notes = a.images;
  return a;
}

let jsonMode = false;
function log(line: string): void {
  process.stderr.write(`[bench:embed] ${line}\n`);
}

// ---------------------------------------------------------------- (a) inputs, built before timing

const QUERIES = [
  'receipt from the bike shop last spring',
  'sunset over the harbour with sailing boats',
  'notes from the budget meeting about the trip',
  'my sourdough recipe with olive oil and garlic',
  'train ticket to the mountain museum in June',
  'photo of the tomato seedlings in the garden',
  'birthday gift ideas for my sister this year',
  'coffee grinder instructions and the kettle warranty',
];
const QUESTIONS = [
  'How many people are in the image?',
  'What colour is the car?',
  'Is the dog on the left or on the right?',
  'What is written on the sign?',
];
const CAPTIONS = ['the red bicycle by the door', 'a person holding an umbrella', 'the cup of coffee on the table', 'the dog sleeping on the sofa'];

/** `count` distinct photos (gradient + noise JPEGs) decoded by the engine's decodeForModel. */
async function makeImages(count: number, size: { width: number; height: number }): Promise<RgbImage[]> {
  const rand = rng(7);
  const w = 1024;
  const h = 768;
  const out: RgbImage[] = [];
  for (let k = 0; k < count; k++) {
    const raw = Buffer.allocUnsafe(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const n = (rand() - 0.5) * 40;
        raw[o] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / (60 + 13 * k)) + n));
        raw[o + 1] = Math.max(0, Math.min(255, (y / h) * 255 + n));
        raw[o + 2] = Math.max(0, Math.min(255, 128 + 90 * Math.cos((x + y * (k + 1)) / 90) + n));
      }
    }
    const jpeg = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 88 }).toBuffer();
    out.push(await decodeForModel(jpeg, size));
  }
  return out;
}

interface Case {
  name: string;
  what: string;
  /** what one input is, for the rate: images/s, texts/s, inputs/s */
  unit: 'images' | 'texts' | 'inputs';
  batch: number;
  inputs: EmbedInput[];
}

function makeCases(model: EmbeddingModel, images: RgbImage[], q: boolean): Case[] {
  const ins = model.instructions;
  const rand = rng(11);
  const n = (full: number, quick: number) => (q ? quick : full);
  const img = (i: number) => images[i % images.length];
  const range = (count: number) => Array.from({ length: count }, (_v, i) => i);
  const query = (i: number) => fill(i % 2 ? ins.retrieval_text_to_text.query : ins.retrieval_text_to_image.query, QUERIES[i % QUERIES.length]);
  // Find embeds the same text once per kind in one call
  const findQuery = (i: number) => fill(i % 2 ? ins.retrieval_text_to_text.query : ins.retrieval_text_to_image.query, QUERIES[(i >> 1) % QUERIES.length]);
  const imageText = (i: number) =>
    i % 2 ? fill(ins.grounding.query, CAPTIONS[(i >> 1) % CAPTIONS.length], img(i)) : fill(ins.vqa.query, QUESTIONS[(i >> 1) % QUESTIONS.length], img(i));
  return [
    {
      name: 'images',
      what: `photos (${ins.retrieval_text_to_image.target.trim() || 'no instruction'}), as indexing embeds them`,
      unit: 'images',
      batch: ENGINE_BATCH,
      inputs: range(n(64, 16)).map((i) => fill(ins.retrieval_text_to_image.target, '', img(i))),
    },
    {
      name: 'queries',
      what: '~8-word text queries (text->image and text->text query instructions)',
      unit: 'texts',
      batch: ENGINE_BATCH,
      inputs: range(n(128, 32)).map(query),
    },
    {
      name: 'queriesFind',
      what: 'one Find: the query embedded once per kind (photos, notes)',
      unit: 'texts',
      batch: 2,
      inputs: range(n(32, 8)).map(findQuery),
    },
    {
      name: 'notes',
      what: '100-300-word note texts, as indexing embeds note chunks',
      unit: 'texts',
      batch: ENGINE_BATCH,
      inputs: range(n(64, 16)).map(() => fill(ins.retrieval_text_to_text.target, proseWords(100 + Math.floor(rand() * 201), rand))),
    },
    {
      name: 'imageText',
      what: 'photo + question (vqa.query) / photo + caption (grounding.query)',
      unit: 'inputs',
      batch: ENGINE_BATCH,
      inputs: range(n(64, 16)).map(imageText),
    },
    {
      name: 'imageTextSingle',
      what: 'one Ask / Point at query: photo + question or caption',
      unit: 'inputs',
      batch: 1,
      inputs: range(n(16, 4)).map(imageText),
    },
  ];
}

/** Token counts the model would see, when the model can tell (vlm2vec's `tokens`). */
function tokenStats(model: EmbeddingModel, inputs: EmbedInput[]) {
  const m = model as EmbeddingModel & { tokens?: (x: EmbedInput) => number[]; cfg?: { maxTextTokens?: number } };
  if (typeof m.tokens !== 'function') return null;
  const lens = inputs.map((x) => (m.tokens as (x: EmbedInput) => number[]).call(m, x).length);
  const max = m.cfg?.maxTextTokens ?? null;
  const words = inputs.map((x) => `${x.instruction} ${x.text}`.trim().split(/\s+/).length);
  return {
    mean: r1(lens.reduce((s, x) => s + x, 0) / lens.length),
    max: Math.max(...lens),
    maxTextTokens: max,
    truncated: max === null ? null : lens.filter((l) => l >= max).length,
    meanWords: r1(words.reduce((s, x) => s + x, 0) / words.length),
  };
}

async function runCase(model: EmbeddingModel, c: Case, reps: number, warmupCalls: number) {
  const batches: EmbedInput[][] = [];
  for (let s = 0; s < c.inputs.length; s += c.batch) batches.push(c.inputs.slice(s, s + c.batch));
  for (let w = 0; w < warmupCalls; w++) {
    const out = await model.embed(batches[w % batches.length]);
    if (out.length !== batches[w % batches.length].length || out[0]?.length !== model.dim) throw new Error(`${c.name}: the model returned ${out.length} embeddings of ${out[0]?.length} values`);
  }
  const rates: number[] = [];
  const callMs: number[] = [];
  const c0 = cpuSeconds();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (const b of batches) {
      const s = performance.now();
      await model.embed(b);
      callMs.push(performance.now() - s);
    }
    rates.push(c.inputs.length / ((performance.now() - t0) / 1000));
  }
  const cpuMsPerInput = ((cpuSeconds() - c0) * 1000) / (reps * c.inputs.length);
  const med = median(rates);
  const min = Math.min(...rates);
  const max = Math.max(...rates);
  return {
    name: c.name,
    what: c.what,
    unit: c.unit,
    batch: c.batch,
    inputsPerRep: c.inputs.length,
    callsPerRep: batches.length,
    warmupCalls,
    reps,
    perSec: { median: r1(med), min: r1(min), max: r1(max) },
    spreadPct: r1(((max - min) / med) * 100),
    repsPerSec: rates.map(r1),
    msPerCall: { median: r3(median(callMs)), min: r3(Math.min(...callMs)), max: r3(Math.max(...callMs)) },
    /** CPU ms per input, every thread */
    cpuMsPerInput: r3(cpuMsPerInput),
    tokens: tokenStats(model, c.inputs),
  };
}

type CaseResult = Awaited<ReturnType<typeof runCase>>;

// ---------------------------------------------------------------- output

type Result = Awaited<ReturnType<typeof main>>;

function printTable(r: Result): void {
  const out: string[] = [];
  const sec = (t: string) => out.push('', t, '-'.repeat(t.length));
  const kv = (k: string, v: string | number) => out.push(`  ${k.padEnd(44)} ${v}`);
  const m = r.model;
  out.push(`Trove embedding benchmark  (${r.machine.cpus} CPUs ${r.machine.cpuModel}, node ${r.machine.node}${r.args.quick ? ', QUICK sizes' : ''})`);
  out.push(`load average at start ${r.machine.loadAvgAtStart.join(' ')}, at end ${r.machine.loadAvgAtEnd.join(' ')} (other work on the machine skews every figure)`);
  out.push(`model ${m.id} ${m.version} (${m.family}, dim ${m.dim}, image ${m.imageSize ? `${m.imageSize.width}x${m.imageSize.height}` : 'none'}) from ${m.dir}`);
  out.push(`running on ${m.provider} with ${m.threads} threads${m.tried.length ? ` (tried first: ${m.tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})` : ''}; loaded in ${m.loadSeconds} s`);

  sec(`(a) model time only: inputs prepared before timing; median of ${r.args.reps} repetitions after warm-up`);
  out.push(`  ${'case'.padEnd(17)}${'batch'.padStart(6)}${'median/s'.padStart(11)}${'min-max/s'.padStart(17)}${'spread'.padStart(9)}${'ms/call'.padStart(10)}${'tokens'.padStart(9)}${'cut'.padStart(6)}`);
  for (const c of r.embed) {
    const tok = c.tokens ? `${c.tokens.mean}` : 'n/a';
    const cut = c.tokens?.truncated === null || !c.tokens ? 'n/a' : `${c.tokens.truncated}/${c.inputsPerRep}`;
    out.push(
      `  ${c.name.padEnd(17)}${String(c.batch).padStart(6)}${`${c.perSec.median}`.padStart(11)}${`${c.perSec.min}-${c.perSec.max}`.padStart(17)}${`${c.spreadPct}%`.padStart(9)}${c.msPerCall.median.toFixed(1).padStart(10)}${tok.padStart(9)}${cut.padStart(6)}`,
    );
  }
  out.push('');
  for (const c of r.embed) out.push(`  ${c.name.padEnd(17)}${c.unit}/s: ${c.what}${c.tokens ? ` (~${c.tokens.meanWords} words with the instruction)` : ''}`);
  const maxTok = r.embed.find((c) => c.tokens?.maxTextTokens)?.tokens?.maxTextTokens;
  if (maxTok) out.push(`  tokens = mean text tokens per input; cut = inputs cut at the package's ${maxTok}-token limit`);

  if (r.library) {
    const l = r.library;
    sec(`Library: ${l.images} JPEGs ${l.width}x${l.height} (${l.distinctPhotos} distinct, ${r1(l.photoMegabytes)} MB) + ${l.notes} notes`);
    kv('generated in', `${r1(l.generateSeconds)} s`);
  }
  if (r.decode) {
    const a = r.decode;
    sec(`(b) sharp ceiling: read + decode + resize to the model's ${a.modelInput.width}x${a.modelInput.height} (sharp.concurrency=${a.sharpConcurrency})`);
    kv(`${a.inFlight} in flight`, `${a.decodeResize.imagesPerSec} img/s  (${a.decodeResize.megapixelsPerSec} MP/s, ${a.decodeResize.seconds} s)`);
    kv(`${a.inFlight} in flight, + 320px webp thumbnail`, `${a.decodeResizeWithThumbnail.imagesPerSec} img/s`);
    kv(`${a.inFlight} in flight, one decode -> thumb + input`, `${a.singleDecodeThumbnailAndModelInput.imagesPerSec} img/s (the engine's functions)`);
  }
  sec('(b) indexing through the real engine with the model above (same files, same run)');
  if (!r.engine) kv('skipped (--images 0 --notes 0)', '');
  else if (!r.engine.available) kv(r.engine.reason, '');
  else {
    const images = r.embed.find((c) => c.name === 'images');
    engineThroughputLines(r.engine, '(b) ceiling', kv, () => images && kv('(a) model-only images/s, for comparison', images.perSec.median));
  }
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

// ---------------------------------------------------------------- main

async function main(a: Args) {
  const work = mkdtempSync(join(tmpdir(), 'trove-bench-embed-'));
  const result = {
    args: { model: a.model, images: a.images, notes: a.notes, reps: a.reps, quick: a.quick, providers: PROVIDERS, threads: THREADS },
    machine: machineInfo(),
    model: null as unknown as {
      dir: string;
      id: string;
      version: string;
      family: string;
      dim: number;
      imageSize: { width: number; height: number } | null;
      provider: string;
      tried: { name: string; reason: string }[];
      threads: number;
      loadSeconds: number;
    },
    embed: [] as CaseResult[],
    library: null as null | { images: number; notes: number; width: number; height: number; distinctPhotos: number; photoMegabytes: number; generateSeconds: number },
    decode: null as null | Awaited<ReturnType<typeof decodeCeilingCore>>,
    engine: null as null | Awaited<ReturnType<typeof engineThroughput>>,
  };
  let model: EmbeddingModel | null = null;
  try {
    log(`loading ${a.model} (${PROVIDERS.join(', ')}, ${THREADS} threads)`);
    const t0 = performance.now();
    const loaded = await loadEngineWithPackage(a.model, { providers: PROVIDERS, threads: THREADS });
    model = loaded.model;
    result.model = {
      dir: a.model,
      id: model.id,
      version: model.version,
      family: model.family,
      dim: model.dim,
      imageSize: model.imageSize,
      provider: model.provider.name,
      tried: model.provider.tried,
      threads: THREADS,
      loadSeconds: r3((performance.now() - t0) / 1000),
    };

    // (a) model time only
    const images = model.imageSize ? await makeImages(8, model.imageSize) : [];
    const cases = makeCases(model, images, a.quick).filter((c) => images.length > 0 || !c.inputs.some((x) => x.image));
    for (const c of cases) {
      const calls = Math.ceil(c.inputs.length / c.batch);
      // the first calls of a shape allocate; small batches are cheap, so warm them more
      const warm = Math.max(2, c.batch <= 2 ? 4 : 0, a.quick ? 0 : calls);
      log(`(a) ${c.name}: ${c.inputs.length} inputs in batches of ${c.batch}, ${warm} warm-up call(s), ${a.reps} reps`);
      const res = await runCase(model, c, a.reps, warm);
      result.embed.push(res);
      log(`(a) ${c.name}: median ${res.perSec.median} ${c.unit}/s (${res.perSec.min}-${res.perSec.max}), ${res.msPerCall.median.toFixed(1)} ms/call`);
    }

    // (b) end to end
    if (a.images > 0 || a.notes > 0) {
      log(`generating ${a.images} photos + ${a.notes} notes in ${work}`);
      const lib: LibraryFixture = await makeLibrary(join(work, 'library'), { images: a.images, notes: a.notes });
      result.library = {
        images: lib.photos.length,
        notes: lib.notes.length,
        width: lib.width,
        height: lib.height,
        distinctPhotos: lib.distinctPhotos,
        photoMegabytes: lib.photoBytes / 2 ** 20,
        generateSeconds: lib.generateSeconds,
      };
      if (lib.photos.length > 0 && model.imageSize) result.decode = await decodeCeilingCore(lib, model.imageSize, 4, (line) => log(`(b) ceiling: ${line}`));
      log('(b) indexing through TroveEngine with the model');
      const d = result.decode;
      const images = result.embed.find((c) => c.name === 'images');
      const notes = result.embed.find((c) => c.name === 'notes');
      result.engine = await engineThroughput(
        lib,
        work,
        loaded,
        {
          decode: d?.decodeResize.imagesPerSec ?? null,
          decodeWithThumbnail: d?.decodeResizeWithThumbnail.imagesPerSec ?? null,
          serial:
            d && images && notes
              ? {
                  decodePerSec: d.singleDecodeThumbnailAndModelInput.imagesPerSec,
                  imageEmbedPerSec: images.perSec.median,
                  textEmbedPerSec: notes.perSec.median,
                  cpuMs: { decode: d.singleDecodeThumbnailAndModelInput.cpuMsPerImage, imageEmbed: images.cpuMsPerInput, textEmbed: notes.cpuMsPerInput },
                }
              : null,
        },
        jsonMode ? null : (line) => log(`(b) ${line}`),
      );
    }
  } finally {
    result.machine.loadAvgAtEnd = loadavg().map(r1);
    await model?.dispose();
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}

if (process.argv.includes('--model-shape')) {
  // a model's real dimensions with random weights (test/bench/qwen2vl-shape-bench.ts)
  shapeBench(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else runPackageBench();

function runPackageBench(): void {
  const args = parseArgs(process.argv.slice(2));
  jsonMode = args.json;
  if (!existsSync(join(args.model, 'manifest.json'))) {
    process.stderr.write(
      `[bench:embed] No model package in ${args.model} (no manifest.json).\n` +
        `[bench:embed] Train one with Trove's own trainer (see main/ml/models/vlm2vec/README.md and native-models/recipes/README.md):\n` +
        `[bench:embed]   npx tsx native-models/recipes/build-data.ts && npx tsx native-models/recipes/vision-trunk.ts\n` +
        `[bench:embed]   node --import tsx native-models/recipes/train-nano.ts --steps 1500 --batch 512 --chunk 64 --every 25   # writes native-models/vlm2vec-nano\n` +
        `[bench:embed] or, for throughput only (the weights do not change it), a smoke package in a minute:\n` +
        `[bench:embed]   node --import tsx native-models/recipes/train-nano.ts --work /tmp/nano/work --out /tmp/nano/pkg --limit 40 --batch 32 --chunk 16 --steps 3 --every 2 --warmup 1 --dropout 0\n` +
        `[bench:embed] and pass it with --model DIR (npm run bench:embed -- --model /tmp/nano/pkg).\n`,
    );
    process.exit(2);
  }
  main(args).then(
    (r) => {
      if (args.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else printTable(r);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
