// Adds the anchor set to a vlm2vec package (main/ml/models/vlm2vec/anchor.ts): replay
// pairs from the recipe's training data and a probe slice of the mini-MMEB suite, with the
// frozen trunk's features of their images, so that a fine-tune on a user's machine (which
// has none of this data) can mix in replay pairs against forgetting and measure forgetting
// before and after.
//
//   npx tsx native-models/recipes/build-anchor.ts [--data DIR] [--package DIR] [--replay N]
//       [--probe-rows N] [--grounding-candidates N] [--seed S]
//
// - data (default .trove-build/data): build-data.ts's folder (train/*.jsonl, eval/).
// - package (default native-models/vlm2vec-nano): the package to extend; its own trunk.onnx
//   makes the features (the trunk is frozen: a fine-tuned package keeps it, so the features
//   stay valid for every version). Only anchor.json, anchor.bin and manifest.json change
//   (the manifest gains `anchor`, the two files' SHA-256s and a provenance sentence); the
//   model's id and version stay, so libraries embedded with it stay valid.
// - replay (default 384): pairs drawn from train/*.jsonl, the four task families equally,
//   sets uniformly within a family, no repeated query or target (as train-nano's batches).
// - probe: per eval set, --probe-rows (default 12) seeded rows. Classification and VQA keep
//   every candidate (closed label / answer sets); retrieval rows rank among the slice's own
//   targets (MMEB's retrieval rule on fewer items); grounding rows keep their first
//   --grounding-candidates (default 8) candidates. Chance differs from the full suite: the
//   probe compares a model with its own fine-tuned version, it is not a score to report.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { readSuite } from '../../main/ml/eval';
import type { EvalSide } from '../../main/ml/eval';
import { rgbToPlanar } from '../../main/ml/models/vlm2vec/family';
import type { AnchorPair, AnchorProbeSet, AnchorSide } from '../../main/ml/models/vlm2vec/anchor';
import { writeAnchorSet } from '../../main/ml/models/vlm2vec/anchor';
import { featureSize } from '../../main/ml/models/vlm2vec/model';
import type { Vlm2vecPackageConfig } from '../../main/ml/models/vlm2vec/package';
import { TRUNK_IMAGE_SIZE } from '../../main/ml/models/vlm2vec/package';
import { createSession } from '../../main/ml/runtime/session';
import { decodeImage, familyOf, FAMILIES } from './train-nano-data';
import type { Family } from './train-nano-data';
import { Rng } from './lib/rng';
import { messageOf } from '../../main/base/errors';
import { sha256 } from '../../main/base/hash';

