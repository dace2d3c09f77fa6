// The face detector: BlazeFace's anchors and box decoding as pure functions (human's
// generateAnchors / decodeBoxes), the committed package (native-models/face-detector)
// against tfjs running human-models' blazeface-back, and the package on real photos.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLAZEFACE_BACK } from '../../../main/ml/convert/face-detector';
import { blazefaceAnchors, decodeBlazeface, loadFaceDetector } from '../../../main/ml/perception/faces';
import type { LoadedFaceDetector } from '../../../main/ml/perception/faces';
import { placement, squareInput, toPhotoBox } from '../../../main/ml/perception/square-input';
import type { Face } from '../../../main/ml/perception/types';
import { createSession } from '../../../main/ml/runtime/session';
import { readRgb } from '../../../native-models/recipes/lib/images';
import { HUMAN_MODELS, loadTfGraphModel, maxAbsDiff } from '../convert/support';

const ROOT = join(__dirname, '..', '..', '..');
const PKG = join(ROOT, 'native-models', 'face-detector');
const PHOTOS = join(ROOT, 'test', 'fixtures', 'photos', 'coral');
const centre = (f: Face) => [f.box.x + f.box.width / 2, f.box.y + f.box.height / 2];

describe('BlazeFace anchors and boxes (pure)', () => {
  it('anchors: 16 x 16 cells x 2 at stride 16, then 8 x 8 cells x 6 at stride 32, cell centres in input pixels, row by row', () => {
    const a = blazefaceAnchors(256, [16, 32], [2, 6]);
    expect(a.length).toBe(2 * 896);
    expect(Array.from(a.slice(0, 6))).toEqual([8, 8, 8, 8, 24, 8]);
    expect(Array.from(a.slice(2 * 32, 2 * 32 + 2))).toEqual([8, 24]); // second row of the stride-16 grid
    expect(Array.from(a.slice(2 * 512, 2 * 518))).toEqual([16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16]);
    expect(Array.from(a.slice(2 * 518, 2 * 519))).toEqual([48, 16]);
    expect(Array.from(a.slice(-2))).toEqual([240, 240]);
    expect(() => blazefaceAnchors(256, [16, 32], [2])).toThrow(/2 strides but 1/);
  });

  it('a row decodes to sigmoid(logit) and corners = anchor + offset -+ size / 2, as fractions of the input; under minScore is dropped', () => {
    const anchors = Float32Array.from([8, 8, 24, 8]);
    const rows = new Float32Array(2 * 17);
    rows.set([2, 2, -1, 20, 10], 0); // anchor (8, 8): centre (10, 7), 20 x 10
    rows.set([0, 0, 0, 4, 4], 17); // score 0.5
    const faces = decodeBlazeface(rows, anchors, 128, 0.6);
    expect(faces).toHaveLength(1);
    expect(faces[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(faces[0]!.box.x).toBeCloseTo(0, 6);
    expect(faces[0]!.box.y).toBeCloseTo(2 / 128, 6);
    expect(faces[0]!.box.width).toBeCloseTo(20 / 128, 6);
    expect(faces[0]!.box.height).toBeCloseTo(10 / 128, 6);
    expect(decodeBlazeface(rows, anchors, 128, 0.5)).toHaveLength(2);
    expect(() => decodeBlazeface(new Float32Array(7), anchors, 128, 0.5)).toThrow(/7 values for 2 anchors/);
  });

  it('a letterboxed input maps back to the photo: the placed area is the whole photo', () => {
    const p = placement(400, 200, 256, 'contain');
    expect(p).toEqual({ size: 256, left: 0, top: 64, width: 256, height: 128 });
    const back = toPhotoBox({ x: 0, y: 64 / 256, width: 1, height: 128 / 256 }, p);
    expect(back.x).toBeCloseTo(0, 9);
    expect(back.y).toBeCloseTo(0, 9);
    expect(back.width).toBeCloseTo(1, 9);
    expect(back.height).toBeCloseTo(1, 9);
    expect(toPhotoBox({ x: 0.25, y: 0.5, width: 0.5, height: 0.25 }, placement(400, 200, 256, 'fill'))).toEqual({ x: 0.25, y: 0.5, width: 0.5, height: 0.25 });
  });

  it('the letterboxed input has black bars and the photo in the middle', async () => {
    const photo = { width: 40, height: 20, data: new Uint8Array(40 * 20 * 3).fill(200) };
    const { pixels, placement: p } = await squareInput(photo, 32, 'contain');
    expect(p).toEqual({ size: 32, left: 0, top: 8, width: 32, height: 16 });
    const at = (x: number, y: number) => pixels[(y * 32 + x) * 3]!;
    expect([at(0, 0), at(31, 7), at(5, 24), at(31, 31)]).toEqual([0, 0, 0, 0]);
    expect([at(0, 8), at(16, 16), at(31, 23)]).toEqual([200, 200, 200]);
  });
});

describe('face-detector package vs tfjs (human-models blazeface-back)', () => {
  it('the rows of the shipped graph are the rows tfjs gives on real photos, joined in human\'s anchor order', async () => {
    const S = BLAZEFACE_BACK.size;
    const tfModel = await loadTfGraphModel(join(HUMAN_MODELS, 'models', 'blazeface-back.json'));
    const s = await createSession(join(PKG, 'model.onnx'), { providers: ['cpu'], intraOpNumThreads: 2 });
    let worstScore = 0;
    let worstPx = 0;
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (const f of ['grace_hopper.png', 'face.jpg']) {
      const { pixels } = await squareInput(await readRgb(join(PHOTOS, f)), S, 'contain');
      const outs = tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(pixels), [1, S, S, 3]).div(127.5).sub(1);
        const res = tfModel.execute(x) as tf.Tensor[];
        // human's blazeface.ts: sorted by size, [scores | boxes] of the 512 anchors, then of the 384
        const r = [...res].sort((a, b) => a.size - b.size);
        return tf.concat([tf.concat([r[1]!, r[3]!], 2), tf.concat([r[0]!, r[2]!], 2)], 1);
      });
      expect(outs.shape).toEqual([1, 896, 17]);
      const want = await outs.data<'float32'>();
      outs.dispose();
      const got = (await s.run({ image: { dtype: 'uint8', data: pixels, dims: [1, S, S, 3] } })).raw!;
      expect(got.dims).toEqual([1, 896, 17]);
      const g = got.data as Float32Array;
      for (let r = 0; r < 896 * 17; r += 17) {
        worstScore = Math.max(worstScore, Math.abs(sig(g[r]!) - sig(want[r]!)));
        // box offsets, sizes and landmarks, in input pixels, where the face is likely enough to be decoded at all
        if (sig(want[r]!) > 0.01) worstPx = Math.max(worstPx, maxAbsDiff(g.subarray(r + 1, r + 17), want.subarray(r + 1, r + 17)));
      }
    }
    await s.release();
    tfModel.dispose();
    // what the loader reads: scores (sigmoid of the logits, which run to -8000 on background) and pixel geometry
    console.log(`face-detector vs tfjs: score max|d| ${worstScore.toExponential(2)}, boxes and landmarks max|d| ${worstPx.toExponential(2)} px (of ${S})`);
    expect(worstScore).toBeLessThan(1e-5);
    expect(worstPx).toBeLessThan(0.01);
  });
});

