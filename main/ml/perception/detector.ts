// The object detector pass: a perception package of kind 'detector' (model.onnx taking raw
// RGB bytes of a square input and giving CenterNet's top 100 peaks as [1, 100, 6] rows of
// x1, y1, x2, y2 (input pixels), score, class; labels.json). The graph does no NMS: here
// each class keeps its best boxes (per-class NMS), then each class's score threshold.
import { z } from 'zod';
import { ModelPackageError } from '../models/model-package';
import { boxFromCorners, perClassNms } from './nms';
import { readPerceptionPackage } from './package';
import { packageConfig, packageJson, packageSession } from './package-parts';
import { squareInput, toPhotoBox } from './square-input';
import type { Detection, FractionBox, ObjectDetector, PerceptionLoadOptions, RgbImage } from './types';
import { messageOf } from '../../base/errors';

export const DetectorLabels = z.object({ classes: z.array(z.string().min(1)).min(1) });

/** The `config` of a detector package's manifest. */
export const DetectorConfig = z.object({
  /** the graph input: raw RGB bytes [1, size, size, 3] */
  input: z.object({ name: z.string().min(1), size: z.number().int().positive(), layout: z.literal('NHWC'), dtype: z.literal('uint8') }),
  /** the graph output: [1, rows, 6] = x1, y1, x2, y2 in input pixels, score, class index */
  output: z.string().min(1),
  /** how a photo becomes the square input (see square-input.ts) */
  resize: z.object({ fit: z.enum(['fill', 'contain']) }),
  labels: z.string().min(1),
  /** boxes of one class overlapping a better one by more than this IoU are dropped */
  nmsIou: z.number().gt(0).max(1),
  /** the score a detection needs: per class name, else `default` */
  thresholds: z.object({ default: z.number().min(0).max(1), perClass: z.record(z.string(), z.number().min(0).max(1)).default({}) }),
});
export type DetectorConfig = z.infer<typeof DetectorConfig>;

/** One row of the graph's output, decoded: box as fractions of the square input. */
export interface RawDetection {
  classIndex: number;
  score: number;
  box: FractionBox;
}

/** CenterNet's rows (x1, y1, x2, y2 in input pixels, score, class) -> boxes as fractions of the input; rows with an unknown class are skipped. */
export function decodeDetections(rows: ArrayLike<number>, inputSize: number, classes: number): RawDetection[] {
  if (rows.length % 6 !== 0) throw new Error(`detector output has ${rows.length} values, not rows of 6`);
  const out: RawDetection[] = [];
  for (let k = 0; k < rows.length; k += 6) {
    const classIndex = rows[k + 5]!;
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) continue;
    const s = inputSize;
    out.push({ classIndex, score: rows[k + 4]!, box: boxFromCorners(rows[k]! / s, rows[k + 1]! / s, rows[k + 2]! / s, rows[k + 3]! / s) });
  }
  return out;
}

/** The threshold of each class, in class order. */
export function classThresholds(config: Pick<DetectorConfig, 'thresholds'>, labels: readonly string[]): number[] {
  for (const name of Object.keys(config.thresholds.perClass)) {
    if (!labels.includes(name)) throw new Error(`a threshold is set for '${name}', which is not one of the detector's classes`);
  }
  return labels.map((l) => config.thresholds.perClass[l] ?? config.thresholds.default);
}

/** Drops what is below its class's threshold, then runs NMS within each class; best first. */
export function selectDetections(raw: readonly RawDetection[], thresholds: readonly number[], nmsIou: number): RawDetection[] {
  return perClassNms(
    raw.filter((d) => d.score >= thresholds[d.classIndex]!),
    (d) => d.classIndex,
    nmsIou,
  );
}

export interface DetectorLoadOptions extends PerceptionLoadOptions {
  /** check every file's SHA-256 (default true) */
  verify?: boolean;
}

/** A loaded detector: the pass's interface, plus its classes and thresholds (for query words and filters). */
export interface LoadedDetector extends ObjectDetector {
  readonly classes: readonly string[];
  readonly config: DetectorConfig;
  /** every decoded row before thresholds and NMS (boxes as fractions of the photo), for tuning and tests */
  detectRaw(image: RgbImage): Promise<RawDetection[]>;
}

/** Loads a detector package (kind 'detector'); by default every file's SHA-256 is checked first. */
export async function loadDetector(dir: string, options: DetectorLoadOptions = {}): Promise<LoadedDetector> {
  const pkg = await readPerceptionPackage(dir, { kind: 'detector', verify: options.verify ?? true });
  const { manifest } = pkg;
  const config = packageConfig(pkg, DetectorConfig);
  const { classes } = packageJson(pkg, config.labels, DetectorLabels);
  let thresholds: number[];
  try {
    thresholds = classThresholds(config, classes);
  } catch (e) {
    throw new ModelPackageError(`The detector config of ${manifest.id} is invalid: ${messageOf(e)}. Reinstall the package.`);
  }
  const session = await packageSession(pkg, 'model', { input: config.input.name, output: config.output }, options);
  const size = config.input.size;

  const detectRaw = async (image: RgbImage): Promise<RawDetection[]> => {
    const { pixels, placement } = await squareInput(image, size, config.resize.fit);
    const res = await session.run({ [config.input.name]: { dtype: 'uint8', data: pixels, dims: [1, size, size, 3] } }, [config.output]);
    return decodeDetections(res[config.output]!.data as Float32Array, size, classes.length).map((d) => ({ ...d, box: toPhotoBox(d.box, placement) }));
  };

  return {
    id: manifest.id,
    version: manifest.version,
    classes,
    config,
    detectRaw,
    async detect(image: RgbImage): Promise<Detection[]> {
      const kept = selectDetections(await detectRaw(image), thresholds, config.nmsIou);
      return kept.map((d) => ({ label: classes[d.classIndex]!, score: d.score, box: d.box }));
    },
    dispose: () => session.release(),
  };
}
