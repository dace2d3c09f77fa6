import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeNote, detectEncoding, NOTE_LIMIT_BYTES } from '../../../main/engine/library/note-text';
import { Rng } from '../../../main/ml/random';

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

  it('reads bytes that are not UTF-8 as the legacy encoding chardet ranks first, strictly', () => {
    // before legacy encodings were read these were refused as invalid UTF-8; they hold no
    // control characters, so a legacy 8-bit decoding of them is text
    expect(decodeNote(Buffer.from([0x68, 0x69, 0xc3, 0x28, 0x20, 0x61]))).toBe('hiÃ( a');
    expect(decodeNote(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x61, 0x62]))).toMatch(/^hi..ab$/);
  });

  it('decodes Windows-1252, Latin-1, Windows-1251 and Shift_JIS notes', () => {
    const w1252 = 'He said “meet me at the café” — it costs £5.\nSee you there…\n';
    expect(decodeNote(iconv.encode(w1252, 'windows-1252'))).toBe(w1252);
    const latin1 = 'Grüße aus Köln, à bientôt. Ça va très bien, señor.\n';
    expect(decodeNote(iconv.encode(latin1, 'latin1'))).toBe(latin1);
    expect(decodeNote(iconv.encode('Café\n', 'windows-1252'))).toBe('Café\n'); // too short for chardet: Windows-1252 last
    const russian = 'Привет! Это заметка о поездке в горы и о погоде там.';
    expect(decodeNote(iconv.encode(russian, 'windows-1251'))).toBe(russian);
    const japanese = '今日は良い天気ですね。散歩に行きましょう。';
    expect(decodeNote(iconv.encode(japanese, 'Shift_JIS'))).toBe(japanese);
  });

  it('decodes UTF-16 without a BOM in Latin and other alphabets', () => {
    const latin = 'Café au lait, “naïve” résumé, £3 at the market';
    expect(decodeNote(utf16le(latin))).toBe(latin);
    expect(decodeNote(utf16be(latin))).toBe(latin);
    const russian = 'Привет, как дела? Это заметка о поездке в горы, очень длинная.';
    expect(detectEncoding(utf16le(russian)).encoding).toBe('utf-16le');
    expect(detectEncoding(utf16be(russian)).encoding).toBe('utf-16be');
    expect(decodeNote(utf16le(russian))).toBe(russian);
    expect(detectEncoding(Buffer.from('plain 8-bit text with nothing lopsided about its byte pairs at all')).encoding).toBe('utf-8');
  });

  it('refuses binary data, saying what was tried', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 200, 201, 202]);
    expect(() => decodeNote(png)).toThrow(/binary data, not text: tried UTF-8, .*windows-1252/);
    expect(() => decodeNote(Buffer.from([0x68, 0x69, 0x01, 0x02, 0x90, 0x81, 0x03]))).toThrow(/binary data, not text: tried UTF-8, /);
    // random bytes are never taken for text
    const rng = new Rng(13);
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(Array.from({ length: 1000 }, () => rng.nextU32() & 0xff));
      expect(() => decodeNote(bytes)).toThrow(/binary data/);
    }
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
