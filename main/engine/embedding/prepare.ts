// Reads one pending item from disk and turns it into model inputs (or a reason it cannot
// be read). No database writes here: the pipeline commits the outcome in a transaction.
import { promises as fsp } from 'node:fs';
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, RgbImage } from '../../ml/models/embedding-model';
import { sha256 } from '../../base/hash';
import {
  decodeIntermediate,
  modelInputFrom,
  probeImage,
  readExif,
  THUMB_SIZE,
  thumbnailExists,
  thumbnailFile,
  writeThumbnailFrom,
} from '../library/images';
import { chunkText } from '../library/chunking';
import { decodeNote, NOTE_LIMIT_BYTES } from '../library/note-text';
import { reasonOf, UnreadableFile } from '../library/fs-errors';
import type { ChunkInput } from '../store/embeddings';
import type { ItemMeta, ItemRow } from '../store/items';
import { withEvidence } from './evidence';
import { targetInput } from './instructions';

export interface PreparedInput {
  /** null for a photo; the chunk for a note */
  chunk: ChunkInput | null;
  input: EmbedInput;
}

export type Prepared =
  | { outcome: 'embed'; item: ItemRow; meta: ItemMeta; inputs: PreparedInput[] }
  /** same content as another item already embedded (a copy): its embeddings are copied */
  | { outcome: 'copy'; item: ItemRow; meta: ItemMeta; twinId: number }
  /** same content as already embedded for this model version: only metadata changes */
  | { outcome: 'unchanged'; item: ItemRow; meta: ItemMeta }
  | { outcome: 'error'; item: ItemRow; reason: string; gone: boolean };

export interface PrepareContext {
  model: EmbeddingModel;
  modelVersion: number;
  thumbsDir: string;
  /** an item with this content already embedded with this model version, if any */
  twinOf?: (hash: string, kind: ItemRow['kind'], selfId: number) => number | null;
  /** what the passes stored for a photo's content (models that read perception evidence; embedding/evidence.ts) */
  evidenceOf?: (itemId: number, hash: string) => PerceptionEvidence | undefined;
}

export async function prepareItem(item: ItemRow, ctx: PrepareContext): Promise<Prepared> {
  try {
    const st = await fsp.stat(item.path);
    if (!st.isFile()) throw new UnreadableFile('this is not a regular file');
    if (item.kind === 'note' && st.size > NOTE_LIMIT_BYTES) {
      throw new UnreadableFile(
        `this note is too large (${(st.size / 1024 / 1024).toFixed(1)} MB); Trove reads notes up to ${NOTE_LIMIT_BYTES / 1024 / 1024} MB — split it into smaller files`,
      );
    }
    const buf = await fsp.readFile(item.path);
    const hash = sha256(buf);
    const base = { hash, size: buf.length, mtime: st.mtimeMs };
    const alreadyEmbedded = item.hash === hash && item.embeddedVersion === ctx.modelVersion;
    if (item.kind === 'image') return await prepareImage(item, buf, base, alreadyEmbedded, ctx);
    return prepareNote(item, buf, base, alreadyEmbedded, ctx);
  } catch (err) {
    return { outcome: 'error', item, reason: reasonOf(err), gone: (err as NodeJS.ErrnoException).code === 'ENOENT' };
  }
}

/** The shorter side of the one decode a photo's thumbnail and model input are made from. */
const intermediateSide = (size: { width: number; height: number }) => Math.max(THUMB_SIZE, size.width, size.height);

/** A photo's model input exactly as indexing makes it (for embedding it again later). */
export async function photoModelInput(buf: Buffer, size: { width: number; height: number }): Promise<RgbImage> {
  return modelInputFrom(await decodeIntermediate(buf, intermediateSide(size)), size);
}

const noExif = { takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null };

async function prepareImage(
  item: ItemRow,
  buf: Buffer,
  base: { hash: string; size: number; mtime: number },
  alreadyEmbedded: boolean,
  ctx: PrepareContext,
): Promise<Prepared> {
  const size = ctx.model.imageSize;
  if (!size) throw new UnreadableFile(`the installed model (${ctx.model.id}) reads text only, so photos cannot be indexed`);
  const probe = await probeImage(buf);
  const exif = await readExif(buf).catch(() => noExif);
  const meta: ItemMeta = { ...base, ...exif, width: probe.width, height: probe.height, orientation: probe.orientation };
  const thumb = thumbnailFile(ctx.thumbsDir, base.hash);
  const haveThumb = await thumbnailExists(thumb);
  // same content as what is stored (unchanged, or a copy): no decode at all when its
  // thumbnail is there (same bytes decode the same)
  const twinId = alreadyEmbedded ? null : (ctx.twinOf?.(base.hash, 'image', item.id) ?? null);
  if (haveThumb && alreadyEmbedded) return { outcome: 'unchanged', item, meta };
  if (haveThumb && twinId !== null) return { outcome: 'copy', item, meta, twinId };
  const img = await decodeIntermediate(buf, intermediateSide(size));
  if (!haveThumb) await writeThumbnailFrom(img, thumb);
  if (alreadyEmbedded) return { outcome: 'unchanged', item, meta };
  if (twinId !== null) return { outcome: 'copy', item, meta, twinId };
  const rgb = await modelInputFrom(img, size);
  const perception = ctx.model.perception ? ctx.evidenceOf?.(item.id, base.hash) : undefined;
  const input = withEvidence(ctx.model, targetInput(ctx.model, 'image', { image: rgb }), perception);
  return { outcome: 'embed', item, meta, inputs: [{ chunk: null, input }] };
}

function prepareNote(
  item: ItemRow,
  buf: Buffer,
  base: { hash: string; size: number; mtime: number },
  alreadyEmbedded: boolean,
  ctx: PrepareContext,
): Prepared {
  const text = decodeNote(buf);
  const meta: ItemMeta = { ...base, ...noExif, width: null, height: null, orientation: null };
  if (alreadyEmbedded) return { outcome: 'unchanged', item, meta };
  const twinId = ctx.twinOf?.(base.hash, 'note', item.id) ?? null;
  if (twinId !== null) return { outcome: 'copy', item, meta, twinId };
  const chunks = chunkText(text);
  return {
    outcome: 'embed',
    item,
    meta,
    inputs: chunks.map((c) => ({ chunk: c, input: targetInput(ctx.model, 'note', { text: c.text }) })),
  };
}
