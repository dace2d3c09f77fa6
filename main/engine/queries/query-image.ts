// The image of an image query (Find "more like this", a dropped image): read from a library
// photo by id or from dropped bytes, checked, decoded to the model's input.
import { promises as fsp } from 'node:fs';
import { messageOf } from '../../base/errors';
import type { EmbeddingModel, RgbImage } from '../../ml/models/embedding-model';
import { EngineError } from '../errors';
import { decodeForModel, probeImage } from '../library/images';
import type { ItemRow } from '../store/items';

/** Dropped images larger than this are refused before decoding. */
export const MAX_DROPPED_BYTES = 30 * 1024 * 1024;

export async function readPhoto(it: ItemRow): Promise<Buffer> {
  return fsp.readFile(it.path).catch(() => {
    throw new EngineError('not_found', `The photo ${it.path} can no longer be read (moved or deleted?). Check the folder, or remove it from the library.`);
  });
}

/** A library photo decoded to the model's input; a note or an unreadable file is a clear error. */
export async function photoForModel(it: ItemRow, size: { width: number; height: number }): Promise<RgbImage> {
  const buf = await readPhoto(it);
  return decodeForModel(buf, size).catch((err: unknown) => {
    throw new EngineError('invalid', `The photo ${it.path} could not be decoded: ${messageOf(err)}`);
  });
}

/** The query image of a Find request, or undefined for a text-only request. */
export async function queryImage(
  model: EmbeddingModel,
  req: { imageItemId?: number; imageBase64?: string },
  itemById: (id: number) => ItemRow,
): Promise<RgbImage | undefined> {
  if (req.imageItemId === undefined && req.imageBase64 === undefined) return undefined;
  if (!model.imageSize) throw new EngineError('unavailable', `The installed model (${model.id}) reads text only; it cannot search with an image.`);
  let buf: Buffer;
  if (req.imageItemId !== undefined) {
    const it = itemById(req.imageItemId);
    if (it.kind !== 'image') throw new EngineError('invalid', `Item ${it.id} is a note, not a photo; search with its text instead.`);
    buf = await readPhoto(it);
  } else {
    buf = Buffer.from(req.imageBase64!, 'base64');
    if (buf.length > MAX_DROPPED_BYTES) throw new EngineError('invalid', 'The dropped image is larger than 30 MB.');
  }
  const refused = (err: unknown) => {
    throw new EngineError('invalid', `The image to search with could not be read: ${messageOf(err)}`);
  };
  await probeImage(buf).catch(refused);
  return decodeForModel(buf, model.imageSize).catch(refused);
}
