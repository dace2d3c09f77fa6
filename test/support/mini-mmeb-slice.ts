// The committed slice of Trove's mini-MMEB suite (test/fixtures/mmeb/mini-mmeb-slice,
// made by make-mini-mmeb-slice.ts; provenance in its PROVENANCE.md): two whole datasets
// of the suite, with the Fashion-MNIST images stored as raw pixels. `writeSliceImages`
// writes those images as PNGs where the dataset's rows expect them.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { readSuite } from '../../main/ml/eval';
import type { EvalRow } from '../../main/ml/eval';

export const SLICE_DIR = resolve(__dirname, '..', 'fixtures', 'mmeb', 'mini-mmeb-slice');
export const SLICE_DATASETS = ['cls-fashion-mnist-ind', 'ret-wordnet-t2t-ind'] as const;
export const SLICE_IMAGES_FILE = 'fashion-mnist-images.u8.gz';
export const SLICE_IMAGE_SIDE = 28;

/** The Fashion-MNIST rows (query image, candidate 0 = its label) with their images written under `imageRoot`. */
export async function writeSliceImages(imageRoot: string): Promise<EvalRow[]> {
  const suite = await readSuite(SLICE_DIR, { imageRoot, only: ['cls-fashion-mnist-ind'] });
  const rows = suite.datasets[0]!.rows;
  const pixels = gunzipSync(readFileSync(join(SLICE_DIR, SLICE_IMAGES_FILE)));
  const block = SLICE_IMAGE_SIDE * SLICE_IMAGE_SIDE;
  if (pixels.length !== rows.length * block) throw new Error(`${SLICE_IMAGES_FILE}: ${pixels.length} bytes for ${rows.length} rows`);
  await Promise.all(
    rows.map(async (row, i) => {
      const file = row.query.image!;
      mkdirSync(dirname(file), { recursive: true });
      await sharp(pixels.subarray(i * block, (i + 1) * block), { raw: { width: SLICE_IMAGE_SIDE, height: SLICE_IMAGE_SIDE, channels: 1 } }).png().toFile(file);
    }),
  );
  return rows;
}
