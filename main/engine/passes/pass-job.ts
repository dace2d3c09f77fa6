// The perception passes as a job (indexing's last phase): every photo that some pass has
// not seen in its current content is read and decoded ONCE, each due pass runs on that
// decode, and the photo's results are committed in one transaction with its search
// documents. A pass that fails on a photo records its error for that pass only. A kill
// loses at most the photo in flight: the database says which passes are still due.
import { promises as fsp } from 'node:fs';
import { messageOf } from '../../base/errors';
import type { JobProgress } from '../../contract/api';
import type { RgbImage } from '../../ml/models/embedding-model';
import type { Job } from '../jobs/job';
import { jobProgress, RateMeter } from '../jobs/progress';
import { decodeForPerception } from '../library/images';
import type { Db } from '../store/db';
import { getItem, type ItemRow } from '../store/items';
import { updateJob } from '../store/jobs';
import { photosDueFor, writePassResult, type PassResult } from '../store/perception';
import { PERCEPTION_DECODE_SIDE, type Pass } from './pass';

export interface PassJobOptions {
  db: Db;
  jobId: number;
  passes: readonly Pass[];
  /** rebuilds the item's search documents after its passes changed (inside the commit) */
  refreshDocs: (itemId: number) => void;
  onProgress: (p: JobProgress) => void;
}

type Outcome = { ok: true; result: PassResult } | { ok: false; error: string };

/** Which passes each photo still needs, in photo id order. */
export function duePhotos(db: Db, passes: readonly Pass[]): Map<number, Pass[]> {
  const due = new Map<number, Pass[]>();
  for (const p of passes) {
    for (const row of photosDueFor(db, p.name, p.version, Number.MAX_SAFE_INTEGER)) {
      const list = due.get(row.id);
      if (list) list.push(p);
      else due.set(row.id, [p]);
    }
  }
  return new Map([...due].sort((a, b) => a[0] - b[0]));
}

export class PassJob implements Job {
  private state: JobProgress['state'] = 'running';
  private done = 0;
  private total = 0;
  private readonly meter = new RateMeter();
  private cancelled = false;
  private paused = false;
  private resumeWaiters: (() => void)[] = [];
  private lastEmit = 0;
  private message: string | undefined;

  constructor(private readonly o: PassJobOptions) {
    this.message = o.passes.map((p) => p.label).join(', ');
  }

  progress(): JobProgress {
    const { state, done, total, message } = this;
    return jobProgress({ jobId: this.o.jobId, kind: 'index', phase: 'passes', state, done, total, message }, this.meter);
  }

  cancel(): boolean {
    if (this.state !== 'running' && this.state !== 'paused') return false;
    this.cancelled = true;
    this.wake();
    return true;
  }

  pause(): boolean {
    if (this.state !== 'running') return false;
    this.paused = true;
    this.state = 'paused';
    this.emit(true);
    return true;
  }

  resume(): boolean {
    if (this.state !== 'paused') return false;
    this.paused = false;
    this.state = 'running';
    this.wake();
    this.emit(true);
    return true;
  }

  async run(): Promise<JobProgress> {
    try {
      const due = [...duePhotos(this.o.db, this.o.passes)];
      this.total = due.length;
      this.meter.record(0);
      this.emit(true);
      // the next photo is read and decoded while the models run on this one
      let next = due.length ? this.load(due[0]![0], due[0]![1]) : null;
      for (let i = 0; i < due.length && !this.cancelled; i++) {
        const loaded = await next!;
        next = i + 1 < due.length ? this.load(due[i + 1]![0], due[i + 1]![1]) : null;
        if (this.paused) await new Promise<void>((r) => this.resumeWaiters.push(r));
        if (this.cancelled) break;
        if (loaded) await this.runPasses(loaded.item, due[i]![1], loaded.image);
        this.done++;
        this.meter.record(this.done);
        this.emit(false);
      }
      await next?.catch(() => undefined);
      this.state = this.cancelled ? 'cancelled' : 'done';
    } catch (err) {
      this.state = 'failed';
      this.message = `the perception passes stopped: ${messageOf(err)}`;
    }
    if (this.state !== 'failed') this.message = undefined;
    updateJob(this.o.db, this.o.jobId, { state: this.state, done: this.done, total: this.total, message: this.message });
    this.emit(true);
    return this.progress();
  }

  /** The item as it is now and its decode (an error string when it cannot be decoded); null when it changed or left. */
  private async load(id: number, passes: Pass[]): Promise<{ item: ItemRow; image: RgbImage | string | null } | null> {
    const item = getItem(this.o.db, id);
    if (!item || item.state !== 'ready' || !item.hash) return null;
    if (!passes.some((p) => p.needsPixels)) return { item, image: null };
    try {
      const st = await fsp.stat(item.path);
      // changed on disk since it was indexed: the next indexing run reads it again first
      if (st.size !== item.size || st.mtimeMs !== item.mtime) return null;
      return { item, image: await decodeForPerception(await fsp.readFile(item.path), PERCEPTION_DECODE_SIDE) };
    } catch (err) {
      return { item, image: `the photo could not be read (${messageOf(err)})` };
    }
  }

  private async runPasses(item: ItemRow, passes: Pass[], image: RgbImage | string | null): Promise<void> {
    const outcomes: [Pass, Outcome][] = [];
    const earlier = new Map<Pass['name'], PassResult>();
    for (const pass of passes) {
      if (pass.needsPixels && typeof image === 'string') {
        outcomes.push([pass, { ok: false, error: image }]);
        continue;
      }
      try {
        const result = await pass.run(item, typeof image === 'string' ? null : image, earlier);
        earlier.set(pass.name, result);
        outcomes.push([pass, { ok: true, result }]);
      } catch (err) {
        outcomes.push([pass, { ok: false, error: `${pass.label} failed: ${messageOf(err)}` }]);
      }
    }
    const { db } = this.o;
    db.transaction(() => {
      // the item may have changed or gone while the models ran
      const now = getItem(db, item.id);
      if (!now || now.hash !== item.hash) return;
      for (const [pass, outcome] of outcomes) writePassResult(db, item.id, pass.name, { version: pass.version, hash: item.hash! }, outcome);
      this.o.refreshDocs(item.id);
    })();
  }

  private wake(): void {
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  private emit(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < 200) return;
    this.lastEmit = now;
    updateJob(this.o.db, this.o.jobId, { state: this.state, done: this.done, total: this.total });
    this.o.onProgress(this.progress());
  }
}
