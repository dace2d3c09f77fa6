// A small byte-level BPE trainer and encoder for vlm2vec-nano's tokenizer (the
// @huggingface/tokenizers JS package loads and encodes but cannot train).
//
// Same scheme as GPT-2: text -> GPT-2's pre-tokenizer regex pieces -> UTF-8 bytes as GPT-2's
// byte-to-unicode characters -> merges applied lowest rank first. The 256 byte tokens are
// always in the vocabulary (ids = byte values), so no text is ever out of vocabulary; the
// specials keep their byte-level ids (<s> 256, <pad> 257, <|image_1|> 258); merged tokens
// follow from 259 in merge order. Training is deterministic: pair counts over the corpus,
// the most frequent pair wins, ties go to the lexicographically smallest (left, right).
// `bpeTokenizerJson` writes the result as a Hugging Face tokenizer.json (BPE model + merges,
// ByteLevel pre-tokenizer with the GPT-2 regex, ByteLevel decoder, <s> post-processor).
import { BOS_ID, bytesToUnicode, byteLevelTokenizerJson, SPECIAL_TOKENS } from './tokenizer';

/** vlm2vec-nano's vocabulary: 256 bytes + 3 specials + 1,789 merges (queries ~4x shorter than byte-level). */
export const NANO_BPE_VOCAB = 2048;

/** GPT-2's pre-tokenizer split, as @huggingface/tokenizers' ByteLevel pre-tokenizer (use_regex) applies it. */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const BYTE_CHARS = bytesToUnicode();
const encoder = new TextEncoder();

/** Pre-tokenized pieces of `text`, each as its byte-level characters (one per UTF-8 byte). */
export function byteLevelPieces(text: string): string[][] {
  return (text.match(GPT2_SPLIT) ?? []).map((p) => Array.from(encoder.encode(p), (b) => BYTE_CHARS[b]));
}

export interface BpeModel {
  /** token string -> id (bytes 0..255, specials, then merges) */
  vocab: Record<string, number>;
  /** in rank order */
  merges: [string, string][];
}

/**
 * Trains merges on `texts` until the vocabulary (bytes + specials + merges) has `vocabSize`
 * tokens or no pair occurs at least `minCount` times.
 */
export function trainBpe(texts: Iterable<string>, vocabSize: number, minCount = 2): BpeModel {
  // word (piece) frequencies
  const freq = new Map<string, number>();
  for (const t of texts) for (const p of t.match(GPT2_SPLIT) ?? []) freq.set(p, (freq.get(p) ?? 0) + 1);
  const tokens: string[] = [...BYTE_CHARS, ...SPECIAL_TOKENS];
  const idOf = new Map<string, number>(tokens.map((s, i) => [s, i]));
  // words in a fixed order (sorted) so nothing depends on Map insertion order
  const keys = [...freq.keys()].sort();
  const words: number[][] = keys.map((k) => Array.from(encoder.encode(k)));
  const counts = keys.map((k) => freq.get(k) ?? 0);
  const K = 1 << 16;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number): void => {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i] * K + s[i + 1];
      const c = (pairCount.get(key) ?? 0) + sign * counts[w];
      if (c) pairCount.set(key, c);
      else pairCount.delete(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((_w, i) => addPairs(i, 1));
  const merges: [string, string][] = [];
  while (tokens.length < vocabSize) {
    let best = -1;
    let bestCount = 0;
    for (const [key, c] of pairCount) {
      if (c > bestCount) {
        best = key;
        bestCount = c;
      } else if (c === bestCount) {
        const [a, b] = [tokens[Math.floor(key / K)], tokens[key % K]];
        const [ba, bb] = [tokens[Math.floor(best / K)], tokens[best % K]];
        if (a < ba || (a === ba && b < bb)) best = key;
      }
    }
    if (best < 0 || bestCount < minCount) break;
    const left = Math.floor(best / K);
    const right = best % K;
    const merged = tokens[left] + tokens[right];
    let id = idOf.get(merged);
    if (id === undefined) {
      id = tokens.length;
      if (id >= K) throw new Error(`bpe: vocabulary over ${K}`);
      tokens.push(merged);
      idOf.set(merged, id);
    }
    merges.push([tokens[left], tokens[right]]);
    for (const w of [...(pairWords.get(best) ?? [])].sort((x, y) => x - y)) {
      const s = words[w];
      let has = false;
      for (let i = 0; i + 1 < s.length && !has; i++) has = s[i] === left && s[i + 1] === right;
      if (!has) continue;
      addPairs(w, -1);
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(id);
          i++;
        } else out.push(s[i]);
      }
      words[w] = out;
      addPairs(w, 1);
    }
    pairWords.delete(best);
  }
  return { vocab: Object.fromEntries(tokens.map((t, i) => [t, i])), merges };
}

/** The trainer's own encoder (no library): `<s>` + BPE ids of `text`. */
export class BpeEncoder {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, number[]>();
  constructor(readonly model: BpeModel) {
    this.ranks = new Map(model.merges.map(([a, b], i) => [`${a} ${b}`, i]));
  }

  /** Token strings of one pre-tokenized piece (byte-level characters). */
  piece(chars: string[]): string[] {
    let s = [...chars];
    for (;;) {
      let bestRank = Infinity;
      let at = -1;
      for (let i = 0; i + 1 < s.length; i++) {
        const r = this.ranks.get(`${s[i]} ${s[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          at = i;
        }
      }
      if (at < 0) return s;
      s = [...s.slice(0, at), s[at] + s[at + 1], ...s.slice(at + 2)];
    }
  }

  encode(text: string): number[] {
    const ids = [BOS_ID];
    for (const chars of byteLevelPieces(text)) {
      const key = chars.join('');
      let p = this.cache.get(key);
      if (!p) {
        p = this.piece(chars).map((t) => {
          const id = this.model.vocab[t];
          if (id === undefined) throw new Error(`bpe: ${t} not in the vocabulary`);
          return id;
        });
        this.cache.set(key, p);
      }
      ids.push(...p);
    }
    return ids;
  }
}

/** A trained BPE as a Hugging Face tokenizer.json (the byte-level one's layout plus vocab, merges and the GPT-2 split). */
export function bpeTokenizerJson(m: BpeModel): Record<string, unknown> {
  const base = byteLevelTokenizerJson();
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    ...base,
    pre_tokenizer: byteLevel,
    decoder: { ...byteLevel },
    model: { ...(base.model as Record<string, unknown>), vocab: m.vocab, merges: m.merges.map(([a, b]) => `${a} ${b}`) },
  };
}
