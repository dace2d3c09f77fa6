// Turning a source into the file a phone would have written: the picture upright, cropped
// to the camera's 4:3 (or 3:4), at the planned size, its pixels stored turned when the
// EXIF orientation says so, JPEG-encoded, with the EXIF block (camera, dates, GPS).
import sharp from 'sharp';
import { renderDocumentPhoto } from '../lib/document-photos';
import type { Rng } from '../lib/rng';
import { withExif } from './camera-roll';
import { composeCutouts, type Background, type Cutout } from './cutouts';
import type { DocumentEntry } from './documents';
import type { Placement } from './layout';
import type { SourcePhoto } from './photos';

/** the pixels as stored, turned so that applying the orientation tag shows them upright */
const STORE_TURN: Record<Placement['orientation'], number> = { 1: 0, 3: 180, 6: 270, 8: 90 };

/** An upright RGB image: raw pixels and size. */
interface Upright {
  data: Buffer;
  width: number;
  height: number;
}

async function uprightOf(src: Buffer, spec: Pick<SourcePhoto, 'upright' | 'crop'>): Promise<Upright> {
  // the source's own EXIF orientation first, then the table's correction
  let buf = await sharp(src, { limitInputPixels: false }).rotate().png().toBuffer();
  if (spec.upright) buf = await sharp(buf).rotate(spec.upright).png().toBuffer();
  let img = sharp(buf);
  if (spec.crop) {
    const m = await img.png().toBuffer({ resolveWithObject: true });
    const [l, t, w, h] = spec.crop;
    img = sharp(m.data).extract({ left: Math.round(l * m.info.width), top: Math.round(t * m.info.height), width: Math.round(w * m.info.width), height: Math.round(h * m.info.height) });
  }
  const { data, info } = await img.flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Crops to the camera's aspect (panoramas stay panoramas), resizes, turns, encodes and tags. */
async function encodeCameraPhoto(up: Upright, p: Placement, r: Rng, keepAspect = false): Promise<Buffer> {
  const landscape = up.width >= up.height;
  const aspect = up.width / up.height;
  let img = sharp(up.data, { raw: { width: up.width, height: up.height, channels: 3 } });
  let w = up.width,
    h = up.height;
  if (!keepAspect && aspect < 2.2 && aspect > 1 / 2.2) {
    const target = landscape ? 4 / 3 : 3 / 4;
    if (aspect > target) w = Math.round(h * target);
    else h = Math.round(w / target);
    img = img.extract({ left: r.int(0, up.width - w), top: Math.floor((up.height - h) / 2), width: w, height: h });
  }
  const long = p.longSide ?? Math.max(w, h);
  const scale = long / Math.max(w, h);
  const W = Math.round(w * scale),
    H = Math.round(h * scale);
  img = sharp(await img.resize(W, H, { kernel: 'lanczos3' }).raw().toBuffer(), { raw: { width: W, height: H, channels: 3 } });
  const turn = STORE_TURN[p.orientation];
  if (turn) img = img.rotate(turn);
  const jpeg = await img.jpeg({ quality: r.int(86, 93), chromaSubsampling: '4:2:0' }).toBuffer();
  if (!p.camera) return jpeg;
  const stored = turn === 90 || turn === 270 ? { width: H, height: W } : { width: W, height: H };
  return withExif(jpeg, { camera: p.camera, when: p.when, gps: p.gps, orientation: p.orientation, ...stored });
}

export async function renderPhoto(src: Buffer, spec: SourcePhoto, p: Placement, r: Rng): Promise<Buffer> {
  const up = await uprightOf(src, spec);
  // a messaging app's copy is never enlarged
  const place = spec.small ? { ...p, longSide: Math.min(p.longSide ?? 1600, Math.max(up.width, up.height)) } : p;
  return encodeCameraPhoto(up, place, r);
}

export async function renderCutout(background: Buffer, bgSpec: Background, stampFiles: string[], cut: Cutout, p: Placement, r: Rng): Promise<Buffer> {
  const portrait = (cut.size?.[1] ?? 0) >= 0.85 && r.next() < 0.5;
  const size = portrait ? { width: 768, height: 1024 } : { width: 1024, height: 768 };
  const bg = await sharp(background, { limitInputPixels: false }).rotate().flatten({ background: '#ffffff' }).png().toBuffer();
  const data = await composeCutouts(bg, bgSpec, stampFiles, cut, size, r);
  return encodeCameraPhoto({ data, ...size }, p, r, true);
}

export async function renderDocument(doc: DocumentEntry, p: Placement, surfaces: Buffer[], cacheDir: string, r: Rng): Promise<{ jpeg: Buffer; text: string }> {
  const tall = ['receipt', 'letter', 'menu', 'poster'].includes(doc.kind) && r.next() < 0.8;
  const long = p.longSide ?? 2016;
  const short = Math.round((long * 3) / 4);
  const size = tall ? { width: short, height: long } : { width: long, height: short };
  const background = r.next() < 0.65 ? r.pick(surfaces) : undefined;
  const photo = await renderDocumentPhoto({ kind: doc.kind, lines: doc.lines, seed: r.int(1, 1_000_000) }, { ...size, cacheDir, ...(background ? { background } : {}) });
  const jpeg = p.camera ? withExif(photo.jpeg, { camera: p.camera, when: p.when, gps: p.gps, orientation: 1, width: photo.width, height: photo.height }) : photo.jpeg;
  return { jpeg, text: photo.text };
}

/** A screenshot is a PNG as the phone or computer saved it. */
export async function renderScreenshot(src: Buffer): Promise<Buffer> {
  return sharp(src).png({ compressionLevel: 8 }).toBuffer();
}
