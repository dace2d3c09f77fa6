// npx tsx test/bench/classifier-crop.ts [--model DIR] [--tux N] [--json]
//
// Figures, not a test: how the ImageNet classifier package should turn a photo of any shape
// into its 224 x 224 input. Four ways, each through the loader (`resize` option):
//   fill          the whole photo squashed to the square (aspect not kept)
//   cover         scaled to cover the square, centre-cropped (the sides of a wide photo lost)
//   fill 87.5%    the central 87.5% of each side, squashed (TF-slim's evaluation crop)
//   cover 87.5%   the central 87.5%, then cover
// on real photos that are not reserved for evaluation:
//   hand    the coral test photos (test/fixtures/photos/coral), photos from Debian's
//           opencv-doc (examples/data) and palapeli-data (puzzle photos), each labelled by
//           hand with WordNet words it may be called (a class counts when it or one of its
//           WordNet hypernyms has one of them: 'dog' accepts every breed);
//   tux     Tux Paint stamps (Debian tuxpaint-stamps-default, PNG, not the cartoon folders):
//           a class counts when a lemma of it or of a hypernym up to 4 levels up is a word of
//           the stamp's English sentence ("A red kangaroo." accepts wallaby), generic lemmas
//           (animal, object, ...) excluded. Noisy, but the same for every way.
// Prints top-1 and top-5 hits per set and way. Debian packages come through the recipes'
// cache (.trove-build/cache; fetched with apt-get download when missing); WordNet is Trove's
// lexicon (native-models/lexicon).
import { join, resolve } from 'node:path';
import { loadClassifier } from '../../main/ml/perception/classifier';
import type { ClassifierConfig } from '../../main/ml/perception/classifier';
import type { RgbImage } from '../../main/ml/perception/types';
import { fetchDeb } from '../../native-models/recipes/lib/fetch';
import { readRgb } from '../../native-models/recipes/lib/images';
import { defaultLexicon, normalizeWord } from '../../main/engine/lexicon/lexicon';
import { readTuxpaint } from '../../native-models/recipes/lib/sources';

const ROOT = resolve(__dirname, '../..');
const CORAL = join(ROOT, 'test/fixtures/photos/coral');
const CACHE = join(ROOT, '.trove-build/cache');

/** photo -> WordNet words it may be called (labelled by looking at it). */
const HAND: Readonly<Record<string, readonly string[]>> = {
  'coral:cat.png': ['cat'],
  'coral:bird.png': ['chickadee'],
  'coral:grace_hopper.png': ['military uniform'],
  'coral:hot_dog.jpg': ['hotdog'],
  'coral:dragonfly.png': ['dragonfly'],
  'coral:parrot.jpg': ['parrot'],
  'coral:owl.jpg': ['owl'],
  'coral:pets.jpg': ['dog', 'cat'],
  'coral:sunflower.png': ['daisy', 'bee'],
  'opencv:apple.jpg': ['apple'],
  'opencv:baboon.jpg': ['baboon', 'mandrill'],
  'opencv:butterfly.jpg': ['butterfly'],
  'opencv:chicky_512.png': ['dog'],
  'opencv:fruits.jpg': ['edible fruit'],
  'opencv:licenseplate_motion.jpg': ['motor vehicle'],
  'opencv:messi5.jpg': ['soccer ball'],
  'opencv:orange.jpg': ['orange'],
  'opencv:squirrel_cls.jpg': ['squirrel'],
  'opencv:aloeL.jpg': ['flowerpot'],
  'opencv:HappyFish.jpg': ['fish'],
  'palapeli:cincinnati-bridge.jpg': ['bridge'],
  'palapeli:european-honey-bee.jpg': ['bee'],
  'palapeli:panther-chameleon-female.jpg': ['chameleon', 'lizard'],
  'palapeli:castle-maintenon.jpg': ['castle', 'palace'],
  'palapeli:citrus-fruits.jpg': ['orange', 'lemon', 'edible fruit'],
};

/** Hypernym lemmas too generic to count as naming a stamp's subject. */
const GENERIC = new Set(['entity', 'object', 'physical object', 'whole', 'unit', 'thing', 'organism', 'being', 'animal', 'animate being', 'beast', 'creature', 'fauna', 'artifact', 'artefact', 'instrumentality', 'instrumentation', 'device', 'structure', 'construction', 'container', 'covering', 'commodity', 'goods', 'matter', 'food', 'solid', 'substance', 'plant', 'flora', 'plant life', 'vertebrate', 'craniate', 'chordate', 'invertebrate', 'mammal', 'placental', 'conveyance', 'transport', 'equipment', 'implement', 'part', 'piece', 'system', 'article', 'ware', 'product', 'production', 'person', 'individual', 'someone', 'somebody', 'mortal', 'soul', 'causal agent', 'cause', 'agent']);

