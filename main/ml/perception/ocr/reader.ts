// Trove's text reader: PP-OCRv4 detection, line orientation and recognition run by
// Trove's own ONNX runtime. A photo is first looked at small (the gate): most photos hold
// no text, and for them that one cheap detector run is all the work. Only when the gate
// finds text does the detector look again at full size, and only the lines it finds are
// cropped, turned upright and recognised.
import { readFileSync } from 'node:fs';
import { createSession } from '../../runtime/session';
import type { Session } from '../../runtime/session';
import { ModelPackageError } from '../../models/model-package';
import { readPerceptionPackage } from '../package';
import type { OcrLine, PerceptionLoadOptions, RgbImage, TextReader } from '../types';
import { OcrConfig } from './config';
import { charsetFromKeys, ctcGreedyDecode, isLatinChar, restrictCharset, textWithSpaces } from './ctc';
import type { Charset } from './ctc';
import { boxesFromMap } from './db-postprocess';
import type { TextBox } from './db-postprocess';
import { cropQuad, detectorSize, lineBatch, resizeRgb, rotateCcw, rotateHalf, toBgrTensor } from './image';
import { quadSize } from './quad';
import type { Point, Quad } from './quad';
import { readingOrder } from './reading-order';

export interface ReadStats {
  gateMs: number;
  /** 0 when the gate found no text */
  detectMs: number;
  recognizeMs: number;
  /** boxes the full-size detector found (recognised, before the confidence filter) */
  boxes: number;
}

interface Sessions {
  detect: Session;
  recognize: Session;
  orient: Session | null;
}

export class PaddleTextReader implements TextReader {
  constructor(
    readonly id: string,
    readonly version: string,
    private readonly sessions: Sessions,
    private readonly config: OcrConfig,
    private readonly charset: Charset,
  ) {}

  async read(image: RgbImage): Promise<OcrLine[]> {
    return (await this.readWithStats(image)).lines;
  }

  /** read(), and where the time went */
  async readWithStats(image: RgbImage): Promise<{ lines: OcrLine[]; stats: ReadStats }> {
    checkImage(image);
    const stats: ReadStats = { gateMs: 0, detectMs: 0, recognizeMs: 0, boxes: 0 };
    let t = performance.now();
    const { gateSide, side } = this.config.detection;
    const gate = await this.detect(image, gateSide);
    stats.gateMs = performance.now() - t;
    if (gate.length === 0) return { lines: [], stats };
    t = performance.now();
    const boxes = side > gateSide ? await this.detect(image, side) : gate;
    stats.detectMs = performance.now() - t;
    stats.boxes = boxes.length;
    t = performance.now();
    const lines = await this.recognize(image, boxes);
    stats.recognizeMs = performance.now() - t;
    return { lines, stats };
  }

  /** Text boxes in image pixels, the detector seeing the image with its longer side at most `side`. */
  async detect(image: RgbImage, side: number): Promise<TextBox[]> {
    const d = this.config.detection;
    const size = detectorSize(image.width, image.height, side);
    const small = await resizeRgb(image, size.width, size.height);
    const out = await this.sessions.detect.run({ x: { dtype: 'float32', data: toBgrTensor(small, d.mean, d.std), dims: [1, 3, size.height, size.width] } });
    const map = Object.values(out)[0]!;
    const [, , mh, mw] = map.dims as number[];
    return boxesFromMap({ data: map.data as Float32Array, width: mw!, height: mh! }, image.width, image.height, d);
  }

  private async recognize(image: RgbImage, boxes: TextBox[]): Promise<OcrLine[]> {
    const { height, maxWidth, batch, minScore, spaceThreshold } = this.config.recognition;
    // each box straightened to the recognizer's height; tall boxes hold vertical lines and are turned a quarter
    const crops = boxes.map((b) => {
      const q = quadSize(b.quad);
      const vertical = q.height >= 1.5 * q.width;
      const long = Math.max(1, Math.min(maxWidth, Math.round((height * (vertical ? q.height : q.width)) / Math.max(1, vertical ? q.width : q.height))));
      const img = vertical ? rotateCcw(cropQuad(image, b.quad, height, long)) : cropQuad(image, b.quad, long, height);
      return { box: b, img, vertical, flipped: false };
    });
    if (this.sessions.orient) {
      const w = this.config.orientation.width;
      for (let i = 0; i < crops.length; i += batch) {
        const part = crops.slice(i, i + batch);
        const out = await this.sessions.orient.run({ x: { dtype: 'float32', data: await lineBatch(part.map((c) => c.img), height, w), dims: [part.length, 3, height, w] } });
        const p = Object.values(out)[0]!.data as Float32Array;
        part.forEach((c, j) => {
          if (p[j * 2 + 1]! >= this.config.orientation.threshold) {
            c.img = rotateHalf(c.img);
            c.flipped = true;
          }
        });
      }
    }
    const order = crops.map((_, i) => i).sort((a, b) => crops[a]!.img.width - crops[b]!.img.width);
    const found: { line: OcrLine; direction: Point; center: Point; height: number }[] = [];
    for (let i = 0; i < order.length; i += batch) {
      const part = order.slice(i, i + batch).map((k) => crops[k]!);
      const w = Math.max(...part.map((c) => c.img.width));
      const out = await this.sessions.recognize.run({ x: { dtype: 'float32', data: await lineBatch(part.map((c) => c.img), height, w), dims: [part.length, 3, height, w] } });
      const probs = Object.values(out)[0]!;
      const [, steps, classes] = probs.dims as number[];
      part.forEach((c, j) => {
        const dec = ctcGreedyDecode(probs.data as Float32Array, steps!, classes!, this.charset, j * steps! * classes!);
        const text = textWithSpaces(dec, spaceThreshold).replace(/\s+/g, ' ').trim();
        if (dec.score < minScore || !/[\p{L}\p{N}]/u.test(text)) return;
        const size = quadSize(c.box.quad);
        found.push({
          line: { text, score: dec.score, box: fractionBox(c.box.quad, image) },
          direction: readingDirection(c.box.quad, c.vertical, c.flipped),
          center: centre(c.box.quad),
          height: c.vertical ? size.width : size.height,
        });
      });
    }
    return readingOrder(found).map((f) => f.line);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.sessions.detect.release(), this.sessions.recognize.release(), this.sessions.orient?.release()]);
  }
}