describe('face-detector package on real photos', () => {
  let fd: LoadedFaceDetector;
  const found = new Map<string, Face[]>();
  beforeAll(async () => {
    fd = await loadFaceDetector(PKG, { providers: ['cpu'], threads: 2 });
    for (const f of ['grace_hopper.png', 'face.jpg', 'cat.png', 'pets.jpg', 'kite_and_cold.jpg', 'sunflower.png', 'owl.jpg']) found.set(f, await fd.detect(await readRgb(join(PHOTOS, f))));
  });
  afterAll(() => fd.dispose());

  it('grace_hopper: exactly one face, where her face is (a "selfie"-sized face)', () => {
    const faces = found.get('grace_hopper.png')!;
    expect(faces).toHaveLength(1);
    const [cx, cy] = centre(faces[0]!);
    expect(cx).toBeGreaterThan(0.42);
    expect(cx).toBeLessThan(0.62);
    expect(cy).toBeGreaterThan(0.3);
    expect(cy).toBeLessThan(0.5);
    expect(faces[0]!.box.width).toBeGreaterThan(0.25);
    expect(faces[0]!.box.width).toBeLessThan(0.5);
  });

  it('face.jpg: a group photo, the two men in front and the two half-hidden faces at the edges', () => {
    const faces = found.get('face.jpg')!;
    expect(faces).toHaveLength(4);
    const xs = faces.map((f) => centre(f)[0]!).sort((a, b) => a - b);
    expect(xs[0]).toBeLessThan(0.15);
    expect(xs[1]).toBeGreaterThan(0.25);
    expect(xs[1]).toBeLessThan(0.45);
    expect(xs[2]).toBeGreaterThan(0.5);
    expect(xs[2]).toBeLessThan(0.7);
    expect(xs[3]).toBeGreaterThan(0.85);
    for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) expect(faces[i]!.box.x + faces[i]!.box.width <= faces[j]!.box.x || faces[j]!.box.x + faces[j]!.box.width <= faces[i]!.box.x).toBe(true);
  });

  it('no face on a cat, two dogs, an owl, a field of sunflowers, or a beach whose people are tiny and turned away', () => {
    for (const f of ['cat.png', 'pets.jpg', 'owl.jpg', 'sunflower.png', 'kite_and_cold.jpg']) expect(found.get(f), f).toEqual([]);
  });

  it('detectRaw at a lower score gives the candidates before NMS and the threshold: more than detect keeps', async () => {
    const photo = await readRgb(join(PHOTOS, 'face.jpg'));
    const raw = await fd.detectRaw(photo, 0.3);
    expect(raw.length).toBeGreaterThan(found.get('face.jpg')!.length);
    expect(raw.every((f) => f.score >= 0.3)).toBe(true);
  });
});
