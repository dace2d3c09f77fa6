// vlm2vec-nano's BPE tokenizer: the TypeScript trainer is deterministic, the tokenizer.json it
// writes loads in @huggingface/tokenizers and gives the same ids as the trainer's own encoder,
// decode round-trips any text (non-ASCII, unseen scripts, emoji) and nothing is unknown.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpeEncoder, bpeTokenizerJson, byteLevelPieces, trainBpe } from '../../../main/ml/models/vlm2vec/bpe';
import { BOS_ID, BYTE_VOCAB, bytesToUnicode, PAD_ID, PromptTokenizer } from '../../../main/ml/models/vlm2vec/tokenizer';

const CORPUS = [
  'Find me an everyday image that matches the given caption: a red apple on a table',
  'Find me an everyday image that matches the given caption: a small dog running',
  'Represent the given image with the following question: How many cats are in the image?',
  'Represent the given image with the following question: What colour is the background?',
  'Represent the given note: tool to convert images between formats',
  'Identify the object shown in the image',
  'Représente ça : café, crème brûlée, naïve',
  "It's the dog's ball; they're 12 and 345 years old.",
  'T-shirt/top',
  'Find a note that matches the given query: library for parsing JSON',
  ...Array.from({ length: 20 }, (_v, i) => `Find me an everyday image that matches the given caption: picture number ${i}`),
];

const SAMPLES = [
  'Find me an everyday image that matches the given caption: a lamb',
  'héllo 日本 ✓ 🐱 Привет мир',
  'line\nbreak\ttab  two spaces',
  ' leading and trailing ',
  "It's 2024: they've 3 cats' toys!!",
  'zzzz qqqq xylophone',
  '',
];

describe('vlm2vec BPE tokenizer (TypeScript trainer, @huggingface/tokenizers encoder)', () => {
  const model = trainBpe(CORPUS, 300);
  const own = new BpeEncoder(model);
  const lib = new PromptTokenizer(bpeTokenizerJson(model));

  it('keeps the byte and special ids of the byte-level tokenizer and fills the vocabulary with merges', () => {
    const chars = bytesToUnicode();
    for (let b = 0; b < 256; b++) expect(model.vocab[chars[b]]).toBe(b);
    expect(model.vocab['<s>']).toBe(BOS_ID);
    expect(model.vocab['<pad>']).toBe(PAD_ID);
    expect(model.vocab['<|image_1|>']).toBe(258);
    expect(lib.vocabSize).toBe(300);
    expect(model.merges.length).toBeGreaterThanOrEqual(300 - BYTE_VOCAB);
    const ids = new Set(Object.values(model.vocab));
    expect(ids.size).toBe(300);
    expect(Math.max(...ids)).toBe(299);
  });

  it('is deterministic and does not depend on the order of the training text', () => {
    const again = trainBpe([...CORPUS].reverse(), 300);
    expect(again).toEqual(model);
    expect(JSON.stringify(bpeTokenizerJson(again))).toBe(JSON.stringify(bpeTokenizerJson(model)));
  });

  it('stops when no pair occurs twice', () => {
    const small = trainBpe(['ab ab'], 10_000);
    expect(Object.keys(small.vocab).length).toBeLessThan(300);
  });

  it('loading through @huggingface/tokenizers gives the same ids as the trainer own encoder', () => {
    for (const s of [...CORPUS, ...SAMPLES]) expect(lib.encodeRaw(s)).toEqual(own.encode(s));
    // and from a tokenizer.json file
    const dir = mkdtempSync(join(tmpdir(), 'trove-bpe-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(bpeTokenizerJson(model)));
    const fromFile = PromptTokenizer.fromFile(join(dir, 'tokenizer.json'));
    for (const s of SAMPLES) expect(fromFile.encodeRaw(s)).toEqual(own.encode(s));
  });

  it('round-trips any text (non-ASCII, unseen scripts, emoji) with no unknown token', () => {
    for (const s of SAMPLES) {
      const ids = lib.encodeRaw(s);
      expect(ids[0]).toBe(BOS_ID);
      expect(ids.slice(1).every((i) => Number.isInteger(i) && i >= 0 && i < 300 && i !== BOS_ID && i !== PAD_ID)).toBe(true);
      expect(lib.decode(ids)).toBe(s);
    }
    // unseen text falls back to bytes: as many tokens as UTF-8 bytes at most
    const cjk = '日本語のテキスト';
    expect(lib.encodeRaw(cjk).length - 1).toBeLessThanOrEqual(Buffer.byteLength(cjk));
  });

  it('shortens the training text well below one token per byte', () => {
    const bytes = CORPUS.reduce((n, s) => n + Buffer.byteLength(s), 0);
    const tokens = CORPUS.reduce((n, s) => n + lib.encodeRaw(s).length - 1, 0);
    expect(tokens).toBeLessThan(bytes / 2);
    // a frequent instruction (58 bytes): mostly whole words
    expect(own.encode('Find me an everyday image that matches the given caption:').length).toBeLessThan(20);
  });

  it('splits text like the ByteLevel pre-tokenizer (GPT-2 regex, one character per byte)', () => {
    expect(byteLevelPieces("It's a dog").map((p) => p.join(''))).toEqual(['It', "'s", 'Ġa', 'Ġdog']);
    expect(byteLevelPieces('é').map((p) => p.length)).toEqual([2]);
  });

  it('the prompt encoder (instruction + text, cut to maxTokens) works on the BPE tokenizer', () => {
    const ids = lib.encode('Find me an everyday image that matches the given caption: {text}', 'a red apple', 96);
    expect(lib.decode(ids)).toBe('Find me an everyday image that matches the given caption: a red apple');
    expect(lib.encode('Find me an everyday image that matches the given caption: {text}', 'a red apple', 3)).toHaveLength(3);
  });
});
