// Photos of documents for measuring OCR: a receipt, ticket, letter, sign, wifi card, menu,
// label or poster is laid out as SVG in free fonts (document-layout.ts), rendered by
// sharp/librsvg and then "photographed" (document-camera.ts): laid on a surface (a real
// photo when given, else a procedural one) with a soft shadow, turned a few degrees (now
// and then by 90 or 180), seen in perspective, blurred, unevenly lit, noisy and saved as
// JPEG at a phone camera's size. Everything follows from the spec's seed.
//
//   const spec = sampleDocument('receipt', 7);
//   const { jpeg, text, lines } = await renderDocumentPhoto(spec);   // 4032x3024 by default
import sharp from 'sharp';
import { applyHomography, homography } from '../../../main/ml/perception/ocr/quad';
import { castShadow, lightAndNoise, photoSurface, surfaceTexture, SURFACES, warpOnto } from './document-camera';
import type { Point, RawRgb } from './document-camera';
import { installDocumentFonts } from './document-fonts';
import { layoutDocument, paperText } from './document-layout';
import type { DocumentSpec } from './document-content';
import { Rng } from './rng';

export { DOCUMENT_KINDS, documentText, sampleDocument } from './document-content';
export type { DocumentKind, DocumentSpec } from './document-content';

export interface PhotoOptions {
  width?: number;
  height?: number;
  /** a real photo to lay the paper on (any format sharp reads) */
  background?: Buffer;
  /** where the font packages are cached (default .trove-build/cache) */
  cacheDir?: string;
}

/** One printed line: its text and where it landed in the photo (4 corners, pixels, clockwise from the line's top-left). */
export interface PhotoLine {
  text: string;
  quad: [Point, Point, Point, Point];
}

export interface DocumentPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  /** the text as printed, one line per printed line (columns joined by a space) */
  text: string;
  lines: PhotoLine[];
}

const TALL = new Set(['receipt', 'letter', 'menu', 'poster']);

/** The frame-size fraction the document's longer side takes: mostly large, sometimes small. */
function framing(kind: string, r: Rng): number {
  const small = kind === 'sign' || kind === 'poster' || kind === 'wifi-card' ? 0.3 : 0.15;
  return r.next() < small ? r.range(0.25, 0.45) : r.range(0.55, 0.92);
}

export async function renderDocumentPhoto(spec: DocumentSpec, opts: PhotoOptions = {}): Promise<DocumentPhoto> {
  const fonts = await installDocumentFonts(opts.cacheDir);
  const r = new Rng(`photo:${spec.kind}:${spec.seed}`);
  const paper = await layoutDocument(spec, fonts, r.fork('layout'));

  // orientation of the paper in the frame: mostly upright, sometimes turned by 90 or 180
  const turn = r.next() < 0.8 ? 0 : r.pick([90, 180, 270]);
  const angle = ((turn + r.range(-7, 7)) * Math.PI) / 180;
  const tallPaper = paper.height > paper.width * 1.15;
  const sideways = turn === 90 || turn === 270;
  const portrait = opts.width === undefined && opts.height === undefined ? (tallPaper !== sideways ? r.next() < 0.85 : r.next() < 0.15) && TALL.has(spec.kind) : false;
  const W = opts.width ?? (portrait ? 3024 : 4032);
  const H = opts.height ?? (portrait ? 4032 : 3024);

  // the paper's size in pixels: its rotated bounding box takes `fill` of the frame
  const cos = Math.abs(Math.cos(angle)),
    sin = Math.abs(Math.sin(angle));
  const bw = paper.width * cos + paper.height * sin,
    bh = paper.width * sin + paper.height * cos;
  const fill = framing(spec.kind, r);
  const scale = Math.min((fill * W) / bw, (fill * H) / bh, (0.94 * W) / bw, (0.94 * H) / bh);
  const pw = Math.round(paper.width * scale),
    ph = Math.round(paper.height * scale);
  const svg = paper.svg.replace(/width="[\d.]+" height="[\d.]+">/, `width="${pw}" height="${ph}">`);
  const paperRgba = await sharp(Buffer.from(svg), { limitInputPixels: false }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });

  // corners: rotated about the centre, each pushed a little for perspective, kept inside the frame
  const persp = r.range(0, 0.07) * Math.max(pw, ph);
  const rect: Point[] = [
    [0, 0],
    [pw, 0],
    [pw, ph],
    [0, ph],
  ];
  let quad: Point[] = rect.map(([x, y]) => {
    const cx = x - pw / 2,
      cy = y - ph / 2;
    return [cx * Math.cos(angle) - cy * Math.sin(angle) + r.range(-persp, persp), cx * Math.sin(angle) + cy * Math.cos(angle) + r.range(-persp, persp)];
  });
  const xs = quad.map((p) => p[0]),
    ys = quad.map((p) => p[1]);
  const [qx0, qx1, qy0, qy1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const shrink = Math.min(1, (0.97 * W) / (qx1 - qx0), (0.97 * H) / (qy1 - qy0));
  const ox = r.range(-qx0 * shrink + W * 0.015, W - qx1 * shrink - W * 0.015);
  const oy = r.range(-qy0 * shrink + H * 0.015, H - qy1 * shrink - H * 0.015);
  quad = quad.map(([x, y]) => [x * shrink + ox, y * shrink + oy]);
  const h = homography(rect, quad);

  const frame: RawRgb = opts.background ? await photoSurface(opts.background, W, H) : await surfaceTexture(r.pick(SURFACES), W, H, r.fork('surface'));
  await castShadow(frame, quad, r);
  warpOnto(frame, { data: paperRgba.data, width: paperRgba.info.width, height: paperRgba.info.height }, h);

  let img = sharp(frame.data, { raw: { width: W, height: H, channels: 3 } });
  const blur = r.next() < 0.15 ? r.range(2, 3.5) : r.range(0.3, 1.6);
  img = img.blur(blur);
  const blurred: RawRgb = { data: await img.raw().toBuffer(), width: W, height: H };
  lightAndNoise(blurred, r);
  const jpeg = await sharp(blurred.data, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: r.int(72, 92), chromaSubsampling: '4:2:0' })
    .toBuffer();

  const lines: PhotoLine[] = paper.lines.map(({ text, box }) => {
    const corners: Point[] = [
      [box.x, box.y],
      [box.x + box.w, box.y],
      [box.x + box.w, box.y + box.h],
      [box.x, box.y + box.h],
    ];
    return { text, quad: corners.map(([x, y]) => applyHomography(h, [x * scale, y * scale])) as PhotoLine['quad'] };
  });
  return { jpeg, width: W, height: H, text: paperText(paper), lines };
}
