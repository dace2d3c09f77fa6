// npx tsx test/bench/ocr-bench.ts [--per-kind N] [--side PX] [--engines ppocr,tesseract]
//     [--config JSON] [--min-conf N] [--json]
//
// Figures, not a test: how well and how fast a text reader reads document photos, and what
// it costs on photos with no text. Photos: --per-kind (default 5) rendered document photos of
// each of the 8 kinds (native-models/recipes/lib/document-photos.ts: 12 MP phone-camera
// photos, every third laid on one of the real coral test photos; rendered once into
// .trove-build/ocr-bench/, seeds 100..), and the 11 real photos of
// test/fixtures/photos/coral (no text to speak of). Each photo is decoded as the engine
// hands it to the reader: EXIF-rotated, longer side --side (default 2048); decoding is not
// timed.
//   ppocr      Trove's reader (main/ml/perception/ocr, package native-models/ppocr-v4) on the
//              CPU, 2 intra-op threads, photos one after another; --config merges JSON into
//              the package config (e.g. '{"detection":{"side":1280}}') to compare settings.
//   tesseract  tesseract.js 7 with @tesseract.js-data/eng (4.0.0_best_int, LSTM), offline:
//              2 workers (each single-threaded wasm) reading 2 photos at a time, the same
//              decoded image given as PNG; lines below --min-conf (default 60) are dropped.
// Scores (main/ml/eval/ocr-metrics.ts): CER = edit operations / printed characters, read
// lines matched to printed lines by place (order does not count, merges and stray text
// do); words = share of printed words found among the words read (what search sees).
// ms/photo = wall time of the whole set / photos; for ppocr also the median of gate,
// detection and recognition. Other work on the machine slows every figure: the load average
// is printed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { addScores, cer, scoreOcr, wordRecall } from '../../main/ml/eval/ocr-metrics';
import type { OcrScore, ReadLine, TruthLine } from '../../main/ml/eval/ocr-metrics';
import { loadTextReader } from '../../main/ml/perception/ocr/reader';
import type { RgbImage } from '../../main/ml/perception/types';
import { DOCUMENT_KINDS, renderDocumentPhoto, sampleDocument } from '../../native-models/recipes/lib/document-photos';
import { machineInfo, median, r1, r3 } from './bench-util';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const PER_KIND = Number(opt('per-kind', '5'));
const SIDE = Number(opt('side', '2048'));
const ENGINES = opt('engines', 'ppocr,tesseract').split(',');
const CONFIG = JSON.parse(opt('config', '{}')) as Record<string, Record<string, unknown>>;
const MIN_CONF = Number(opt('min-conf', '60'));
const JSON_OUT = args.includes('--json');
const CACHE = resolve('.trove-build/ocr-bench');
const CORAL = resolve('test/fixtures/photos/coral');
/** the coral photo that shows a real till receipt: read on its own, never a background or a no-text photo */
const REAL_RECEIPT = 'hot_dog.jpg';
/** the words on it a person reads at its 512 x 384 pixels */
const REAL_RECEIPT_WORDS = ['snack', 'nook', 'las', 'vegas', 'date', 'hotdog', 'tax1', 'total', 'cash', 'change', 'clerk'];
const coralPhotos = () => readdirSync(CORAL).filter((f) => /\.(jpg|png)$/.test(f) && f !== REAL_RECEIPT).sort();

interface Photo {
  name: string;
  kind: string;
  truth: TruthLine[];
  image: RgbImage;
  png?: Buffer;
}

const log = (s: string) => {
  if (!JSON_OUT) console.log(s);
};

