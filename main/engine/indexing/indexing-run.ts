// One indexing run, as the phases of one job: look for new, changed and vanished files,
// embed what is pending, then run the perception passes over photos that lack them; for a
// model that reads perception evidence, embed the photos whose passes just ran again with it.
import type { JobProgress } from '../../contract/api';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { IndexJob } from '../embedding/pipeline';
import { EVIDENCE_PASSES } from '../embedding/evidence';
import { EvidenceRefreshJob } from '../embedding/evidence-refresh';
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
  // a model that reads perception evidence: photos embedded before their passes ran, again with it
  const refresh = async () => {
    const { model, version, vectors, catalog } = o.slot;
    if (!model?.perception || version === null || !vectors) return null;
    const wanted = new Set(model.perception.kinds.map((k) => EVIDENCE_PASSES[k]));
    const evidencePasses = (await o.enrichment.passes()).filter((p) => wanted.has(p.name));
    if (!evidencePasses.length) return null;
    return new EvidenceRefreshJob({ db: o.db, model: model as EmbeddingModel, modelVersion: version, vectors, catalog, passes: evidencePasses, jobId: o.jobId, batchSize: o.batchSize, onProgress: o.onProgress });
  };
  return new PhasedJob(head, [{ start: () => scan }, { start: embed, main: true }, { start: passes }, { start: refresh }], initial, (p) =>
    updateJob(o.db, o.jobId, { state: p.state, done: p.done, total: p.total, message: p.message }),
  );
}
