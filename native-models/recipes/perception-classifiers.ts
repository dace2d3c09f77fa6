// Builds Trove's image classifier packages from the quantized MobileNetV2 TFLite models that
// google-coral/test_data commits (Apache-2.0): ImageNet-1k, iNaturalist birds, iNaturalist
// insects. Each becomes a perception package (kind 'classifier', main/ml/perception):
//
//   npx tsx native-models/recipes/perception-classifiers.ts [--coral GITDIR] [--out DIR] [--only ID]
//
//   --coral  a git directory (bare or not) holding a snapshot of github.com/google-coral/test_data;
//            default /work/.mirror/google-coral+test_data/repo (the development machines' mirror).
//            Elsewhere: `git clone --bare https://github.com/google-coral/test_data` (about 300 MB)
//            and pass its path. Files are read from its HEAD with `git show`.
//   --out    where the package folders go (default native-models)
//   --only   build one package (imagenet-mobilenet-v2, inat-birds or inat-insects)
//
// Per package: model.onnx (main/ml/convert: TFLite -> Trove graph -> ONNX, uint8 weights),
// labels.json (ImageNet classes with WordNet ids from Trove's lexicon, native-models/lexicon),
// LICENSE (the repository's Apache-2.0 text), manifest.json (SHA-256s, config) and README.md
// (provenance and the golden results measured through the loader).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTflite, tfliteOpHistogram } from '../../main/ml/convert/tflite-model';
import { tfliteClassifierToOnnx } from '../../main/ml/convert/tflite-classifier';
import { sha256 } from '../../main/base/hash';
import { loadClassifier } from '../../main/ml/perception/classifier';
import type { ClassifierConfig, ClassifierLabel, ClassifierLabels } from '../../main/ml/perception/classifier';
import type { PerceptionManifest } from '../../main/ml/perception/package';
import { findLexiconFile, loadLexicon } from '../../main/engine/lexicon/lexicon';
import { readRgb } from './lib/images';
import { assignWnids } from './lib/imagenet-wordnet';
import type { WnidAssignment } from './lib/imagenet-wordnet';
import { messageOf } from '../../main/base/errors';

const DEFAULT_CORAL = '/work/.mirror/google-coral+test_data/repo';
const FIXTURES = resolve(__dirname, '../../test/fixtures/photos/coral');

/**
 * ILSVRC-2012 synsets of the classes that names and order leave open (several senses of one
 * lemma fit between the neighbours' ids) where WordNet's sense order picks the wrong sense;
 * checked by hand against the ILSVRC-2012 synset list. The recipe checks that each is one
 * of the class's candidates and keeps the order.
 */
const HAND_CHECKED_WNIDS: Readonly<Record<number, string>> = {
  103: 'n01872401', // echidna: the monotreme (both candidates share every lemma)
  399: 'n02666196', // abacus: the calculator, not the column's tablet
  457: 'n02879718', // bow: the weapon
  472: 'n02950826', // cannon: heavy gun fired from a tank
  625: 'n03661043', // library: the building
  665: 'n03782006', // monitor: electronic equipment that checks quality
  699: 'n03877845', // palace: official residence
  719: 'n03933933', // pier: support for bridge spans
  746: 'n04009552', // projector: optical instrument that projects an image
  754: 'n04040759', // radiator: the metal honeycomb (car radiator)
  759: 'n04067472', // reel: the winder on a fishing rod
  781: 'n04147183', // schooner: the sailing ship
  784: 'n04153751', // screw: the fastener
  817: 'n04277352', // spindle: the rod in spinning
  831: 'n04336792', // stretcher: litter for carrying the sick
  903: 'n04579432', // whistle: acoustic device
  911: 'n04597913', // wooden spoon: the spoon
};

interface Spec {
  id: string;
  title: string;
  tflite: string;
  labels: string;
  kind: 'imagenet' | 'inat';
  /** fixture photos whose top-1 is recorded (and asserted by test/unit/perception) */
  golden: string[];
}

