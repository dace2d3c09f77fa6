// The face detector pass: a perception package of kind 'faces' (BlazeFace as model.onnx taking
// raw RGB bytes of a square input and giving one raw row per anchor). Anchors and boxes are
// decoded as human does (@vladmandic/human 3.3.6, src/face/blazeface.ts `decodeBoxes` and
// `getBoxes`, anchors from src/face/facemeshutil.ts `generateAnchors`), then NMS and a score
// threshold. A face's box is the detector's own (tight, around brows to chin), not human's
// 1.4x enlarged, squared crop for its face mesh.
import { z } from 'zod';
import { boxFromCorners, nonMaxSuppression } from './nms';
import { readPerceptionPackage } from './package';
import { packageConfig, packageSession } from './package-parts';
import { squareInput, toPhotoBox } from './square-input';
import type { Face, FaceDetector, PerceptionLoadOptions, RgbImage } from './types';

/** The `config` of a face detector package's manifest. */
export const FaceConfig = z.object({
  /** the graph input: raw RGB bytes [1, size, size, 3] */
  input: z.object({ name: z.string().min(1), size: z.number().int().positive(), layout: z.literal('NHWC'), dtype: z.literal('uint8') }),
  /** the graph output: [1, anchors, 17] = score logit, centre offset x, y, size w, h (input pixels), 6 landmarks */
  output: z.string().min(1),
  /** anchor grids: one per stride, `perCell` anchors at each cell centre */
  anchors: z.object({ strides: z.array(z.number().int().positive()).min(1), perCell: z.array(z.number().int().positive()).min(1) }),
  /** how a photo becomes the square input (see square-input.ts) */
  resize: z.object({ fit: z.enum(['fill', 'contain']) }),
  /** a face needs at least this score (sigmoid of the logit) */
  minScore: z.number().min(0).max(1),
  /** faces overlapping a better one by more than this IoU are dropped */
  nmsIou: z.number().gt(0).max(1),
});
export type FaceConfig = z.infer<typeof FaceConfig>;

/**
 * Anchor centres in input pixels, in the model's row order: per stride, the grid rows top to
 * bottom, each row left to right, `perCell` anchors per cell (human's generateAnchors; the
 * sizes are 1 and unused: the model regresses boxes in pixels).
 */
export function blazefaceAnchors(size: number, strides: readonly number[], perCell: readonly number[]): Float32Array {
  if (strides.length !== perCell.length) throw new Error(`anchors: ${strides.length} strides but ${perCell.length} per-cell counts`);
  const out: number[] = [];
  strides.forEach((stride, i) => {
    const cells = Math.floor((size + stride - 1) / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < perCell[i]!; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
      }
    }
  });
  return Float32Array.from(out);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Raw rows [anchors x width] (width >= 5) -> faces with scores over `minScore`, boxes as
 * fractions of the square input: centre = (row[1], row[2]) + anchor, size = (row[3], row[4]),
 * corners = centre -+ size / 2 (human's decodeBoxes), score = sigmoid(row[0]).
 */
export function decodeBlazeface(raw: ArrayLike<number>, anchors: Float32Array, size: number, minScore: number): Face[] {
  const n = anchors.length / 2;
  if (n === 0 || raw.length % n !== 0 || raw.length / n < 5) throw new Error(`face detector output has ${raw.length} values for ${n} anchors (expected ${n} rows of at least 5)`);
  const width = raw.length / n;
  const out: Face[] = [];
  for (let i = 0; i < n; i++) {
    const r = i * width;
    const score = sigmoid(raw[r]!);
    if (score < minScore) continue;
    const cx = raw[r + 1]! + anchors[2 * i]!;
    const cy = raw[r + 2]! + anchors[2 * i + 1]!;
    const hw = raw[r + 3]! / 2;
    const hh = raw[r + 4]! / 2;
    out.push({ score, box: boxFromCorners((cx - hw) / size, (cy - hh) / size, (cx + hw) / size, (cy + hh) / size) });
  }
  return out;
}

export interface FaceLoadOptions extends PerceptionLoadOptions {
  /** check every file's SHA-256 (default true) */
  verify?: boolean;
}

/** A loaded face detector: the pass's interface, plus its config. */
export interface LoadedFaceDetector extends FaceDetector {
  readonly config: FaceConfig;
  /** faces over `minScore` (default the package's) before NMS, boxes as fractions of the photo: for tuning and tests */
  detectRaw(image: RgbImage, minScore?: number): Promise<Face[]>;
}

/** Loads a face detector package (kind 'faces'); by default every file's SHA-256 is checked first. */
export async function loadFaceDetector(dir: string, options: FaceLoadOptions = {}): Promise<LoadedFaceDetector> {
  const pkg = await readPerceptionPackage(dir, { kind: 'faces', verify: options.verify ?? true });
  const config = packageConfig(pkg, FaceConfig);
  const size = config.input.size;
  const anchors = blazefaceAnchors(size, config.anchors.strides, config.anchors.perCell);
  const session = await packageSession(pkg, 'model', { input: config.input.name, output: config.output }, options);

  const detectRaw = async (image: RgbImage, minScore = config.minScore): Promise<Face[]> => {
    const { pixels, placement } = await squareInput(image, size, config.resize.fit);
    const res = await session.run({ [config.input.name]: { dtype: 'uint8', data: pixels, dims: [1, size, size, 3] } }, [config.output]);
    return decodeBlazeface(res[config.output]!.data as Float32Array, anchors, size, minScore).map((f) => ({ score: f.score, box: toPhotoBox(f.box, placement) }));
  };

  return {
    id: pkg.manifest.id,
    version: pkg.manifest.version,
    config,
    detectRaw,
    async detect(image: RgbImage): Promise<Face[]> {
      return nonMaxSuppression(await detectRaw(image), config.nmsIou);
    },
    dispose: () => session.release(),
  };
}
