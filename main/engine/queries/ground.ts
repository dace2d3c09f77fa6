// Point at (grounding): a caption -> the photos where a region matches it, with that
// region's box. Candidates are shortlisted by text->image Find with the caption; each is
// decoded ONCE (EXIF-rotated, as the viewer shows it), regions are proposed (multi-scale
// sliding windows + the whole image, and a model's own detector boxes when it has one),
// each region is cropped from that decode and embedded with the grounding target
// instruction; the query is the photo with the grounding query instruction and the
// caption. The best box per photo wins; photos are ranked by it. A model that reads
// perception evidence gets the photo's with the query and each region's share of it
// (evidenceOfRegion: the objects and text inside the region) with the region.
import sharp from 'sharp';
import type { Box, SearchResponse, SearchResult } from '../../contract/api';
import type { EmbedInput, EmbeddingModel, ModelImageSize, PerceptionEvidence, RgbImage } from '../../ml/models/embedding-model';
import { evidenceOfRegion } from '../../ml/perception/evidence';
import { withEvidence } from '../embedding/evidence';
import { describeInput, fill } from '../embedding/instructions';
import { modelResize, type DecodedImage } from '../library/images';
import { dot, embedAll } from './ask';

/** A box in fractions of the image (0..1), so proposals do not depend on the decode size. */
export interface UnitBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Window sides (fraction of each image side) and how many positions per axis at each. */
export const WINDOW_SCALES: readonly { side: number; steps: number }[] = [
  { side: 0.7, steps: 3 },
  { side: 0.5, steps: 3 },
  { side: 0.34, steps: 4 },
];

/** Multi-scale sliding windows with overlap, plus the whole image: 35 boxes. */
export function slidingWindows(scales = WINDOW_SCALES): UnitBox[] {
  const boxes: UnitBox[] = [{ x: 0, y: 0, width: 1, height: 1 }];
  for (const { side, steps } of scales) {
    const stride = steps > 1 ? (1 - side) / (steps - 1) : 0;
    for (let j = 0; j < steps; j++) for (let i = 0; i < steps; i++) boxes.push({ x: i * stride, y: j * stride, width: side, height: side });
  }
  return boxes;
}

/** Detected boxes used as proposals, at most (the strongest first). */
const MAX_DETECTED = 20;

/**
 * Regions to try for one photo: the sliding windows, and the boxes the perception passes
 * found in it (objects, faces: fractions of the photo), clamped to it, slivers dropped.
 */
export function proposeRegions(detected: readonly UnitBox[] = []): UnitBox[] {
  const boxes = slidingWindows();
  for (const b of detected.slice(0, MAX_DETECTED)) {
    const x = clamp01(b.x);
    const y = clamp01(b.y);
    const width = Math.min(1 - x, Math.max(0, b.width));
    const height = Math.min(1 - y, Math.max(0, b.height));
    if (width > 0.02 && height > 0.02) boxes.push({ x, y, width, height });
  }
  return boxes;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));

/** The pixel rectangle of a unit box in an image of this size (at least 1 px, inside the image). */
export function pixelRect(b: UnitBox, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const left = Math.min(width - 1, Math.max(0, Math.round(b.x * width)));
  const top = Math.min(height - 1, Math.max(0, Math.round(b.y * height)));
  const right = Math.max(left + 1, Math.min(width, Math.round((b.x + b.width) * width)));
  const bottom = Math.max(top + 1, Math.min(height, Math.round((b.y + b.height) * height)));
  return { left, top, width: right - left, height: bottom - top };
}

const raw = (img: DecodedImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** One region of the decode as the model's input, by the rule every whole photo goes through (modelResize). */
export async function cropForModel(img: DecodedImage, b: UnitBox, size: ModelImageSize): Promise<RgbImage> {
  const r = pixelRect(b, img.width, img.height);
  const to = modelResize(r.width, r.height, size);
  const data = await raw(img).extract(r).resize(to.width, to.height, { fit: to.fit }).raw().toBuffer();
  return { width: to.width, height: to.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function groundingQueryInput(model: EmbeddingModel, image: RgbImage, caption: string, perception?: PerceptionEvidence): EmbedInput {
  return withEvidence(model, fill(model.instructions.grounding.query, caption, image), perception);
}

export function regionTargetInput(model: EmbeddingModel, crop: RgbImage, perception?: PerceptionEvidence): EmbedInput {
  return withEvidence(model, fill(model.instructions.grounding.target, '', crop), perception);
}

export interface Grounded {
  /** best box, in the pixel coordinates of `displayed` (the EXIF-rotated original) */
  box: Box;
  score: number;
  instruction: string;
}

/**
 * Grounds a caption in one decoded photo. `displayed` is the photo's size as shown (after
 * EXIF rotation); the decode may be smaller, and boxes are scaled to `displayed`.
 */
export async function groundInImage(
  model: EmbeddingModel,
  img: DecodedImage,
  displayed: { width: number; height: number },
  caption: string,
  fullInput: RgbImage,
  detected: readonly UnitBox[] = [],
  /** what the perception models saw in the whole photo (models that read it; absent: not known) */
  perception?: PerceptionEvidence,
): Promise<Grounded> {
  const size = model.imageSize!;
  const regions = proposeRegions(detected);
  const crops = await Promise.all(regions.map((b) => cropForModel(img, b, size)));
  const query = groundingQueryInput(model, fullInput, caption, perception);
  const ofRegion = (b: UnitBox) => (model.perception && perception ? evidenceOfRegion(perception, b) : undefined);
  const [qv, ...rv] = await embedAll(model, [query, ...crops.map((c, i) => regionTargetInput(model, c, ofRegion(regions[i]!)))], 36);
  let best = 0;
  let bestScore = -Infinity;
  rv.forEach((v, i) => {
    const s = dot(qv!, v);
    // ties go to the smaller box: it points more precisely
    if (s > bestScore + 1e-9 || (Math.abs(s - bestScore) <= 1e-9 && area(regions[i]!) < area(regions[best]!))) {
      bestScore = s;
      best = i;
    }
  });
  const r = pixelRect(regions[best]!, img.width, img.height);
  const sx = displayed.width / img.width;
  const sy = displayed.height / img.height;
  const box: Box = {
    x: Math.round(r.left * sx),
    y: Math.round(r.top * sy),
    width: Math.round(r.width * sx),
    height: Math.round(r.height * sy),
  };
  return { box, score: bestScore, instruction: describeInput(query) };
}

const area = (b: UnitBox) => b.width * b.height;

/** Ranks grounded candidates by their best box's score. */
export function rankGrounded(results: (SearchResult & { box: Box })[], k: number): SearchResult[] {
  return [...results].sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

export function emptyGrounding(model: EmbeddingModel, caption: string): SearchResponse {
  return { results: [], instruction: describeInput(fill(model.instructions.grounding.query, caption, { width: 1, height: 1, data: new Uint8Array(3) })) };
}
