// npx tsx test/bench/heic-bench.ts [--runs N] [--json]
//
// Figures, not a test: what a HEIC photo costs to decode (libheif built to wasm, through
// heic-decode, main/engine/library/heif.ts) next to the same pixels as a JPEG (sharp), on
// the committed fixture (1.2 MP) and on a phone-sized 12 MP photo: the bench library's
// photo (test/bench/library-fixture.ts, 4000 x 3000, gradients + noise like a phone's
// JPEG) encoded once by Debian's heif-enc (fetched by native-models/recipes/
// make-heic-fixtures.ts into .trove-build/cache; the encoding is cached there too).
// Per photo: libheif's decode alone (in its worker thread, with the transfer back), the
// engine's indexing decode (decodeIntermediate to the thumbnail/model intermediate, 320 px)
// for HEIC and JPEG, the longest event-loop stall of the engine's thread during HEIC
// decodes, and the process's memory (the worker's wasm heap included).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { decodeHeicPixels } from '../../main/engine/library/heif';
import { decodeIntermediate } from '../../main/engine/library/images';
import { heifTools } from '../../native-models/recipes/make-heic-fixtures';
import { machineInfo, median, r1 } from './bench-util';
import { makeLibrary } from './library-fixture';

const REPO = resolve(__dirname, '..', '..');
const CACHE = join(REPO, '.trove-build', 'cache');

interface Photo {
  name: string;
  heic: Buffer;
  jpeg: Buffer;
}

function args(argv: string[]): { runs: number; json: boolean } {
  const a = { runs: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') a.runs = Math.max(1, Number(argv[++i]));
    else if (argv[i] === '--json') a.json = true;
    else throw new Error(`unknown argument ${argv[i]} (known: --runs N, --json)`);
  }
  return a;
}

/** The 12 MP photo as JPEG and as HEIC (encoded once, then read from the cache). */
async function phonePhoto(): Promise<Photo> {
  const dir = join(CACHE, 'heic-bench');
  const heic = join(dir, 'photo-12mp.heic');
  const jpeg = join(dir, 'photos', 'IMG_00000.jpg');
  if (!existsSync(heic) || !existsSync(jpeg)) {
    mkdirSync(dir, { recursive: true });
    await makeLibrary(dir, { images: 1, notes: 0 });
    console.error('encoding the 12 MP photo with heif-enc (once; a minute or two)...');
    heifTools(CACHE).heifEnc(['-q', '50', '-o', heic, jpeg]);
  }
  return { name: '12.0 MP (4000x3000)', heic: readFileSync(heic), jpeg: readFileSync(jpeg) };
}

/** Median wall ms per call, and median CPU ms of the whole process (the worker thread included: load-independent). */
async function timed(runs: number, work: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    await work();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const mb = (bytes: number) => r1(bytes / 1024 / 1024);

async function measure(p: Photo, runs: number) {
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  const libheifMs = await timed(runs, () => decodeHeicPixels(p.heic));
  stall.disable();
  const heicIndexMs = await timed(runs, () => decodeIntermediate(p.heic, 320));
  const jpegIndexMs = await timed(runs, () => decodeIntermediate(p.jpeg, 320));
  const px = await decodeHeicPixels(p.heic);
  return {
    photo: p.name,
    heicBytes: p.heic.length,
    jpegBytes: p.jpeg.length,
    rgbaMB: mb(px.data.length),
    libheifDecodeMs: r1(libheifMs.wall),
    libheifDecodeCpuMs: r1(libheifMs.cpu),
    heicIndexingDecodeMs: r1(heicIndexMs.wall),
    heicIndexingDecodeCpuMs: r1(heicIndexMs.cpu),
    jpegIndexingDecodeMs: r1(jpegIndexMs.wall),
    jpegIndexingDecodeCpuMs: r1(jpegIndexMs.cpu),
    longestEventLoopStallMs: r1(stall.max / 1e6),
  };
}

async function main() {
  const a = args(process.argv.slice(2));
  const machine = machineInfo();
  const rss0 = process.memoryUsage().rss;
  const fixture = readFileSync(join(REPO, 'test', 'fixtures', 'photos', 'heic', 'south-haven-kite.heic'));
  const photos: Photo[] = [
    { name: '1.2 MP (1352x900, the committed fixture)', heic: fixture, jpeg: readFileSync(join(REPO, 'test', 'fixtures', 'photos', 'coral', 'kite_and_cold.jpg')) },
    await phonePhoto(),
  ];
  const rows = [];
  let peakRss = 0;
  const poll = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  for (const p of photos) rows.push(await measure(p, a.runs));
  clearInterval(poll);
  const memory = { rssAtStartMB: mb(rss0), peakRssMB: mb(peakRss), rssAtEndMB: mb(process.memoryUsage().rss) };
  machine.loadAvgAtEnd = (await import('node:os')).loadavg().map(r1);
  if (a.json) {
    console.log(JSON.stringify({ machine, runs: a.runs, rows, memory }));
    return;
  }
  console.log(`HEIC decode (libheif wasm via heic-decode, in a worker thread), median of ${a.runs}; ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAvgAtStart.join(' ')}`);
  for (const r of rows) {
    console.log(
      `  ${r.photo}: HEIC ${(r.heicBytes / 1e6).toFixed(2)} MB -> ${r.rgbaMB} MB RGBA; libheif decode ${r.libheifDecodeMs} ms/photo wall, ${r.libheifDecodeCpuMs} CPU-ms ` +
        `(the engine's event loop stalled up to ${r.longestEventLoopStallMs} ms); indexing decode (to the 320 px intermediate) ${r.heicIndexingDecodeMs} ms wall, ${r.heicIndexingDecodeCpuMs} CPU-ms as HEIC ` +
        `vs ${r.jpegIndexingDecodeMs} ms wall, ${r.jpegIndexingDecodeCpuMs} CPU-ms for the same photo as a ${(r.jpegBytes / 1e6).toFixed(2)} MB JPEG (${r1(r.heicIndexingDecodeCpuMs / r.jpegIndexingDecodeCpuMs)}x the CPU)`,
    );
  }
  console.log(`  memory: RSS ${memory.rssAtStartMB} MB at start, peak ${memory.peakRssMB} MB, ${memory.rssAtEndMB} MB at the end (libheif's wasm heap grows to the largest photo and stays until the worker idles out)`);
}

void main();
