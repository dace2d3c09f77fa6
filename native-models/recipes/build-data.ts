// Builds vlm2vec-nano's training data and Trove's mini-MMEB evaluation suite from
// offline sources (Debian packages), deterministically.
//
//   npx tsx native-models/recipes/build-data.ts [--out DIR] [--limit N] [--text-pairs N] [--seed S]
//       [--cache DIR] [--seed-debs DIR[,DIR]] [--jobs N]
//
// Output (DIR, default .trove-build/data):
//   images/...                    every image (<= 224 px), paths below are relative to DIR
//   train/<set>.jsonl             MMEB-train rows: qry, qry_image_path, pos_text,
//                                 pos_image_path, neg_text, neg_image_path
//   eval/<set>.parquet            MMEB-eval rows (qry_text, qry_img_path, tgt_text[],
//                                 tgt_img_path[]; correct target first)
//   eval/suite.json               each eval set's meta-task and split (imageRoot "..")
//   instructions.json             the instruction templates used
//   manifest.json                 sources (package, version, sha256), counts, seed
// See SOURCES.md for provenance and licences, and README.md for the hold-out rules.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fetchAptIndexes, fetchDeb, fetchNpm } from './lib/fetch';
import type { FetchedPackage } from './lib/fetch';
import { fitCutout, loadCutout, writeAugmentedView, writeCrop, writeGrey, writeScene, writeTile, writeWord } from './lib/images';
import type { Box, Rgb, Rgba } from './lib/images';
import { INSTRUCTIONS, side } from './lib/instructions';
import type { MmebEvalRow } from './lib/mmeb-parquet';
import { EvalWriter, TrainWriter, mapPool } from './lib/out';
import type { Family } from './lib/out';
import { Rng, hash32, unit } from './lib/rng';
import {
  FASHION_LABELS,
  readDebianDescriptions,
  readFashion,
  readOpenclipart,
  readOpenmoji,
  readTuxpaint,
  readWordnet,
  plural,
  readWordnetWords,
  usefulDescription,
} from './lib/sources';
import type { DebDescription, Synset } from './lib/sources';

// ------------------------------------------------------------------ hold-out rules
/** tuxpaint categories never used in training: the OOD classes and objects */
export const TUX_OOD_CATEGORIES = ['plants', 'space', 'sports', 'hobbies', 'medical', 'military', 'naturalforces'];
export const CLIP_IND_CATEGORIES = ['computer', 'shapes', 'signs_and_symbols', 'recreation', 'people', 'transportation', 'food', 'animals', 'tools', 'office'];
/** openclipart categories never used in training */
export const CLIP_OOD_CATEGORIES = ['plants', 'buildings', 'geography', 'education', 'electronics', 'science', 'decorations'];
/** Debian sections never used in training */
export const DEBIAN_OOD_SECTIONS = ['games', 'science', 'math', 'hamradio', 'electronics'];
/** share of in-distribution items held out for the IND eval sets */
const EVAL_SHARE = 0.2;
const TRAIN_FONTS = ['DejaVu Sans', 'DejaVu Sans Mono', 'DejaVu Sans Condensed'];
const OOD_FONTS = ['DejaVu Serif', 'DejaVu Serif Condensed'];

const COLOURS: [string, Rgb][] = [
  ['red', [215, 40, 40]],
  ['orange', [245, 140, 30]],
  ['yellow', [245, 220, 50]],
  ['green', [60, 165, 70]],
  ['blue', [40, 90, 210]],
  ['purple', [130, 60, 180]],
  ['pink', [240, 135, 185]],
  ['brown', [125, 80, 40]],
  ['grey', [128, 128, 128]],
  ['black', [20, 20, 20]],
  ['white', [245, 245, 245]],
];
const COUNT_ANSWERS = ['1', '2', '3', '4', '5', '6'];
const POSITION_ANSWERS = ['left', 'right', 'top', 'bottom'];
/** the closed answer vocabulary of the counting / colour / position questions */
const SCENE_ANSWERS = [...COUNT_ANSWERS, ...COLOURS.map((c) => c[0]), ...POSITION_ANSWERS];

const pretty = (cat: string) => (cat === 'naturalforces' ? 'natural forces' : cat.replace(/_/g, ' '));
/** a file-name-safe, collision-free name for an item id */
const slug = (s: string) => `${s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 60)}-${hash32(s).toString(16).padStart(8, '0')}`;

