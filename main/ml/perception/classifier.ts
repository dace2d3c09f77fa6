// The image classifier pass: a perception package of kind 'classifier' (model.onnx taking
// raw uint8 RGB pixels NHWC, labels.json), run in batches by onnxruntime. Images of any size
// are cut and resized here with sharp, as the package's config says.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { z } from 'zod';
import { ModelPackageError } from '../models/model-package';
import { createSession } from '../runtime/session';
import type { Session } from '../runtime/session';
import { readPerceptionPackage } from './package';
import type { PerceptionPackage } from './package';
import type { ImageClassifier, LabelScore, PerceptionLoadOptions, RgbImage } from './types';
import { messageOf } from '../../base/errors';

/** One output class of a classifier package (labels.json `classes`, in output order). */
export const ClassifierLabel = z.object({
  /** the name shown: ImageNet's first synonym, or an iNaturalist species' Latin name */
  label: z.string().min(1),
  /** every synonym the label file gives (ImageNet: "hotdog", "hot dog", "red hot") */
  names: z.array(z.string().min(1)).optional(),
  /** WordNet 3.0 noun synset id */
  wnid: z.string().regex(/^n\d{8}$/).optional(),
  /** English name of a species, where the label file gives one */
  commonName: z.string().min(1).optional(),
  /** a catch-all class ("background") that is never reported */
  background: z.boolean().optional(),
});
export type ClassifierLabel = z.infer<typeof ClassifierLabel>;

export const ClassifierLabels = z.object({ classes: z.array(ClassifierLabel).min(2) });
export type ClassifierLabels = z.infer<typeof ClassifierLabels>;

