// Decoding note files. A byte-order mark selects UTF-8, UTF-16LE or UTF-16BE; without one,
// the bytes must be valid UTF-8, or valid UTF-16 recognised by its zero bytes. Decoding is
// strict (TextDecoder fatal): a note that is not valid text becomes an error row saying so,
// rather than being indexed as garbage with replacement characters. (Deliberate choice:
// a lossy index would silently return wrong chunks; the user can re-save the file as UTF-8.)
import { UnreadableFile } from './fs-errors';

export type NoteEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export const NOTE_LIMIT_BYTES = 10 * 1024 * 1024;

export function detectEncoding(buf: Uint8Array): { encoding: NoteEncoding; bomLength: number } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // No BOM: UTF-16 text of mostly ASCII has a zero byte in every other position.
  const n = Math.min(buf.length - (buf.length % 2), 4096);
  if (n >= 4) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < n; i += 2) {
      if (buf[i] === 0) evenZeros++;
      if (buf[i + 1] === 0) oddZeros++;
    }
    const pairs = n / 2;
    if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) return { encoding: 'utf-16le', bomLength: 0 };
    if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) return { encoding: 'utf-16be', bomLength: 0 };
  }
  return { encoding: 'utf-8', bomLength: 0 };
}

/** The note's text, or throws UnreadableFile with the reason. */
export function decodeNote(buf: Uint8Array): string {
  if (buf.length > NOTE_LIMIT_BYTES) {
    throw new UnreadableFile(
      `this note is too large (${(buf.length / 1024 / 1024).toFixed(1)} MB); Trove reads notes up to ${NOTE_LIMIT_BYTES / 1024 / 1024} MB — split it into smaller files`,
    );
  }
  const { encoding, bomLength } = detectEncoding(buf);
  const body = buf.subarray(bomLength);
  if (encoding !== 'utf-8' && body.length % 2 === 1) {
    throw new UnreadableFile(`this note looks like ${encoding.toUpperCase()} text but has an odd number of bytes (the file is cut off or not text)`);
  }
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new UnreadableFile(
      `this note is not valid ${encoding.toUpperCase()} text (Trove reads UTF-8 and UTF-16 notes); re-save it as UTF-8`,
    );
  }
  if (text.includes('\u0000')) throw new UnreadableFile('this file contains binary data, not text');
  return text;
}
