// Training pairs that teach vlm2vec's perception tokens their words: made-up evidence (what
// the detector, the classifier and the text reader could report for a photo) paired with the
// captions, questions, answers and labels that name it, in VLM2Vec's instructions and all
// four task families. Words come from WordNet through the engine's lexicon: an ImageNet class
// is named by its own lemmas, its hypernyms a few steps up ("golden retriever" -> retriever,
// dog, canine) and its basic-level word ("dog"); a COCO class by its synset's lemmas and
// hypernyms. Everything is drawn from a seeded generator: the same seed gives the same pairs.
// The image side carries no pixels (has_image 0): these rows teach what the evidence means,
// the real images of the other sets teach it beside pixels.
import type { PerceptionEvidence } from '../../../main/ml/models/embedding-model';
import type { Lexicon } from '../../../main/engine/lexicon/lexicon';
import { documentText, DOCUMENT_KINDS, sampleDocument } from './document-content';
import { INSTRUCTIONS } from './instructions';
import { Rng } from './rng';

/** One side: instruction + text as the MMEB rows write them ({} filled), and its evidence (image sides). */
export interface EvidenceSide {
  text: string;
  evidence?: PerceptionEvidence;
}

export interface EvidencePair {
  set: string;
  query: EvidenceSide;
  target: EvidenceSide;
}

export interface ImagenetClass {
  label: string;
  wnid: string;
}

/** Words people use for things, nearest first: the word a synset is called by when its ancestors reach one. */
export const BASIC_WORDS = [
  'dog', 'cat', 'bird', 'fish', 'insect', 'spider', 'snake', 'lizard', 'turtle', 'frog', 'monkey', 'ape', 'bear', 'horse', 'cow', 'sheep',
  'pig', 'goat', 'rabbit', 'mouse', 'squirrel', 'fox', 'wolf', 'deer', 'elephant', 'lion', 'tiger', 'zebra', 'giraffe', 'camel', 'whale',
  'shark', 'butterfly', 'bee', 'beetle', 'ant', 'snail', 'crab', 'duck', 'owl', 'parrot', 'penguin', 'eagle', 'chicken', 'car', 'truck',
  'bus', 'boat', 'ship', 'airplane', 'bicycle', 'motorcycle', 'train', 'chair', 'table', 'bed', 'sofa', 'lamp', 'clock', 'telephone',
  'computer', 'bottle', 'cup', 'bowl', 'knife', 'spoon', 'hammer', 'saw', 'screwdriver', 'drill', 'guitar', 'piano', 'drum', 'violin',
  'ball', 'book', 'shoe', 'hat', 'shirt', 'dress', 'bag', 'fruit', 'vegetable', 'flower', 'tree', 'mushroom', 'bread', 'cake', 'building',
  'bridge', 'church', 'house', 'tower', 'tool', 'musical instrument', 'weapon', 'toy', 'food', 'vehicle', 'furniture', 'clothing', 'animal', 'plant',
];

/** Synsets too abstract to name a photo by ("whole", "artifact", "organism"). */
const TOO_ABSTRACT = new Set(['entity', 'physical entity', 'abstraction', 'object', 'whole', 'living thing', 'organism', 'artifact', 'instrumentality', 'matter', 'unit', 'causal agent', 'chordate', 'vertebrate', 'placental', 'mammal', 'commodity', 'structure', 'device', 'container', 'covering', 'conveyance', 'equipment', 'implement', 'article', 'creation', 'product', 'solid', 'substance', 'part', 'relation', 'group', 'invertebrate', 'arthropod', 'protective covering', 'material']);

/** What a synset may be called, each with how far up it is (0 = its own lemmas). */
export interface Naming {
  words: { word: string; distance: number }[];
  /** the nearest basic-level word (BASIC_WORDS), if its ancestors reach one */
  basic?: string;
  /** bird, fish, insect...: the group "what animal is this?" is answered with, or the basic word */
  animal?: string;
}

const common = (lemma: string): boolean => lemma === lemma.toLowerCase() && !/\d/.test(lemma);

/** The naming of a synset id from the lexicon (null when the lexicon does not know it). */
export function namingOf(lex: Lexicon, wnid: string, basicSynsets: Map<number, string>): Naming | null {
  const i = lex.indexOf(wnid);
  if (i === null) return null;
  const anc = [...lex.ancestors(i)].sort((a, b) => a[1] - b[1]);
  const words: Naming['words'] = [];
  const seen = new Set<string>();
  for (const [s, d] of anc) {
    if (d > 3) break;
    for (const l of lex.lemmas(s).map((x) => x.replace(/_/g, ' '))) {
      if (!common(l) || seen.has(l) || TOO_ABSTRACT.has(l)) continue;
      seen.add(l);
      words.push({ word: l, distance: d });
    }
  }
  const basicHits = anc.filter(([s]) => basicSynsets.has(s)).map(([s]) => basicSynsets.get(s)!);
  const basic = basicHits[0];
  const isAnimal = basicHits.includes('animal');
  const group = basicHits.find((w) => ['bird', 'fish', 'insect', 'spider', 'snake', 'lizard', 'frog', 'turtle', 'crab'].includes(w));
  const animal = isAnimal ? (group && !['duck', 'owl', 'parrot', 'penguin', 'eagle', 'chicken'].includes(basic ?? '') ? group : basic !== 'animal' ? basic : undefined) : undefined;
  return { words, ...(basic ? { basic } : {}), ...(animal ? { animal } : {}) };
}

