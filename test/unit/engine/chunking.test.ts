import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../main/engine/library/chunking';

function checkOffsets(text: string, target = 1000) {
  const chunks = chunkText(text, target);
  chunks.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(text.slice(c.start, c.end)).toBe(c.text);
    expect(c.text.trim()).toBe(c.text);
    expect(c.text.length).toBeGreaterThan(0);
    expect(c.end - c.start).toBeLessThanOrEqual(Math.floor(target * 1.5) + 1);
    if (i > 0) expect(c.start).toBeGreaterThanOrEqual(chunks[i - 1]!.end);
  });
  // nothing but whitespace is lost between chunks
  const covered = chunks.map((c) => c.text).join('');
  expect(covered.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
  return chunks;
}

describe('chunkText', () => {
  it('returns nothing for empty or blank text, one chunk for short text', () => {
    expect(chunkText('')).toEqual([]);
    expect(chunkText(' \n\n\t ')).toEqual([]);
    expect(chunkText('  hello world \n')).toEqual([{ index: 0, start: 2, end: 13, text: 'hello world' }]);
  });

  it('cuts at paragraph breaks when there are some', () => {
    const para = (n: number) => `Paragraph ${n}. ` + 'word '.repeat(120).trim() + '.';
    const text = [1, 2, 3, 4, 5, 6].map(para).join('\n\n');
    const chunks = checkOffsets(text);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.text.startsWith('Paragraph')).toBe(true);
  });

  it('falls back to sentence ends, then whitespace, then a hard cut', () => {
    const sentences = Array.from({ length: 80 }, (_, i) => `Sentence number ${i} says something.`).join(' ');
    for (const c of checkOffsets(sentences)) expect(c.text.endsWith('.')).toBe(true);
    checkOffsets('word '.repeat(1000));
    const solid = 'x'.repeat(3500);
    expect(checkOffsets(solid).map((c) => c.end - c.start)).toEqual([1000, 1000, 1500]);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(1500); // 3000 UTF-16 code units, no spaces
    const chunks = checkOffsets(text);
    for (const c of chunks) {
      expect(c.start % 2).toBe(0);
      expect(c.end % 2).toBe(0);
    }
  });

  it('keeps offsets right with CRLF, tabs and non-ASCII text', () => {
    const text = ('Grüße aus Köln.\r\n\r\nΚαλημέρα κόσμε! 東京は晴れ。\t' + 'ok '.repeat(200) + '\r\n\r\n').repeat(8);
    checkOffsets(text, 300);
  });
});
