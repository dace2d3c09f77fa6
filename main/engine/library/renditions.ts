// What the viewer shows of a photo the browser cannot display: HEIC (Chromium, and so
// Electron, has no HEVC image decoder) is served as a JPEG made from libheif's decode,
// upright, cached by content hash. Made when first asked for, not while indexing: most
// photos are never opened full size, and a HEIC decode costs about as much as the rest of
// indexing the photo.
import { promises as fsp } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { sha256 } from '../../base/hash';
import { openImage } from './images';

/** Renditions keep up to this many pixels on the longer side (an iPhone's 4032 stays whole). */
export const RENDITION_MAX_SIDE = 4096;

/** Photos served as a rendition rather than as their own bytes. */
export function needsRendition(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === '.heic' || ext === '.heif';
}

export function renditionFile(dir: string, hash: string): string {
  return join(dir, hash.slice(0, 2), `${hash}.jpg`);
}

const inFlight = new Map<string, Promise<string>>();

/** The JPEG rendition of the photo at `path` as it is now on disk, made (atomically) unless cached. */
export async function viewerRendition(path: string, dir: string): Promise<string> {
  const buf = await fsp.readFile(path);
  const file = renditionFile(dir, sha256(buf));
  const pending = inFlight.get(file);
  if (pending) return pending;
  const made = (async () => {
    try {
      await fsp.access(file);
      return file;
    } catch {
      // not made yet
    }
    await fsp.mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await (await openImage(buf))
        .resize(RENDITION_MAX_SIDE, RENDITION_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 88 })
        .toFile(tmp);
      await fsp.rename(tmp, file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return file;
  })().finally(() => inFlight.delete(file));
  inFlight.set(file, made);
  return made;
}
