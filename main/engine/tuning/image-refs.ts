// How a labelled pair names an image for the fine-tune worker: a file path, with the region
// of a photo (Point at) when the target is a crop. Decoded with the engine's own decoder, so
// training sees the pixels indexing and queries feed the model.
import { readFile } from 'node:fs/promises';
import { messageOf } from '../../base/errors';
import type { RgbImage } from '../../ml/models/embedding-model';
import { decodeIntermediate, decodeModelInput } from '../library/images';
import { cropForModel } from '../queries/ground';
import type { UnitBox } from '../queries/ground';

const BOX = '#trove-box=';
/** Point at decodes photos at this shorter side before cropping regions (queries/point-at.ts). */
const REGION_DECODE_SIDE = 512;

export function imageRef(path: string, box?: readonly [number, number, number, number] | null): string {
  return box ? `${path}${BOX}${box.join(',')}` : path;
}

export function parseImageRef(ref: string): { path: string; box: UnitBox | null } {
  const at = ref.lastIndexOf(BOX);
  if (at < 0) return { path: ref, box: null };
  const [x, y, width, height] = ref.slice(at + BOX.length).split(',').map(Number);
  if (![x, y, width, height].every((v) => v !== undefined && Number.isFinite(v))) return { path: ref, box: null };
  return { path: ref.slice(0, at), box: { x: x!, y: y!, width: width!, height: height! } };
}

/** Decodes a referenced image (or its region) to the model's input size. */
export async function loadImageRef(ref: string, size: { width: number; height: number }): Promise<RgbImage> {
  const { path, box } = parseImageRef(ref);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new Error(`The photo ${path} of a labelled pair cannot be read (${messageOf(err)}). Remove the pairs that use it, or put the file back.`);
  }
  try {
    return box ? await cropForModel(await decodeIntermediate(buf, REGION_DECODE_SIDE), box, size) : await decodeModelInput(buf, size);
  } catch (err) {
    throw new Error(`The photo ${path} of a labelled pair cannot be decoded (${messageOf(err)}).`);
  }
}
