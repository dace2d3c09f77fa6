// A synthetic library for benchmarks: N 12-megapixel JPEGs and N markdown notes.
// Only a few distinct photos are encoded (gradients + noise, ~3 MB each, like a phone
// photo); every file is a copy with a unique JPEG comment segment, so each has distinct
// bytes (and content hash) and decodes to the same pixels at the same cost.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rng } from './clustered-vectors';

export interface LibraryFixture {
  root: string;
  photos: string[];
  notes: string[];
  photoBytes: number;
  noteBytes: number;
  width: number;
  height: number;
  distinctPhotos: number;
  generateSeconds: number;
}

export async function makeLibrary(
  root: string,
  opts: { images: number; notes: number; width?: number; height?: number; distinct?: number; seed?: number },
): Promise<LibraryFixture> {
  const t0 = performance.now();
  const width = opts.width ?? 4000;
  const height = opts.height ?? 3000;
  const distinct = Math.max(1, Math.min(opts.distinct ?? 3, opts.images || 1));
  const rand = rng(opts.seed ?? 17);
  const photoDir = join(root, 'photos');
  const noteDir = join(root, 'notes');
  mkdirSync(photoDir, { recursive: true });
  mkdirSync(noteDir, { recursive: true });

  const bases: Buffer[] = [];
  for (let b = 0; b < (opts.images > 0 ? distinct : 0); b++) bases.push(await basePhoto(width, height, rand, b));

  const photos: string[] = [];
  let photoBytes = 0;
  for (let i = 0; i < opts.images; i++) {
    const file = join(photoDir, `IMG_${String(i).padStart(5, '0')}.jpg`);
    const bytes = withComment(bases[i % bases.length], `trove-bench photo ${i}`);
    writeFileSync(file, bytes);
    photos.push(file);
    photoBytes += bytes.length;
  }

  const notes: string[] = [];
  let noteBytes = 0;
  for (let i = 0; i < opts.notes; i++) {
    const file = join(noteDir, `note-${String(i).padStart(5, '0')}.md`);
    const text = noteText(i, rand);
    writeFileSync(file, text);
    notes.push(file);
    noteBytes += Buffer.byteLength(text);
  }
  return { root, photos, notes, photoBytes, noteBytes, width, height, distinctPhotos: bases.length, generateSeconds: (performance.now() - t0) / 1000 };
}

/** Smooth colour fields plus per-pixel noise, encoded as a quality-88 JPEG. */
async function basePhoto(width: number, height: number, rand: () => number, variant: number): Promise<Buffer> {
  const raw = Buffer.allocUnsafe(width * height * 3);
  const fx = 200 + variant * 70;
  const fy = 350 + variant * 40;
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const n = (rand() - 0.5) * 24;
      raw[o] = clamp(128 + 100 * Math.sin(x / fx + variant) + n);
      raw[o + 1] = clamp((y / height) * 255 + n);
      raw[o + 2] = clamp(128 + 90 * Math.cos((x + y) / fy) + n);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 88 }).toBuffer();
}

/** The JPEG with a COM segment inserted after SOI: new bytes, same pixels. */
export function withComment(jpeg: Buffer, comment: string): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const body = Buffer.from(comment, 'latin1');
  const seg = Buffer.alloc(4 + body.length);
  seg[0] = 0xff;
  seg[1] = 0xfe;
  seg.writeUInt16BE(body.length + 2, 2);
  body.copy(seg, 4);
  return Buffer.concat([jpeg.subarray(0, 2), seg, jpeg.subarray(2)]);
}

const WORDS = (
  'sourdough starter flour water salt proof oven crust bike shop receipt chain brake tyre garden tomato basil ' +
  'seedling compost trip train ticket museum harbour sunset mountain trail notes meeting budget invoice plan ' +
  'recipe lemon garlic olive coffee grinder kettle library book chapter quote idea draft letter birthday gift'
).split(' ');

/** `n` words of the notes' vocabulary as sentences of 6-17 words (embed-bench's note texts). */
export function proseWords(n: number, rand: () => number): string {
  const out: string[] = [];
  let left = 0;
  for (let w = 0; w < n; w++) {
    if (left === 0) left = 6 + Math.floor(rand() * 12);
    let word = WORDS[Math.floor(rand() * WORDS.length)];
    if (out.length === 0 || out[out.length - 1].endsWith('.')) word = word[0].toUpperCase() + word.slice(1);
    if (--left === 0 || w === n - 1) word += '.';
    out.push(word);
  }
  return out.join(' ');
}

function noteText(i: number, rand: () => number): string {
  const lines = [`# Note ${i}: ${WORDS[i % WORDS.length]} and ${WORDS[(i * 7) % WORDS.length]}`, ''];
  const paragraphs = 2 + Math.floor(rand() * 4);
  for (let p = 0; p < paragraphs; p++) {
    const n = 30 + Math.floor(rand() * 80);
    const words: string[] = [];
    for (let w = 0; w < n; w++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
    lines.push(words.join(' ') + '.', '');
  }
  return lines.join('\n');
}
