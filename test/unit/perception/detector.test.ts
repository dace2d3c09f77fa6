// The COCO object detector: decoding, thresholds and per-class NMS as pure functions; the
// committed package (native-models/coco-centernet) against tfjs running human's CenterNet
// with the same re-baked head; and the package on real photos (test/fixtures/photos/coral).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centernetSizeConstants, CENTERNET_DETECTOR } from '../../../main/ml/convert/vision-trunk';
import { classThresholds, decodeDetections, loadDetector, selectDetections } from '../../../main/ml/perception/detector';
import type { LoadedDetector, RawDetection } from '../../../main/ml/perception/detector';
import { squareInput } from '../../../main/ml/perception/square-input';
import type { Detection, RgbImage } from '../../../main/ml/perception/types';
import { createSession } from '../../../main/ml/runtime/session';
import { readRgb } from '../../../native-models/recipes/lib/images';
import { loadTfGraphModel, requireCenternet } from '../convert/support';

const ROOT = join(__dirname, '..', '..', '..');
const PKG = join(ROOT, 'native-models', 'coco-centernet');
const PHOTOS = join(ROOT, 'test', 'fixtures', 'photos', 'coral');
const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('CenterNet rows -> detections (pure)', () => {
  it('divides boxes by the input size, clips them to the image and skips rows whose class is not a class', () => {
    const rows = [10, 20, 110, 220, 0.9, 0, 0, 0, 10, 10, 0.8, 80, 0, 0, 10, 10, 0.7, Number.NaN, -5, 250, 300, 260, 0.4, 16];
    const d = decodeDetections(rows, 256, 80);
    expect(d.map((r) => [r.classIndex, r.score])).toEqual([
      [0, 0.9],
      [16, 0.4],
    ]);
    expect(d[0]!.box.x).toBeCloseTo(10 / 256, 6);
    expect(d[0]!.box.y).toBeCloseTo(20 / 256, 6);
    expect(d[0]!.box.width).toBeCloseTo(100 / 256, 6);
    expect(d[0]!.box.height).toBeCloseTo(200 / 256, 6);
    expect(d[1]!.box.x).toBe(0);
    expect(d[1]!.box.x + d[1]!.box.width).toBe(1);
    expect(d[1]!.box.y + d[1]!.box.height).toBe(1);
    expect(() => decodeDetections([1, 2, 3], 256, 80)).toThrow(/rows of 6/);
  });

  it('per-class thresholds: a class of its own, else the default; an unknown class name is refused', () => {
    const labels = ['person', 'dog', 'cat'];
    expect(classThresholds({ thresholds: { default: 0.35, perClass: { dog: 0.5 } } }, labels)).toEqual([0.35, 0.5, 0.35]);
    expect(() => classThresholds({ thresholds: { default: 0.35, perClass: { unicorn: 0.5 } } }, labels)).toThrow(/unicorn/);
  });

  it('NMS runs within each class: the dog in her arms survives the person, a duplicate person does not; thresholds come first', () => {
    const raw: RawDetection[] = [
      { classIndex: 0, score: 0.9, box: box(0.1, 0.1, 0.5, 0.8) },
      { classIndex: 0, score: 0.6, box: box(0.12, 0.1, 0.5, 0.8) }, // same person again
      { classIndex: 1, score: 0.7, box: box(0.12, 0.12, 0.45, 0.75) }, // a dog over the same place
      { classIndex: 0, score: 0.5, box: box(0.7, 0.1, 0.2, 0.8) }, // a second person
      { classIndex: 1, score: 0.45, box: box(0.7, 0.7, 0.1, 0.1) }, // a dog under the dog threshold
    ];
    const kept = selectDetections(raw, [0.33, 0.5], 0.5);
    expect(kept.map((d) => [d.classIndex, d.score])).toEqual([
      [0, 0.9],
      [1, 0.7],
      [0, 0.5],
    ]);
  });
});

