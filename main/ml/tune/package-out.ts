// Writes a fine-tuned model as a new package version next to the others: the base's trunk,
// tokenizer, instructions and anchor set, the new weights, its before/after scores and its
// lineage (base package, pairs' hash, settings). Written into a hidden folder and renamed
// into place, so a half-written package is never listed as a model.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../base/hash';
import { fsyncDir, fsyncFile } from '../../base/durable-write';
import type { ModelLineage, ModelManifest } from '../models/manifest';
import type { Vlm2vecModel } from '../models/vlm2vec/model';
import type { Vlm2vecPackageContents } from '../models/vlm2vec/package-read';
import { writeVlm2vecPackage } from '../models/vlm2vec/package';

export interface TunedPackageOptions {
  /** the folder new versions go into (a subfolder per version) */
  out: string;
  base: Vlm2vecPackageContents;
  /** the tuned model (adapters merged) */
  model: Vlm2vecModel;
  /** a stable id of this run (base, pairs, settings): part of the version */
  runKey: string;
  scores: Record<string, number>;
  lineage: ModelLineage;
  /** one sentence: what was done */
  summary: string;
}

const folderSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-');

/** The version a tuned package gets: the base's, marked as tuned by this run (a counter when that folder is taken). */
function pickVersion(out: string, id: string, baseVersion: string, runKey: string): { version: string; name: string } {
  for (let n = 1; ; n++) {
    const version = `${baseVersion}.tuned-${runKey.slice(0, 8)}${n > 1 ? `-${n}` : ''}`;
    const name = folderSafe(`${id}-${version}`);
    if (!existsSync(join(out, name))) return { version, name };
  }
}

export function writeTunedPackage(o: TunedPackageOptions): { dir: string; manifest: ModelManifest } {
  const m = o.base.manifest;
  mkdirSync(o.out, { recursive: true });
  const { version, name } = pickVersion(o.out, m.id, m.version, o.runKey);
  const dir = join(o.out, name);
  const tmp = join(o.out, `.writing-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  writeVlm2vecPackage(tmp, {
    id: m.id,
    version,
    config: o.model.cfg,
    params: o.model.stateDict(),
    tokenizer: o.base.tokenizerJson,
    trunk: o.base.trunkPath,
    instructions: m.instructions,
    scores: o.scores,
    provenance: `${o.summary} Base package provenance: ${m.provenance}`,
    licence: m.licence,
  });
  const manifest = JSON.parse(readFileSync(join(tmp, 'manifest.json'), 'utf8')) as ModelManifest;
  if (m.anchor) {
    const anchorJson = JSON.parse(readFileSync(join(o.base.dir, m.anchor), 'utf8')) as { features: { file: string } };
    for (const f of [m.anchor, anchorJson.features.file]) {
      copyFileSync(join(o.base.dir, f), join(tmp, f));
      manifest.files[f] = sha256(readFileSync(join(tmp, f)));
    }
    manifest.anchor = m.anchor;
  }
  manifest.lineage = o.lineage;
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const f of readdirSync(tmp)) fsyncFile(join(tmp, f));
  fsyncDir(tmp);
  renameSync(tmp, dir);
  fsyncDir(o.out);
  return { dir, manifest };
}
