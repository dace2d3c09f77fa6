// Perception evidence for `trove eval` of a model that reads it: each image's evidence is
// made by the installed perception packages from the decode the passes use (longer side
// 1600), and kept in the build folder's evidence cache (<build>/evidence/evidence.jsonl, the
// one native-models/recipes/perceive-images.ts fills), so a suite's images are perceived
// once. Where the recipe left the text reader out on purpose (images of sets that hold no
// text: its `--text-groups`), the cache's evidence without text is used, and counted.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../../base/hash';
import { findInstalled } from '../../engine/installed';
import { decodeForPerception } from '../../engine/library/images';
import type { PerceptionEvidence, PerceptionUse } from '../../ml/models/embedding-model';
import { EvidenceCache, evidenceModelsKey } from '../../ml/perception/evidence-cache';
import { EVIDENCE_DECODE_SIDE, installedEvidenceVersions, loadEvidenceModels, perceive, type LoadedEvidenceModels } from '../../ml/perception/evidence';
import { ModelPackageError } from '../../ml/models/model-package';
import { findBuildDir } from './locate';

export interface EvalEvidence {
  perceive(path: string): Promise<PerceptionEvidence>;
  /** images perceived now, found in the cache, and found there without the reader's text */
  counts(): { computed: number; cached: number; withoutText: number };
  /** packages that differ from those the model was trained with, in words (empty when none) */
  mismatches: string[];
  close(): Promise<void>;
}

export function evalEvidence(use: PerceptionUse, env: NodeJS.ProcessEnv = process.env): EvalEvidence {
  const root = findInstalled('native-models');
  if (!root) throw new ModelPackageError('The perception packages (native-models/) were not found; the model needs them to see what is in an image. Reinstall Trove.');
  const versions = installedEvidenceVersions(root, use.kinds);
  const mismatches = use.kinds.filter((k) => use.packages[k] && use.packages[k] !== versions[k]).map((k) => `${k}: installed ${versions[k]}, trained with ${use.packages[k]}`);
  const build = findBuildDir(env);
  const file = build ? join(build, 'evidence', 'evidence.jsonl') : null;
  const full = file ? EvidenceCache.open(file, evidenceModelsKey(versions)) : null;
  const noText = file && use.kinds.includes('text') ? EvidenceCache.open(file, evidenceModelsKey({ ...versions, text: undefined })) : null;
  const memory = new Map<string, PerceptionEvidence>();
  let models: Promise<LoadedEvidenceModels> | null = null;
  const counts = { computed: 0, cached: 0, withoutText: 0 };
  return {
    mismatches,
    counts: () => ({ ...counts }),
    async perceive(path) {
      const bytes = await readFile(path);
      const key = sha256(bytes);
      const hit = full?.get(key) ?? memory.get(key);
      if (hit) {
        counts.cached++;
        return hit;
      }
      const partial = noText?.get(key);
      if (partial) {
        counts.withoutText++;
        return partial;
      }
      models ??= loadEvidenceModels(root, use.kinds);
      const e = await perceive(await models, await decodeForPerception(bytes, EVIDENCE_DECODE_SIDE), use.kinds);
      counts.computed++;
      if (full) full.put(key, e);
      else memory.set(key, e);
      return e;
    },
    async close() {
      if (models) await (await models).dispose();
    },
  };
}