/** The `config` of a classifier package's manifest. */
export const ClassifierConfig = z.object({
  /** the graph input: raw RGB bytes, [batch, height, width, 3] */
  input: z.object({ name: z.string().min(1), width: z.number().int().positive(), height: z.number().int().positive(), layout: z.literal('NHWC'), dtype: z.literal('uint8') }),
  /** the graph output holding class probabilities */
  output: z.string().min(1),
  /**
   * How a photo becomes the input: the centred `cropFraction` of each side is kept, then
   * resized to the input, either squashed ('fill', aspect not kept) or covering it and
   * centre-cropped ('cover').
   */
  resize: z.object({ fit: z.enum(['fill', 'cover']), cropFraction: z.number().gt(0).max(1) }),
  labels: z.string().min(1),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfig>;

export interface ClassifierLoadOptions extends PerceptionLoadOptions {
  /** images per onnxruntime run (default 8) */
  batchSize?: number;
  /** check every file's SHA-256 (default true) */
  verify?: boolean;
  /** how photos are cut and resized, instead of the package's own (for measuring alternatives) */
  resize?: ClassifierConfig['resize'];
}

/** A loaded classifier: the pass's interface, plus its classes (for query words and filters). */
export interface LoadedClassifier extends ImageClassifier {
  readonly classes: readonly ClassifierLabel[];
  readonly config: ClassifierConfig;
}

/** The input bytes for one image: the central crop resized as `resize` says (raw RGB, width x height x 3). */
export async function classifierInput(image: RgbImage, config: Pick<ClassifierConfig, 'input' | 'resize'>): Promise<Uint8Array> {
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new Error(`an RgbImage of ${width} x ${height} needs ${width * height * 3} bytes, got ${data.length}`);
  }
  const f = config.resize.cropFraction;
  const cw = Math.max(1, Math.round(width * f));
  const ch = Math.max(1, Math.round(height * f));
  let img = sharp(data, { raw: { width, height, channels: 3 } });
  if (cw < width || ch < height) img = img.extract({ left: Math.floor((width - cw) / 2), top: Math.floor((height - ch) / 2), width: cw, height: ch });
  const out = await img.resize(config.input.width, config.input.height, { fit: config.resize.fit }).raw().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The `k` best non-background classes of one probability row, best first. */
export function topClasses(probs: ArrayLike<number>, classes: readonly ClassifierLabel[], k: number): LabelScore[] {
  const order: number[] = [];
  for (let i = 0; i < probs.length; i++) if (!classes[i]?.background) order.push(i);
  order.sort((a, b) => probs[b]! - probs[a]!);
  return order.slice(0, k).map((index) => {
    const c = classes[index]!;
    return { label: c.label, score: probs[index]!, index, ...(c.wnid ? { wnid: c.wnid } : {}), ...(c.commonName ? { commonName: c.commonName } : {}) };
  });
}

function readLabels(pkg: PerceptionPackage, file: string): ClassifierLabel[] {
  if (!(file in pkg.manifest.files)) throw new ModelPackageError(`The manifest of ${pkg.manifest.id} names the label file ${file} but gives no SHA-256 for it. Reinstall the package.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(pkg.path(file), 'utf8'));
  } catch (e) {
    throw new ModelPackageError(`The label file ${file} of ${pkg.manifest.id} is not valid JSON (${messageOf(e)}). Reinstall the package.`);
  }
  const parsed = ClassifierLabels.safeParse(raw);
  if (!parsed.success) throw new ModelPackageError(`The label file ${file} of ${pkg.manifest.id} is invalid at "${parsed.error.issues[0]!.path.join('.')}": ${parsed.error.issues[0]!.message}. Reinstall the package.`);
  return parsed.data.classes;
}

/** Loads a classifier package (kind 'classifier'); by default every file's SHA-256 is checked first. */
export async function loadClassifier(dir: string, options: ClassifierLoadOptions = {}): Promise<LoadedClassifier> {
  const pkg = await readPerceptionPackage(dir, { kind: 'classifier', verify: options.verify ?? true });
  const { manifest } = pkg;
  const parsed = ClassifierConfig.safeParse(manifest.config);
  if (!parsed.success) throw new ModelPackageError(`The classifier config of ${manifest.id} is invalid at "${parsed.error.issues[0]!.path.join('.')}": ${parsed.error.issues[0]!.message}. Reinstall the package.`);
  const config = options.resize ? { ...parsed.data, resize: options.resize } : parsed.data;
  const classes = readLabels(pkg, config.labels);
  const graph = manifest.graphs.model;
  if (!graph) throw new ModelPackageError(`The classifier ${manifest.id} names no "model" graph. Reinstall the package.`);
  const session: Session = await createSession(pkg.path(graph), {
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  });
  if (!session.inputNames.includes(config.input.name) || !session.outputNames.includes(config.output)) {
    await session.release();
    throw new ModelPackageError(`The graph of ${manifest.id} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; its config wants ${config.input.name} -> ${config.output}. Reinstall the package.`);
  }
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const { width, height } = config.input;
  const perImage = width * height * 3;

  return {
    id: manifest.id,
    version: manifest.version,
    classes,
    config,
    async classify(images: RgbImage[], k = 5): Promise<LabelScore[][]> {
      const out: LabelScore[][] = [];
      for (let start = 0; start < images.length; start += batchSize) {
        const batch = images.slice(start, start + batchSize);
        const pixels = new Uint8Array(batch.length * perImage);
        const inputs = await Promise.all(batch.map((img) => classifierInput(img, config)));
        inputs.forEach((bytes, i) => pixels.set(bytes, i * perImage));
        const res = await session.run({ [config.input.name]: { dtype: 'uint8', data: pixels, dims: [batch.length, height, width, 3] } }, [config.output]);
        const probs = res[config.output]!.data as Float32Array;
        const n = probs.length / batch.length;
        if (n !== classes.length) throw new Error(`${manifest.id} gives ${n} scores per image but its label file has ${classes.length} classes`);
        for (let i = 0; i < batch.length; i++) out.push(topClasses(probs.subarray(i * n, (i + 1) * n), classes, k));
      }
      return out;
    },
    dispose: () => session.release(),
  };
}
