// Fused ranking (pure): every candidate gets a lexical score in [0, 1] -- the share of the
// query's words it matches, each word weighted by how rare it is in the library (idf) and
// by how strong the match is (text read in the photo or written in the note, a file or
// folder name, a place, or a label/object/face tag with its model's confidence) -- plus
// a semantic score from the embedding, calibrated per kind of item (z above a sample of
// that kind). Both scales mean the same for photos and notes, so neither kind outranks
// the other merely for being what it is.
import type { ItemKind, MatchReason } from '../../../contract/api';
import type { TaggedRow, TagWords } from '../../text-index/documents';
import type { EmbeddingHit } from './embedding-signal';
import type { TermGroup } from './plan';
import { tagEvidence } from './tag-evidence';
import type { Column, ItemMatches } from './text-matches';

export interface FusionWeights {
  /** how much a match in each column counts (tags: the tag's own evidence instead) */
  column: Record<Exclude<Column, 'tags'>, number>;
  /** a thing a photo can show, written in a text (a note, a sign): less than a photo tagged with it */
  objectInText: number;
  /** a place named in a text or a file name: less than a photo taken there */
  placeInText: number;
  /** the most the embedding adds, per kind */
  embedding: Record<ItemKind, number>;
  /** calibrated similarity: (z - zFloor) / zSpan, clamped to [0, 1] */
  zFloor: number;
  zSpan: number;
  /** a result is a strong match from this lexical score, or from this z */
  strongLexical: number;
  strongZ: number;
}

export const DEFAULT_WEIGHTS: FusionWeights = {
  column: { body: 1, name: 0.9, folder: 0.8, place: 1 },
  objectInText: 0.75,
  placeInText: 0.7,
  embedding: { image: 0.15, note: 0.4 },
  zFloor: 1,
  zSpan: 3,
  strongLexical: 0.5,
  strongZ: 4,
};

export interface Scored {
  itemId: number;
  kind: ItemKind;
  /** the note chunk that matched best */
  chunkId: number | null;
  score: number;
  lexical: number;
  semantic: number;
  why: MatchReason[];
}

export interface FusionInput {
  groups: TermGroup[];
  /** per group: inverse document frequency */
  idf: number[];
  text: Map<number, ItemMatches>;
  /** tags of candidate photos */
  tags: Map<number, TaggedRow[]>;
  tagWords: TagWords;
  embedding: Map<number, EmbeddingHit>;
  /** kind of each candidate that only the embedding found */
  weights?: FusionWeights;
}

export function idfOf(df: number, n: number): number {
  return Math.log(1 + n / (1 + df));
}

/** Per group, how many items match it (any alternative, any column). */
export function documentFrequencies(groups: TermGroup[], text: Map<number, ItemMatches>): number[] {
  const sets = groups.map(() => new Set<number>());
  for (const m of text.values()) for (const c of m.matches) sets[c.group]!.add(m.itemId);
  return sets.map((s) => s.size);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function fuse(input: FusionInput): Scored[] {
  const w = input.weights ?? DEFAULT_WEIGHTS;
  const idfSum = input.idf.reduce((a, b) => a + b, 0);
  const ids = new Set<number>([...input.text.keys(), ...input.embedding.keys()]);
  const out: Scored[] = [];
  for (const itemId of ids) {
    const tm = input.text.get(itemId);
    const hit = input.embedding.get(itemId);
    const kind = (tm?.kind ?? hit?.kind)!;
    const strength = input.groups.map(() => 0);
    const reasons: (MatchReason | null)[] = input.groups.map(() => null);
    const chunkCover = new Map<number | null, Set<number>>();
    for (const c of tm?.matches ?? []) {
      const g = input.groups[c.group]!;
      const alt = g.alternatives[c.alternative]!;
      let s: number;
      let reason: MatchReason;
      if (c.column === 'tags') {
        const ev = tagEvidence(input.tags.get(itemId) ?? [], alt.text, input.tagWords);
        if (!ev) continue;
        s = ev.strength;
        reason = ev.reason;
      } else {
        s = w.column[c.column];
        if (g.object && c.column === 'body') s *= w.objectInText;
        if (g.place && c.column !== 'place') s *= w.placeInText;
        reason = columnReason(c.column, kind, alt.text);
      }
      s *= alt.weight;
      if (s > strength[c.group]!) {
        strength[c.group] = s;
        reasons[c.group] = reason;
      }
      let cover = chunkCover.get(c.chunkId);
      if (!cover) chunkCover.set(c.chunkId, (cover = new Set()));
      cover.add(c.group);
    }
    const lexical = idfSum > 0 ? strength.reduce((a, s, g) => a + s * input.idf[g]!, 0) / idfSum : 0;
    const semantic = hit ? w.embedding[kind] * clamp01((hit.z - w.zFloor) / w.zSpan) : 0;
    if (lexical === 0 && semantic === 0 && !hit) continue;
    let chunkId = hit?.chunkId ?? null;
    let bestCover = 0;
    for (const [cid, cover] of chunkCover) {
      if (cid !== null && cover.size > bestCover) {
        bestCover = cover.size;
        chunkId = cid;
      }
    }
    const why = mergeReasons(reasons.filter((r): r is MatchReason => r !== null));
    if (hit && semantic >= 0.5 * w.embedding[kind]) why.push({ kind: 'meaning', label: 'similar meaning', score: hit.z });
    out.push({ itemId, kind, chunkId, score: lexical + semantic, lexical, semantic, why });
  }
  return out.sort((a, b) => b.score - a.score || b.lexical - a.lexical || a.itemId - b.itemId);
}

/** Is the best result a strong match? */
export function isStrong(ranked: Scored[], embedding: Map<number, EmbeddingHit>, w: FusionWeights = DEFAULT_WEIGHTS): boolean {
  return ranked.some((r) => r.lexical >= w.strongLexical || (embedding.get(r.itemId)?.z ?? -Infinity) >= w.strongZ);
}

function columnReason(column: Exclude<Column, 'tags'>, _kind: ItemKind, text: string): MatchReason {
  if (column === 'place') return { kind: 'place', label: `place: ${text}` };
  if (column === 'body') return { kind: 'text', label: `text: "${text}"` };
  return { kind: 'name', label: `name: "${text}"` };
}

/** One reason per kind of text match ("text: "bike shop"" rather than two), tags as they are. */
function mergeReasons(rs: MatchReason[]): MatchReason[] {
  const out: MatchReason[] = [];
  const words: Partial<Record<'text' | 'name', string[]>> = {};
  for (const r of rs) {
    if (r.kind === 'text' || r.kind === 'name') {
      (words[r.kind] ??= []).push(r.label.replace(/^[a-z]+: "(.*)"$/, '$1'));
    } else if (!out.some((o) => o.label === r.label)) out.push(r);
  }
  for (const k of ['text', 'name'] as const) if (words[k]) out.unshift({ kind: k, label: `${k}: "${[...new Set(words[k])].join(' ')}"` });
  return out;
}
