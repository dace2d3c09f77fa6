// Perception evidence for the images of the recipes' data (main/ml/perception/evidence.ts):
// the ImageNet classifier's labels, the COCO detector's objects and the text reader's lines,
// made by the same packages and the same decode (longer side 1600, EXIF-rotated) as the
// engine's passes, kept in one evidence cache keyed by image content (evidence-cache.ts).
// About a second of CPU per image, so the images are taken in an order that spreads any
// prefix evenly over what they are for: each group (a training set, an eval set, the dev
// photos) in a seeded shuffle, the groups interleaved. Stop it at any time; a rerun skips
// what is cached.
//
//   npx tsx native-models/recipes/perceive-images.ts [--data DIR] [--dev DIR] [--cache FILE]
//       [--only dev,train,eval] [--per-group N] [--text-groups REGEX] [--threads N] [--models DIR]
//
// - data (default .trove-build/data): build-data.ts's folder (train/*.jsonl, eval/*.parquet)
// - dev (default .trove-build/real-dev): build-real-dev.ts's folder (its suite's images)
// - cache (default .trove-build/evidence/evidence.jsonl)
// - only: the groups to do, in that order (default dev,train,eval)
// - per-group: at most N images per group (default all)
// - text-groups (default `^dev/|text`): the groups the text reader runs on; elsewhere the text
//   is left empty. The reader is most of the cost (its gate looks at every image at 512 px)
//   and clip art, stamps and composed scenes rarely hold text outside the rendered-text sets;
//   `--text-groups .` runs it everywhere.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256 } from '../../main/base/hash';
import { decodeForPerception } from '../../main/engine/library/images';
import { readSuite } from '../../main/ml/eval';
import { EvidenceCache, evidenceModelsKey } from '../../main/ml/perception/evidence-cache';
import { EVIDENCE_DECODE_SIDE, loadEvidenceModels, perceive } from '../../main/ml/perception/evidence';
import { Rng } from './lib/rng';

export const DEFAULT_EVIDENCE_CACHE = '.trove-build/evidence/evidence.jsonl';

/** Distinct images per training set (train/<set>.jsonl), absolute paths, in file order. */
export function trainImageGroups(dataDir: string): Map<string, string[]> {
  const dir = join(dataDir, 'train');
  const groups = new Map<string, string[]>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const seen = new Set<string>();
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as Record<string, string | undefined>;
      for (const k of ['qry_image_path', 'pos_image_path', 'neg_image_path']) if (r[k]) seen.add(resolve(dataDir, r[k]));
    }
    if (seen.size) groups.set(`train/${f.replace(/\.jsonl$/, '')}`, [...seen]);
  }
  return groups;
}

/** Distinct images per dataset of an MMEB-format suite folder. */
export async function suiteImageGroups(suiteDir: string, prefix: string): Promise<Map<string, string[]>> {
  const suite = await readSuite(suiteDir);
  const groups = new Map<string, string[]>();
  for (const d of suite.datasets) {
    const seen = new Set<string>();
    for (const r of d.rows) for (const s of [r.query, ...r.candidates]) if (s.image) seen.add(s.image);
    if (seen.size) groups.set(`${prefix}/${d.name}`, [...seen]);
  }
  return groups;
}

/** Each group shuffled (seeded by its name), then the groups interleaved one image at a time; an image in several groups comes once. */
export function interleave(groups: Map<string, string[]>, perGroup = Infinity): string[] {
  const lists = [...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([name, xs]) => new Rng(`evidence:${name}`).shuffle([...xs]).slice(0, perGroup));
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; lists.some((l) => i < l.length); i++) {
    for (const l of lists) {
      const p = l[i];
      if (p !== undefined && !seen.has(p)) {
        seen.add(p);
        out.push(p);
      }
    }
  }
  return out;
}

interface Args {
  data: string;
  dev: string;
  cache: string;
  only: string[];
  perGroup: number;
  textGroups: RegExp;
  threads: number;
  models: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { data: '.trove-build/data', dev: '.trove-build/real-dev', cache: DEFAULT_EVIDENCE_CACHE, only: ['dev', 'train', 'eval'], perGroup: Infinity, textGroups: /^dev\/|text/, threads: 1, models: 'native-models' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--data') a.data = argv[++i]!;
    else if (k === '--dev') a.dev = argv[++i]!;
    else if (k === '--cache') a.cache = argv[++i]!;
    else if (k === '--only') a.only = argv[++i]!.split(',');
    else if (k === '--per-group') a.perGroup = Number(argv[++i]);
    else if (k === '--text-groups') a.textGroups = new RegExp(argv[++i]!);
    else if (k === '--threads') a.threads = Number(argv[++i]);
    else if (k === '--models') a.models = argv[++i]!;
    else throw new Error(`unknown argument ${k}`);
  }
  for (const g of a.only) if (!['dev', 'train', 'eval'].includes(g)) throw new Error(`--only: unknown group ${g} (dev, train, eval)`);
  return a;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const models = await loadEvidenceModels(resolve(a.models), ['labels', 'objects', 'text'], { threads: a.threads });
  // evidence without the reader's text is another key: an image needing text is never served it
  const full = EvidenceCache.open(a.cache, evidenceModelsKey(models.versions));
  const noText = EvidenceCache.open(a.cache, evidenceModelsKey({ ...models.versions, text: undefined }));
  console.log(`evidence cache ${a.cache}: ${full.size} images (${full.models}), ${noText.size} without text`);
  for (const group of a.only) {
    const groups =
      group === 'train'
        ? trainImageGroups(a.data)
        : group === 'eval'
          ? await suiteImageGroups(join(a.data, 'eval'), 'eval')
          : existsSync(join(a.dev, 'suite.json'))
            ? await suiteImageGroups(a.dev, 'dev')
            : new Map<string, string[]>();
    const order = interleave(groups, a.perGroup);
    const withText = new Set([...groups].filter(([name]) => a.textGroups.test(name)).flatMap(([, xs]) => xs));
    console.log(`${group}: ${order.length} images in ${groups.size} groups`);
    const t0 = performance.now();
    let done = 0;
    let skipped = 0;
    for (const path of order) {
      const bytes = readFileSync(path);
      const key = sha256(bytes);
      const text = withText.has(path);
      const cache = text ? full : noText;
      if (cache.get(key)) {
        skipped++;
        continue;
      }
      const image = await decodeForPerception(bytes, EVIDENCE_DECODE_SIDE);
      cache.put(key, await perceive(models, image, text ? ['labels', 'objects', 'text'] : ['labels', 'objects']));
      done++;
      if (done % 50 === 0) console.log(`${group}: ${done + skipped}/${order.length} (${done} new, ${((performance.now() - t0) / done / 1000).toFixed(2)} s/image)`);
    }
    console.log(`${group}: done, ${done} new, ${skipped} cached`);
  }
  await models.dispose();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
