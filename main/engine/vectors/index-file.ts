// The index on disk: `<file>` in hnswlib's own format and `<file>.meta.json`, ours: dim,
// the labels marked deleted, the count and a SHA-256 of the sorted live ids, and the byte
// size and SHA-256 of `<file>`. The file is read here once, in chunks, for its checksum and
// for the vectors it holds (hnswlib 0.8's save layout, hnswalg.h saveIndex), so a load
// costs one read and needs no per-vector call into hnswlib.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const META_FORMAT = 'trove-hnsw';
export const META_VERSION = 1;

export interface IndexMeta {
  format: typeof META_FORMAT;
  version: number;
  space: 'cosine';
  dim: number;
  /** live vectors */
  count: number;
  /** sha256 of the sorted live ids as little-endian uint32 */
  idsSha256: string;
  /** labels present in the hnswlib file but marked deleted */
  deleted: number[];
  indexBytes: number;
  indexSha256: string;
  savedAt: number;
}

/** Why an index file could not be loaded; `message` is meant to be read by people. */
export class IndexLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexLoadError';
  }
}

export function metaPathFor(file: string): string {
  return `${file}.meta.json`;
}

export function readMeta(file: string): IndexMeta {
  const metaFile = metaPathFor(file);
  let text: string;
  try {
    text = readFileSync(metaFile, 'utf8');
  } catch (e) {
    const code = errCode(e);
    throw new IndexLoadError(code === 'ENOENT' ? 'index file missing' : `index sidecar unreadable (${code})`);
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new IndexLoadError('index sidecar is not valid JSON (torn or corrupt)');
  }
  const o = m as Partial<IndexMeta> | null;
  const ok =
    o !== null &&
    typeof o === 'object' &&
    o.format === META_FORMAT &&
    o.version === META_VERSION &&
    o.space === 'cosine' &&
    Number.isInteger(o.dim) &&
    Number.isInteger(o.count) &&
    typeof o.idsSha256 === 'string' &&
    Array.isArray(o.deleted) &&
    o.deleted.every((x) => Number.isInteger(x)) &&
    Number.isInteger(o.indexBytes) &&
    typeof o.indexSha256 === 'string';
  if (!ok) throw new IndexLoadError('index sidecar has an unknown format');
  return o as IndexMeta;
}

export function idsDigest(ids: Iterable<number>): string {
  return idsDigestSorted(Array.from(ids).sort((a, b) => a - b));
}

export function idsDigestSorted(sorted: number[]): string {
  const buf = new Uint32Array(sorted);
  const h = createHash('sha256');
  h.update(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  return h.digest('hex');
}

export function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? String(e);
}

/** hnswlib's header: 6 size_t, int maxlevel, uint entry point, 3 size_t, double mult, size_t efConstruction. */
const HEADER_BYTES = 96;
const CHUNK_BYTES = 4 << 20;

export interface IndexFileScan {
  bytes: number;
  sha256: string;
  /** elements in the file (live and deleted), or null when its header is not hnswlib's layout for this dim */
  elements: number | null;
}

/**
 * Reads `file` once, in chunks: its SHA-256 and, when `onVector` is given and the header
 * is hnswlib's layout for `dim`, every element's label and stored (unit) vector in slot
 * order. The vector is a view into a reused buffer: copy it to keep it. Nothing read here
 * may be trusted before the checksum is compared with the sidecar's.
 */
export function scanIndexFile(file: string, dim: number, onVector?: (label: number, vector: Float32Array) => void): IndexFileScan {
  const fd = openSync(file, 'r');
  const hash = createHash('sha256');
  let bytes = 0;
  const read = (buf: Uint8Array, length: number): number => {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, null);
      if (n <= 0) break;
      got += n;
    }
    hash.update(buf.subarray(0, got));
    bytes += got;
    return got;
  };
  try {
    const header = new Uint8Array(HEADER_BYTES);
    const layout = read(header, HEADER_BYTES) === HEADER_BYTES ? layoutOf(header, dim, statSync(file).size) : null;
    let elements: number | null = null;
    if (layout && onVector) {
      const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / layout.elementBytes));
      const buf = new Uint8Array(perChunk * layout.elementBytes);
      const view = new DataView(buf.buffer);
      let done = 0;
      let labelsFit = true; // labels are uint32 (Trove's ids); anything else is not our file
      while (done < layout.count) {
        const n = Math.min(perChunk, layout.count - done);
        if (read(buf, n * layout.elementBytes) !== n * layout.elementBytes) break;
        for (let e = 0; e < n && labelsFit; e++) {
          const at = e * layout.elementBytes;
          labelsFit = view.getUint32(at + layout.labelOffset + 4, true) === 0;
          if (labelsFit) onVector(view.getUint32(at + layout.labelOffset, true), new Float32Array(buf.buffer, at + layout.dataOffset, dim));
        }
        done += n;
      }
      elements = done === layout.count && labelsFit ? layout.count : null;
    }
    const rest = new Uint8Array(CHUNK_BYTES);
    while (read(rest, CHUNK_BYTES) > 0);
    return { bytes, sha256: hash.digest('hex'), elements: onVector ? elements : layout ? layout.count : null };
  } finally {
    closeSync(fd);
  }
}

interface Layout {
  count: number;
  elementBytes: number;
  dataOffset: number;
  labelOffset: number;
}

/** Where the vectors and labels lie, or null when the header does not describe `dim`-d float vectors in a file of this size. */
function layoutOf(header: Uint8Array, dim: number, fileBytes: number): Layout | null {
  const v = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const u64 = (at: number) => {
    const high = v.getUint32(at + 4, true);
    return high === 0 ? v.getUint32(at, true) : Number.POSITIVE_INFINITY;
  };
  const offsetLevel0 = u64(0);
  const maxElements = u64(8);
  const count = u64(16);
  const elementBytes = u64(24);
  const labelOffset = u64(32);
  const dataOffset = u64(40);
  const ok =
    offsetLevel0 === 0 &&
    count <= maxElements &&
    elementBytes % 4 === 0 &&
    dataOffset % 4 === 0 &&
    dataOffset + dim * 4 <= labelOffset &&
    labelOffset + 8 <= elementBytes &&
    HEADER_BYTES + count * elementBytes <= fileBytes;
  return ok ? { count, elementBytes, dataOffset, labelOffset } : null;
}

/** Removes temp files of earlier saves of `file` that were killed mid-write (older than a minute). */
export function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  const prefixes = [`${basename(file)}.tmp-`, `${basename(metaPathFor(file))}.tmp-`];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const cutoff = Date.now() - 60_000;
  for (const name of names) {
    if (!prefixes.some((p) => name.startsWith(p))) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).mtimeMs < cutoff) unlinkSync(p);
    } catch {
      /* raced with another cleanup */
    }
  }
}
