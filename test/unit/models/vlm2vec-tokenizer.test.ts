// vlm2vec-nano's byte-level tokenizer.json through @huggingface/tokenizers: ids are the UTF-8
// bytes after <s>, decode round-trips any text, the prompt follows VLM2Vec V1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOS_ID, BYTE_VOCAB, byteLevelTokenizerJson, promptText, PromptTokenizer } from '../../../main/ml/models/vlm2vec/tokenizer';

describe('vlm2vec byte-level tokenizer', () => {
  const tok = PromptTokenizer.byteLevel();

  it('has 256 byte tokens + <s>, <pad>, <|image_1|>', () => {
    expect(BYTE_VOCAB).toBe(259);
    expect(tok.vocabSize).toBe(259);
  });

  it('encodes to <s> + the UTF-8 bytes, and decodes back', () => {
    expect(tok.encodeRaw('Hi there')).toEqual([BOS_ID, ...Buffer.from('Hi there')]);
    for (const s of ['héllo 日本 ✓ 🐱', 'line\nbreak\ttab  two spaces', '', ' leading and trailing ', 'T-shirt/top']) {
      const ids = tok.encodeRaw(s);
      expect(ids).toEqual([BOS_ID, ...Buffer.from(s)]);
      expect(tok.decode(ids)).toBe(s);
    }
  });

  it('loads the same tokenizer from a tokenizer.json file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-tok-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(byteLevelTokenizerJson()));
    const fromFile = PromptTokenizer.fromFile(join(dir, 'tokenizer.json'));
    expect(fromFile.encodeRaw('Représente ça')).toEqual(tok.encodeRaw('Représente ça'));
  });

  it('builds the VLM2Vec V1 prompt text (image marker removed: the image is visual tokens)', () => {
    expect(promptText('<|image_1|>\nRepresent the given image with the following question: {text}', 'How many cats?')).toBe('Represent the given image with the following question: How many cats?');
    expect(promptText('Find me an everyday image that matches the given caption: {}', 'a lamb')).toBe('Find me an everyday image that matches the given caption: a lamb');
    expect(promptText('Identify the object shown in the image', '')).toBe('Identify the object shown in the image');
    expect(promptText('', '<|image_1|>\nRepresent the given image.')).toBe('Represent the given image.');
    expect(promptText('Represent the given note:', 'text')).toBe('Represent the given note: text');
    expect(promptText('', '')).toBe('');
  });

  it('cuts to maxTokens and never returns an empty sequence', () => {
    expect(tok.encode('', '', 8)).toEqual([BOS_ID]);
    const ids = tok.encode('Find a note that matches the given query: {text}', 'x'.repeat(100), 16);
    expect(ids).toHaveLength(16);
    expect(ids[0]).toBe(BOS_ID);
    expect(tok.encode('instruction', 'text', 0)).toEqual([BOS_ID]);
  });
});