// ------------------------------------------------------------------ args
interface Args {
  out: string;
  cache: string;
  limit: number | null;
  /** pairs per text-to-text training set (Debian, WordNet) */
  textPairs: number;
  seed: string;
  seedDebs: string[];
  jobs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: '.trove-build/data', cache: '.trove-build/cache', limit: null, textPairs: 30_000, seed: 'vlm2vec-nano-data-v1', seedDebs: [], jobs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--out') a.out = v();
    else if (k === '--cache') a.cache = v();
    else if (k === '--limit') a.limit = Math.max(1, parseInt(v(), 10));
    else if (k === '--text-pairs') a.textPairs = Math.max(1, parseInt(v(), 10));
    else if (k === '--seed') a.seed = v();
    else if (k === '--seed-debs') a.seedDebs = v().split(',').filter(Boolean);
    else if (k === '--jobs') a.jobs = Math.max(1, parseInt(v(), 10));
    else if (k === '--help' || k === '-h') {
      console.log('build-data.ts [--out DIR] [--limit N] [--text-pairs N] [--seed S] [--cache DIR] [--seed-debs DIR,...] [--jobs N]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

// ------------------------------------------------------------------ items
type Split = 'train' | 'eval' | 'ood';

interface VisItem {
  key: string;
  source: 'tuxpaint' | 'openclipart';
  file: string;
  category: string;
  label: string;
  /** caption (tuxpaint sentence / openclipart title), null when none */
  caption: string | null;
  name: string | null;
  split: Split;
  tile: string;
  /** kept for scene composition only */
  cutout: Rgba | null;
  views: string[];
}

interface Ctx {
  out: string;
  rng: Rng;
  jobs: number;
  lim: (n: number) => number;
  textPairs: number;
  train: TrainWriter;
  evals: EvalWriter;
  log: (s: string) => void;
}

/** Candidate list: the correct one first, then up to `max - 1` others (in a seeded order). */
function candidates<T>(rng: Rng, correct: T, pool: readonly T[], max: number, same: (a: T, b: T) => boolean): T[] {
  const others = rng.sample(
    pool.filter((p) => !same(p, correct)),
    max - 1,
  );
  return [correct, ...others];
}

// ------------------------------------------------------------------ main
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const out = resolve(args.out);
  const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);
  rmSync(join(out, 'images'), { recursive: true, force: true });
  rmSync(join(out, 'train'), { recursive: true, force: true });
  rmSync(join(out, 'eval'), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const lim = (n: number) => (args.limit === null ? n : Math.min(n, args.limit));
  const ctx: Ctx = { out, rng: new Rng(args.seed), jobs: args.jobs, lim, textPairs: args.textPairs, train: new TrainWriter(join(out, 'train')), evals: new EvalWriter(join(out, 'eval')), log };

  log('fetching sources');
  const fo = { cacheDir: resolve(args.cache), seedDirs: args.seedDebs, log };
  const pkgs: Record<string, FetchedPackage> = {};
  for (const p of ['tuxpaint-stamps-default', 'openclipart-png', 'openclipart-svg', 'dataset-fashion-mnist', 'wordnet-base']) pkgs[p] = fetchDeb(p, fo);
  pkgs['openmoji'] = fetchNpm('openmoji@17.0.0', fo);
  const apt = fetchAptIndexes(fo);

  log('reading sources');
  const items = selectItems(ctx, pkgs);
  log(`  ${items.length} tuxpaint/openclipart items (${count(items, (i) => i.split)})`);

  log('images: tiles and views');
  await makeItemImages(ctx, items);

  log('classification');
  await classification(ctx, items, pkgs['dataset-fashion-mnist']!.root);

  log('retrieval: caption <-> image, image <-> view');
  await imageRetrieval(ctx, items);

  log('retrieval: notes (Debian descriptions, WordNet glosses)');
  const debs = readDebianDescriptions(apt.packages, apt.translations).filter(usefulDescription);
  await textRetrieval(ctx, debs, readWordnet(pkgs['wordnet-base']!.root, 'n'), readWordnet(pkgs['wordnet-base']!.root, 'v'));

  log('openmoji (a source family never used in training)');
  await openmoji(ctx, pkgs['openmoji']!.root, new Set(items.filter((i) => i.split === 'train' && i.caption).map((i) => i.caption!.toLowerCase().replace(/[.!]+$/, '').trim())));

  log('VQA and grounding scenes');
  await scenes(ctx, items, readWordnetWords(pkgs['wordnet-base']!.root, 'n'), readWordnetWords(pkgs['wordnet-base']!.root, 'v'));

  const trainSets = await ctx.train.close();
  ctx.evals.finish('trove-mini-mmeb');
  const byFamily = (f: Family) => trainSets.filter((s) => s.family === f).reduce((a, s) => a + s.rows, 0);
  const manifest = {
    name: 'vlm2vec-nano-data',
    seed: args.seed,
    limit: args.limit,
    textPairs: args.textPairs,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((Date.now() - t0) / 1000),
    sources: {
      ...Object.fromEntries(Object.values(pkgs).map((p) => [p.name, { version: p.version, sha256: p.sha256, deb: p.deb.split('/').pop() }])),
      'debian-descriptions': { archiveDate: apt.date, files: [...apt.packages, ...apt.translations].map((f) => f.split('/').pop()) },
    },
    holdOut: {
      openmoji: 'evaluation only (OOD): no emoji in training',
      evalShare: EVAL_SHARE,
      tuxpaintOodCategories: TUX_OOD_CATEGORIES,
      openclipartIndCategories: CLIP_IND_CATEGORIES,
      openclipartOodCategories: CLIP_OOD_CATEGORIES,
      debianOodSections: DEBIAN_OOD_SECTIONS,
      wordnet: 'train + IND: monosemous nouns (split by synset); OOD: verbs',
      fonts: { train: TRAIN_FONTS, ood: OOD_FONTS },
      words: 'rendered-text words: WordNet nouns split by word (train / IND); OOD: verbs',
    },
    train: { families: { classification: byFamily('classification'), vqa: byFamily('vqa'), retrieval: byFamily('retrieval'), grounding: byFamily('grounding') }, total: trainSets.reduce((a, s) => a + s.rows, 0), sets: trainSets },
    eval: { sets: ctx.evals.sets },
  };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(out, 'instructions.json'), JSON.stringify(INSTRUCTIONS, null, 2) + '\n');
  log(`done: ${manifest.train.total} training pairs in ${trainSets.length} sets, ${ctx.evals.sets.length} eval sets -> ${out}`);
  for (const s of trainSets) log(`  train ${s.name.padEnd(28)} ${s.family.padEnd(15)} ${s.rows}`);
  for (const s of ctx.evals.sets) log(`  eval  ${s.name.padEnd(28)} ${s.metaTask.padEnd(15)} ${s.split} ${s.rows} rows, ${s.candidates.min}-${s.candidates.max} candidates`);
}

function count<T>(xs: T[], key: (x: T) => string): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k} ${v}`).join(', ');
}

// ------------------------------------------------------------------ item selection
function selectItems(ctx: Ctx, pkgs: Record<string, FetchedPackage>): VisItem[] {
  const items: VisItem[] = [];
  // tuxpaint: all categories; at most 100 stamps per category (symbols would swamp the rest)
  const tux = readTuxpaint(pkgs['tuxpaint-stamps-default']!.root);
  const byCat = new Map<string, typeof tux>();
  for (const t of tux) byCat.set(t.category, [...(byCat.get(t.category) ?? []), t]);
  for (const [cat, list] of [...byCat].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ood = TUX_OOD_CATEGORIES.includes(cat);
    const chosen = [...list].sort((a, b) => unit('tux-pick:' + a.id) - unit('tux-pick:' + b.id)).slice(0, ctx.lim(100));
    for (const t of chosen) {
      // split by caption, so two stamps with one caption never straddle the split
      const split: Split = ood ? 'ood' : unit('tux-split:' + t.caption.toLowerCase()) < EVAL_SHARE ? 'eval' : 'train';
      items.push({ key: 'tux:' + t.id, source: 'tuxpaint', file: t.file, category: cat, label: pretty(cat), caption: t.caption, name: t.name, split, tile: `images/tuxpaint/${slug(t.id)}.jpg`, cutout: null, views: [] });
    }
  }
  // openclipart: chosen categories; at most 250 per IND category, 80 per OOD category
  const clip = readOpenclipart(pkgs['openclipart-png']!.root, pkgs['openclipart-svg']!.root);
  for (const cat of [...CLIP_IND_CATEGORIES, ...CLIP_OOD_CATEGORIES]) {
    const ood = CLIP_OOD_CATEGORIES.includes(cat);
    const list = clip
      .filter((c) => c.category === cat)
      .sort((a, b) => unit('oc-pick:' + a.id) - unit('oc-pick:' + b.id))
      .slice(0, ctx.lim(ood ? 80 : 250));
    for (const c of list) {
      const split: Split = ood ? 'ood' : unit('oc-split:' + (c.title?.toLowerCase() ?? c.id)) < EVAL_SHARE ? 'eval' : 'train';
      items.push({ key: 'oc:' + c.id, source: 'openclipart', file: c.png, category: cat, label: pretty(cat), caption: c.title, name: c.name, split, tile: `images/openclipart/${slug(c.id)}.jpg`, cutout: null, views: [] });
    }
  }
  // an OOD item whose caption or name also labels a training item would not be out of distribution
  const trainCaptions = new Set(items.filter((i) => i.split === 'train' && i.caption).map((i) => i.caption!.toLowerCase().trim()));
  const trainNames = new Set(items.filter((i) => i.split === 'train' && i.name).map((i) => i.name!));
  for (const i of items) {
    if (i.split !== 'ood') continue;
    if (i.caption && trainCaptions.has(i.caption.toLowerCase().trim())) i.caption = null;
    if (i.name && trainNames.has(i.name)) i.name = null;
  }
  return items;
}

/** Scene objects: named tuxpaint stamps, not letters/coins/signs, not phrases with numbers. */
function isSceneObject(i: VisItem): boolean {
  return i.source === 'tuxpaint' && i.name !== null && i.category !== 'symbols' && !/\b(one|two|three|four|five|six|some|many|your|my)\b|\d|^(no|not|do not)\b/.test(i.name);
}

async function makeItemImages(ctx: Ctx, items: VisItem[]): Promise<void> {
  const rng = ctx.rng.fork('views');
  const seeds = items.map(() => rng.int(0, 2 ** 31));
  const dropped = new Set<string>();
  await mapPool(items, ctx.jobs, async (it, i) => {
    const c = await loadCutout(it.file, 192);
    if (!c) {
      dropped.add(it.key);
      return;
    }
    await writeTile(c, join(ctx.out, it.tile), 160);
    const r = new Rng(seeds[i]!);
    // train: two views (a pair); eval/ood: one view (the query)
    const nViews = it.split === 'train' ? 2 : 1;
    for (let v = 0; v < nViews; v++) {
      const rel = it.tile.replace(/\.jpg$/, `.view${v}.jpg`);
      await writeAugmentedView(c, join(ctx.out, rel), 160, r);
      it.views.push(rel);
    }
    if (isSceneObject(it)) it.cutout = c;
  });
  const kept = items.filter((i) => !dropped.has(i.key));
  items.splice(0, items.length, ...kept);
  if (dropped.size) ctx.log(`  ${dropped.size} items had no visible pixels and were dropped`);
}

// ------------------------------------------------------------------ classification
async function classification(ctx: Ctx, items: VisItem[], fashionRoot: string): Promise<void> {
  const rng = ctx.rng.fork('classification');
  const ins = INSTRUCTIONS.classification_object;
  for (const source of ['tuxpaint', 'openclipart'] as const) {
    const mine = items.filter((i) => i.source === source);
    const indLabels = [...new Set(mine.filter((i) => i.split !== 'ood').map((i) => i.label))].sort();
    const oodLabels = [...new Set(mine.filter((i) => i.split === 'ood').map((i) => i.label))].sort();
    for (const it of mine.filter((i) => i.split === 'train')) {
      ctx.train.add(`cls-${source}`, 'classification', source, {
        qry: side(ins.query, null, true),
        qry_image_path: it.tile,
        pos_text: it.label,
        neg_text: rng.pick(indLabels.filter((l) => l !== it.label)),
      });
    }
    for (const [split, labels, list] of [
      ['IND', indLabels, mine.filter((i) => i.split === 'eval')],
      ['OOD', oodLabels, mine.filter((i) => i.split === 'ood')],
    ] as const) {
      const rows: MmebEvalRow[] = list.map((it) => {
        const c = candidates(rng, it.label, labels, 1000, (a, b) => a === b);
        return { qry_text: side(ins.query, null, true), qry_img_path: it.tile, tgt_text: c, tgt_img_path: c.map(() => '') };
      });
      await ctx.evals.write(
        {
          name: `cls-${source}-${split.toLowerCase()}`,
          metaTask: 'classification',
          split,
          source,
          description: `${source} ${split === 'IND' ? 'held-out items of the training categories' : 'categories never trained on'}: which category (${labels.length} labels)`,
        },
        rows,
      );
    }
  }
  // fashion-mnist: train from the training file, IND eval from the test file
  const cls = INSTRUCTIONS.classification;
  const trainSet = readFashion(fashionRoot, 'train');
  const testSet = readFashion(fashionRoot, 't10k');
  const pickPerClass = (set: ReturnType<typeof readFashion>, per: number, tag: string) => {
    const idx: number[] = [];
    for (let c = 0; c < 10; c++) {
      const all: number[] = [];
      for (let i = 0; i < set.n; i++) if (set.labels[i] === c) all.push(i);
      idx.push(...all.sort((a, b) => unit(`${tag}:${a}`) - unit(`${tag}:${b}`)).slice(0, per));
    }
    return idx;
  };
  const save = async (set: ReturnType<typeof readFashion>, idx: number[], part: string) =>
    mapPool(idx, ctx.jobs, async (i) => {
      const rel = `images/fashion-mnist/${part}-${i}.png`;
      await writeGrey(set.images.subarray(i * 784, (i + 1) * 784), 28, 28, join(ctx.out, rel));
      return rel;
    });
  const trIdx = pickPerClass(trainSet, ctx.lim(300), 'fm-train');
  const trFiles = await save(trainSet, trIdx, 'train');
  trIdx.forEach((i, k) => {
    const label = FASHION_LABELS[trainSet.labels[i]!]!;
    ctx.train.add('cls-fashion-mnist', 'classification', 'fashion-mnist', {
      qry: side(cls.query, null, true),
      qry_image_path: trFiles[k]!,
      pos_text: label,
      neg_text: rng.pick(FASHION_LABELS.filter((l) => l !== label)),
    });
  });
  const teIdx = pickPerClass(testSet, ctx.lim(100), 'fm-test');
  const teFiles = await save(testSet, teIdx, 'test');
  await ctx.evals.write(
    { name: 'cls-fashion-mnist-ind', metaTask: 'classification', split: 'IND', source: 'fashion-mnist', description: 'fashion-mnist test images: which of 10 classes' },
    teIdx.map((i, k) => {
      const c = candidates(rng, FASHION_LABELS[testSet.labels[i]!]!, FASHION_LABELS, 1000, (a, b) => a === b);
      return { qry_text: side(cls.query, null, true), qry_img_path: teFiles[k]!, tgt_text: c, tgt_img_path: c.map(() => '') };
    }),
  );
}

// ------------------------------------------------------------------ image retrieval
async function imageRetrieval(ctx: Ctx, items: VisItem[]): Promise<void> {
  const rng = ctx.rng.fork('retrieval-image');
  const t2i = INSTRUCTIONS.retrieval_text_to_image;
  const i2t = INSTRUCTIONS.retrieval_image_to_text;
  const i2i = INSTRUCTIONS.retrieval_image_to_image;
  const captioned = items.filter((i) => i.caption !== null);
  for (const it of captioned.filter((i) => i.split === 'train')) {
    ctx.train.add(`ret-t2i-${it.source}`, 'retrieval', it.source, { qry: side(t2i.query, it.caption, false), pos_text: side(t2i.target, null, true), pos_image_path: it.tile });
    ctx.train.add(`ret-i2t-${it.source}`, 'retrieval', it.source, { qry: side(i2t.query, null, true), qry_image_path: it.tile, pos_text: side(i2t.target, it.caption, false) });
  }
  for (const it of items.filter((i) => i.split === 'train' && i.views.length === 2)) {
    ctx.train.add('ret-i2i-views', 'retrieval', it.source, { qry: side(i2i.query, null, true), qry_image_path: it.views[0]!, pos_text: side(i2i.target, null, true), pos_image_path: it.views[1]! });
  }
  /** one item per caption: identical captions would make ties */
  const uniqueCaptions = (list: VisItem[]) => {
    const seen = new Set<string>();
    return list.filter((i) => {
      const k = i.caption!.toLowerCase().trim();
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  const sets: { name: string; split: 'IND' | 'OOD'; kind: 't2i' | 'i2t'; list: VisItem[]; source: string; description: string }[] = [];
  for (const source of ['tuxpaint', 'openclipart'] as const) {
    const ind = uniqueCaptions(captioned.filter((i) => i.source === source && i.split === 'eval'));
    const ood = uniqueCaptions(captioned.filter((i) => i.source === source && i.split === 'ood'));
    const what = source === 'tuxpaint' ? 'stamp sentence' : 'clip-art title';
    sets.push({ name: `ret-${source}-t2i-ind`, split: 'IND', kind: 't2i', list: ind, source, description: `${what} -> image, held-out items` });
    sets.push({ name: `ret-${source}-i2t-ind`, split: 'IND', kind: 'i2t', list: ind, source, description: `image -> ${what}, held-out items` });
    sets.push(
      source === 'tuxpaint'
        ? { name: `ret-${source}-t2i-ood`, split: 'OOD', kind: 't2i', list: ood, source, description: `${what} -> image, categories never trained on` }
        : { name: `ret-${source}-i2t-ood`, split: 'OOD', kind: 'i2t', list: ood, source, description: `image -> ${what}, categories never trained on` },
    );
  }
  for (const s of sets) {
    const rows: MmebEvalRow[] = s.list.map((it) => {
      const c = candidates(rng, it, s.list, 1000, (a, b) => a.key === b.key);
      return s.kind === 't2i'
        ? { qry_text: side(t2i.query, it.caption, false), qry_img_path: '', tgt_text: c.map(() => side(t2i.target, null, true)), tgt_img_path: c.map((x) => x.tile) }
        : { qry_text: side(i2t.query, null, true), qry_img_path: it.tile, tgt_text: c.map((x) => side(i2t.target, x.caption, false)), tgt_img_path: c.map(() => '') };
    });
    await ctx.evals.write({ name: s.name, metaTask: 'retrieval', split: s.split, source: s.source, description: s.description }, rows);
  }
  // image -> the same thing, seen differently (crop, flip, colour jitter, background)
  for (const [split, list] of [
    ['IND', items.filter((i) => i.split === 'eval')],
    ['OOD', items.filter((i) => i.split === 'ood')],
  ] as const) {
    const rows: MmebEvalRow[] = list.map((it) => {
      const c = candidates(rng, it, list, 1000, (a, b) => a.key === b.key);
      return { qry_text: side(i2i.query, null, true), qry_img_path: it.views[0]!, tgt_text: c.map(() => side(i2i.target, null, true)), tgt_img_path: c.map((x) => x.tile) };
    });
    await ctx.evals.write(
      { name: `ret-views-i2i-${split.toLowerCase()}`, metaTask: 'retrieval', split, source: 'tuxpaint+openclipart', description: `augmented view -> original image, ${split === 'IND' ? 'held-out items' : 'categories never trained on'}` },
      rows,
    );
  }
}

// ------------------------------------------------------------------ openmoji (OOD only)
const EMOJI_GROUPS = ['smileys-emotion', 'people-body', 'animals-nature', 'food-drink', 'travel-places', 'activities', 'objects', 'symbols', 'flags'];

async function openmoji(ctx: Ctx, root: string, trainCaptions: Set<string>): Promise<void> {
  const rng = ctx.rng.fork('openmoji');
  const label = (g: string) => g.replace('-', ' & ');
  const chosen = EMOJI_GROUPS.flatMap((g) =>
    readOpenmoji(root)
      .filter((e) => e.group === g)
      .sort((a, b) => unit('om:' + a.hexcode) - unit('om:' + b.hexcode))
      .slice(0, ctx.lim(60)),
  );
  const made = await mapPool(chosen, ctx.jobs, async (e) => {
    const c = await loadCutout(e.svg, 192);
    if (!c) return null;
    const tile = `images/openmoji/${e.hexcode}.jpg`;
    await writeTile(c, join(ctx.out, tile), 160);
    return { ...e, tile };
  });
  const ok = made.filter((m): m is NonNullable<typeof m> => m !== null);
  const labels = EMOJI_GROUPS.map(label);
  const cls = INSTRUCTIONS.classification_object;
  await ctx.evals.write(
    { name: 'cls-openmoji-ood', metaTask: 'classification', split: 'OOD', source: 'openmoji', description: `emoji (a source never trained on): which of ${labels.length} emoji groups` },
    ok.map((e) => {
      const c = candidates(rng, label(e.group), labels, 1000, (a, b) => a === b);
      return { qry_text: side(cls.query, null, true), qry_img_path: e.tile, tgt_text: c, tgt_img_path: c.map(() => '') };
    }),
  );
  const t2i = INSTRUCTIONS.retrieval_text_to_image;
  // emoji names that are also training captions ("snowman") are left out of the retrieval set
  const uniq = uniqueBy(ok, (e) => e.annotation).filter((e) => !trainCaptions.has(e.annotation.toLowerCase()) && !trainCaptions.has(`a ${e.annotation.toLowerCase()}`) && !trainCaptions.has(`an ${e.annotation.toLowerCase()}`));
  await ctx.evals.write(
    { name: 'ret-openmoji-t2i-ood', metaTask: 'retrieval', split: 'OOD', source: 'openmoji', description: 'emoji name -> emoji image (a source never trained on)' },
    uniq.map((e) => {
      const c = candidates(rng, e, uniq, 1000, (a, b) => a.hexcode === b.hexcode);
      return { qry_text: side(t2i.query, e.annotation, false), qry_img_path: '', tgt_text: c.map(() => side(t2i.target, null, true)), tgt_img_path: c.map((x) => x.tile) };
    }),
  );
}

// ------------------------------------------------------------------ text retrieval
function uniqueBy<T>(xs: T[], ...keys: ((x: T) => string)[]): T[] {
  const seen = keys.map(() => new Set<string>());
  return xs.filter((x) => {
    const ks = keys.map((k) => k(x).toLowerCase().trim());
    if (ks.some((k, i) => seen[i]!.has(k))) return false;
    ks.forEach((k, i) => seen[i]!.add(k));
    return true;
  });
}

async function textRetrieval(ctx: Ctx, debsIn: DebDescription[], nouns: Synset[], verbs: Synset[]): Promise<void> {
  const rng = ctx.rng.fork('retrieval-text');
  const t2t = INSTRUCTIONS.retrieval_text_to_text;
  const w2d = INSTRUCTIONS.retrieval_word_to_definition;
  const debs = uniqueBy(
    [...debsIn].sort((a, b) => unit('deb:' + a.pkg) - unit('deb:' + b.pkg)),
    (d) => d.short,
    (d) => d.long,
  );
  const dTrain: DebDescription[] = [];
  const dInd: DebDescription[] = [];
  const dOod: DebDescription[] = [];
  for (const d of debs) {
    if (DEBIAN_OOD_SECTIONS.includes(d.section)) dOod.push(d);
    else if (unit('deb-split:' + d.pkg) < 0.05) dInd.push(d);
    else dTrain.push(d);
  }
  // text pairs are cheap (no images) and the model learns word matching from many of them
  for (const d of dTrain.slice(0, ctx.lim(ctx.textPairs))) {
    ctx.train.add('ret-t2t-debian', 'retrieval', 'debian-descriptions', { qry: side(t2t.query, d.short, false), pos_text: side(t2t.target, d.long, false) });
  }
  const sortedSyn = (xs: Synset[]) => [...xs].sort((a, b) => unit('wn:' + a.offset) - unit('wn:' + b.offset));
  const ns = uniqueBy(sortedSyn(nouns), (s) => s.lemma, (s) => s.gloss);
  const nTrain = ns.filter((s) => unit('wn-split:' + s.offset) >= 0.1);
  const nInd = ns.filter((s) => unit('wn-split:' + s.offset) < 0.1);
  const nounLemmas = new Set(nTrain.map((s) => s.lemma.toLowerCase()));
  const vOod = uniqueBy(sortedSyn(verbs), (s) => s.lemma, (s) => s.gloss).filter((s) => !nounLemmas.has(s.lemma.toLowerCase()));
  for (const s of nTrain.slice(0, ctx.lim(ctx.textPairs))) {
    ctx.train.add('ret-t2t-wordnet', 'retrieval', 'wordnet', { qry: side(w2d.query, s.lemma, false), pos_text: side(w2d.target, s.gloss, false) });
  }
  const textSet = async <T>(name: string, split: 'IND' | 'OOD', source: string, description: string, list: T[], q: (x: T) => string, t: (x: T) => string) => {
    const pool = list.slice(0, ctx.lim(500));
    await ctx.evals.write(
      { name, metaTask: 'retrieval', split, source, description },
      pool.map((x) => {
        const c = candidates(rng, x, pool, 1000, (a, b) => a === b);
        return { qry_text: q(x), qry_img_path: '', tgt_text: c.map(t), tgt_img_path: c.map(() => '') };
      }),
    );
  };
  const dq = (d: DebDescription) => side(t2t.query, d.short, false);
  const dt = (d: DebDescription) => side(t2t.target, d.long, false);
  await textSet('ret-debian-t2t-ind', 'IND', 'debian-descriptions', 'package short description -> long description, held-out packages', dInd, dq, dt);
  await textSet('ret-debian-t2t-ood', 'OOD', 'debian-descriptions', `package short description -> long description, sections never trained on (${DEBIAN_OOD_SECTIONS.join(', ')})`, dOod, dq, dt);
  const wq = (s: Synset) => side(w2d.query, s.lemma, false);
  const wt = (s: Synset) => side(w2d.target, s.gloss, false);
  await textSet('ret-wordnet-t2t-ind', 'IND', 'wordnet', 'noun -> its WordNet gloss, held-out synsets', nInd, wq, wt);
  await textSet('ret-wordnet-t2t-ood', 'OOD', 'wordnet', 'verb -> its WordNet gloss (no verbs in training)', vOod, wq, wt);
}

// ------------------------------------------------------------------ scenes: VQA + grounding
const SCENE = 224;

function jitterColour(rng: Rng, c: Rgb): Rgb {
  return c.map((v) => Math.max(0, Math.min(255, v + rng.int(-14, 14)))) as Rgb;
}

interface Placed {
  item: VisItem;
  box: Box;
  col: number;
  row: number;
}

async function placeInCells(rng: Rng, objects: VisItem[], grid: number, minFrac: number, maxFrac: number, cells: number[]): Promise<Placed[]> {
  const cell = SCENE / grid;
  const out: Placed[] = [];
  for (let k = 0; k < objects.length; k++) {
    const it = objects[k]!;
    const s = rng.range(minFrac, maxFrac) * cell;
    const fitted = await fitCutout(it.cutout!, s, s);
    const col = cells[k]! % grid,
      row = Math.floor(cells[k]! / grid);
    const left = Math.round(col * cell + rng.range(0, Math.max(0, cell - fitted.width)));
    const top = Math.round(row * cell + rng.range(0, Math.max(0, cell - fitted.height)));
    out.push({ item: { ...it, cutout: fitted }, box: { x: left, y: top, w: fitted.width, h: fitted.height }, col, row });
  }
  return out;
}

interface CountScene {
  file: string;
  n: number;
  name: string;
  colour: string;
}

async function countScene(rng: Rng, pool: VisItem[], file: string, out: string): Promise<CountScene> {
  const main = rng.pick(pool);
  const n = rng.int(1, 6);
  const others = pool.filter((p) => p.name !== main.name);
  const d = rng.int(0, Math.min(2, 9 - n));
  const distract = rng.sample(others, d);
  const objects = [...Array.from({ length: n }, () => main), ...distract];
  const cells = rng.sample([0, 1, 2, 3, 4, 5, 6, 7, 8], objects.length);
  const placed = await placeInCells(rng, objects, 3, 0.6, 0.92, cells);
  const [colour, rgb] = rng.pick(COLOURS);
  await writeScene(SCENE, jitterColour(rng, rgb), placed.map((p) => ({ cutout: p.item.cutout!, left: p.box.x, top: p.box.y })), join(out, file));
  return { file, n, name: main.name!, colour };
}

interface GridScene {
  file: string;
  colour: string;
  objects: Placed[];
  raw: Buffer;
}

async function gridScene(rng: Rng, pool: VisItem[], file: string, out: string): Promise<GridScene> {
  const k = rng.int(2, 4);
  const objs: VisItem[] = [];
  for (const it of rng.shuffle([...pool])) {
    if (objs.length === k) break;
    if (!objs.some((o) => o.name === it.name)) objs.push(it);
  }
  const cells = rng.sample([0, 1, 2, 3], objs.length);
  const placed = await placeInCells(rng, objs, 2, 0.62, 0.9, cells);
  const [colour, rgb] = rng.pick(COLOURS);
  const raw = await writeScene(SCENE, jitterColour(rng, rgb), placed.map((p) => ({ cutout: p.item.cutout!, left: p.box.x, top: p.box.y })), join(out, file));
  return { file, colour, objects: placed, raw };
}

function positionQuestion(rng: Rng, p: Placed): { q: string; a: string } {
  return rng.next() < 0.5
    ? { q: `Is the ${p.item.name} on the left or on the right?`, a: p.col === 0 ? 'left' : 'right' }
    : { q: `Is the ${p.item.name} at the top or at the bottom?`, a: p.row === 0 ? 'top' : 'bottom' };
}

async function scenes(ctx: Ctx, items: VisItem[], nounWords: string[], verbWords: string[]): Promise<void> {
  const rng = ctx.rng.fork('scenes');
  const vqa = INSTRUCTIONS.vqa;
  const grd = INSTRUCTIONS.grounding;
  const ref = INSTRUCTIONS.grounding_refexp;
  const objs = items.filter((i) => i.cutout !== null);
  const pools = { train: objs.filter((i) => i.split === 'train'), ind: objs.filter((i) => i.split === 'eval'), ood: objs.filter((i) => i.split === 'ood') };
  ctx.log(`  scene objects: train ${pools.train.length}, IND eval ${pools.ind.length}, OOD ${pools.ood.length}`);
  const q = (question: string) => side(vqa.query, question, true);
  const a = (answer: string) => side(vqa.target, answer, false);
  const otherAnswer = (ans: string, vocab: readonly string[]) => rng.pick(vocab.filter((v) => v !== ans));
  const seedsFor = (n: number) => Array.from({ length: n }, () => rng.int(0, 2 ** 31));

  // --- training
  const nCount = ctx.lim(2500),
    nGrid = ctx.lim(2500),
    nText = ctx.lim(1500);
  const cs = await mapPool(seedsFor(nCount), ctx.jobs, (s, i) => countScene(new Rng(s), pools.train, `images/scenes/train/count-${i}.jpg`, ctx.out));
  for (const s of cs) {
    ctx.train.add('vqa-count', 'vqa', 'tuxpaint-scenes', { qry: q(`How many ${s.n === 1 ? s.name : plural(s.name)} are in the image?`), qry_image_path: s.file, pos_text: a(String(s.n)), neg_text: a(otherAnswer(String(s.n), COUNT_ANSWERS)) });
    ctx.train.add('vqa-colour', 'vqa', 'tuxpaint-scenes', { qry: q('What colour is the background?'), qry_image_path: s.file, pos_text: a(s.colour), neg_text: a(otherAnswer(s.colour, COLOURS.map((c) => c[0]))) });
  }
  const gridRows = await mapPool(seedsFor(nGrid), ctx.jobs, async (seed, i) => {
    const r = new Rng(seed);
    const g = await gridScene(r, pools.train, `images/scenes/train/grid-${i}.jpg`, ctx.out);
    const pq = positionQuestion(r, r.pick(g.objects));
    // grounding: two labelled objects, each with its crop; a hard negative: another object's crop in the same scene
    const crop = (o: Placed) => `images/scenes/train/grid-${i}.crop${g.objects.indexOf(o)}.jpg`;
    await Promise.all(g.objects.map((o) => writeCrop(g.raw, SCENE, o.box, join(ctx.out, crop(o)))));
    const grounding = r.sample(g.objects, 2).map((target) => {
      const other = r.pick(g.objects.filter((o) => o !== target));
      return { label: target.item.name!, pos: crop(target), neg: crop(other) };
    });
    return { file: g.file, pq, grounding };
  });
  const flip: Record<string, string> = { left: 'right', right: 'left', top: 'bottom', bottom: 'top' };
  for (const g of gridRows) {
    ctx.train.add('vqa-position', 'vqa', 'tuxpaint-scenes', { qry: q(g.pq.q), qry_image_path: g.file, pos_text: a(g.pq.a), neg_text: a(flip[g.pq.a]!) });
    for (const t of g.grounding) {
      ctx.train.add('grounding-label', 'grounding', 'tuxpaint-scenes', {
        qry: side(grd.query, t.label, true),
        qry_image_path: g.file,
        pos_text: side(grd.target, null, true),
        pos_image_path: t.pos,
        neg_text: side(grd.target, null, true),
        neg_image_path: t.neg,
      });
    }
  }
  const wordsTrain = nounWords.filter((w) => unit('word-split:' + w) >= 0.2);
  const wordsInd = nounWords.filter((w) => unit('word-split:' + w) < 0.2);
  const textScene = async (seed: number, file: string, word: string, fonts: string[]) => {
    const r = new Rng(seed);
    const [, bgc] = r.pick(COLOURS);
    const bg = jitterColour(r, bgc);
    const lum = 0.299 * bg[0] + 0.587 * bg[1] + 0.114 * bg[2];
    const fg: Rgb = lum > 140 ? [r.int(0, 60), r.int(0, 60), r.int(0, 60)] : [r.int(220, 255), r.int(220, 255), r.int(220, 255)];
    await writeWord(word, r.pick(fonts), join(ctx.out, file), SCENE, bg, fg, r);
  };
  const textQ = 'What word is written in the image?';
  const trainWords = Array.from({ length: nText }, () => rng.pick(wordsTrain));
  await mapPool(seedsFor(nText), ctx.jobs, (s, i) => textScene(s, `images/scenes/train/text-${i}.jpg`, trainWords[i]!, TRAIN_FONTS));
  trainWords.forEach((w, i) =>
    ctx.train.add('vqa-text', 'vqa', 'rendered-words', { qry: q(textQ), qry_image_path: `images/scenes/train/text-${i}.jpg`, pos_text: a(w), neg_text: a(rng.pick(wordsTrain.filter((x) => x !== w))) }),
  );

  // --- evaluation
  const evalScenes = async (split: 'IND' | 'OOD', pool: VisItem[], nC: number, nG: number) => {
    const tag = split.toLowerCase();
    const countScenes = await mapPool(seedsFor(ctx.lim(nC)), ctx.jobs, (s, i) => countScene(new Rng(s), pool, `images/scenes/${tag}/count-${i}.jpg`, ctx.out));
    const grids = await mapPool(seedsFor(ctx.lim(nG)), ctx.jobs, async (s, i) => {
      const g = await gridScene(new Rng(s), pool, `images/scenes/${tag}/grid-${i}.jpg`, ctx.out);
      const crops = await Promise.all(
        g.objects.map(async (o, j) => {
          const rel = `images/scenes/${tag}/grid-${i}.crop${j}.jpg`;
          await writeCrop(g.raw, SCENE, o.box, join(ctx.out, rel));
          return rel;
        }),
      );
      return { file: g.file, colour: g.colour, objects: g.objects, crops };
    });
    const closed = (ans: string) => candidates(rng, ans, SCENE_ANSWERS, 1000, (x, y) => x === y);
    const vqaRow = (file: string, question: string, ans: string): MmebEvalRow => {
      const c = closed(ans);
      return { qry_text: q(question), qry_img_path: file, tgt_text: c.map(a), tgt_img_path: c.map(() => '') };
    };
    const what = split === 'IND' ? 'held-out objects' : 'object categories never trained on';
    await ctx.evals.write(
      { name: `vqa-count-${tag}`, metaTask: 'vqa', split, source: 'tuxpaint-scenes', description: `how many X: composed scenes, ${what}; ${SCENE_ANSWERS.length} closed answers` },
      countScenes.map((s) => vqaRow(s.file, `How many ${s.n === 1 ? s.name : plural(s.name)} are in the image?`, String(s.n))),
    );
    await ctx.evals.write(
      { name: `vqa-position-${tag}`, metaTask: 'vqa', split, source: 'tuxpaint-scenes', description: `left/right, top/bottom of a named object, ${what}` },
      grids.map((g) => {
        const pq = positionQuestion(rng, rng.pick(g.objects));
        return vqaRow(g.file, pq.q, pq.a);
      }),
    );
    if (split === 'IND') {
      await ctx.evals.write(
        { name: 'vqa-colour-ind', metaTask: 'vqa', split, source: 'tuxpaint-scenes', description: 'background colour of composed scenes (11 colour names)' },
        grids.map((g) => vqaRow(g.file, 'What colour is the background?', g.colour)),
      );
    }
    // grounding: candidates are the scene's other objects, then crops from other scenes (never the same stamp or name)
    const allCrops = grids.flatMap((g) => g.objects.map((o, j) => ({ key: o.item.key, name: o.item.name!, crop: g.crops[j]! })));
    const grdRows = (instr: { query: string; target: string }, text: (g: (typeof grids)[number], o: Placed) => string) =>
      grids.map((g): MmebEvalRow => {
        const j = rng.int(0, g.objects.length - 1);
        const o = g.objects[j]!;
        const same = g.objects.map((x, k) => ({ key: x.item.key, name: x.item.name!, crop: g.crops[k]! })).filter((_, k) => k !== j);
        const far = rng.sample(
          allCrops.filter((c) => c.key !== o.item.key && c.name !== o.item.name && !same.some((s) => s.crop === c.crop)),
          99 - same.length,
        );
        const cands = [g.crops[j]!, ...same.map((s) => s.crop), ...far.map((f) => f.crop)];
        return { qry_text: side(instr.query, text(g, o), true), qry_img_path: g.file, tgt_text: cands.map(() => side(instr.target, null, true)), tgt_img_path: cands };
      });
    await ctx.evals.write(
      { name: `grd-label-${tag}`, metaTask: 'grounding', split, source: 'tuxpaint-scenes', description: `scene + object label -> its crop among the scene's other objects and crops of other scenes, ${what}` },
      grdRows(grd, (_g, o) => o.item.name!),
    );
    if (split === 'OOD') {
      await ctx.evals.write(
        { name: 'grd-refexp-ood', metaTask: 'grounding', split, source: 'tuxpaint-scenes', description: 'RefCOCO-style referring expression ("the X at the top left"), an instruction never trained on' },
        grdRows(ref, (_g, o) => `the ${o.item.name} at the ${o.row === 0 ? 'top' : 'bottom'} ${o.col === 0 ? 'left' : 'right'}`),
      );
    }
  };
  await evalScenes('IND', pools.ind, 300, 300);
  await evalScenes('OOD', pools.ood, 200, 300);

  // rendered words: IND = held-out nouns in the training fonts; OOD = verbs in fonts never trained on
  for (const [split, words, fonts] of [
    ['IND', wordsInd, TRAIN_FONTS],
    ['OOD', verbWords.filter((v) => !nounWords.includes(v)), OOD_FONTS],
  ] as const) {
    const tag = split.toLowerCase();
    const pool = rng.sample(words, ctx.lim(300));
    await mapPool(seedsFor(pool.length), ctx.jobs, (s, i) => textScene(s, `images/scenes/${tag}/text-${i}.jpg`, pool[i]!, fonts));
    await ctx.evals.write(
      {
        name: `vqa-text-${tag}`,
        metaTask: 'vqa',
        split,
        source: 'rendered-words',
        description: split === 'IND' ? 'read a rendered word: held-out nouns, training fonts; 100 candidate words' : 'read a rendered word: verbs in serif fonts never trained on; 100 candidate words',
      },
      pool.map((w, i) => {
        const c = candidates(rng, w, pool, 100, (x, y) => x === y);
        return { qry_text: q(textQ), qry_img_path: `images/scenes/${tag}/text-${i}.jpg`, tgt_text: c.map(a), tgt_img_path: c.map(() => '') };
      }),
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
