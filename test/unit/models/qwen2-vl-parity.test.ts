// Preprocessing and position-id parity of the qwen2-vl family with @huggingface/transformers
// 4.3.2 (a dev dependency; offline: allowRemoteModels false, its processor built from a
// local preprocessor_config.json) on real photos (test/fixtures/photos/coral, Apache-2.0).
//   - photos already at their smart_resize size: pixel_values and grid_thw equal (no
//     resampling on either side, so this pins normalisation and the 1176-wide patch layout);
//   - photos that shrink: grid_thw equal; pixel_values within resampling tolerance, since
//     transformers.js resizes with sharp's affine bicubic (no antialiasing) and Trove with
//     Pillow's antialiased bicubic as the Python reference does (measured, normalised
//     units: mean |diff| 0.002 at 1.02x, 0.019 at 1.09x, 0.048 at 1.6x,
//     0.058 at 2.5x);
//   - position ids equal to its get_rope_index with and without vision tokens.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '@huggingface/transformers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../main/ml/models/embedding-model';
import { imageConfigOf, PreprocessorConfig } from '../../../main/ml/models/qwen2-vl/config';
import { patchify, preprocessImage, roundHalfEven, smartResize } from '../../../main/ml/models/qwen2-vl/image-processor';
import { ropeIndex, sequentialPositions } from '../../../main/ml/models/qwen2-vl/rope-index';
import { QWEN2_VL_PREPROCESSOR } from '../../support/qwen2vl-tiny';
import { tempDir } from '../../support/tmp';

const CORAL = join(__dirname, '..', '..', 'fixtures', 'photos', 'coral');
const CAP = 448 * 448;
const IDS = { imageTokenId: 151655, videoTokenId: 151656, visionStartTokenId: 151652 };

// The library's classes are exported at run time but not all are in its type declarations.
const Lib = T as unknown as {
  env: { allowRemoteModels: boolean; localModelPath: string };
  AutoImageProcessor: { from_pretrained(id: string): Promise<(img: unknown) => Promise<{ pixel_values: { data: Float32Array; dims: number[] }; image_grid_thw: { data: BigInt64Array } }>> };
  RawImage: new (data: Uint8ClampedArray, w: number, h: number, c: number) => unknown;
  Tensor: new (type: string, data: unknown, dims: number[]) => { tolist(): unknown; data: BigInt64Array; dims: number[] };
  Qwen2VLForConditionalGeneration: { prototype: { get_rope_index(this: unknown, ids: unknown, img: unknown, vid: unknown, mask: unknown): [{ data: BigInt64Array; dims: number[] }, unknown] } };
};

async function photo(name: string, crop?: [number, number]): Promise<RgbImage> {
  let s = sharp(join(CORAL, name)).removeAlpha();
  if (crop) s = s.extract({ left: 0, top: 0, width: crop[0], height: crop[1] });
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

let dir: ReturnType<typeof tempDir>;
let hf: Awaited<ReturnType<typeof Lib.AutoImageProcessor.from_pretrained>>;
const cfg = imageConfigOf(PreprocessorConfig.parse(QWEN2_VL_PREPROCESSOR), CAP);

beforeAll(async () => {
  dir = tempDir('trove-qwen2vl-parity-');
  Lib.env.allowRemoteModels = false;
  Lib.env.localModelPath = dir.path;
  mkdirSync(join(dir.path, 'qwen2-vl'), { recursive: true });
  writeFileSync(join(dir.path, 'qwen2-vl', 'preprocessor_config.json'), JSON.stringify({ ...QWEN2_VL_PREPROCESSOR, max_pixels: CAP }));
  hf = await Lib.AutoImageProcessor.from_pretrained('qwen2-vl');
});
afterAll(() => dir.cleanup());

async function theirs(img: RgbImage) {
  const r = await hf(new Lib.RawImage(new Uint8ClampedArray(img.data), img.width, img.height, 3));
  return { pixels: r.pixel_values.data, dims: r.pixel_values.dims, grid: Array.from(r.image_grid_thw.data, Number) };
}

const meanAbs = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0) / a.length;