describe('coco-centernet package vs tfjs (human-models CenterNet, head re-baked for the same size)', () => {
  it('the shipped float16-stored graph gives the rows tfjs gives on real photos (scores < 1e-4, boxes < 0.05 px)', async () => {
    const det = await loadDetector(PKG, { providers: ['cpu'], threads: 2 });
    const S = det.config.input.size;
    expect(det.config.resize.fit).toBe('fill');
    await det.dispose();
    const tfModel = await loadTfGraphModel(requireCenternet(), centernetSizeConstants(S));
    const s = await createSession(join(PKG, 'model.onnx'), { providers: ['cpu'], intraOpNumThreads: 2 });
    let worstScore = 0;
    let worstBox = 0;
    for (const f of ['cat.png', 'face.jpg']) {
      const { pixels } = await squareInput(await readRgb(join(PHOTOS, f)), S, 'fill');
      const ref = tf.tidy(() => tfModel.execute(tf.tensor4d(Float32Array.from(pixels), [1, S, S, 3]), CENTERNET_DETECTOR.output) as tf.Tensor);
      const want = await ref.data<'float32'>();
      ref.dispose();
      const got = (await s.run({ image: { dtype: 'uint8', data: pixels, dims: [1, S, S, 3] } })).detections!.data as Float32Array;
      expect(got.length).toBe(600);
      for (let k = 0; k < 600; k += 6) {
        worstScore = Math.max(worstScore, Math.abs(got[k + 4]! - want[k + 4]!));
        // a row's twin in tfjs: same class and a score within 1e-4 (near ties may swap rows)
        let best = Infinity;
        for (let j = 0; j < 600; j += 6) {
          if (want[j + 5] !== got[k + 5] || Math.abs(want[j + 4]! - got[k + 4]!) > 1e-4) continue;
          best = Math.min(best, Math.max(...[0, 1, 2, 3].map((i) => Math.abs(want[j + i]! - got[k + i]!))));
        }
        expect(best, `row ${k / 6} of ${f} has no tfjs twin`).toBeLessThan(Infinity);
        worstBox = Math.max(worstBox, best);
      }
    }
    await s.release();
    tfModel.dispose();
    console.log(`coco-centernet at ${S} px vs tfjs: score max|d| ${worstScore.toExponential(2)}, box max|d| ${worstBox.toExponential(2)} px`);
    expect(worstScore).toBeLessThan(1e-4);
    expect(worstBox).toBeLessThan(0.05);
  });
});

