// Eval images -> model input, with the ENGINE's decoder (the same pixels indexing feeds
// the model): EXIF-rotated, alpha flattened onto white, sRGB, resized to cover the size
// and centre-cropped, RGB uint8.
import { readFile } from 'node:fs/promises';
import type { RgbImage } from '../../ml/models/embedding-model';
import { decodeIntermediate, modelInputFrom } from '../../engine/library/images';
import { messageOf } from '../../base/errors';

export class EvalImageError extends Error {}

export async function decodeEvalImage(path: string, size: { width: number; height: number }): Promise<RgbImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvalImageError(
      `cannot read the eval image ${path}${code === 'ENOENT' ? ' (no such file: is the image folder right? see --images)' : ` (${messageOf(e)})`}`,
    );
  }
  try {
    const img = await decodeIntermediate(buf, Math.max(size.width, size.height));
    return await modelInputFrom(img, size);
  } catch (e) {
    throw new EvalImageError(`cannot decode the eval image ${path}: ${messageOf(e)}`);
  }
}
