// The files the UI may load, by item id only: a photo's cached thumbnail, an item's
// original (a JPEG rendition for a HEIC photo, which browsers cannot show). Never a raw
// path from the UI (the hosts check the answer against allowedRoots).
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { messageOf } from '../base/errors';
import { thumbnailFile } from './library/images';
import { needsRendition, viewerRendition } from './library/renditions';
import type { FileKind } from './served-files';
import type { Db } from './store/db';
import { getItem } from './store/items';
import { listSources } from './store/sources';

export class ItemFiles {
  constructor(
    private readonly db: Db,
    private readonly thumbsDir: string,
    /** cached JPEG renditions of HEIC originals, beside the thumbnails' folder */
    private readonly renditionsDir = join(dirname(thumbsDir), 'renditions'),
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The thumbnail of a photo in the library, or null (no such item, not a photo, not made yet). */
  thumbnail(id: number): string | null {
    const it = getItem(this.db, id);
    if (!it || it.kind !== 'image' || !it.hash) return null;
    const f = thumbnailFile(this.thumbsDir, it.hash);
    try {
      statSync(f);
      return f;
    } catch {
      return null;
    }
  }

  /** The original file of an item in the library, or null when the id is unknown. */
  original(id: number): string | null {
    return getItem(this.db, id)?.path ?? null;
  }

  /**
   * The file to serve for an item: its thumbnail, or what the viewer can show of its original
   * (the file itself, or for HEIC a JPEG rendition; the file itself if that cannot be made).
   */
  async resolve(which: FileKind, id: number): Promise<string | null> {
    if (which === 'thumb') return this.thumbnail(id);
    const path = this.original(id);
    if (which === 'file' || path === null || !needsRendition(path)) return path;
    return viewerRendition(path, this.renditionsDir).catch((err: unknown) => {
      this.log(`no JPEG rendition of ${path}: ${messageOf(err)}`);
      return path;
    });
  }

  /** The folders a served file must lie in. */
  allowedRoots(which: FileKind): string[] {
    const sources = listSources(this.db).map((s) => s.path);
    return which === 'thumb' ? [this.thumbsDir] : which === 'file' ? sources : [...sources, this.renditionsDir];
  }
}
