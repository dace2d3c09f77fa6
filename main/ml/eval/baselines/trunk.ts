// The frozen CenterNet MobileNetV3 trunk (main/ml/convert, built by
// `npx tsx native-models/recipes/vision-trunk.ts` into .trove-build/trunk/trunk.onnx) as
// an image feature extractor: RGB uint8 256 x 256 in, the `pooled` [120] features out
// (mean of the 8 x 8 feature map, not normalised).
import type { RgbImage } from '../../models/embedding-model';
import { createSession, hostTensor, type Session, type SessionOptions } from '../../runtime/session';

export const TRUNK_SIZE = { width: 256, height: 256 } as const;
export const TRUNK_POOLED_DIM = 120;

export class TrunkFeatures {
  private constructor(
    private readonly session: Session,
    readonly provider: string,
  ) {}

  static async open(onnxPath: string, opts: SessionOptions = {}): Promise<TrunkFeatures> {
    const session = await createSession(onnxPath, { providers: ['cpu'], intraOpNumThreads: 2, ...opts });
    if (!session.inputNames.includes('image') || !session.outputNames.includes('pooled')) {
      await session.release();
      throw new Error(`${onnxPath} is not the vision trunk: expected input "image" and output "pooled", found inputs ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}`);
    }
    return new TrunkFeatures(session, session.report.provider);
  }

  /** Pooled features of 256 x 256 RGB images: planar float 0..255 in, [n][120] out. */
  async pooled(images: RgbImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const { width: W, height: H } = TRUNK_SIZE;
    const plane = W * H;
    const x = new Float32Array(images.length * 3 * plane);
    images.forEach((img, n) => {
      if (img.width !== W || img.height !== H) throw new Error(`the trunk takes ${W}x${H} images, got ${img.width}x${img.height}`);
      const base = n * 3 * plane;
      for (let p = 0; p < plane; p++) {
        x[base + p] = img.data[3 * p]!;
        x[base + plane + p] = img.data[3 * p + 1]!;
        x[base + 2 * plane + p] = img.data[3 * p + 2]!;
      }
    });
    const out = await this.session.run({ image: hostTensor('float32', x, [images.length, 3, H, W]) }, ['pooled']);
    const pooled = out.pooled!.data as Float32Array;
    const dim = pooled.length / images.length;
    return images.map((_, n) => Float32Array.from(pooled.subarray(n * dim, (n + 1) * dim)));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
