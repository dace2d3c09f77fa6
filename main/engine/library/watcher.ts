// Watches source folders with chokidar and reports, debounced, which sources changed.
// Events are only a trigger: the reconcile that follows compares the folder with the
// database, so a missed or split event (a rename seen as unlink + add) cannot leave the
// library wrong, and a rename is still matched by content hash.
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isIgnoredName } from './kinds';
import { messageOf } from '../../base/errors';

export class SourceWatcher {
  private watchers = new Map<number, FSWatcher>();
  private readyPromises = new Map<number, Promise<void>>();
  private dirty = new Set<number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onChange: (sourceIds: number[]) => void,
    private readonly debounceMs = 300,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  watch(sourceId: number, root: string): void {
    if (this.watchers.has(sourceId)) return;
    const w = watch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
      ignored: (p: string) => p !== root && isIgnoredName(basename(p)),
    });
    w.on('all', () => this.mark(sourceId));
    w.on('error', (err) => this.log(`watcher: ${messageOf(err)}`));
    this.readyPromises.set(sourceId, new Promise((r) => w.once('ready', () => r())));
    this.watchers.set(sourceId, w);
  }

  async unwatch(sourceId: number): Promise<void> {
    const w = this.watchers.get(sourceId);
    this.watchers.delete(sourceId);
    this.readyPromises.delete(sourceId);
    this.dirty.delete(sourceId);
    await w?.close();
  }

  /** Resolves once every watcher has finished its initial walk. */
  async ready(): Promise<void> {
    await Promise.all(this.readyPromises.values());
  }

  /** True while changes are waiting for the debounce to fire. */
  get busy(): boolean {
    return this.timer !== null;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([...this.watchers.values()].map((w) => w.close()));
    this.watchers.clear();
  }

  private mark(sourceId: number): void {
    this.dirty.add(sourceId);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const ids = [...this.dirty];
      this.dirty.clear();
      if (ids.length) this.onChange(ids);
    }, this.debounceMs);
  }
}