function checkImage(image: RgbImage): void {
  if (!(image.width > 0 && image.height > 0) || image.data.length !== image.width * image.height * 3) {
    throw new Error(`read() needs an RGB image with width * height * 3 bytes; got ${image.width}x${image.height} with ${image.data.length} bytes`);
  }
}

const centre = (q: Quad): Point => [(q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4, (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4];

/** The direction the line reads in, in image coordinates, given how its crop was turned upright. */
function readingDirection(q: Quad, vertical: boolean, flipped: boolean): Point {
  // a vertical crop is turned counter-clockwise, so its text runs from the top-left corner towards the bottom-left
  const to = vertical ? q[3] : q[1];
  const v: Point = [to[0] - q[0][0], to[1] - q[0][1]];
  return flipped ? [-v[0], -v[1]] : v;
}

function fractionBox(q: Quad, image: RgbImage): OcrLine['box'] {
  const xs = q.map((p) => p[0]),
    ys = q.map((p) => p[1]);
  const x0 = Math.max(0, Math.min(...xs)),
    y0 = Math.max(0, Math.min(...ys));
  const x1 = Math.min(image.width, Math.max(...xs)),
    y1 = Math.min(image.height, Math.max(...ys));
  return { x: x0 / image.width, y: y0 / image.height, width: (x1 - x0) / image.width, height: (y1 - y0) / image.height };
}

/** Settings to lay over the package's config, section by section (benchmarks compare settings with it). */
export type OcrConfigOverride = Record<string, Record<string, unknown>>;

/** Loads an OCR package (kind "ocr": graphs detect, recognize and optionally orient; config per config.ts). */
export async function loadTextReader(dir: string, options: PerceptionLoadOptions = {}, override: OcrConfigOverride = {}): Promise<PaddleTextReader> {
  const pkg = await readPerceptionPackage(dir, { kind: 'ocr' });
  const merged: Record<string, unknown> = { ...pkg.manifest.config };
  for (const [section, values] of Object.entries(override)) merged[section] = { ...(merged[section] as object | undefined), ...values };
  const parsed = OcrConfig.safeParse(merged);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ModelPackageError(`The OCR package ${pkg.manifest.id} has an invalid config at "${first.path.join('.')}": ${first.message}. Reinstall the package.`);
  }
  const config = parsed.data;
  const { detect, recognize, orient } = pkg.manifest.graphs;
  if (!detect || !recognize) throw new ModelPackageError(`The OCR package ${pkg.manifest.id} must name a "detect" and a "recognize" graph. Reinstall the package.`);
  if (!(config.keys in pkg.manifest.files)) throw new ModelPackageError(`The OCR package ${pkg.manifest.id} names the keys file ${config.keys} but gives no SHA-256 for it. Reinstall the package.`);
  const so = { intraOpNumThreads: options.threads ?? 2, ...(options.providers ? { providers: options.providers } : {}) };
  const sessions: Sessions = {
    detect: await createSession(pkg.path(detect), so),
    recognize: await createSession(pkg.path(recognize), so),
    orient: orient ? await createSession(pkg.path(orient), so) : null,
  };
  let charset = charsetFromKeys(readFileSync(pkg.path(config.keys), 'utf8'), { useSpaceChar: config.recognition.useSpaceChar });
  if (config.recognition.charset === 'latin') charset = restrictCharset(charset, isLatinChar);
  return new PaddleTextReader(pkg.manifest.id, pkg.manifest.version, sessions, config, charset);
}
