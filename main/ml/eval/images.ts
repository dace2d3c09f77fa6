// Eval images -> model input. The decoder is given by the caller: `trove eval` and the
// recipes pass the engine's (main/engine/library/images.ts decodeModelInput), so a suite is
// scored on the same pixels indexing feeds the model; main/ml itself knows no decoder.
import { readFile } from 'node:fs/promises';
import { messageOf } from '../../base/errors';
import type { RgbImage } from '../models/embedding-model';

export class EvalImageError extends Error {}

export type ImageSize = { width: number; height: number };

/** Loads eval images by path with `decode`; errors say which image and what to check. */
export function evalImageLoader(decode: (bytes: Buffer, size: ImageSize) => Promise<RgbImage>): (path: string, size: ImageSize) => Promise<RgbImage> {
  return async (path, size) => {
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new EvalImageError(`cannot read the eval image ${path}${code === 'ENOENT' ? ' (no such file: is the image folder right? see --images)' : ` (${messageOf(e)})`}`);
    }
    try {
      return await decode(buf, size);
    } catch (e) {
      throw new EvalImageError(`cannot decode the eval image ${path}: ${messageOf(e)}`);
    }
  };
}
