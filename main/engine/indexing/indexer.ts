// Keeps the library indexed: runs indexing jobs (one at a time, one indexer per library
// through index.lock), scans what the watcher reports and the folders added, and goes again
// when changes arrive while a job finishes or a model swap makes everything pending. The
// caches of removed items are dropped here too.
import { join } from 'node:path';
import { messageOf } from '../../base/errors';
import type { EngineEvent, JobProgress } from '../../contract/api';
import { EngineError } from '../errors';
import { tryLock } from '../index-lock';
import { JobLane } from '../jobs/job-lane';
import type { Library, ReconcileSummary } from '../library/library';
import type { SourceRow } from '../store/sources';
import type { ModelSlot } from '../model-slot';
import type { Enrichment } from '../passes/enrichment';
import type { Db } from '../store/db';
import { countPending } from '../store/items';
import { insertJob } from '../store/jobs';
import { indexingRun } from './indexing-run';

export interface IndexerOptions {
  db: Db;
  dataDir: string;
  thumbsDir: string;
  library: Library;
  slot: ModelSlot;
  enrichment: Enrichment;
  /** index by itself after changes */
  autoIndex: boolean;
  concurrency?: number;
  batchSize?: number;
  emit: (e: EngineEvent) => void;
  log: (line: string) => void;
  noModel: () => Error;
}

export class Indexer {
  readonly lane = new JobLane((p) => this.ended(p));
  private closed = false;

  constructor(private readonly o: IndexerOptions) {}

  /** Starts an indexing run, or returns the running one's progress. */
  start(): JobProgress | null {
    const { db, slot } = this.o;
    if (slot.swapping) throw new EngineError('unavailable', 'Trove is switching to another model right now. Indexing starts by itself when it is ready; try again in a moment.');
    if (!slot.model) throw this.o.noModel();
    if (this.lane.busy) return this.lane.progress();
    const lock = tryLock(join(this.o.dataDir, 'index.lock'));
    if (!lock.ok) {
      const pid = Number.isNaN(lock.ownerPid) ? '' : ` (pid ${lock.ownerPid})`;
      throw new EngineError('unavailable', `Another Trove process${pid} is indexing this library right now. Wait for it to finish or stop it, then try again.`);
    }
    const job = indexingRun({
      db,
      jobId: insertJob(db, 'index', 0),
      library: this.o.library,
      slot,
      enrichment: this.o.enrichment,
      thumbsDir: this.o.thumbsDir,
      concurrency: this.o.concurrency,
      batchSize: this.o.batchSize,
      onScanned: (s) => this.scanned(s),
      onProgress: (p) => this.o.emit({ type: 'progress', progress: p }),
      log: this.o.log,
    });
    void this.lane.start(job).finally(() => lock.release());
    const first = job.progress();
    this.o.emit({ type: 'progress', progress: first });
    return first;
  }

  /** Starts a run in the background; a failure to start is logged. */
  startLater(what: string): void {
    try {
      this.start();
    } catch (err) {
      this.o.log(`${what}: ${messageOf(err)}`);
    }
  }

  /** The watcher saw changes in these sources: scan them, then index if needed. */
  sourcesChanged(ids: number[]): void {
    if (this.closed) return;
    void this.reconcileThenIndex(ids).catch((err: unknown) => this.o.log(`rescan failed: ${messageOf(err)}`));
  }

  /** Adds a folder; a new one is scanned now (a running job, or the one after it, picks its items up) when indexing is automatic. */
  addSource(path: string): SourceRow {
    const { source, isNew } = this.o.library.add(path);
    if (isNew && this.o.autoIndex && this.o.slot.model) this.sourcesChanged([source.id]);
    return source;
  }

  /** Removes a folder, its items and their cached vectors; returns how many items went. */
  async removeSource(id: number): Promise<number> {
    const itemIds = await this.o.library.remove(id);
    this.dropFromCache(itemIds);
    this.o.slot.vectors?.save();
    this.o.emit({ type: 'libraryChanged', added: 0, changed: 0, removed: itemIds.length });
    return itemIds.length;
  }

  /** Scans every folder now (what the watcher triggers), then indexes if automatic. */
  rescanAll(): Promise<void> {
    return this.reconcileThenIndex(this.o.library.sources().map((s) => s.id));
  }

  /** Another model version makes everything pending for it (re-embedded with progress); a run stopped for the swap carries on. */
  modelSwapped(e: { versionChanged: boolean; wasIndexing: boolean }): void {
    if ((e.versionChanged || e.wasIndexing) && countPending(this.o.db, this.o.slot.version) > 0) this.startLater('re-embedding');
  }

  /** Resolves when no watcher change, reconcile or indexing job is pending. */
  async idle(): Promise<void> {
    const { library } = this.o;
    for (;;) {
      await library.settled();
      await this.lane.wait();
      await new Promise((r) => setTimeout(r, 20));
      if (library.changesWaiting || this.lane.busy) continue;
      await library.settled();
      if (!this.lane.busy && !library.changesWaiting) return;
    }
  }

  private async reconcileThenIndex(ids: number[]): Promise<void> {
    const s = await this.o.library.reconcile(ids);
    this.scanned(s);
    if (this.o.autoIndex && this.o.slot.model && !this.closed && s.toRead > 0 && !this.lane.busy) this.start();
  }

  /** Drops these items from the vector index and the catalog. */
  private dropFromCache(itemIds: number[]): void {
    const embIds: number[] = [];
    for (const id of itemIds) embIds.push(...this.o.slot.catalog.removeItem(id));
    this.o.slot.vectors?.remove(embIds);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.lane.stop();
  }

  private scanned(s: ReconcileSummary): void {
    this.dropFromCache(s.removedItemIds);
    if (s.added || s.changed || s.removed) this.o.emit({ type: 'libraryChanged', added: s.added, changed: s.changed, removed: s.removed });
  }

  private ended(p: JobProgress): void {
    this.o.emit({ type: 'progress', progress: p });
    // changes that arrived as the job was finishing: go again
    if (p.state === 'done' && this.o.autoIndex && !this.closed && countPending(this.o.db, this.o.slot.version) > 0) this.startLater('indexing');
  }
}