const WAYS: { name: string; resize: ClassifierConfig['resize'] }[] = [
  { name: 'fill', resize: { fit: 'fill', cropFraction: 1 } },
  { name: 'cover', resize: { fit: 'cover', cropFraction: 1 } },
  { name: 'fill 87.5%', resize: { fit: 'fill', cropFraction: 0.875 } },
  { name: 'cover 87.5%', resize: { fit: 'cover', cropFraction: 0.875 } },
];

interface Item {
  name: string;
  image: RgbImage;
  /** does class `wnid` name this photo? */
  accepts: (wnid: string) => boolean;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const modelDir = resolve(arg('--model') ?? join(ROOT, 'native-models/imagenet-mobilenet-v2'));
  const tuxLimit = Number(arg('--tux') ?? 400);
  const log = (m: string) => console.error(m);
  const lex = defaultLexicon();
  /** the lemmas of a class and of its hypernyms up to `levels` steps up */
  const lemmasOf = (wnid: string, levels: number): string[] =>
    [...lex.ancestors(lex.indexOf(wnid)!)].filter(([, d]) => d <= levels).flatMap(([s]) => lex.lemmas(s).map(normalizeWord));

  const roots: Record<string, string> = {
    coral: CORAL,
    opencv: join(fetchDeb('opencv-doc', { cacheDir: CACHE, log }).root, 'usr/share/doc/opencv-doc/examples/data'),
    palapeli: join(fetchDeb('palapeli-data', { cacheDir: CACHE, log }).root, 'usr/share/palapeli/collection'),
  };
  const hand: Item[] = await Promise.all(
    Object.entries(HAND).map(async ([key, words]) => {
      const [src, file] = key.split(':') as [string, string];
      const ok = new Set(words.map(normalizeWord));
      return { name: key, image: await readRgb(join(roots[src]!, file)), accepts: (w: string) => lemmasOf(w, Infinity).some((l) => ok.has(l)) };
    }),
  );

  const tuxRoot = fetchDeb('tuxpaint-stamps-default', { cacheDir: CACHE, log }).root;
  const stamps = readTuxpaint(tuxRoot)
    .filter((s) => s.isPng && !s.id.split('/').includes('cartoon'))
    .sort((a, b) => a.id.localeCompare(b.id));
  const step = Math.max(1, stamps.length / tuxLimit);
  const picked = Array.from({ length: Math.min(tuxLimit, stamps.length) }, (_v, i) => stamps[Math.floor(i * step)]!);
  const tux: Item[] = await Promise.all(
    picked.map(async (s) => {
      const words = ` ${s.caption.toLowerCase().replace(/[^a-z' -]+/g, ' ')} `;
      return { name: s.id, image: await readRgb(s.file), accepts: (w: string) => lemmasOf(w, 4).some((l) => !GENERIC.has(l) && words.includes(` ${l} `)) };
    }),
  );

  const rows: { way: string; set: string; n: number; top1: number; top5: number }[] = [];
  for (const way of WAYS) {
    const clf = await loadClassifier(modelDir, { providers: ['cpu'], threads: 2, resize: way.resize });
    for (const [set, items] of [
      ['hand', hand],
      ['tux', tux],
    ] as const) {
      const res = await clf.classify(
        items.map((i) => i.image),
        5,
      );
      const hit = (k: number) => items.filter((it, j) => res[j]!.slice(0, k).some((r) => r.wnid && it.accepts(r.wnid))).length;
      rows.push({ way: way.name, set, n: items.length, top1: hit(1), top5: hit(5) });
    }
    await clf.dispose();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`model ${modelDir}; hand: ${hand.length} photos, tux: ${tux.length} stamps`);
  console.log('way           set   top-1        top-5');
  for (const r of rows) console.log(`${r.way.padEnd(13)} ${r.set.padEnd(5)} ${`${r.top1}/${r.n}`.padEnd(7)} ${((100 * r.top1) / r.n).toFixed(1).padStart(5)}%  ${`${r.top5}/${r.n}`.padEnd(7)} ${((100 * r.top5) / r.n).toFixed(1).padStart(5)}%`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
