// The files the UI may load, by item id only: a photo's cached thumbnail, an item's
// original. Never a raw path from the UI (the hosts check the answer against allowedRoots).
import { statSync } from 'node:fs';
import { thumbnailFile } from './library/images';
import type { Db } from './store/db';
import { getItem } from './store/items';
import { listSources } from './store/sources';

export class ItemFiles {
  constructor(
    private readonly db: Db,
    private readonly thumbsDir: string,
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

  /** The folders a served file must lie in. */
  allowedRoots(which: 'thumb' | 'original'): string[] {
    return which === 'thumb' ? [this.thumbsDir] : listSources(this.db).map((s) => s.path);
  }
}
