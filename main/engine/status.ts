// The library's status: what is in it, what is embedded and pending for the model in use,
// the model, the job that runs (indexing first), and what the perception passes have done.
import type { JobProgress, Status } from '../contract/api';
import type { JobLane } from './jobs/job-lane';
import type { Library } from './library/library';
import type { ModelSlot } from './model-slot';
import type { Db } from './store/db';
import { countEmbeddedItems } from './store/embeddings';
import { countErrors } from './store/errors';
import { countItemsByKind, countPending } from './store/items';
import { lastJob, latestModelVersion } from './store/jobs';
import { passCounts } from './store/perception';

export interface StatusParts {
  dataDir: string;
  db: Db;
  slot: ModelSlot;
  library: Library;
  indexing: JobLane;
  labelling: JobLane;
}

export function engineStatus(p: StatusParts): Status {
  const { db, slot } = p;
  const m = slot.model;
  // without a model (CLI status), report against the newest model version that embedded
  const v = slot.version ?? latestModelVersion(db);
  return {
    dataDir: p.dataDir,
    sources: p.library.sources().length,
    items: countItemsByKind(db),
    embedded: countEmbeddedItems(db, v),
    pending: countPending(db, v),
    errors: countErrors(db),
    model: m ? { id: m.id, version: m.version, family: m.family, dim: m.dim, provider: m.provider.name, providersTried: m.provider.tried } : null,
    job: currentJob(p),
    passes: passCounts(db),
  };
}

/** The running job (indexing first), else the last indexing run. */
function currentJob(p: StatusParts): JobProgress | null {
  if (p.indexing.active) return p.indexing.progress();
  if (p.labelling.active) return p.labelling.progress();
  return p.indexing.progress() ?? lastJob(p.db, 'index');
}
