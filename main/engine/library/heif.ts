// HEIC photos (HEVC-coded HEIF, the iPhone's format). sharp's prebuilt libvips reads their
// header and EXIF but has no HEVC decoder, so their pixels come from libheif (LGPL-3.0)
// built to WebAssembly (libheif-js), through heic-decode. libheif applies the file's
// irot / imir / clap transformations, so the pixels come out upright; the EXIF Orientation
// a phone also writes is informative only in HEIF and is not applied on top (sharp reports
// no orientation for HEIF either).
//
// The wasm decode is synchronous and slow (seconds for a 12 MP photo on a busy laptop
// core: npx tsx test/bench/heic-bench.ts), so it runs in a worker thread: the engine keeps
// answering while a HEIC decodes, and sharp's work on the previous photo overlaps it. One
// decode at a time (a 12 MP photo is 48 MB of RGBA, and libheif's heap grows to its
// largest photo); the worker, and with it that heap, goes away after a short idle spell.
import { Worker } from 'node:worker_threads';
import type sharp from 'sharp';
import { UnreadableFile } from './fs-errors';

/** An ISO base media file (HEIF, HEIC, AVIF): starts with an `ftyp` box. */
export function isIsoMediaFile(buf: Uint8Array): boolean {
  return buf.length >= 12 && buf[4] === 0x66 && buf[5] === 0x74 && buf[6] === 0x79 && buf[7] === 0x70;
}

/** HEIF whose image sharp cannot decode (HEVC); AVIF (AV1) sharp decodes itself. */
export function needsLibheif(meta: sharp.Metadata): boolean {
  return meta.format === 'heif' && meta.compression === 'hevc';
}

/** Decoded pixels: RGBA, 4 bytes per pixel, rows top to bottom, upright. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Buffer;
}

/** The worker ends after this long without a HEIC to decode, releasing libheif's heap. */
export const HEIF_WORKER_IDLE_MS = 10_000;

// The worker's code, plain CommonJS (it runs from source under tsx and vitest as well as
// from the build); heic-decode is resolved by the engine so that the worker loads the same copy.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const decode = require(workerData.heicDecode);
parentPort.on('message', async ({ buf, primary }) => {
  let images;
  try {
    images = await decode.all({ buffer: buf });
    const image = images[primary] || images[0];
    if (!image) throw new Error('the file holds no image');
    const px = await image.decode();
    parentPort.postMessage({ width: px.width, height: px.height, data: px.data }, [px.data.buffer]);
  } catch (err) {
    parentPort.postMessage({ error: err && err.message ? err.message : String(err) });
  } finally {
    if (images) images.dispose();
  }
});
`;

/** heic-decode's entry; in the packaged app, its unpacked copy beside the asar archive (electron-builder.yml asarUnpack) */
function heicDecodePath(): string {
  return require.resolve('heic-decode').replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

type Reply = { width: number; height: number; data: Uint8ClampedArray } | { error: string };

class HeifWorker {
  private worker: Worker | null = null;
  private idle: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** what libheif printed (it reports parse errors on stdout) since the last request began */
  private printed = '';

  decode(buf: Uint8Array, primary: number): Promise<RgbaPixels> {
    const run = this.queue.then(() => this.request(buf, primary));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private start(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { heicDecode: heicDecodePath() }, stdout: true });
    w.stdout.on('data', (chunk: Buffer) => (this.printed = (this.printed + chunk.toString('utf8')).slice(-2000)));
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
    });
    w.on('error', () => undefined); // reported to the request in flight, if any; the next request starts a new worker
    return w;
  }

  private request(buf: Uint8Array, primary: number): Promise<RgbaPixels> {
    if (this.idle) clearTimeout(this.idle);
    const w = (this.worker ??= this.start());
    this.printed = '';
    w.ref();
    return new Promise<RgbaPixels>((resolve, reject) => {
      const done = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        w.unref();
        this.idle = setTimeout(() => {
          if (this.worker === w) this.worker = null;
          void w.terminate();
        }, HEIF_WORKER_IDLE_MS).unref();
      };
      const fail = (why: string) => {
        const said = this.printed.trim().split('\n').pop();
        reject(new UnreadableFile(`the HEIC photo could not be decoded by libheif (${why}${said ? `: ${said}` : ''}); the file may be damaged`));
      };
      const onMessage = (r: Reply) => {
        done();
        if ('error' in r) return fail(r.error);
        resolve({ width: r.width, height: r.height, data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength) });
      };
      const onError = (err: Error) => {
        done();
        fail(`the decoder failed: ${err.message}`);
      };
      const onExit = (code: number) => {
        done();
        fail(`the decoder stopped with code ${code}`);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ buf, primary });
    });
  }
}

const heif = new HeifWorker();

/**
 * The pixels of the file's primary image (`primary`: its index among the top-level images,
 * as sharp's `pagePrimary` gives it), decoded by libheif in the worker.
 */
export function decodeHeicPixels(buf: Uint8Array, primary = 0): Promise<RgbaPixels> {
  return heif.decode(buf, primary);
}