async function decode(buf: Buffer): Promise<{ image: RgbImage; scale: number }> {
  const meta = await sharp(buf).rotate().metadata();
  const { data, info } = await sharp(buf).rotate().resize(SIDE, SIDE, { fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const w = meta.autoOrient?.width ?? meta.width!;
  return { image: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }, scale: info.width / w };
}

/** The document photos, rendered once into the cache. */
async function documentPhotos(): Promise<Photo[]> {
  mkdirSync(CACHE, { recursive: true });
  const coral = coralPhotos();
  const photos: Photo[] = [];
  let n = 0;
  for (const kind of DOCUMENT_KINDS) {
    for (let i = 0; i < PER_KIND; i++, n++) {
      const seed = 100 + i;
      const bg = n % 3 === 2 ? coral[n % coral.length]! : null;
      const name = `${kind}-${seed}${bg ? `-on-${bg.replace(/\.\w+$/, '')}` : ''}`;
      const jpg = join(CACHE, `${name}.jpg`),
        meta = join(CACHE, `${name}.json`);
      if (!existsSync(jpg) || !existsSync(meta)) {
        const t = Date.now();
        const p = await renderDocumentPhoto(sampleDocument(kind, seed), bg ? { background: readFileSync(join(CORAL, bg)) } : {});
        writeFileSync(jpg, p.jpeg);
        writeFileSync(meta, JSON.stringify({ width: p.width, height: p.height, lines: p.lines }));
        log(`  rendered ${name} (${Date.now() - t} ms)`);
      }
      const truth = JSON.parse(readFileSync(meta, 'utf8')) as { lines: TruthLine[] };
      const { image, scale } = await decode(readFileSync(jpg));
      const scaled = truth.lines.map((l) => ({ text: l.text, quad: l.quad.map(([x, y]) => [x * scale, y * scale]) as unknown as TruthLine['quad'] }));
      photos.push({ name, kind, truth: scaled, image });
    }
  }
  return photos;
}

async function plainPhotos(): Promise<Photo[]> {
  return Promise.all(coralPhotos().map(async (f) => ({ name: f, kind: 'no text', truth: [], image: (await decode(readFileSync(join(CORAL, f)))).image })));
}

interface Result {
  photo: Photo;
  lines: ReadLine[];
  ms: number;
  stage?: { gateMs: number; detectMs: number; recognizeMs: number };
}

async function runPpocr(photos: Photo[]): Promise<{ results: Result[]; wallMs: number }> {
  const reader = await loadTextReader(resolve('native-models/ppocr-v4'), { providers: ['cpu'], threads: 2 }, CONFIG);
  await reader.read(photos[0]!.image); // warm-up: first runs allocate
  const results: Result[] = [];
  const t0 = performance.now();
  for (const photo of photos) {
    const t = performance.now();
    const { lines, stats } = await reader.readWithStats(photo.image);
    results.push({ photo, lines, ms: performance.now() - t, stage: stats });
  }
  const wallMs = performance.now() - t0;
  await reader.dispose();
  return { results, wallMs };
}

async function runTesseract(photos: Photo[]): Promise<{ results: Result[]; wallMs: number }> {
  const { createWorker, OEM } = await import('tesseract.js');
  const langPath = join(resolve('node_modules/@tesseract.js-data/eng'), '4.0.0_best_int');
  const cachePath = join(CACHE, 'tesseract-cache');
  mkdirSync(cachePath, { recursive: true });
  const workers = await Promise.all([0, 1].map(() => createWorker('eng', OEM.LSTM_ONLY, { langPath, cachePath, gzip: true, cacheMethod: 'none' })));
  for (const p of photos) p.png = await sharp(Buffer.from(p.image.data), { raw: { width: p.image.width, height: p.image.height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  await workers[0]!.recognize(photos[0]!.png!);
  const results: Result[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    workers.map(async (w) => {
      while (next < photos.length) {
        const photo = photos[next++]!;
        const t = performance.now();
        const { data } = await w.recognize(photo.png!, {}, { blocks: true });
        const lines: ReadLine[] = [];
        for (const b of data.blocks ?? [])
          for (const p of b.paragraphs)
            for (const l of p.lines) {
              if (l.confidence < MIN_CONF || !l.text.trim()) continue;
              const { x0, y0, x1, y1 } = l.bbox;
              lines.push({ text: l.text.trim(), box: { x: x0 / photo.image.width, y: y0 / photo.image.height, width: (x1 - x0) / photo.image.width, height: (y1 - y0) / photo.image.height } });
            }
        results.push({ photo, lines, ms: performance.now() - t });
      }
    }),
  );
  const wallMs = performance.now() - t0;
  await Promise.all(workers.map((w) => w.terminate()));
  return { results, wallMs };
}

function summarise(engine: string, docs: { results: Result[]; wallMs: number }, plain: { results: Result[]; wallMs: number }) {
  const scored = docs.results.map((r) => ({ kind: r.photo.kind, name: r.photo.name, score: scoreOcr(r.photo.truth, r.lines, r.photo.image.width, r.photo.image.height) }));
  const byKind: Record<string, { cer: number; words: number; photos: number }> = {};
  for (const kind of DOCUMENT_KINDS) {
    const s = addScores(scored.filter((x) => x.kind === kind).map((x) => x.score));
    byKind[kind] = { cer: r3(cer(s)), words: r3(wordRecall(s)), photos: scored.filter((x) => x.kind === kind).length };
  }
  const all: OcrScore = addScores(scored.map((x) => x.score));
  const stage = (k: 'gateMs' | 'detectMs' | 'recognizeMs', rs: Result[]) => (rs[0]?.stage ? r1(median(rs.map((r) => r.stage![k]))) : null);
  return {
    engine,
    cer: r3(cer(all)),
    wordRecall: r3(wordRecall(all)),
    insertedChars: all.inserted,
    byKind,
    perPhoto: scored.map((x) => ({ name: x.name, cer: r3(cer(x.score)), words: r3(wordRecall(x.score)) })),
    documents: { photos: docs.results.length, msPerPhoto: r1(docs.wallMs / docs.results.length), medianMs: r1(median(docs.results.map((r) => r.ms))), gateMs: stage('gateMs', docs.results), detectMs: stage('detectMs', docs.results), recognizeMs: stage('recognizeMs', docs.results) },
    noText: {
      photos: plain.results.length,
      msPerPhoto: r1(plain.wallMs / plain.results.length),
      medianMs: r1(median(plain.results.map((r) => r.ms))),
      gateMs: stage('gateMs', plain.results),
      photosWithLines: plain.results.filter((r) => r.lines.length > 0).length,
      lines: plain.results.flatMap((r) => r.lines.map((l) => `${r.photo.name}: ${l.text}`)),
    },
  };
}

async function main() {
  const machine = machineInfo();
  log(`ocr-bench: ${PER_KIND} photos per kind, decoded to ${SIDE} px; engines ${ENGINES.join(', ')}; config ${JSON.stringify(CONFIG)}`);
  const docs = await documentPhotos();
  const plain = await plainPhotos();
  const receipt: Photo = { name: REAL_RECEIPT, kind: 'real receipt', truth: [], image: (await decode(readFileSync(join(CORAL, REAL_RECEIPT)))).image };
  const out = [];
  for (const engine of ENGINES) {
    const run = engine === 'ppocr' ? runPpocr : engine === 'tesseract' ? runTesseract : null;
    if (!run) throw new Error(`unknown engine ${engine}; expected ppocr or tesseract`);
    const s = summarise(engine, await run(docs), await run(plain));
    const real = (await run([receipt])).results[0]!.lines.map((l) => l.text);
    const realWords = new Set(real.join(' ').toLowerCase().split(/[^a-z0-9]+/));
    const realReceipt = { found: REAL_RECEIPT_WORDS.filter((w) => realWords.has(w)), of: REAL_RECEIPT_WORDS.length, lines: real };
    out.push({ ...s, realReceipt });
    log(`\n${engine}: CER ${s.cer}, words found ${s.wordRecall}, stray characters ${s.insertedChars}`);
    log(`  ${'kind'.padEnd(10)} ${'CER'.padStart(6)} ${'words'.padStart(6)}`);
    for (const [k, v] of Object.entries(s.byKind)) log(`  ${k.padEnd(10)} ${String(v.cer).padStart(6)} ${String(v.words).padStart(6)}`);
    const d = s.documents,
      n = s.noText;
    log(`  documents: ${d.msPerPhoto} ms/photo (median ${d.medianMs}${d.gateMs !== null ? `; gate ${d.gateMs}, detect ${d.detectMs}, recognise ${d.recognizeMs}` : ''})`);
    log(`  no text:   ${n.msPerPhoto} ms/photo (median ${n.medianMs}); ${n.photosWithLines} of ${n.photos} photos gave lines${n.lines.length ? `: ${n.lines.slice(0, 6).join(' | ')}` : ''}`);
    log(`  real receipt (${REAL_RECEIPT}): ${realReceipt.found.length} of ${realReceipt.of} words (${realReceipt.found.join(' ')}); read: ${real.join(' | ')}`);
    log(`  worst: ${[...s.perPhoto].sort((a, b) => b.cer - a.cer).slice(0, 5).map((p) => `${p.name} ${p.cer}`).join(', ')}`);
  }
  machine.loadAvgAtEnd = loadavg().map(r1);
  log(`\nmachine: ${machine.cpus} x ${machine.cpuModel}; load average ${machine.loadAvgAtStart.join(' ')} -> ${machine.loadAvgAtEnd.join(' ')}`);
  if (JSON_OUT) console.log(JSON.stringify({ machine, perKind: PER_KIND, side: SIDE, config: CONFIG, engines: out }, null, 2));
}

void main();
