// Perception tokens: what the detector, the classifier and the text reader saw in an image
// (EmbedInput.perception), as the vlm2vec model reads it (vlm2vec.json configVersion 3).
//
// (a) A few SLOTS in front of the visual tokens, one per kind of evidence:
//     - one summary slot (how many objects and classes were found, the classifier's top
//       probability, how many lines of text): present whenever evidence is given, so
//       "nothing found" is evidence too;
//     - one slot per detected COCO class, best first (at most `objectSlots`): its best
//       score, how many (1..6+), where (mean centre, the extent of its boxes, the largest
//       box's size);
//     - one slot per classifier label, best first (at most `labelSlots`, from `minLabelScore`):
//       its probability.
//     Each slot is the embedding of its id (0 = summary, 1.. = COCO classes, then ImageNet
//     classes by WordNet id) plus a learned projection of its `SLOT_FEATURES` numbers. Slots
//     without evidence are masked, like the visual slots of a row without an image.
// (b) The text read in the image as TEXT TOKENS (the model's own tokenizer) in a marked
//     segment right after `<s>`: `<s> [text_open] line line ... [text_close] instruction text`.
//     The two marker ids come after the tokenizer's vocabulary: no text can produce them.
//
// Pure functions: the family loader (inference), the recipes (training) and the tests call
// the same code, so the same evidence always gives the same numbers.
import type { PerceptionEvidence } from '../embedding-model';

export interface Vlm2vecPerceptionConfig {
  /** COCO class slots per image, best first */
  objectSlots: number;
  /** classifier label slots per image, best first */
  labelSlots: number;
  /** labels below this probability are left out (the passes store labels from 0.02) */
  minLabelScore: number;
  /** the detector's class names, in id order (slot ids 1..objectClasses.length) */
  objectClasses: string[];
  /** the classifier's WordNet ids, in id order (slot ids after the object classes) */
  labelClasses: string[];
  /** tokens of read text per input, markers excluded */
  textTokens: number;
  /** ids of the text segment's markers (the tokenizer's vocabulary size and the next) */
  textOpen: number;
  textClose: number;
  /** the perception packages (id@version) the training evidence came from, per kind */
  packages: { labels: string; objects: string; text: string };
}

/** Numbers per slot (see slotFeatures). */
export const SLOT_FEATURES = 17;
// 0 summary flag, 1 object flag, 2 label flag, 3 score (summary: the top label's),
// 4..9 object count 1..6+ (summary: 4 detections / 10, 5 classes / objectSlots, 6 lines of
// text / 10, 7 any text), 10-11 mean box centre - 0.5, 12-15 extent of the class's boxes
// (x0, x1, y0, y1) - 0.5, 16 sqrt of the largest box's area

/** Slots per input: the summary, then objects, then labels. */
export const slotCount = (p: Vlm2vecPerceptionConfig): number => 1 + p.objectSlots + p.labelSlots;

/** Rows of the slot id table: summary + object classes + label classes. */
export const slotVocab = (p: Vlm2vecPerceptionConfig): number => 1 + p.objectClasses.length + p.labelClasses.length;

/** One input's slots: ids [P], features [P * SLOT_FEATURES], mask [P] (1 = evidence, 0 = empty slot). */
export interface PerceptionSlots {
  ids: number[];
  features: Float32Array;
  mask: number[];
}

const COUNT_BUCKETS = 6;

/**
 * The slots of one input. `evidence` undefined (not known: the passes have not run, or an
 * input without an image) masks every slot.
 */
export function perceptionSlots(p: Vlm2vecPerceptionConfig, evidence: PerceptionEvidence | undefined): PerceptionSlots {
  const n = slotCount(p);
  const out: PerceptionSlots = { ids: new Array<number>(n).fill(0), features: new Float32Array(n * SLOT_FEATURES), mask: new Array<number>(n).fill(0) };
  if (!evidence) return out;
  const f = (slot: number, i: number, v: number) => (out.features[slot * SLOT_FEATURES + i] = v);

  // objects: per class, best score first (ties: class order)
  const byClass = new Map<number, { score: number; boxes: PerceptionEvidence['objects'][number]['box'][] }>();
  for (const o of evidence.objects) {
    const c = p.objectClasses.indexOf(o.label);
    if (c < 0) continue;
    const cur = byClass.get(c) ?? { score: 0, boxes: [] };
    cur.score = Math.max(cur.score, o.score);
    cur.boxes.push(o.box);
    byClass.set(c, cur);
  }
  const classes = [...byClass].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
  const labels = evidence.labels
    .filter((l) => l.score >= p.minLabelScore && l.wnid !== undefined && p.labelClasses.includes(l.wnid))
    .sort((a, b) => b.score - a.score || a.wnid!.localeCompare(b.wnid!))
    .slice(0, p.labelSlots);

  // summary
  out.mask[0] = 1;
  f(0, 0, 1);
  f(0, 3, labels[0]?.score ?? 0);
  f(0, 4, Math.min(evidence.objects.length, 10) / 10);
  f(0, 5, Math.min(byClass.size, p.objectSlots) / p.objectSlots);
  f(0, 6, Math.min(evidence.text.length, 10) / 10);
  f(0, 7, evidence.text.length > 0 ? 1 : 0);

  classes.slice(0, p.objectSlots).forEach(([c, v], k) => {
    const s = 1 + k;
    out.ids[s] = 1 + c;
    out.mask[s] = 1;
    f(s, 1, 1);
    f(s, 3, v.score);
    f(s, 4 + Math.min(v.boxes.length, COUNT_BUCKETS) - 1, 1);
    const cx = v.boxes.reduce((t, b) => t + b.x + b.width / 2, 0) / v.boxes.length;
    const cy = v.boxes.reduce((t, b) => t + b.y + b.height / 2, 0) / v.boxes.length;
    f(s, 10, cx - 0.5);
    f(s, 11, cy - 0.5);
    f(s, 12, Math.min(...v.boxes.map((b) => b.x)) - 0.5);
    f(s, 13, Math.max(...v.boxes.map((b) => b.x + b.width)) - 0.5);
    f(s, 14, Math.min(...v.boxes.map((b) => b.y)) - 0.5);
    f(s, 15, Math.max(...v.boxes.map((b) => b.y + b.height)) - 0.5);
    f(s, 16, Math.sqrt(Math.max(...v.boxes.map((b) => b.width * b.height))));
  });
  labels.forEach((l, k) => {
    const s = 1 + p.objectSlots + k;
    out.ids[s] = 1 + p.objectClasses.length + p.labelClasses.indexOf(l.wnid!);
    out.mask[s] = 1;
    f(s, 2, 1);
    f(s, 3, l.score);
  });
  return out;
}

/** The text the reader saw, as the segment reads it: lines in reading order, one space between. */
export function readTextOf(evidence: PerceptionEvidence | undefined): string {
  return (evidence?.text ?? [])
    .map((l) => l.text.trim())
    .filter((t) => t.length > 0)
    .join(' ');
}

/**
 * The input's token ids with the text segment: `[<s>, open, ...text, close, ...prompt]` where
 * `prompt` is the tokenized `<s>{instruction} {text}` without its `<s>`, `text` the read
 * text's tokens (without `<s>`, at most `textTokens`). No segment when nothing was read.
 */
export function withTextSegment(p: Vlm2vecPerceptionConfig, prompt: readonly number[], readText: readonly number[]): number[] {
  if (!readText.length) return [...prompt];
  return [prompt[0]!, p.textOpen, ...readText.slice(0, p.textTokens), p.textClose, ...prompt.slice(1)];
}
