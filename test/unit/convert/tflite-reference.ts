// TFLite's own outputs on the coral test photos, written by LiteRT.js (Google's TFLite runtime,
// integer kernels) with `npx tsx test/bench/tflite-parity.ts --litert DIR --fixture
// test/fixtures/tflite/litert-reference.json`: the reference the converted graphs are held
// to, without a TFLite runtime at test time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifierConfig } from '../../../main/ml/perception/classifier';

export const TFLITE_FIXTURES = join(__dirname, '..', '..', 'fixtures', 'tflite');
export const CORAL_PHOTOS = join(__dirname, '..', '..', 'fixtures', 'photos', 'coral');

export interface ReferenceModel {
  sha256: string;
  size: number;
  resize: ClassifierConfig['resize'];
  /** photo -> SHA-256 of the input bytes TFLite saw, and its uint8 softmax */
  photos: Record<string, { input: string; output: string }>;
}

export function litertReference(): { runtime: string; coral: string; models: Record<string, ReferenceModel> } {
  return JSON.parse(readFileSync(join(TFLITE_FIXTURES, 'litert-reference.json'), 'utf8')) as never;
}

/** TFLite's probabilities (its uint8 output / 256). */
export function referenceProbs(m: ReferenceModel, photo: string): Float32Array {
  return Float32Array.from(Buffer.from(m.photos[photo]!.output, 'base64'), (v) => v / 256);
}


export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

/** TFLite's top-1 lead over its runner-up: below ~0.05 the float graph may swap them (measured, see main/ml/convert/README.md). */
export function margin(q: ArrayLike<number>): number {
  const s = Array.from(q).sort((a, b) => b - a);
  return s[0]! - s[1]!;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
