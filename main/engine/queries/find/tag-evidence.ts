// How strongly a photo's tags support a word the full-text index matched in its `tags`
// column, and the reason shown for it: "dog" on a photo the classifier called "golden
// retriever" with probability 0.81 is `label: golden retriever 0.81`.
import type { MatchReason } from '../../../contract/api';
import type { TaggedRow, TagWords } from '../../text-index/documents';

/** Lower case, no diacritics, a crude singular: enough to tell which tag gave a word the index matched (stemmed). */
export function normWord(w: string): string {
  const s = w.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  if (s.length > 4 && s.endsWith('ies')) return s.slice(0, -3) + 'y';
  if (s.length > 4 && /(ses|xes|ches|shes|zes)$/.test(s)) return s.slice(0, -2);
  if (s.length > 3 && s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us')) return s.slice(0, -1);
  return s;
}

const tokens = (s: string) => s.split(/[^\p{L}\p{N}]+/u).filter(Boolean).map(normWord);

/** Are `a` and `b` the same words (singular-insensitive)? A tag is one token of the index: "dog" is not "hot dog". */
export function sameWords(a: string, b: string): boolean {
  const x = tokens(a);
  const y = tokens(b);
  return x.length > 0 && x.length === y.length && x.every((t, i) => t === y[i]);
}


/** How much a tag supports a word it gives at `closeness` (1: its own name; less: a broader word). */
function strengthOf(t: TaggedRow, closeness: number): number {
  const near = 0.75 + 0.25 * closeness;
  switch (t.pass) {
    case 'labels':
      return Math.min(1, 0.35 + 0.9 * t.score) * near;
    case 'objects':
      return Math.min(1, 0.45 + 0.7 * t.score) * near;
    case 'faces':
      return 0.9;
    case 'colours':
      return Math.min(1, 0.4 + t.score);
    case 'text':
      return t.score * near;
    default:
      return 0.7;
  }
}

const REASON_KIND: Record<string, MatchReason['kind']> = { labels: 'label', objects: 'object', faces: 'face', colours: 'colour', text: 'text' };

function reasonOf(t: TaggedRow): MatchReason {
  const kind = REASON_KIND[t.pass] ?? 'label';
  if (t.pass === 'faces') return { kind, label: `faces: ${t.count}`, score: t.score };
  if (t.pass === 'colours') return { kind, label: `colour: ${t.tag}`, score: t.score };
  if (t.pass === 'text') return { kind, label: `document: ${t.tag}`, score: t.score };
  const count = t.pass === 'objects' && t.count > 1 ? ` ×${t.count}` : '';
  return { kind, label: `${kind}: ${t.tag}${count} ${t.score.toFixed(2)}`, score: t.score };
}

/**
 * The strongest evidence the photo's tags give for the word `alt`, or null. The labels of
 * one classifier run are one probability distribution, so the labels that all give the
 * word add up: malamute 0.31 + husky 0.26 + Eskimo dog 0.14 is a dog at 0.71.
 */
export function tagEvidence(tags: TaggedRow[], alt: string, tagWords: TagWords): { strength: number; reason: MatchReason } | null {
  let best: { strength: number; reason: MatchReason } | null = null;
  const labels: { t: TaggedRow; closeness: number }[] = [];
  for (const t of tags) {
    if (t.pass === 'places') continue;
    let closeness = 0;
    for (const w of tagWords(t)) if (w.weight > closeness && sameWords(alt, w.word)) closeness = w.weight;
    if (closeness === 0) continue;
    if (t.pass === 'labels') labels.push({ t, closeness });
    const strength = strengthOf(t, closeness);
    if (!best || strength > best.strength) best = { strength, reason: reasonOf(t) };
  }
  if (labels.length > 1) {
    const mass = Math.min(1, labels.reduce((a, l) => a + l.t.score, 0));
    const top = labels.reduce((a, l) => (l.t.score > a.t.score ? l : a));
    const closeness = Math.max(...labels.map((l) => l.closeness));
    const strength = strengthOf({ ...top.t, score: mass }, closeness);
    if (!best || strength > best.strength) best = { strength, reason: { ...reasonOf(top.t), label: `label: ${labels.map((l) => l.t.tag).join(' + ')} ${mass.toFixed(2)}`, score: mass } };
  }
  return best;
}
