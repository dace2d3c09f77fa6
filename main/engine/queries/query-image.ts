// The image of an image query (Ask, Find "more like this", a dropped image): read from a
// library photo by id or from dropped bytes, checked, decoded to the model's input, with the
// perception evidence a model that reads it gets (embedding/evidence.ts: a library photo's
// stored evidence, else the passes' models run on the image).
import { promises as fsp } from 'node:fs';
import { messageOf } from '../../base/errors';
import type { EmbeddingModel, ModelImageSize, PerceptionEvidence, RgbImage } from '../../ml/models/embedding-model';
import type { QueryEvidence } from '../embedding/evidence';
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

/** A library photo decoded to the model's input; an undecodable file is a clear error. */
function decodePhoto(it: ItemRow, buf: Buffer, size: ModelImageSize): Promise<RgbImage> {
  return decodeForModel(buf, size).catch((err: unknown) => {
    throw new EngineError('invalid', `The photo ${it.path} could not be decoded: ${messageOf(err)}`);
  });
}

/** A query's image at the model's input, and its evidence when the model reads evidence (absent: not known). */
export interface QueryPhoto {
  image: RgbImage;
  perception?: PerceptionEvidence;
}

/**
 * A library photo as the image of a query (Ask): decoded to the model's input, with its
 * evidence when the model reads it and `evidence` is given.
 */
export async function photoQuery(model: EmbeddingModel, it: ItemRow, evidence?: QueryEvidence): Promise<QueryPhoto> {
  const buf = await readPhoto(it);
  const image = await decodePhoto(it, buf, model.imageSize!);
  return withPerception({ image }, model.perception && evidence ? await evidence.ofPhoto(it, buf, model.perception.kinds) : undefined);
}

/** The query image of a Find request, or undefined for a text-only request. */
export async function queryImage(
  model: EmbeddingModel,
  req: { imageItemId?: number; imageBase64?: string },
  itemById: (id: number) => ItemRow,
  evidence?: QueryEvidence,
): Promise<QueryPhoto | undefined> {
  if (req.imageItemId === undefined && req.imageBase64 === undefined) return undefined;
  if (!model.imageSize) throw new EngineError('unavailable', `The installed model (${model.id}) reads text only; it cannot search with an image.`);
  let buf: Buffer;
  let item: ItemRow | undefined;
  if (req.imageItemId !== undefined) {
    item = itemById(req.imageItemId);
    if (item.kind !== 'image') throw new EngineError('invalid', `Item ${item.id} is a note, not a photo; search with its text instead.`);
    buf = await readPhoto(item);
  } else {
    buf = Buffer.from(req.imageBase64!, 'base64');
    if (buf.length > MAX_DROPPED_BYTES) throw new EngineError('invalid', 'The dropped image is larger than 30 MB.');
  }
  const refused = (err: unknown) => {
    throw new EngineError('invalid', `The image to search with could not be read: ${messageOf(err)}`);
  };
  await probeImage(buf).catch(refused);
  const image = await decodeForModel(buf, model.imageSize).catch(refused);
  if (!model.perception || !evidence) return { image };
  const kinds = model.perception.kinds;
  return withPerception({ image }, await (item ? evidence.ofPhoto(item, buf, kinds) : evidence.ofBytes(buf, kinds)).catch(refused));
}

const withPerception = (q: QueryPhoto, perception: PerceptionEvidence | undefined): QueryPhoto => (perception ? { ...q, perception } : q);
