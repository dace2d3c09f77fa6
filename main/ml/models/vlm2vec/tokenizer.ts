// vlm2vec's tokenizers, stored as a Hugging Face `tokenizer.json` and run by
// @huggingface/tokenizers (which loads and encodes but does not train). vlm2vec-nano ships
// a byte-level BPE trained on the training text (bpe.ts: the same byte and special ids, plus
// merges); the plain byte-level tokenizer below is the other choice (train-nano --tokenizer
// byte), and both load through this file.
//
// The byte level underneath (256 byte tokens + 3 specials): no text is ever out of
// vocabulary (any language, code, emoji) and the embedding table stays small for a model
// trained from scratch. Without merges a sequence costs 1 token per UTF-8 byte, which the
// causal transformer pays for; the BPE's merges, learned from the training text only (so
// nothing leaks from the eval data into the vocabulary), shorten it.
//
// Ids: byte b -> b (GPT-2's byte-to-unicode alphabet as token strings), `<s>` 256 (BOS,
// added by the post-processor), `<pad>` 257, `<|image_1|>` 258 (never fed: the image marker
// is removed from the prompt, the image enters as visual tokens in front of the text).
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

export const BOS = '<s>';
export const PAD = '<pad>';
export const IMAGE_MARKER = '<|image_1|>';
export const SPECIAL_TOKENS = [BOS, PAD, IMAGE_MARKER] as const;
export const BYTE_VOCAB = 256 + SPECIAL_TOKENS.length;
export const BOS_ID = 256;
export const PAD_ID = 257;

/** GPT-2's reversible byte -> printable unicode character map. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let i = 33; i <= 126; i++) bs.push(i);
  for (let i = 161; i <= 172; i++) bs.push(i);
  for (let i = 174; i <= 255; i++) bs.push(i);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCharCode(cs[i])));
  return out;
}

/** The byte-level tokenizer as a tokenizer.json object (Hugging Face tokenizers format). */
export function byteLevelTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((c, b) => (vocab[c] = b));
  SPECIAL_TOKENS.forEach((s, i) => (vocab[s] = 256 + i));
  const bos = { SpecialToken: { id: BOS, type_id: 0 } };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((s, i) => ({ id: 256 + i, content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [BOS]: { id: BOS, ids: [BOS_ID], tokens: [BOS] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] },
  };
}

/**
 * The text part of a VLM2Vec V1 prompt `<image tokens> {instruction} {text}`: image markers
 * removed (the image is fed as visual tokens), `{text}` / `{}` in the instruction replaced by
 * the text, else instruction and text joined by a space; trimmed.
 */
export function promptText(instruction: string, text: string): string {
  const strip = (s: string): string => s.split(IMAGE_MARKER).join('').trim();
  const ins = strip(instruction);
  const txt = strip(text);
  if (ins.includes('{text}')) return ins.split('{text}').join(txt).trim();
  if (ins.includes('{}')) return ins.split('{}').join(txt).trim();
  return [ins, txt].filter((s) => s.length > 0).join(' ');
}

export class PromptTokenizer {
  readonly vocabSize: number;
  constructor(
    readonly json: Record<string, unknown>,
    private readonly tok = new Tokenizer(json, {}),
  ) {
    this.vocabSize = tok.get_vocab(true).size;
  }

  static fromFile(path: string): PromptTokenizer {
    return new PromptTokenizer(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
  }

  static byteLevel(): PromptTokenizer {
    return new PromptTokenizer(byteLevelTokenizerJson());
  }

  /** Token ids of `<s>` + the prompt text, cut to `maxTokens` (always at least the BOS). */
  encode(instruction: string, text: string, maxTokens: number): number[] {
    const ids = this.tok.encode(promptText(instruction, text)).ids;
    return ids.slice(0, Math.max(1, maxTokens));
  }

  /** Plain encode (with BOS) of any string. */
  encodeRaw(text: string): number[] {
    return this.tok.encode(text).ids;
  }

  decode(ids: number[]): string {
    return this.tok.decode(ids, { skip_special_tokens: true });
  }
}
