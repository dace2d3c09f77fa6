// Decoding note files. A byte-order mark selects UTF-8, UTF-16LE or UTF-16BE. Without one,
// the candidates are tried in turn: UTF-16 when the bytes have its shape (one byte of each
// pair nearly constant), strict UTF-8, then the legacy encodings chardet ranks for the
// bytes (Windows-1252, ISO-8859-x, Shift_JIS...), decoded with iconv-lite, and Windows-1252
// last (Latin-1 text reads the same in it; chardet says nothing useful about a few words).
// Every candidate is strict: an invalid sequence, or control characters in a legacy decoding
// (which maps nearly every byte to some character), rules it out. A note no candidate reads
// becomes an error row naming what was tried, rather than being indexed as garbage (a lossy
// index would silently return wrong chunks; the user can re-save the file as UTF-8).
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { UnreadableFile } from './fs-errors';

export type NoteEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export const NOTE_LIMIT_BYTES = 10 * 1024 * 1024;

/** chardet reads this much of a note: enough for its statistics, cheap on a 10 MB file */
const DETECT_SAMPLE_BYTES = 64 * 1024;

/** C0 controls other than tab, line feed, vertical tab, form feed and carriage return; DEL; C1 controls. */
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/;

/** The share of a byte histogram held by its `top` most frequent values. */
function topShare(histogram: Uint32Array, top: number, total: number): number {
  return [...histogram].sort((a, b) => b - a).slice(0, top).reduce((s, n) => s + n, 0) / total;
}

/**
 * UTF-16 without a BOM, by the shape of its bytes: Latin text has a zero high byte in
 * nearly every pair; other alphabets (Cyrillic, Greek, Hebrew...) have one or two high
 * byte values (the script's block, zero for spaces and digits). 8-bit text has no such
 * lopsidedness between even and odd positions.
 */
function utf16Shape(buf: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(buf.length - (buf.length % 2), 4096);
  if (n < 4) return null;
  const even = new Uint32Array(256);
  const odd = new Uint32Array(256);
  for (let i = 0; i < n; i += 2) {
    even[buf[i]!]!++;
    odd[buf[i + 1]!]!++;
  }
  const pairs = n / 2;
  if (odd[0]! > pairs * 0.3 && even[0]! < pairs * 0.05) return 'utf-16le';
  if (even[0]! > pairs * 0.3 && odd[0]! < pairs * 0.05) return 'utf-16be';
  if (n >= 64) {
    if (topShare(odd, 2, pairs) > 0.9 && topShare(even, 2, pairs) < 0.5) return 'utf-16le';
    if (topShare(even, 2, pairs) > 0.9 && topShare(odd, 2, pairs) < 0.5) return 'utf-16be';
  }
  return null;
}

export function detectEncoding(buf: Uint8Array): { encoding: NoteEncoding; bomLength: number } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: utf16Shape(buf) ?? 'utf-8', bomLength: 0 };
}

function decodeUnicode(body: Uint8Array, encoding: NoteEncoding): string | null {
  if (encoding !== 'utf-8' && body.length % 2 === 1) return null;
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return null;
  }
}

/** The legacy encodings worth trying, chardet's ranking first, each once, only those iconv-lite decodes. */
function legacyCandidates(buf: Uint8Array): string[] {
  const ranked = chardet.analyse(buf.subarray(0, DETECT_SAMPLE_BYTES)).map((m) => m.name as string);
  const names = [...ranked, 'windows-1252']
    // Unicode needs a BOM to be told apart here (handled above); ASCII is a subset of UTF-8;
    // ISO-8859-1 text reads the same as Windows-1252, which also has the typographic quotes
    .filter((n) => !/^(UTF-|ASCII$)/i.test(n))
    .map((n) => (/^ISO-8859-1$/i.test(n) ? 'windows-1252' : n))
    .filter((n) => iconv.encodingExists(n));
  return [...new Set(names)];
}

/** A legacy decoding, or null when it has bytes the encoding does not define or control characters. */
function decodeLegacy(buf: Uint8Array, encoding: string): string | null {
  const text = iconv.decode(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), encoding, { stripBOM: false });
  return text.includes('\ufffd') || CONTROL.test(text) ? null : text;
}

function tooLarge(bytes: number): UnreadableFile {
  return new UnreadableFile(
    `this note is too large (${(bytes / 1024 / 1024).toFixed(1)} MB); Trove reads notes up to ${NOTE_LIMIT_BYTES / 1024 / 1024} MB — split it into smaller files`,
  );
}

/** The note's text, or throws UnreadableFile with the reason and what was tried. */
export function decodeNote(buf: Uint8Array): string {
  if (buf.length > NOTE_LIMIT_BYTES) throw tooLarge(buf.length);
  const { encoding, bomLength } = detectEncoding(buf);
  if (bomLength > 0) {
    const body = buf.subarray(bomLength);
    if (encoding !== 'utf-8' && body.length % 2 === 1) {
      throw new UnreadableFile(`this note starts with a ${encoding.toUpperCase()} byte-order mark but has an odd number of bytes (the file is cut off or not text)`);
    }
    const text = decodeUnicode(body, encoding);
    if (text === null) throw new UnreadableFile(`this note starts with a ${encoding.toUpperCase()} byte-order mark but is not valid ${encoding.toUpperCase()} text; re-save it as UTF-8`);
    if (text.includes('\u0000')) throw new UnreadableFile('this file contains binary data, not text');
    return text;
  }
  const tried: string[] = [];
  for (const unicode of encoding === 'utf-8' ? (['utf-8'] as const) : ([encoding, 'utf-8'] as const)) {
    tried.push(unicode.toUpperCase());
    const text = decodeUnicode(buf, unicode);
    if (text === null) continue;
    // zero bytes outside UTF-16 are binary data, and no legacy encoding reads them as text
    if (text.includes('\u0000')) throw notText(buf, tried);
    return text;
  }
  for (const legacy of legacyCandidates(buf)) {
    tried.push(legacy);
    const text = decodeLegacy(buf, legacy);
    if (text !== null) return text;
  }
  throw notText(buf, tried);
}

function notText(buf: Uint8Array, tried: string[]): UnreadableFile {
  // C0 control bytes (other than whitespace) are controls in every encoding tried: binary data
  const binary = buf.some((b) => b < 0x20 && (b < 0x09 || b > 0x0d));
  const what = binary ? 'this file contains binary data, not text' : 'this note is not text in any encoding Trove recognises';
  return new UnreadableFile(
    `${what}: tried ${tried.join(', ')} (each gave invalid byte sequences, zero bytes or control characters); if it is text, re-save it as UTF-8`,
  );
}
