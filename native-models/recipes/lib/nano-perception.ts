// vlm2vec-nano's perception tokens as the training recipe sets them up: the perception part
// of the model config (the classes of the detector and the classifier the engine runs), the
// evidence of the data's images (the evidence cache perceive-images.ts fills), the synthetic
// evidence pairs, and a start from an earlier package's weights (vlm2vec-nano 0.1), whose
// token table grows by the two text markers and whose new slot embeddings start as the mean
// of the token embeddings of each class's name.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256 } from '../../../main/base/hash';
import { cocoClasses } from '../../../main/engine/lexicon/coco';
import { defaultLexicon } from '../../../main/engine/lexicon/lexicon';
import type { PerceptionEvidence } from '../../../main/ml/models/embedding-model';
import type { Vlm2vecConfig, Vlm2vecModel } from '../../../main/ml/models/vlm2vec/model';
import type { Vlm2vecPerceptionConfig } from '../../../main/ml/models/vlm2vec/perception';
import type { PromptTokenizer } from '../../../main/ml/models/vlm2vec/tokenizer';
import { EvidenceCache, evidenceModelsKey } from '../../../main/ml/perception/evidence-cache';
import { EVIDENCE_LABELS, EVIDENCE_PACKAGES, installedEvidenceVersions } from '../../../main/ml/perception/evidence';
import { evidencePairs, type EvidencePair, type ImagenetClass } from './evidence-pairs';

/** The ImageNet classes of the classifier package (background left out), in output order. */
export function imagenetClasses(modelsRoot: string): ImagenetClass[] {
  const labels = JSON.parse(readFileSync(join(modelsRoot, EVIDENCE_PACKAGES.labels, 'labels.json'), 'utf8')) as { classes: { label: string; wnid?: string; background?: boolean }[] };
  return labels.classes.filter((c) => !c.background && c.wnid).map((c) => ({ label: c.label, wnid: c.wnid! }));
}

/** The detector package's class names, in class order. */
export function cocoNames(modelsRoot: string): string[] {
  return (JSON.parse(readFileSync(join(modelsRoot, EVIDENCE_PACKAGES.objects, 'labels.json'), 'utf8')) as { classes: string[] }).classes;
}

/** The versions (id@version) of the perception packages in `modelsRoot`, per kind. */
export function evidenceVersions(modelsRoot: string): Vlm2vecPerceptionConfig['packages'] {
  const v = installedEvidenceVersions(modelsRoot);
  return { labels: v.labels!, objects: v.objects!, text: v.text! };
}

/** The perception part of nano's config, for a tokenizer of `tokenizerVocab` tokens. */
export function nanoPerception(modelsRoot: string, tokenizerVocab: number): Vlm2vecPerceptionConfig {
  return {
    objectSlots: 6,
    labelSlots: 3,
    minLabelScore: EVIDENCE_LABELS.minScore,
    objectClasses: cocoNames(modelsRoot),
    labelClasses: imagenetClasses(modelsRoot).map((c) => c.wnid),
    textTokens: 32,
    textOpen: tokenizerVocab,
    textClose: tokenizerVocab + 1,
    packages: evidenceVersions(modelsRoot),
  };
}

/**
 * The evidence of the data's images: full evidence (with the reader's text) where it was
 * computed, else evidence without text (perceive-images.ts leaves the reader out of groups
 * that hold no text; the text is then empty), else none.
 */
export function dataEvidence(dataDir: string, cacheFile: string, packages: Vlm2vecPerceptionConfig['packages']): { evidenceOf(path: string): PerceptionEvidence | undefined; found(): number } {
  const full = EvidenceCache.open(cacheFile, evidenceModelsKey(packages));
  const noText = EvidenceCache.open(cacheFile, evidenceModelsKey({ ...packages, text: undefined }));
  let found = 0;
  const memo = new Map<string, PerceptionEvidence | undefined>();
  return {
    evidenceOf(path: string) {
      if (memo.has(path)) return memo.get(path);
      const key = sha256(readFileSync(resolve(dataDir, path)));
      const e = full.get(key) ?? noText.get(key);
      memo.set(path, e);
      if (e) found++;
      return e;
    },
    found: () => found,
  };
}

/** The synthetic evidence pairs (lib/evidence-pairs.ts) for the installed lexicon and packages. */
export function syntheticPairs(modelsRoot: string, perSet: number, seed: string): EvidencePair[] {
  return evidencePairs({ lex: defaultLexicon(), imagenet: imagenetClasses(modelsRoot), coco: cocoClasses().map((c) => ({ name: c.name, wnid: c.wnid })), perSet, seed });
}

/**
 * `model`'s weights from `from` (a model of the same size without perception, e.g. nano 0.1):
 * every parameter of the same shape is copied; the token table's rows are copied and its new
 * rows (the text markers) keep their initial values; each perception slot embedding starts
 * as the mean of the token embeddings of its class's name (so "dog" starts near the word).
 */
export function warmStart(model: Vlm2vecModel, from: Vlm2vecModel, tok: PromptTokenizer, names: { objects: string[]; labels: string[] }): { copied: number; grown: string[]; fresh: string[] } {
  const src = from.stateDict();
  const dst = model.stateDict();
  const out = { copied: 0, grown: [] as string[], fresh: [] as string[] };
  for (const [name, values] of dst) {
    const s = src.get(name);
    if (s && s.length === values.length) {
      values.set(s);
      out.copied++;
    } else if (s && name === 'lm/embed/weight' && s.length < values.length) {
      values.set(s);
      out.grown.push(name);
    } else out.fresh.push(name);
  }
  const table = src.get('lm/embed/weight');
  const slots = dst.get('perception/embed/weight');
  if (table && slots) {
    const d = model.cfg.dim;
    const meanOf = (word: string, row: number) => {
      const ids = tok.encodeRaw(word).slice(1);
      if (!ids.length) return;
      const acc = new Float32Array(d);
      for (const id of ids) for (let k = 0; k < d; k++) acc[k]! += table[id * d + k]! / ids.length;
      slots.set(acc, row * d);
    };
    names.objects.forEach((w, i) => meanOf(w, 1 + i));
    names.labels.forEach((w, i) => meanOf(w, 1 + names.objects.length + i));
  }
  model.loadStateDict(dst);
  return out;
}

/** A perception config's class names for warmStart. */
export function slotNames(modelsRoot: string): { objects: string[]; labels: string[] } {
  return { objects: cocoNames(modelsRoot), labels: imagenetClasses(modelsRoot).map((c) => c.label) };
}

export type { Vlm2vecConfig };