describe('coco-centernet package on real photos', () => {
  let det: LoadedDetector;
  const found = new Map<string, Detection[]>();
  const of = (photo: string, label: string) => found.get(photo)!.filter((d) => d.label === label);
  beforeAll(async () => {
    det = await loadDetector(PKG, { providers: ['cpu'], threads: 2 });
    for (const f of ['cat.png', 'face.jpg', 'grace_hopper.png', 'kite_and_cold.jpg', 'bird.png', 'hot_dog.jpg', 'sunflower.png', 'pets.jpg']) found.set(f, await det.detect(await readRgb(join(PHOTOS, f))));
  });
  afterAll(() => det.dispose());

  it('labels are the 80 COCO classes in human order', () => {
    expect(det.classes).toHaveLength(80);
    expect([det.classes[0], det.classes[15], det.classes[16], det.classes[79]]).toEqual(['person', 'cat', 'dog', 'toothbrush']);
  });

  it('the cat photo: a cat covering most of the frame, and no person', () => {
    const cats = of('cat.png', 'cat');
    expect(cats).toHaveLength(1);
    expect(cats[0]!.box.width * cats[0]!.box.height).toBeGreaterThan(0.3);
    expect(of('cat.png', 'person')).toHaveLength(0);
  });

  it('people where the people are: Grace Hopper fills her portrait; face.jpg has people on the left and on the right', () => {
    const grace = of('grace_hopper.png', 'person');
    expect(grace).toHaveLength(1);
    const g = grace[0]!.box;
    expect(g.height).toBeGreaterThan(0.7);
    expect(g.x).toBeLessThan(0.4); // her face is at x ~0.52, y ~0.4
    expect(g.x + g.width).toBeGreaterThan(0.6);
    const people = of('face.jpg', 'person');
    expect(people.length).toBeGreaterThanOrEqual(2);
    const centres = people.map((p) => p.box.x + p.box.width / 2);
    expect(Math.min(...centres)).toBeLessThan(0.45);
    expect(Math.max(...centres)).toBeGreaterThan(0.55);
  });

  it('the beach: small people on the sand (lower half) and kites in the sky (upper half)', () => {
    const people = of('kite_and_cold.jpg', 'person');
    const kites = of('kite_and_cold.jpg', 'kite');
    expect(people.length).toBeGreaterThanOrEqual(3);
    expect(kites.length).toBeGreaterThanOrEqual(1);
    for (const p of people) expect(p.box.y + p.box.height / 2).toBeGreaterThan(0.4);
    for (const k of kites) expect(k.box.y + k.box.height / 2).toBeLessThan(0.4);
    for (const d of [...people, ...kites]) expect(d.box.width).toBeLessThan(0.1);
  });

  it('two dogs (one on each side) and no person; a bird, a hot dog; nothing in the field of sunflowers', () => {
    const dogs = of('pets.jpg', 'dog');
    expect(dogs).toHaveLength(2);
    expect(dogs.map((d) => d.box.x + d.box.width / 2).sort((a, b) => a - b)[0]).toBeLessThan(0.5);
    expect(dogs.map((d) => d.box.x + d.box.width / 2).sort((a, b) => a - b)[1]).toBeGreaterThan(0.5);
    expect(of('pets.jpg', 'person')).toHaveLength(0);
    expect(of('bird.png', 'bird')).toHaveLength(1);
    expect(of('hot_dog.jpg', 'hot dog')).toHaveLength(1);
    expect(found.get('sunflower.png')).toEqual([]);
  });

  it('results are sorted by score, boxes inside the photo, scores over their class threshold', () => {
    for (const ds of found.values()) {
      ds.forEach((d, i) => {
        if (i) expect(ds[i - 1]!.score).toBeGreaterThanOrEqual(d.score);
        expect(d.score).toBeGreaterThanOrEqual(det.config.thresholds.perClass[d.label] ?? det.config.thresholds.default);
        expect(d.box.x).toBeGreaterThanOrEqual(0);
        expect(d.box.x + d.box.width).toBeLessThanOrEqual(1);
        expect(d.box.y + d.box.height).toBeLessThanOrEqual(1);
      });
    }
  });

  it('a malformed image is refused with what is wrong', async () => {
    await expect(det.detect({ width: 10, height: 10, data: new Uint8Array(299) })).rejects.toThrow(/10 x 10 needs 300 bytes, got 299/);
  });
});

describe('coco-centernet package: refusals', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'trove-detector-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a faces package is not a detector; a threshold for a class the model lacks is named', async () => {
    await expect(loadDetector(join(ROOT, 'native-models', 'face-detector'))).rejects.toThrow(/faces package, not a detector/);
    const dir = join(tmp, 'unicorn');
    cpSync(PKG, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { config: { thresholds: { perClass: Record<string, number> } } };
    m.config.thresholds.perClass.unicorn = 0.5;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    await expect(loadDetector(dir, { verify: false })).rejects.toThrow(/'unicorn', which is not one of the detector's classes/);
  });

  it('a damaged model file is caught by its SHA-256', async () => {
    const dir = join(tmp, 'damaged');
    cpSync(PKG, dir, { recursive: true });
    const onnx = readFileSync(join(dir, 'model.onnx'));
    onnx[onnx.length - 10] ^= 0xff;
    writeFileSync(join(dir, 'model.onnx'), onnx);
    await expect(loadDetector(dir)).rejects.toThrow(/model.onnx of coco-centernet is damaged/);
  });
});

describe('photos of any size', () => {
  it('a 1 x 1 photo and a very wide one run', async () => {
    const det = await loadDetector(PKG, { providers: ['cpu'], threads: 2, verify: false });
    const tiny: RgbImage = { width: 1, height: 1, data: new Uint8Array([120, 130, 140]) };
    const wide: RgbImage = { width: 2000, height: 20, data: new Uint8Array(2000 * 20 * 3).fill(200) };
    expect(Array.isArray(await det.detect(tiny))).toBe(true);
    expect(Array.isArray(await det.detect(wide))).toBe(true);
    await det.dispose();
  });
});
