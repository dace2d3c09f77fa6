import { describe, expect, it } from 'vitest';
import { decodeNote, detectEncoding, NOTE_LIMIT_BYTES } from '../../../main/engine/library/note-text';

const utf16le = (s: string) => Buffer.from(s, 'utf16le');
const utf16be = (s: string) => {
  const b = Buffer.from(s, 'utf16le');
  for (let i = 0; i + 1 < b.length; i += 2) [b[i], b[i + 1]] = [b[i + 1]!, b[i]!];
  return b;
};

describe('note encodings', () => {
  it('detects BOMs', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]))).toEqual({ encoding: 'utf-16le', bomLength: 2 });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toEqual({ encoding: 'utf-16be', bomLength: 2 });
    expect(detectEncoding(Buffer.from('plain'))).toEqual({ encoding: 'utf-8', bomLength: 0 });
  });

  it('recognises BOM-less UTF-16 by its zero bytes', () => {
    expect(detectEncoding(utf16le('hello notes')).encoding).toBe('utf-16le');
    expect(detectEncoding(utf16be('hello notes')).encoding).toBe('utf-16be');
  });

  it('decodes UTF-8 (with and without BOM) and UTF-16 LE/BE', () => {
    const s = 'Grüße, 東京, 😀';
    expect(decodeNote(Buffer.from(s))).toBe(s);
    expect(decodeNote(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]))).toBe(s);
    expect(decodeNote(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(s)]))).toBe(s);
    expect(decodeNote(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(s)]))).toBe(s);
  });

  it('refuses invalid UTF-8 with a reason', () => {
    expect(() => decodeNote(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x61, 0x62]))).toThrow(/not valid UTF-8/);
    expect(() => decodeNote(Buffer.from([0x68, 0x69, 0xc3, 0x28, 0x20, 0x61]))).toThrow(/not valid UTF-8/);
  });

  it('refuses broken UTF-16 (odd length, lone surrogate)', () => {
    expect(() => decodeNote(Buffer.from([0xff, 0xfe, 0x61, 0x00, 0x62]))).toThrow(/odd number of bytes/);
    expect(() => decodeNote(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0x00, 0xd8, 0x61, 0x00])]))).toThrow(/not valid UTF-16LE/);
  });

  it('refuses binary data and notes over the size limit', () => {
    expect(() => decodeNote(Buffer.from([0x61, 0x00, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67]))).toThrow(/binary data/);
    expect(() => decodeNote(Buffer.alloc(NOTE_LIMIT_BYTES + 1, 0x61))).toThrow(/too large .* up to 10 MB/);
  });
});