const SPECS: Spec[] = [
  { id: 'imagenet-mobilenet-v2', title: 'ImageNet-1k classifier (MobileNetV2, quantized)', tflite: 'mobilenet_v2_1.0_224_quant.tflite', labels: 'imagenet_labels.txt', kind: 'imagenet', golden: ['cat.png', 'bird.png', 'grace_hopper.png', 'hot_dog.jpg', 'dragonfly.png', 'parrot.jpg', 'sunflower.png'] },
  { id: 'inat-birds', title: 'iNaturalist bird species classifier (MobileNetV2, quantized)', tflite: 'mobilenet_v2_1.0_224_inat_bird_quant.tflite', labels: 'inat_bird_labels.txt', kind: 'inat', golden: ['bird.png', 'owl.jpg', 'parrot.jpg'] },
  { id: 'inat-insects', title: 'iNaturalist insect species classifier (MobileNetV2, quantized)', tflite: 'mobilenet_v2_1.0_224_inat_insect_quant.tflite', labels: 'inat_insect_labels.txt', kind: 'inat', golden: ['dragonfly.png', 'sunflower.png'] },
];

/** How photos become the 224 x 224 input (chosen by test/bench/classifier-crop.ts on non-reserved photos). */
const RESIZE: ClassifierConfig['resize'] = { fit: 'fill', cropFraction: 0.875 };

