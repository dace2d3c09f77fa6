// The folders in the library and their items: adding and removing folders, watching them, bringing the
// database in line with the disk (reconcile), one reconcile at a time; items by id.
import { realpathSync, statSync } from 'node:fs';
import { EngineError } from '../errors';
import type { Db } from '../store/db';
import { getItem, itemIdsOfSource, type ItemRow } from '../store/items';
import { deleteSource, getSource, insertSource, listSources, type SourceRow } from '../store/sources';
import { isInside } from '../../base/paths';
import { reconcileSource } from './reconcile';
import { SourceWatcher } from './watcher';

export interface ReconcileSummary {
  added: number;
  changed: number;
  removed: number;
  removedItemIds: number[];
  /** files that must be read (new or changed; moves keep their embeddings) */
  toRead: number;
}

export class Library {
  private readonly watcher: SourceWatcher | null;
  private work: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly o: {
      watch: boolean;
      log: (line: string) => void;
      onSourcesChanged: (ids: number[]) => void;
      /** rebuilds an item's full-text documents (a moved file has other name and folder words) */
      refreshDocs: (itemId: number) => void;
    },
  ) {
    this.watcher = o.watch ? new SourceWatcher((ids) => o.onSourcesChanged(ids), 300, o.log) : null;
    if (this.watcher) for (const s of listSources(db)) this.watcher.watch(s.id, s.path);
  }

  sources(): SourceRow[] {
    return listSources(this.db);
  }

  /** The item with this id; an id the UI holds after the item went gets an error that says what to do. */
  item(id: number): ItemRow {
    const it = getItem(this.db, id);
    if (!it) throw new EngineError('not_found', `There is no item with id ${id} in the library (it may have been deleted). Search again and pick an item from the results.`);
    return it;
  }

  /** Adds a folder (its real path); a folder inside or around one already added is refused. */
  add(requested: string): { source: SourceRow; isNew: boolean } {
    let path: string;
    try {
      path = realpathSync(requested);
      if (!statSync(path).isDirectory()) throw new EngineError('invalid', `${requested} is a file, not a folder. Add the folder that contains your photos and notes.`);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('not_found', `The folder ${requested} does not exist or cannot be read. Check the path and try again.`);
    }
    for (const s of listSources(this.db)) {
      if (s.path === path) return { source: s, isNew: false };
      if (isInside(s.path, path)) throw new EngineError('invalid', `${path} is already part of the library, inside ${s.path}.`);
      if (isInside(path, s.path)) {
        throw new EngineError('invalid', `${path} contains ${s.path}, which is already in the library. Remove ${s.path} first, then add ${path}.`);
      }
    }
    const source = insertSource(this.db, path);
    this.watcher?.watch(source.id, source.path);
    return { source, isNew: true };
  }

  /** Removes a folder and its items; returns the ids of the items that went. */
  async remove(id: number): Promise<number[]> {
    if (!getSource(this.db, id)) throw new EngineError('not_found', `There is no folder with id ${id} in the library.`);
    await this.watcher?.unwatch(id);
    const itemIds = itemIdsOfSource(this.db, id);
    deleteSource(this.db, id);
    return itemIds;
  }

  /** Reconciles these sources with the disk, after any reconcile already queued. */
  reconcile(ids: number[]): Promise<ReconcileSummary> {
    const next = this.work.then(async () => {
      const sum: ReconcileSummary = { added: 0, changed: 0, removed: 0, removedItemIds: [], toRead: 0 };
      for (const id of ids) {
        if (this.closed) break;
        const src = getSource(this.db, id);
        if (!src) continue;
        const r = await reconcileSource(this.db, src);
        if (r.movedItemIds.length) this.db.transaction(() => r.movedItemIds.forEach((i) => this.o.refreshDocs(i)))();
        sum.added += r.added;
        sum.changed += r.changed + r.moved;
        sum.removed += r.removedItemIds.length;
        sum.removedItemIds.push(...r.removedItemIds);
        sum.toRead += r.added + r.changed;
      }
      return sum;
    });
    this.work = next.catch(() => undefined);
    return next;
  }

  reconcileAll(): Promise<ReconcileSummary> {
    return this.reconcile(listSources(this.db).map((s) => s.id));
  }

  /** Resolves when the watchers have walked their folders and no reconcile is queued. */
  async settled(): Promise<void> {
    await this.watcher?.ready();
    for (;;) {
      const w = this.work;
      await w;
      if (w === this.work) return;
    }
  }

  /** True while watcher events wait for their debounce. */
  get changesWaiting(): boolean {
    return this.watcher?.busy ?? false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.close();
    await this.work.catch(() => undefined);
  }
}
