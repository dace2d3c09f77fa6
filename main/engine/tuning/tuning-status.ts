// The store's fine-tune runs, adoptions and model packages as the contract shows them
// (TuningStatus's parts): pure mappings, with what a live job reports laid over the stored row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobProgress } from '../../contract/api';
import type { Adoption, ModelVersionInfo, TuneScores as ContractScores, TuningRun } from '../../contract/tuning';
import type { TuneScores } from '../../ml/tune/fine-tune';
import type { AdoptionRow, RunRow } from '../store/tuning';
import type { TuneOutcome } from './protocol';

const toContractScores = (s: TuneScores | null | undefined): ContractScores | null =>
  s ? { heldOut: s.heldOut ? { n: s.heldOut.n, p1: Number.isFinite(s.heldOut.p1) ? s.heldOut.p1 : null, rPrecision: Number.isFinite(s.heldOut.rPrecision) ? s.heldOut.rPrecision : null, distractors: s.heldOut.distractors } : null, probe: s.probe?.overall ?? null } : null;

/** A run; `busy`: a worker of this engine runs it now (a 'running' row without one was interrupted). */
export function runInfo(r: RunRow, live: JobProgress | null, busy: boolean): TuningRun {
  const o = r.result as TuneOutcome | null;
  const orphan = r.state === 'running' && !busy;
  return {
    id: r.id,
    state: orphan ? 'failed' : r.state,
    phase: r.phase,
    step: live?.done ?? r.step,
    steps: r.steps,
    losses: r.losses,
    etaSeconds: live?.etaSeconds ?? null,
    pairs: r.pairs,
    trainPairs: o?.trainPairs ?? null,
    heldOutPairs: o?.heldOutPairs ?? null,
    before: toContractScores(o?.before),
    after: toContractScores(o?.after),
    packageDir: r.packageDir,
    version: o?.version ?? null,
    resumedFrom: o?.resumedFrom ?? 0,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    ...(orphan ? { message: 'interrupted when Trove stopped; start it again to resume from its last checkpoint' } : live?.message || r.message ? { message: (live?.message ?? r.message)! } : {}),
  };
}

/** An adoption; `busy`: this engine embeds for it now ('embedding' without that: Trove stopped mid-way; hosts that keep running resume it). */
export function adoptionInfo(a: AdoptionRow, live: JobProgress | null, busy: boolean): Adoption {
  const interrupted = a.state === 'embedding' && !busy;
  const message = interrupted ? 'interrupted when Trove stopped; the current model stays active until the new version is adopted again (what was embedded is kept)' : a.message;
  return {
    id: a.id,
    state: a.state,
    fromDir: a.fromDir,
    toDir: a.toDir,
    done: live?.done ?? a.done,
    total: live?.total ?? a.total,
    etaSeconds: live?.etaSeconds ?? null,
    ...(message ? { message } : {}),
  };
}

interface ManifestView {
  version: string;
  scores?: Record<string, number>;
  lineage?: { base: { id: string; version: string }; pairs: { count: number }; createdAt: string };
}

export function manifestOf(dir: string): ManifestView | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestView;
  } catch {
    return null;
  }
}

/** An installed package as a version of the library's model, with its lineage when Trove tuned it. */
export function versionInfo(p: { dir: string; id: string; version: string }, activeDir: string | null): ModelVersionInfo {
  const man = manifestOf(p.dir);
  return {
    dir: p.dir,
    id: p.id,
    version: p.version,
    active: p.dir === activeDir,
    base: man?.lineage ? { id: man.lineage.base.id, version: man.lineage.base.version } : null,
    pairs: man?.lineage?.pairs.count ?? null,
    scores: man?.scores ?? {},
    createdAt: man?.lineage?.createdAt ?? null,
  };
}
