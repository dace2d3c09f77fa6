// In-memory map from embedding id (HNSW label) to what search filters and ranks on, so a
// filtered search never goes back to SQLite per candidate. Kept in step with the store by
// whoever writes embeddings (the pipeline, reconcile).
import type { CatalogEntry } from '../store/embeddings';

export class Catalog {
  private byId = new Map<number, CatalogEntry>();
  private byItem = new Map<number, number[]>();

  constructor(rows: Iterable<[number, CatalogEntry]> = []) {
    for (const [id, e] of rows) this.set(id, e);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): CatalogEntry | undefined {
    return this.byId.get(id);
  }

  /** Every embedding id with its entry. */
  entries(): IterableIterator<[number, CatalogEntry]> {
    return this.byId.entries();
  }

  idsOfItem(itemId: number): number[] {
    return this.byItem.get(itemId) ?? [];
  }

  set(id: number, e: CatalogEntry): void {
    this.byId.set(id, e);
    const list = this.byItem.get(e.itemId);
    if (list) {
      if (!list.includes(id)) list.push(id);
    } else this.byItem.set(e.itemId, [id]);
  }

  /** Drops every embedding of the item; returns their ids. */
  removeItem(itemId: number): number[] {
    const ids = this.byItem.get(itemId) ?? [];
    for (const id of ids) this.byId.delete(id);
    this.byItem.delete(itemId);
    return ids;
  }

  replaceItem(itemId: number, rows: [number, CatalogEntry][]): void {
    this.removeItem(itemId);
    for (const [id, e] of rows) this.set(id, e);
  }
}