interface Args {
  coral: string;
  out: string;
  only?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { coral: DEFAULT_CORAL, out: 'native-models' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if ((k === '--coral' || k === '--out' || k === '--only') && v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--coral') a.coral = argv[++i]!;
    else if (k === '--out') a.out = argv[++i]!;
    else if (k === '--only') a.only = argv[++i]!;
    else throw new Error(`unknown argument ${k} (see the header of perception-classifiers.ts)`);
  }
  return a;
}

function git(dir: string, args: string[]): Buffer {
  try {
    return execFileSync('git', ['-C', dir, ...args], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`git ${args.join(' ')} failed in ${dir}: ${messageOf(e).split('\n')[0]}. Pass --coral with a snapshot of google-coral/test_data (see the header).`);
  }
}

/** ImageNet: "name, synonym, ..." per line, line 0 'background'; WordNet ids by increasing order. */
function imagenetLabels(lines: string[], lexiconFile: string): { classes: ClassifierLabel[]; report: WnidAssignment } {
  if (lines[0] !== 'background' || lines.length !== 1001) throw new Error(`expected 'background' + 1,000 ImageNet classes, got ${lines.length} lines starting '${lines[0]}'`);
  const names = lines.map((l, i) => (i === 0 ? [] : l.split(', ')));
  const pinned = new Map(Object.entries(HAND_CHECKED_WNIDS).map(([i, w]) => [Number(i), w]));
  const report = assignWnids(names, loadLexicon(lexiconFile), pinned);
  for (const [i, w] of pinned) if (report.wnids[i] !== w) throw new Error(`class ${i} (${lines[i]}): the pin ${w} breaks the increasing order`);
  const classes = names.map((n, i): ClassifierLabel => (i === 0 ? { label: 'background', background: true } : { label: n[0]!, names: n, ...(report.wnids[i] ? { wnid: report.wnids[i] } : {}) }));
  return { classes, report };
}

/** iNaturalist: "Latin name (Common Name)" per line (31 insects give "()": no common name); a 'background' line. */
function inatLabels(lines: string[]): ClassifierLabel[] {
  return lines.map((l): ClassifierLabel => {
    if (l === 'background') return { label: l, background: true };
    const m = /^(.*?) \((.*)\)$/.exec(l);
    if (!m) return { label: l };
    return m[2] ? { label: m[1]!, commonName: m[2] } : { label: m[1]! };
  });
}

/** Trove's lexicon (WordNet 3.0 nouns) and where it came from. */
interface WordNet {
  file: string;
  /** e.g. "Debian wordnet-base 1:3.0-37" */
  source: string;
}

async function build(spec: Spec, args: Args, commit: string, wordnet: WordNet | undefined): Promise<void> {
  const dir = resolve(args.out, spec.id);
  mkdirSync(dir, { recursive: true });
  const tfliteBytes = new Uint8Array(git(args.coral, ['show', `${commit}:${spec.tflite}`]));
  const labelText = git(args.coral, ['show', `${commit}:${spec.labels}`]).toString('utf8');
  const licence = git(args.coral, ['show', `${commit}:LICENSE`]);
  const model = parseTflite(tfliteBytes, spec.tflite);
  const onnx = tfliteClassifierToOnnx(model, { docString: `${spec.title}: google-coral/test_data@${commit} ${spec.tflite}, converted by Trove (main/ml/convert)` });

  const lines = labelText.split('\n').filter((l) => l.trim() !== '');
  let classes: ClassifierLabel[];
  let wnidReport: WnidAssignment | undefined;
  if (spec.kind === 'imagenet') {
    if (!wordnet) throw new Error('WordNet is needed for the ImageNet labels');
    ({ classes, report: wnidReport } = imagenetLabels(lines, wordnet.file));
  } else {
    classes = inatLabels(lines);
  }
  if (classes.length !== onnx.classes) throw new Error(`${spec.labels} has ${classes.length} classes, the model ${onnx.classes}`);
  const labels: ClassifierLabels = { classes };

  const files: Record<string, Uint8Array> = {
    'model.onnx': onnx.model,
    'labels.json': Buffer.from(JSON.stringify(labels, null, 1) + '\n'),
    LICENSE: licence,
  };
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  const config: ClassifierConfig = {
    input: { name: 'image', width: onnx.inputSize[1], height: onnx.inputSize[0], layout: 'NHWC', dtype: 'uint8' },
    output: 'probabilities',
    resize: RESIZE,
    labels: 'labels.json',
  };
  const sources = { tflite: { path: spec.tflite, sha256: sha256(tfliteBytes), bytes: tfliteBytes.byteLength }, labels: { path: spec.labels, sha256: sha256(Buffer.from(labelText)) } };
  const provenance =
    `google-coral/test_data (github.com/google-coral/test_data, Apache-2.0) at commit ${commit}: ${spec.tflite} (SHA-256 ${sources.tflite.sha256}) and ${spec.labels} (SHA-256 ${sources.labels.sha256}). ` +
    `Converted by Trove (main/ml/convert, native-models/recipes/perception-classifiers.ts): the TFLite operators as ONNX opset 18 run in float32, weights kept as their uint8 bytes with the dequantization (scale * (q - zero_point)) in the graph; ` +
    `labels.json from the label file${wordnet ? `, WordNet 3.0 noun synset ids from Trove's lexicon (native-models/lexicon: ${wordnet.source}; WordNet 3.0 Copyright 2006 by Princeton University)` : ''}.`;
  const manifest: PerceptionManifest = {
    id: spec.id,
    version: `1.0.0+coral.${commit.slice(0, 7)}`,
    kind: 'classifier',
    files: Object.fromEntries(Object.entries(files).map(([f, b]) => [f, sha256(b)])),
    graphs: { model: 'model.onnx' },
    config,
    licence: 'Apache-2.0 (weights and labels: google-coral/test_data; LICENSE)' + (wordnet ? '; WordNet ids: WordNet 3.0 licence' : ''),
    provenance,
    scores: {},
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  // The golden photos through the loader, at their own size, as the engine would hand them over.
  const clf = await loadClassifier(dir, { providers: ['cpu'], threads: 2 });
  const photos = await Promise.all(spec.golden.map((f) => readRgb(join(FIXTURES, f))));
  const results = await clf.classify(photos, 3);
  await clf.dispose();
  const golden = spec.golden.map((f, i) => ({ file: f, top: results[i]! }));
  manifest.scores = Object.fromEntries(golden.map((g) => [`top1 ${g.file}: ${g.top[0]!.label}`, Number(g.top[0]!.score.toFixed(4))]));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(dir, 'README.md'), readme(spec, commit, manifest, model, onnx.model.byteLength, sources, classes, golden, wnidReport, lines, onnx.inputQuantization));
  console.log(`${spec.id}: ${onnx.classes} classes, model.onnx ${onnx.model.byteLength} bytes (TFLite ${tfliteBytes.byteLength})`);
  for (const g of golden) console.log(`  ${g.file}: ${g.top.map((t) => `${t.label}${t.commonName ? ` (${t.commonName})` : ''} ${t.score.toFixed(3)}`).join(' | ')}`);
  if (wnidReport) console.log(`  WordNet: ${classes.filter((c) => c.wnid).length} of 1000 classes; ${wnidReport.ambiguous.length} had several candidates, ${wnidReport.unresolved.length} left open by names and order (${Object.keys(HAND_CHECKED_WNIDS).length} of those pinned by hand), ${wnidReport.unmatched.length} unmatched`);
}

function readme(
  spec: Spec,
  commit: string,
  manifest: PerceptionManifest,
  model: ReturnType<typeof parseTflite>,
  onnxBytes: number,
  sources: { tflite: { path: string; sha256: string; bytes: number }; labels: { path: string; sha256: string } },
  classes: ClassifierLabel[],
  golden: { file: string; top: { label: string; score: number; commonName?: string }[] }[],
  wnid: WnidAssignment | undefined,
  lines: string[],
  inputQuantization: { scale: number; zeroPoint: number } | undefined,
): string {
  const config = manifest.config as ClassifierConfig;
  const quant = inputQuantization ? `scale ${inputQuantization.scale}, zero point ${inputQuantization.zeroPoint}` : 'float input';
  const ops = Object.entries(tfliteOpHistogram(model)).map(([k, v]) => `${v} ${k}`).join(', ');
  const bg = classes.findIndex((c) => c.background);
  const common = classes.filter((c) => c.commonName).length;
  const name = (t: { label: string; commonName?: string }) => (t.commonName ? `${t.label} (${t.commonName})` : t.label);
  const out = [
    `# ${spec.id}: ${spec.title}`,
    '',
    `A perception package of kind \`classifier\` (main/ml/perception/classifier.ts, \`loadClassifier\`). Built by`,
    '`npx tsx native-models/recipes/perception-classifiers.ts`; do not edit the files by hand (the manifest holds their SHA-256).',
    '',
    '## Provenance',
    `- Source: github.com/google-coral/test_data, commit \`${commit}\`, Apache License 2.0 (\`LICENSE\`, copied from that repository).`,
    `- Files: \`${sources.tflite.path}\` (${sources.tflite.bytes.toLocaleString('en-US')} bytes, SHA-256 \`${sources.tflite.sha256}\`), \`${sources.labels.path}\` (SHA-256 \`${sources.labels.sha256}\`).`,
    `- What was changed: the TFLite graph (${ops}) was converted to ONNX opset 18 by Trove's converter (main/ml/convert/tflite-to-graph.ts) and runs in float32:`,
    '  every weight keeps its uint8 bytes and is dequantized in the graph as TFLite defines it (scale * (q - zero_point); int32 biases likewise), which onnxruntime folds',
    "  at load; activations are not re-quantized between layers as TFLite's integer kernels do. The input is the model's own: raw RGB bytes,",
    `  [batch, ${config.input.height}, ${config.input.width}, 3] uint8, dequantized in the graph with the model's input scale and zero point (${quant}).`,
    `- model.onnx: ${onnxBytes.toLocaleString('en-US')} bytes; outputs \`logits\` (the input of the model's softmax) and \`probabilities\`.`,
    `- labels.json: the ${classes.length} lines of the label file in output order; class ${bg} is \`background\` (never reported by the loader).`,
  ];
  if (wnid) {
    out.push(
      '  Each ImageNet class has its synonyms (`names`) and its WordNet 3.0 noun synset id (`wnid`, from Trove\'s lexicon, native-models/lexicon, built from Debian `wordnet-base`; WordNet 3.0 Copyright 2006 by Princeton University).',
      "  The label file gives names only; the ids come from matching each class's names to WordNet's noun synsets and choosing, by dynamic",
      '  programming, the assignment whose ids increase with the class index (the standard ImageNet class order is by id):',
      `  ${classes.filter((c) => c.wnid).length} of 1,000 classes matched, ${wnid.unmatched.length} unmatched; ${wnid.ambiguous.length} classes had more than one candidate synset; ${wnid.unresolved.length} were left open by names and order`,
      `  (several senses of one word fit between the neighbours), of which ${Object.keys(HAND_CHECKED_WNIDS).length} were pinned by hand to their ILSVRC-2012 synset`,
      '  (`HAND_CHECKED_WNIDS` in the recipe) and the rest follow WordNet\'s sense order. Spot checks: class 1 tench n01440764, Egyptian cat n02124075, hotdog n07697537.',
    );
  } else {
    out.push(`  Each line is "Latin name (Common name)": \`label\` is the Latin name, \`commonName\` the English one (${common} of ${lines.length} classes have one).`);
  }
  out.push(
    '',
    '## Input',
    `The loader resizes any photo to ${config.input.width} x ${config.input.height} with sharp: ${describeResize(config.resize)} (main/ml/convert/README.md says how this was chosen).`,
    '',
    '## Measured',
    "Top-3 on the coral repository's own test photos (test/fixtures/photos/coral, decoded at their own size and given to the loader):",
    '',
    '| photo | top-3 (probability) |',
    '|---|---|',
    ...golden.map((g) => `| ${g.file} | ${g.top.map((t) => `${name(t)} ${t.score.toFixed(3)}`).join('; ')} |`),
    '',
  );
  if (spec.kind === 'inat') {
    out.push(
      'This model knows only its species and `background`: it was trained on photos of birds/insects, and a photo of anything else may still get a',
      'confident species (e.g. the insect model calls the coral cat photo a Common Buckeye butterfly at ~0.7). Run it on photos the ImageNet',
      'classifier finds birds/insects in, or weigh it by that.',
      '',
    );
  }
  out.push('Cost and parity with a TFLite runtime: main/ml/convert/README.md; `npx tsx test/bench/classifier-bench.ts` prints ms/image.', '');
  return out.join('\n');
}

function describeResize(r: ClassifierConfig['resize']): string {
  const crop = r.cropFraction < 1 ? `the central ${Math.round(r.cropFraction * 1000) / 10}% of each side is kept, then ` : '';
  return crop + (r.fit === 'fill' ? 'the whole picture is squashed to the square (aspect not kept)' : 'it is scaled to cover the square and centre-cropped');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const commit = git(args.coral, ['rev-parse', 'HEAD']).toString().trim();
  const specs = SPECS.filter((s) => !args.only || s.id === args.only);
  if (!specs.length) throw new Error(`--only ${args.only}: no such package (${SPECS.map((s) => s.id).join(', ')})`);
  let wordnet: WordNet | undefined;
  if (specs.some((s) => s.kind === 'imagenet')) {
    const file = findLexiconFile(__dirname);
    if (!file) throw new Error('Trove\'s lexicon (native-models/lexicon/lexicon.json.gz) is missing: build it with npx tsx native-models/recipes/build-lexicon.ts');
    const build = JSON.parse(readFileSync(join(file, '..', 'build.json'), 'utf8')) as { source: { package: string; version: string } };
    wordnet = { file, source: `Debian ${build.source.package} ${build.source.version}` };
  }
  console.log(`google-coral/test_data at ${commit}`);
  for (const s of specs) await build(s, args, commit, wordnet);
}

main().catch((e: unknown) => {
  console.error(messageOf(e));
  process.exit(1);
});
