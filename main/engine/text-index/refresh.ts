// Rebuilds an item's documents in the full-text index from what the store holds (its
// path, note chunks, pass tags, text lines). Called inside the transaction that changed
// any of them, so the index never disagrees with the store.
import type { Db } from '../store/db';
import { chunksOfItem } from '../store/embeddings';
import { getItem } from '../store/items';
import { tagsOfItem, textOfItem } from '../store/perception';
import { replaceSearchDocs } from '../store/search-text';
import { sourcePath } from '../store/sources';
import { noteDocuments, photoDocument, type TagWords } from './documents';

export function refreshSearchDocs(db: Db, itemId: number, tagWords: TagWords): void {
  const it = getItem(db, itemId);
  if (!it) return;
  const root = sourcePath(db, it.sourceId) ?? '';
  if (it.kind === 'note') {
    replaceSearchDocs(db, itemId, noteDocuments({ path: it.path, sourceRoot: root, chunks: chunksOfItem(db, itemId) }));
  } else {
    replaceSearchDocs(db, itemId, [photoDocument({ path: it.path, sourceRoot: root, tags: tagsOfItem(db, itemId), lines: textOfItem(db, itemId), tagWords })]);
  }
}
