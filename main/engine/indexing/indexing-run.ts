// One indexing run, as the phases of one job: look for new, changed and vanished files,
// embed what is pending, then run the perception passes over photos that lack them.
import type { JobProgress } from '../../contract/api';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { IndexJob } from '../embedding/pipeline';
import type { Library, ReconcileSummary } from '../library/library';
import type { ModelSlot } from '../model-slot';
import type { Enrichment } from '../passes/enrichment';
import type { Db } from '../store/db';
import { updateJob } from '../store/jobs';
import { TaskJob } from '../jobs/job';
import { PhasedJob } from '../jobs/phased-job';

export interface IndexingRunOptions {
  db: Db;
  jobId: number;
  library: Library;
  slot: ModelSlot;
  enrichment: Enrichment;
  thumbsDir: string;
  concurrency?: number;
  batchSize?: number;
  /** what the scan changed (the engine drops removed items from its caches and tells the UI) */
  onScanned: (s: ReconcileSummary) => void;
  onProgress: (p: JobProgress) => void;
  log: (line: string) => void;
}

export function indexingRun(o: IndexingRunOptions): PhasedJob {
  const head = { jobId: o.jobId, kind: 'index' as const };
  const scanning = { ...head, phase: 'scan' as const, message: 'looking for new and changed files' };
  const initial: JobProgress = { ...scanning, state: 'running', done: 0, total: 0, rate: 0, etaSeconds: null };
  const scan = new TaskJob(scanning, async () => o.onScanned(await o.library.reconcileAll()), (line) => o.log(`scan failed: ${line}`));
  const embed = () => {
    const { model, version, vectors, catalog } = o.slot;
    if (!model || version === null || !vectors) return null;
    return new IndexJob({
      db: o.db,
      model: model as EmbeddingModel,
      modelVersion: version,
      vectors,
      catalog,
      thumbsDir: o.thumbsDir,
      jobId: o.jobId,
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      onProgress: o.onProgress,
      refreshDocs: (id) => o.enrichment.refreshDocs(id),
    });
  };
  const passes = () => o.enrichment.job(o.jobId, o.onProgress);
  return new PhasedJob(head, [{ start: () => scan }, { start: embed, main: true }, { start: passes }], initial, (p) =>
    updateJob(o.db, o.jobId, { state: p.state, done: p.done, total: p.total, message: p.message }),
  );
}
