// A TFLite image classifier (image -> ... -> SOFTMAX) written as ONNX for Trove's classifier
// packages (main/ml/perception/classifier.ts).
//
// ONNX contract (model.onnx):
//   input  image          uint8 [batch, H, W, 3]  NHWC, RGB, raw pixel bytes, exactly what
//                         the TFLite model takes (the graph dequantizes them with the
//                         model's input scale and zero point: 1/128, 128 -> [-1, 1))
//   output logits         float32 [batch, classes]  the input of the model's final SOFTMAX
//   output probabilities  float32 [batch, classes]  softmax(logits)
// Weights keep their TFLite uint8 bytes behind a Cast/Sub/Mul that onnxruntime folds at load.
import { Graph } from '../graph/graph';
import { toOnnx } from '../graph/onnx-writer';
import type { OnnxModel } from '../graph/onnx-writer';
import type { TfliteModel } from './tflite-model';
import { convertTflite } from './tflite-to-graph';
import type { TfliteConvertOptions } from './tflite-to-graph';

export interface ClassifierOnnx extends OnnxModel {
  /** number of output classes (background included where the model has one) */
  classes: number;
  /** [height, width] of the image input */
  inputSize: [number, number];
  inputQuantization?: { scale: number; zeroPoint: number };
  /** op histogram of the TFLite operators */
  ops: Record<string, number>;
}

/** Converts a classifier whose last operator is a SOFTMAX producing its only output. */
export function tfliteClassifierToOnnx(model: TfliteModel, opts: Pick<TfliteConvertOptions, 'weights' | 'fakeQuantActivations'> & { docString?: string } = {}): ClassifierOnnx {
  const last = model.operators[model.operators.length - 1];
  if (!last || last.op !== 'SOFTMAX' || model.outputs.length !== 1 || last.outputs[0] !== model.outputs[0]) {
    throw new Error(`not an image classifier: the model should end in a SOFTMAX giving its one output (last op: ${last?.op ?? 'none'}, ${model.outputs.length} outputs)`);
  }
  const logitsName = model.tensors[last.inputs[0]!]!.name;
  const g = new Graph({ name: 'classifier' });
  const c = convertTflite(model, g, { inputName: 'image', taps: [logitsName], ...(opts.weights ? { weights: opts.weights } : {}), ...(opts.fakeQuantActivations ? { fakeQuantActivations: true } : {}) });
  const [logits] = c.taps;
  const classes = logits!.shape[1];
  if (logits!.shape.length !== 2 || typeof classes !== 'number') throw new Error(`the logits are [${logits!.shape.join(', ')}], expected [batch, classes]`);
  const onnx = toOnnx(g, { outputs: { logits: logits!, probabilities: c.outputs[0]! }, ...(opts.docString ? { docString: opts.docString } : {}) });
  const [, h, w] = c.input.shape as number[];
  return { ...onnx, classes, inputSize: [h!, w!], ...(c.inputQuantization ? { inputQuantization: c.inputQuantization } : {}), ops: c.ops };
}