/** Every noun sense of the basic words, to its word (the nearest ancestor in this map names a synset). */
export function basicSynsets(lex: Lexicon): Map<number, string> {
  const out = new Map<number, string>();
  for (const w of BASIC_WORDS) for (const s of lex.senses(w)) if (!out.has(s.synset) && lex.lemmas(s.synset).some((l) => l.replace(/_/g, ' ') === w)) out.set(s.synset, w);
  return out;
}

/** ImageNet classes the classifier gives photographed paper (receipts, menus, letters, signs). */
const DOCUMENT_LABELS = ['menu', 'envelope', 'web site', 'book jacket', 'packet', 'street sign', 'crossword puzzle', 'comic book', 'binder', 'notebook', 'carton', 'scoreboard'];

const fill = (template: string, text: string): string => template.split('{}').join(text);
const IMG = '<|image_1|>\n';
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'];

function plural(word: string): string {
  if (word === 'person') return 'people';
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

const noisy = (rng: Rng, s: string): string =>
  [...s]
    .map((c) => {
      const r = rng.next();
      if (r < 0.015) return '';
      if (r < 0.03 && /[a-z]/i.test(c)) return String.fromCharCode(97 + rng.int(0, 25));
      return c;
    })
    .join('');

export interface EvidencePairOptions {
  lex: Lexicon;
  /** the ImageNet classes (the classifier's label file, background left out) */
  imagenet: readonly ImagenetClass[];
  /** the COCO-80 class names and their synsets */
  coco: readonly { name: string; wnid: string }[];
  /** pairs per set */
  perSet: number;
  seed: string;
}

/** Every synthetic set, `perSet` pairs each. Set names start with their family (cls-, vqa-, ret-). */
export function evidencePairs(o: EvidencePairOptions): EvidencePair[] {
  const rng = new Rng(`${o.seed}:evidence-pairs`);
  const basics = basicSynsets(o.lex);
  const imagenet = o.imagenet.map((c) => ({ ...c, naming: namingOf(o.lex, c.wnid, basics) })).filter((c) => c.naming && c.naming.words.length);
  const coco = o.coco.map((c) => ({ ...c, naming: namingOf(o.lex, c.wnid, basics) }));
  const I = INSTRUCTIONS;
  const documentLabels = o.imagenet.filter((c) => DOCUMENT_LABELS.includes(c.label));
  if (!documentLabels.length) throw new Error('evidence pairs: none of the ImageNet classes a photographed document gets is in the label file');
  const out: EvidencePair[] = [];
  const box = () => {
    const w = rng.range(0.1, 0.6);
    const h = rng.range(0.1, 0.7);
    return { x: rng.range(0, 1 - w), y: rng.range(0, 1 - h), width: w, height: h };
  };

  /** A made-up photo: a main ImageNet class, maybe its COCO counterpart and other objects, a few lower labels. */
  const scene = () => {
    const main = rng.pick(imagenet);
    const score = rng.range(0.25, 0.95);
    const labels: PerceptionEvidence['labels'] = [{ label: main.label, score, wnid: main.wnid }];
    for (let k = rng.int(0, 2); k > 0; k--) {
      const other = rng.pick(imagenet);
      if (other.wnid !== main.wnid) labels.push({ label: other.label, score: rng.range(0.02, Math.min(score, 0.3)), wnid: other.wnid });
    }
    labels.sort((a, b) => b.score - a.score);
    const objects: PerceptionEvidence['objects'] = [];
    const counterpart = coco.find((c) => o.lex.isA(main.wnid, c.wnid));
    if (counterpart && rng.next() < 0.7) for (let k = rng.int(1, 2); k > 0; k--) objects.push({ label: counterpart.name, score: rng.range(0.3, 0.9), box: box() });
    for (let k = rng.pick([0, 0, 1, 1, 2]); k > 0; k--) {
      const c = rng.next() < 0.4 ? coco[0]! : rng.pick(coco);
      for (let n = rng.int(1, 3); n > 0; n--) objects.push({ label: c.name, score: rng.range(0.3, 0.9), box: box() });
    }
    return { main, evidence: { objects, labels, text: [] } satisfies PerceptionEvidence };
  };
  const wordFor = (n: Naming): string => {
    const near = n.words.filter((w) => w.distance <= 1);
    const r = rng.next();
    if (n.basic && r < 0.3) return n.basic;
    return rng.pick(r < 0.75 && near.length ? near : n.words).word;
  };
  const image = (e: PerceptionEvidence, instruction: string): EvidenceSide => ({ text: IMG + instruction, evidence: e });

  for (let k = 0; k < o.perSet; k++) {
    // classification: the label (or a broader word) of the main class
    const s = scene();
    const ins = rng.next() < 0.5 ? I.classification_object.query : I.classification.query;
    out.push({ set: 'cls-evidence-label', query: image(s.evidence, ins), target: { text: wordFor(s.main.naming!) } });

    // retrieval: caption -> photo and photo -> caption, naming the main class and the counted objects
    const s2 = scene();
    const counted = [...new Set(s2.evidence.objects.map((x) => x.label))].map((l) => ({ l, n: s2.evidence.objects.filter((x) => x.label === l).length }));
    const objectWords = counted.map(({ l, n }) => (n === 1 ? `a ${l}` : `${NUMBER_WORDS[Math.min(n, 7)]} ${plural(l)}`));
    const caption = `A photo of ${[`a ${wordFor(s2.main.naming!)}`, ...objectWords.filter(() => rng.next() < 0.6)].join(' and ')}.`;
    if (rng.next() < 0.6) out.push({ set: 'ret-evidence-t2i', query: { text: fill(I.retrieval_text_to_image.query, caption) }, target: image(s2.evidence, I.retrieval_text_to_image.target) });
    else out.push({ set: 'ret-evidence-i2t', query: image(s2.evidence, I.retrieval_image_to_text.query), target: { text: caption } });

    // VQA on the objects: how many, where, what animal
    const s3 = scene();
    const q = (question: string, answer: string) => out.push({ set: 'vqa-evidence', query: image(s3.evidence, fill(I.vqa.query, question)), target: { text: answer } });
    const people = s3.evidence.objects.filter((x) => x.label === 'person');
    const kind = rng.next();
    if (kind < 0.3) {
      const n = people.length;
      q(rng.pick(['How many people are in the image?', 'How many people are there?', 'How many persons are in the photo?']), rng.next() < 0.7 ? String(n) : NUMBER_WORDS[Math.min(n, 7)]!);
    } else if (kind < 0.5 && s3.evidence.objects.length) {
      const c = rng.pick(s3.evidence.objects).label;
      const n = s3.evidence.objects.filter((x) => x.label === c).length;
      q(`How many ${plural(c)} are in the image?`, String(n));
    } else if (kind < 0.65 && s3.evidence.objects.length) {
      const obj = rng.pick(s3.evidence.objects);
      const cx = obj.box.x + obj.box.width / 2;
      const cy = obj.box.y + obj.box.height / 2;
      const only = s3.evidence.objects.filter((x) => x.label === obj.label).length === 1;
      if (only && rng.next() < 0.5) q(`Is the ${obj.label} on the left or on the right?`, cx < 0.5 ? 'left' : 'right');
      else if (only) q(`Is the ${obj.label} at the top or at the bottom?`, cy < 0.5 ? 'top' : 'bottom');
      else q('What is in the image?', s3.main.naming!.basic ?? s3.main.label);
    } else if (s3.main.naming!.animal) {
      q(rng.pick(['What animal is this?', 'What animal is in the image?', 'What kind of animal is shown?']), s3.main.naming!.animal);
    } else {
      q(rng.pick(['What is this?', 'What is shown in the image?', 'What object is this?']), wordFor(s3.main.naming!));
    }

    // text: what is written, and finding a photo by the words on it
    const doc = sampleDocument(rng.pick(DOCUMENT_KINDS), rng.int(0, 2 ** 30));
    const lines = documentText(doc).split('\n').filter((l) => l.trim());
    const read = lines.map((l, i) => ({ text: rng.next() < 0.5 ? noisy(rng, l) : l, box: { x: 0.1, y: 0.05 + (0.9 * i) / lines.length, width: 0.8, height: 0.8 / lines.length } }));
    const paperLabels = rng.sample(documentLabels, rng.int(1, 3)).map((c) => ({ label: c.label, score: rng.range(0.03, 0.5), wnid: c.wnid })).sort((a, b) => b.score - a.score);
    const paper = { objects: rng.next() < 0.2 ? [{ label: rng.pick(['book', 'laptop', 'cell phone', 'dining table']), score: rng.range(0.3, 0.7), box: box() }] : [], labels: paperLabels, text: read } satisfies PerceptionEvidence;
    const pick = rng.next();
    if (pick < 0.35) out.push({ set: 'vqa-evidence-text', query: image(paper, fill(I.vqa.query, rng.pick(['What is written at the top of this?', 'What is written in the image?', 'What does it say at the top?']))), target: { text: lines[0]! } });
    else if (pick < 0.5) out.push({ set: 'vqa-evidence-text', query: image(paper, fill(I.vqa.query, 'What kind of document is this?')), target: { text: doc.kind.replace('-', ' ') } });
    else out.push({ set: 'ret-evidence-text', query: { text: fill(I.retrieval_text_to_image.query, rng.pick(lines.slice(0, 4))) }, target: image(paper, I.retrieval_text_to_image.target) });
  }
  return out;
}