interface Args {
  data: string;
  pkg: string;
  replay: number;
  probeRows: number;
  groundingCandidates: number;
  seed: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { data: '.trove-build/data', pkg: 'native-models/vlm2vec-nano', replay: 384, probeRows: 12, groundingCandidates: 8, seed: 'anchor-v1' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--data') a.data = v;
    else if (k === '--package') a.pkg = v;
    else if (k === '--replay') a.replay = Number(v);
    else if (k === '--probe-rows') a.probeRows = Number(v);
    else if (k === '--grounding-candidates') a.groundingCandidates = Number(v);
    else if (k === '--seed') a.seed = v;
    else throw new Error(`unknown argument ${k} (known: --data, --package, --replay, --probe-rows, --grounding-candidates, --seed)`);
  }
  for (const [k, n] of [['--replay', a.replay], ['--probe-rows', a.probeRows], ['--grounding-candidates', a.groundingCandidates]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${k} needs a positive whole number`);
  }
  return a;
}


/** Texts and images, each stored once. */
class Interner {
  readonly texts: string[] = [];
  readonly images: string[] = [];
  private readonly t = new Map<string, number>();
  private readonly i = new Map<string, number>();
  text(s: string): number {
    let k = this.t.get(s);
    if (k === undefined) this.t.set(s, (k = this.texts.push(s) - 1));
    return k;
  }
  image(path: string | null): number {
    if (!path) return -1;
    let k = this.i.get(path);
    if (k === undefined) this.i.set(path, (k = this.images.push(path) - 1));
    return k;
  }
  side(text: string, image: string | null): AnchorSide {
    return { text: this.text(text), image: this.image(image) };
  }
}

interface TrainRow {
  qry: string;
  qry_image_path: string;
  pos_text: string;
  pos_image_path: string;
}

/** `n` replay pairs: families in turn, a set drawn uniformly within the family, then a row; no query or target twice. */
function sampleReplay(a: Args, store: Interner): AnchorPair[] {
  const dir = join(a.data, 'train');
  const sets = new Map<Family, { name: string; rows: TrainRow[] }[]>(FAMILIES.map((f) => [f, []]));
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const name = basename(f, '.jsonl');
    const rows = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TrainRow);
    sets.get(familyOf(name))!.push({ name, rows });
  }
  const rng = new Rng(`${a.seed}:replay`);
  const seenQ = new Set<string>();
  const seenT = new Set<string>();
  const out: AnchorPair[] = [];
  for (let k = 0; out.length < a.replay; k++) {
    const fam = FAMILIES[k % FAMILIES.length];
    const set = rng.pick(sets.get(fam)!);
    for (let tries = 0; tries < 200; tries++) {
      const r = rng.pick(set.rows);
      const q = `${r.qry_image_path}\u0000${r.qry}`;
      const t = `${r.pos_image_path}\u0000${r.pos_text}`;
      if (seenQ.has(q) || seenT.has(t)) continue;
      seenQ.add(q);
      seenT.add(t);
      // images as paths relative to the data folder (eval sides resolve to absolute paths: both are made absolute below)
      out.push({ query: store.side(r.qry, r.qry_image_path ? resolve(a.data, r.qry_image_path) : null), target: store.side(r.pos_text, r.pos_image_path ? resolve(a.data, r.pos_image_path) : null), set: set.name });
      break;
    }
  }
  return out;
}

async function sampleProbe(a: Args, store: Interner): Promise<AnchorProbeSet[]> {
  const suite = await readSuite(join(a.data, 'eval'));
  const side = (s: EvalSide): AnchorSide => store.side(s.text, s.image);
  return suite.datasets.map((d) => {
    const rng = new Rng(`${a.seed}:probe:${d.name}`);
    const rows = rng.sample(d.rows, a.probeRows);
    const rowsOut =
      d.metaTask === 'retrieval'
        ? rows.map((r, i) => ({ query: side(r.query), candidates: [r.candidates[0], ...rows.filter((_x, j) => j !== i).map((x) => x.candidates[0])].map(side) }))
        : rows.map((r) => ({ query: side(r.query), candidates: (d.metaTask === 'grounding' ? r.candidates.slice(0, a.groundingCandidates) : r.candidates).map(side) }));
    return { name: d.name, metaTask: d.metaTask, split: d.split, rows: rowsOut };
  });
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const manifestPath = join(a.pkg, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { graphs: { trunk: string }; files: Record<string, string>; provenance: string; anchor?: string };
  const pc = JSON.parse(readFileSync(join(a.pkg, 'vlm2vec.json'), 'utf8')) as Vlm2vecPackageConfig;
  const trunkPath = join(a.pkg, manifest.graphs.trunk);
  const trunkBytes = readFileSync(trunkPath);
  const store = new Interner();
  const replay = sampleReplay(a, store);
  const probe = await sampleProbe(a, store);
  const size = featureSize(pc.config);
  console.log(`anchor: ${replay.length} replay pairs, ${probe.length} probe sets (${probe.reduce((n, d) => n + d.rows.length, 0)} rows), ${store.texts.length} texts, ${store.images.length} images`);

  const trunk = await createSession(trunkBytes, { providers: ['cpu'], intraOpNumThreads: 2 });
  const features = new Float32Array(store.images.length * size);
  const px = TRUNK_IMAGE_SIZE;
  const t0 = performance.now();
  for (let s = 0; s < store.images.length; s += 16) {
    const part = store.images.slice(s, s + 16);
    const input = new Float32Array(part.length * 3 * px * px);
    (await Promise.all(part.map((p) => decodeImage(p, px)))).forEach((im, i) => rgbToPlanar(im, input, i * 3 * px * px));
    const r = await trunk.run({ image: { dtype: 'float32', data: input, dims: [part.length, 3, px, px] } }, ['feature_map']);
    features.set(r.feature_map.data as Float32Array, s * size);
  }
  await trunk.release();
  console.log(`trunk features: ${store.images.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const dataManifest = readFileSync(join(a.data, 'manifest.json'));
  const provenance = `Anchor set built by native-models/recipes/build-anchor.ts (seed ${a.seed}): ${replay.length} replay pairs from train/*.jsonl (the four task families equally) and a probe slice of ${probe.length} mini-MMEB eval sets (${a.probeRows} rows each; retrieval ranks among the slice's targets, grounding keeps ${a.groundingCandidates} candidates) of build-data.ts's data (manifest SHA-256 ${sha256(dataManifest)}); image features from this package's trunk.onnx (SHA-256 ${sha256(trunkBytes)}), 2x2-pooled, float16.`;
  const files = writeAnchorSet({ path: join(a.pkg, 'anchor.json'), cfg: pc.config, trunkSha256: sha256(trunkBytes), texts: store.texts, features, replay, probe, provenance });
  for (const f of files) manifest.files[f] = sha256(readFileSync(join(a.pkg, f)));
  manifest.anchor = 'anchor.json';
  manifest.provenance = `${manifest.provenance.replace(/ Anchor set built by .*$/, '')} ${provenance}`;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  const bytes = files.reduce((n, f) => n + readFileSync(join(a.pkg, f)).byteLength, 0);
  console.log(`wrote ${files.map((f) => relative(process.cwd(), join(a.pkg, f))).join(', ')} (${(bytes / 1e6).toFixed(2)} MB) and updated ${manifestPath}`);
}

main().catch((e: unknown) => {
  console.error(messageOf(e));
  process.exit(1);
});
