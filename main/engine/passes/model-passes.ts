// The passes that run a perception model (main/ml/perception) on the photo's decode:
// labels (ImageNet, then a bird or insect species model when the photo shows one),
// objects (COCO detector), faces, text (OCR). Each stores what its model returned, so
// thresholds used in ranking can change without running the models again.
import type { FaceDetector, ImageClassifier, LabelScore, ObjectDetector, TextReader } from '../../ml/perception/types';
import type { PassResult, TagRow } from '../store/perception';
import { documentKinds } from './document-kinds';
import type { Pass } from './pass';

/**
 * A pass's version: its models' ids and versions, and the revision of its own code (bump
 * it when the pass would store something else for the same photo).
 */
const versionOf = (revision: number, ...models: { id: string; version: string }[]) => models.map((x) => `${x.id}@${x.version}`).join('+') + `/r${revision}`;

/** Labels worth keeping: the classifier's top classes down to this probability. */
const MIN_LABEL_SCORE = 0.02;
const TOP_LABELS = 5;
/** A species model runs when the ImageNet labels give its group at least this much probability. */
const SPECIES_GATE = 0.2;

export interface SpeciesModel {
  classifier: ImageClassifier;
  /** the WordNet synset of the group it knows (bird n01503061, insect n02159955) */
  group: string;
}

export function labelsPass(imagenet: ImageClassifier, species: SpeciesModel[], isA: (wnid: string, group: string) => boolean): Pass {
  return {
    name: 'labels',
    label: 'recognising what photos show',
    version: versionOf(1, imagenet, ...species.map((s) => s.classifier)),
    needsPixels: true,
    async run(_item, image) {
      const [top] = await imagenet.classify([image!], TOP_LABELS);
      const tags: TagRow[] = labelTags(top!);
      for (const s of species) {
        const mass = top!.filter((l) => l.wnid && isA(l.wnid, s.group)).reduce((sum, l) => sum + l.score, 0);
        if (mass < SPECIES_GATE) continue;
        const [found] = await s.classifier.classify([image!], 3);
        // a species' probability is conditional on the photo showing the group at all
        tags.push(...labelTags(found!.map((l) => ({ ...l, score: l.score * Math.min(1, mass) }))));
      }
      return { tags };
    },
  };
}

function labelTags(labels: LabelScore[]): TagRow[] {
  return labels
    .filter((l) => l.score >= MIN_LABEL_SCORE)
    .map((l) => ({ tag: l.commonName ? `${l.commonName} (${l.label})` : l.label, score: l.score, count: 1, ref: l.wnid ?? null }));
}

export function objectsPass(detector: ObjectDetector): Pass {
  return {
    name: 'objects',
    label: 'finding objects',
    version: versionOf(1, detector),
    needsPixels: true,
    async run(_item, image) {
      const found = await detector.detect(image!);
      const byLabel = new Map<string, { score: number; count: number }>();
      for (const d of found) {
        const cur = byLabel.get(d.label) ?? { score: 0, count: 0 };
        byLabel.set(d.label, { score: Math.max(cur.score, d.score), count: cur.count + 1 });
      }
      return {
        tags: [...byLabel].map(([tag, v]) => ({ tag, score: v.score, count: v.count, ref: null })),
        regions: found.map((d) => ({ label: d.label, score: d.score, x: d.box.x, y: d.box.y, w: d.box.width, h: d.box.height })),
      };
    },
  };
}

/**
 * Faces are looked for only where the object detector saw a person (when it ran on the
 * photo in this run): on the dev photos every photo with a face also had a person, and
 * most photos have none, so this saves the face model's cost on most of them.
 */
export function facesPass(faces: FaceDetector): Pass {
  return {
    name: 'faces',
    label: 'counting faces',
    version: versionOf(2, faces),
    needsPixels: true,
    async run(_item, image, earlier): Promise<PassResult> {
      const objects = earlier.get('objects');
      if (objects && !objects.tags?.some((t) => t.tag === 'person')) return {};
      const found = await faces.detect(image!);
      if (!found.length) return {};
      const largest = Math.max(...found.map((f) => f.box.width * f.box.height));
      return {
        // ref: the largest face's share of the photo ("selfie": one big face)
        tags: [{ tag: 'face', score: Math.max(...found.map((f) => f.score)), count: found.length, ref: largest.toFixed(4) }],
        regions: found.map((f) => ({ label: 'face', score: f.score, x: f.box.x, y: f.box.y, w: f.box.width, h: f.box.height })),
      };
    },
  };
}

export function textPass(reader: TextReader): Pass {
  return {
    name: 'text',
    label: 'reading text in photos',
    version: versionOf(2, reader),
    needsPixels: true,
    async run(_item, image) {
      const lines = await reader.read(image!);
      return {
        lines: lines.map((l) => ({ text: l.text, score: l.score, x: l.box.x, y: l.box.y, w: l.box.width, h: l.box.height })),
        // what kind of document the text says it is: a receipt, a ticket, a letter...
        tags: documentKinds(lines.map((l) => l.text)),
      };
    },
  };
}
