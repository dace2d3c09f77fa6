// Perception evidence: what the classifier, the object detector and the text reader see in
// one image, in the form an embedding model reads it (EmbedInput.perception). The engine's
// passes run the same models on the same decode at indexing time and store what they find;
// `evidenceFromStored` (engine side) rebuilds this from their rows. This module is the one
// place where the models are run for evidence outside the passes: query images that are not
// in the library, `trove eval`, and the training recipes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelPackageError } from '../models/model-package';
import type { EvidenceBox, PerceptionEvidence, PerceptionKind } from '../models/embedding-model';
import { loadClassifier } from './classifier';
import { loadDetector } from './detector';
import { loadTextReader } from './ocr/reader';
import type { ImageClassifier, ObjectDetector, RgbImage, TextReader } from './types';

/** The classifier's labels kept as evidence: the top few down to a probability (as the labels pass stores them). */
export const EVIDENCE_LABELS = { top: 5, minScore: 0.02 } as const;

/**
 * Longer side of the decode evidence is computed on (the passes' decode:
 * main/engine/passes/pass.ts PERCEPTION_DECODE_SIDE): text in a 12 MP photo stays legible.
 */
export const EVIDENCE_DECODE_SIDE = 1600;

export interface EvidenceModels {
  classifier?: ImageClassifier;
  detector?: ObjectDetector;
  reader?: TextReader;
}

/** No evidence of any kind: what a model is given for an image where nothing was found. */
export const emptyEvidence = (): PerceptionEvidence => ({ objects: [], labels: [], text: [] });

/**
 * Runs the models `kinds` asks for on one decoded image (any size; each model resizes it
 * itself). A kind whose model is not given stays empty.
 */
export async function perceive(models: EvidenceModels, image: RgbImage, kinds: readonly PerceptionKind[] = ['objects', 'labels', 'text']): Promise<PerceptionEvidence> {
  const out = emptyEvidence();
  if (kinds.includes('labels') && models.classifier) {
    const [top] = await models.classifier.classify([image], EVIDENCE_LABELS.top);
    out.labels = (top ?? []).filter((l) => l.score >= EVIDENCE_LABELS.minScore).map((l) => ({ label: l.label, score: l.score, ...(l.wnid ? { wnid: l.wnid } : {}) }));
  }
  if (kinds.includes('objects') && models.detector) {
    out.objects = (await models.detector.detect(image)).map((d) => ({ label: d.label, score: d.score, box: { ...d.box } }));
  }
  if (kinds.includes('text') && models.reader) out.text = (await models.reader.read(image)).map((l) => ({ text: l.text, box: { ...l.box } }));
  return out;
}

/**
 * The evidence of a region of an image (a crop Point at compares), from the whole image's:
 * the objects whose box lies mostly inside it and the lines of text whose centre does, in the
 * region's coordinates. The classifier's labels describe the whole image, so a region keeps
 * them only when it covers most of it.
 */
export function evidenceOfRegion(e: PerceptionEvidence, region: EvidenceBox): PerceptionEvidence {
  const { x, y, width: w, height: h } = region;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const toRegion = (b: EvidenceBox): EvidenceBox => {
    const x0 = clamp((b.x - x) / w);
    const y0 = clamp((b.y - y) / h);
    return { x: x0, y: y0, width: clamp((b.x + b.width - x) / w) - x0, height: clamp((b.y + b.height - y) / h) - y0 };
  };
  const shareInside = (b: EvidenceBox): number => {
    const ix = Math.max(0, Math.min(x + w, b.x + b.width) - Math.max(x, b.x));
    const iy = Math.max(0, Math.min(y + h, b.y + b.height) - Math.max(y, b.y));
    const area = b.width * b.height;
    return area > 0 ? (ix * iy) / area : 0;
  };
  const centreInside = (b: EvidenceBox): boolean => {
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    return cx >= x && cx <= x + w && cy >= y && cy <= y + h;
  };
  return {
    objects: e.objects.filter((o) => shareInside(o.box) >= 0.5).map((o) => ({ ...o, box: toRegion(o.box) })),
    labels: w * h >= REGION_KEEPS_LABELS ? e.labels : [],
    text: e.text.filter((l) => centreInside(l.box)).map((l) => ({ text: l.text, box: toRegion(l.box) })),
  };
}

/** A region at least this share of the image keeps the image's labels. */
export const REGION_KEEPS_LABELS = 0.6;

/** The packages evidence is made with (folders of native-models/), per kind. */
export const EVIDENCE_PACKAGES: Record<PerceptionKind, string> = { labels: 'imagenet-mobilenet-v2', objects: 'coco-centernet', text: 'ppocr-v4' };

/** The `<id>@<version>` of the evidence packages installed in `root` (their manifests; nothing loaded). */
export function installedEvidenceVersions(root: string, kinds: readonly PerceptionKind[] = ['labels', 'objects', 'text']): Partial<Record<PerceptionKind, string>> {
  const out: Partial<Record<PerceptionKind, string>> = {};
  for (const k of kinds) {
    const file = join(root, EVIDENCE_PACKAGES[k], 'manifest.json');
    if (!existsSync(file)) throw new ModelPackageError(`The perception package ${EVIDENCE_PACKAGES[k]} is not installed (${file} is missing). Reinstall Trove.`);
    const m = JSON.parse(readFileSync(file, 'utf8')) as { id: string; version: string };
    out[k] = `${m.id}@${m.version}`;
  }
  return out;
}

export interface LoadedEvidenceModels extends EvidenceModels {
  /** `<id>@<version>` of each loaded model, per kind: evidence made by other versions differs */
  versions: Partial<Record<PerceptionKind, string>>;
  dispose(): Promise<void>;
}

/** Loads the models of `kinds` from `root` (a native-models/ folder); a missing package is an error that names it. */
export async function loadEvidenceModels(root: string, kinds: readonly PerceptionKind[], options: { threads?: number; providers?: readonly string[] } = {}): Promise<LoadedEvidenceModels> {
  const out: LoadedEvidenceModels = { versions: {}, dispose: async () => undefined };
  const at = (kind: PerceptionKind) => join(root, EVIDENCE_PACKAGES[kind]);
  if (kinds.includes('labels')) out.classifier = await loadClassifier(at('labels'), options);
  if (kinds.includes('objects')) out.detector = await loadDetector(at('objects'), options);
  if (kinds.includes('text')) out.reader = await loadTextReader(at('text'), options);
  for (const [kind, m] of [['labels', out.classifier], ['objects', out.detector], ['text', out.reader]] as const) if (m) out.versions[kind] = `${m.id}@${m.version}`;
  out.dispose = async () => {
    for (const m of [out.classifier, out.detector, out.reader]) await m?.dispose();
  };
  return out;
}