describe('qwen2-vl preprocessing vs transformers.js', () => {
  it('smart_resize rounds halves to even as Python does, and gives the golden 224 -> [256, 1176], grid [1, 16, 16], 64 tokens', () => {
    expect([0.5, 1.5, 2.5, 3.5, -2.5, 2.4].map(roundHalfEven)).toEqual([0, 2, 2, 4, -2, 2]);
    expect(smartResize(70, 70, 28, 3136, 12845056)).toEqual([56, 56]); // round(2.5) = 2 in Python (transformers.js: 3 -> 84)
    expect(smartResize(126, 126, 28, 3136, 12845056)).toEqual([112, 112]); // round(4.5) = 4
    const v = patchify({ width: 224, height: 224, data: new Uint8Array(224 * 224 * 3).fill(128) }, cfg);
    expect([v.patches, v.rowSize, v.tokens]).toEqual([256, 1176, 64]);
    expect(v.gridThw).toEqual([1, 16, 16]);
  });

  it('photos at their target size: pixel_values and grid_thw equal (normalisation and patch layout)', async () => {
    for (const [name, crop] of [
      ['parrot.jpg', [336, 448]],
      ['grace_hopper.png', [448, 280]],
      ['kite_and_cold.jpg', [392, 504]],
    ] as const) {
      const img = await photo(name, [crop[0], crop[1]]);
      const mine = preprocessImage(img, cfg);
      const t = await theirs(img);
      expect(mine.gridThw, name).toEqual(t.grid);
      expect([mine.patches, mine.rowSize]).toEqual(t.dims);
      let max = 0;
      for (let i = 0; i < t.pixels.length; i++) max = Math.max(max, Math.abs(t.pixels[i]! - mine.pixelValues[i]!));
      expect(max, name).toBeLessThan(1e-5);
    }
  });

  it('photos that shrink: grid_thw equal, pixel_values within resampling tolerance', async () => {
    const rows: string[] = [];
    for (const name of ['parrot.jpg', 'bird.png', 'grace_hopper.png', 'kite_and_cold.jpg', 'face.jpg', 'sunflower.png', 'pets.jpg']) {
      const img = await photo(name);
      const mine = preprocessImage(img, cfg);
      const t = await theirs(img);
      expect(mine.gridThw, name).toEqual(t.grid);
      const shrink = Math.sqrt((img.width * img.height) / (mine.gridThw[1] * mine.gridThw[2] * 196));
      const mad = meanAbs(mine.pixelValues, t.pixels);
      rows.push(`${name} ${img.width}x${img.height} shrink ${shrink.toFixed(2)}x mean|diff| ${mad.toFixed(4)}`);
      // 1/255 / std ~ 0.015 per 8-bit level: at most ~5 levels on average, where the photo
      // shrinks and sharp's unfiltered affine aliases fine detail that Pillow filters out
      expect(mad, rows.at(-1)).toBeLessThan(0.075);
    }
    console.log(rows.join('\n'));
  });
});

describe('qwen2-vl position ids vs transformers.js get_rope_index', () => {
  const config = { image_token_id: 151655, video_token_id: 151656, vision_start_token_id: 151652, vision_config: { spatial_merge_size: 2 } };
  const rope = (ids: number[], grids: [number, number, number][]): number[][] => {
    const input = new Lib.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const grid = grids.length ? new Lib.Tensor('int64', BigInt64Array.from(grids.flat().map(BigInt)), [grids.length, 3]) : null;
    const mask = new Lib.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const self = Object.assign(Object.create(Lib.Qwen2VLForConditionalGeneration.prototype) as object, { config });
    const [pos] = Lib.Qwen2VLForConditionalGeneration.prototype.get_rope_index.call(self, input, grid, null, mask);
    const flat = Array.from(pos.data, Number);
    return [0, 1, 2].map((r) => flat.slice(r * ids.length, (r + 1) * ids.length));
  };
  const text = (n: number, from = 1000) => Array.from({ length: n }, (_v, i) => from + i);
  const image = (grid: [number, number, number], withStart: boolean) => [...(withStart ? [151652] : []), ...new Array<number>((grid[0] * grid[1] * grid[2]) / 4).fill(151655), ...(withStart ? [151653] : [])];

  it('equal on prompts without vision tokens, with VLM2Vec\'s bare <|image_pad|>, with vision_start images (one and two, square and not)', () => {
    const cases: [number[], [number, number, number][]][] = [
      [text(12), []],
      [[...image([1, 4, 6], false), ...text(9)], [[1, 4, 6]]],
      [[...text(3), ...image([1, 4, 6], true), ...text(7)], [[1, 4, 6]]],
      [[...image([1, 8, 8], true), ...text(5)], [[1, 8, 8]]],
      [[...text(2), ...image([1, 6, 4], true), ...text(3), ...image([1, 4, 10], true), ...text(4)], [[1, 6, 4], [1, 4, 10]]],
    ];
    for (const [ids, grids] of cases) expect(ropeIndex(ids, grids, IDS, 2)).toEqual(rope(ids, grids));
    expect(sequentialPositions(12)).toEqual(rope(text(12), []));
  });
});
