// The committed classifier packages through the loader: the coral goldens from the fixture
// photos decoded at their own size, parity with TFLite's own outputs (LiteRT.js, recorded in
// test/fixtures/tflite/litert-reference.json), batching, labels, and refusals of damaged or
// foreign packages.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifierInput, ClassifierLabels, loadClassifier } from '../../../main/ml/perception/classifier';
import type { LoadedClassifier } from '../../../main/ml/perception/classifier';
import type { RgbImage } from '../../../main/ml/perception/types';
import { readRgb } from '../../../native-models/recipes/lib/images';
import { sha256 } from '../../../main/base/hash';
import { argmax, CORAL_PHOTOS, litertReference, margin, maxAbsDiff, referenceProbs } from '../convert/tflite-reference';

const MODELS = join(__dirname, '..', '..', '..', 'native-models');
const IMAGENET = join(MODELS, 'imagenet-mobilenet-v2');
const TFLITE_OF: Record<string, string> = {
  'imagenet-mobilenet-v2': 'mobilenet_v2_1.0_224_quant.tflite',
  'inat-birds': 'mobilenet_v2_1.0_224_inat_bird_quant.tflite',
  'inat-insects': 'mobilenet_v2_1.0_224_inat_insect_quant.tflite',
};

const photos = new Map<string, RgbImage>();
beforeAll(async () => {
  for (const f of ['cat.png', 'bird.png', 'grace_hopper.png', 'hot_dog.jpg', 'dragonfly.png', 'parrot.jpg', 'owl.jpg', 'pets.jpg', 'sunflower.png', 'kite_and_cold.jpg', 'face.jpg']) {
    photos.set(f, await readRgb(join(CORAL_PHOTOS, f)));
  }
});

describe('ImageNet classifier package: the coral goldens', () => {
  let squashed: LoadedClassifier;
  beforeAll(async () => {
    // The goldens were measured on the photos squashed whole to 224 x 224.
    squashed = await loadClassifier(IMAGENET, { providers: ['cpu'], threads: 2, resize: { fit: 'fill', cropFraction: 1 } });
  });
  afterAll(() => squashed.dispose());

  it.each([
    ['cat.png', 'Egyptian cat', 'n02124075', 0.74],
    ['bird.png', 'chickadee', 'n01592084', 0.98],
    ['grace_hopper.png', 'military uniform', 'n03763968', 0.9],
    ['hot_dog.jpg', 'hotdog', 'n07697537', 0.93],
    ['dragonfly.png', 'dragonfly', 'n02268443', 0.99],
  ])('%s -> %s (%s) %f, within 0.02', async (photo, label, wnid, score) => {
    const [top] = await squashed.classify([photos.get(photo)!], 3);
    expect(top).toHaveLength(3);
    expect(top![0]).toMatchObject({ label, wnid });
    expect(Math.abs(top![0]!.score - score)).toBeLessThan(0.02);
    expect(top![0]!.score).toBeGreaterThanOrEqual(top![1]!.score);
  });

  it("the package's own crop (central 87.5%, squashed) keeps every golden's top-1", async () => {
    const clf = await loadClassifier(IMAGENET, { providers: ['cpu'], threads: 2 });
    expect(clf.config.resize).toEqual({ fit: 'fill', cropFraction: 0.875 });
    const res = await clf.classify(['cat.png', 'bird.png', 'grace_hopper.png', 'hot_dog.jpg', 'dragonfly.png'].map((f) => photos.get(f)!), 1);
    expect(res.map((r) => r[0]!.label)).toEqual(['Egyptian cat', 'chickadee', 'military uniform', 'hotdog', 'dragonfly']);
    await clf.dispose();
  });

  it('a batch gives each photo what it gets alone, whatever the batch size', async () => {
    const all = [...photos.values()];
    const clf = await loadClassifier(IMAGENET, { providers: ['cpu'], threads: 2, batchSize: 4 });
    const together = await clf.classify(all, 5);
    const alone = [];
    for (const p of all) alone.push(...(await clf.classify([p], 5)));
    expect(together.map((r) => r.map((c) => c.index))).toEqual(alone.map((r) => r.map((c) => c.index)));
    for (const [i, r] of together.entries()) for (const [j, c] of r.entries()) expect(Math.abs(c.score - alone[i]![j]!.score)).toBeLessThan(1e-5);
    await clf.dispose();
  });

  it('never reports the background class, and any image size and shape is fine', async () => {
    const wide: RgbImage = { width: 3, height: 1, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]) };
    const [all] = await squashed.classify([wide], 2000);
    expect(all).toHaveLength(1000);
    expect(all!.some((c) => c.index === 0 || c.label === 'background')).toBe(false);
    expect(all!.reduce((s, c) => s + c.score, 0)).toBeGreaterThan(0.9);
  });

  it('says what is wrong with a malformed image', async () => {
    await expect(squashed.classify([{ width: 10, height: 10, data: new Uint8Array(12) }])).rejects.toThrow(/10 x 10 needs 300 bytes, got 12/);
  });
});

describe('labels', () => {
  it('ImageNet: 1,000 classes with distinct WordNet ids that increase with the class index', () => {
    const { classes } = ClassifierLabels.parse(JSON.parse(readFileSync(join(IMAGENET, 'labels.json'), 'utf8')));
    expect(classes).toHaveLength(1001);
    expect(classes[0]).toEqual({ label: 'background', background: true });
    const ids = classes.slice(1).map((c) => c.wnid!);
    expect(ids.every(Boolean)).toBe(true);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `${i}: ${ids[i - 1]} < ${ids[i]}`).toBe(true);
    expect(classes[1]).toEqual({ label: 'tench', names: ['tench', 'Tinca tinca'], wnid: 'n01440764' });
    expect(classes[935]).toMatchObject({ label: 'hotdog', names: ['hotdog', 'hot dog', 'red hot'], wnid: 'n07697537' });
    // the two 'crane's and 'maillot's are told apart by order
    expect(classes.filter((c) => c.label === 'crane').map((c) => c.wnid)).toEqual(['n02012849', 'n03126707']);
  });

  it('iNaturalist: Latin names with their common names, background last', () => {
    for (const id of ['inat-birds', 'inat-insects']) {
      const { classes } = ClassifierLabels.parse(JSON.parse(readFileSync(join(MODELS, id, 'labels.json'), 'utf8')));
      expect(classes[classes.length - 1]).toEqual({ label: 'background', background: true });
      expect(classes.filter((c) => c.background)).toHaveLength(1);
    }
    const birds = ClassifierLabels.parse(JSON.parse(readFileSync(join(MODELS, 'inat-birds', 'labels.json'), 'utf8'))).classes;
    expect(birds[3]).toEqual({ label: 'Cyanocitta cristata', commonName: 'Blue Jay' });
  });
});

describe.each(Object.entries(TFLITE_OF))('%s vs TFLite (LiteRT.js reference)', (id, tflite) => {
  it('the same top-1 wherever TFLite is clear (lead > 0.05); probabilities within a few hundredths on average', async () => {
    const ref = litertReference().models[tflite]!;
    const clf = await loadClassifier(join(MODELS, id), { providers: ['cpu'], threads: 2 });
    expect(ref.resize).toEqual(clf.config.resize);
    const names = Object.keys(ref.photos);
    const res = await clf.classify(
      names.map((n) => photos.get(n)!),
      clf.classes.length,
    );
    let sum = 0;
    for (const [i, n] of names.entries()) {
      expect(sha256(await classifierInput(photos.get(n)!, clf.config)), `${n}: input bytes differ from what TFLite saw`).toBe(ref.photos[n]!.input);
      const q = referenceProbs(ref, n);
      const p = new Float32Array(q.length);
      for (const c of res[i]!) p[c.index] = c.score;
      const bg = clf.classes.findIndex((c) => c.background);
      p[bg] = q[bg]!; // the loader never reports it
      if (margin(q) > 0.05 && argmax(q) !== bg) expect(argmax(p), n).toBe(argmax(q));
      sum += maxAbsDiff(p, q);
    }
    expect(sum / names.length).toBeLessThan(0.05);
    await clf.dispose();
  });
});

describe('iNaturalist packages on their own photos', () => {
  it('birds: the chickadee, the burrowing owl and the macaw, with their common names', async () => {
    const clf = await loadClassifier(join(MODELS, 'inat-birds'), { providers: ['cpu'], threads: 2 });
    const res = await clf.classify(['bird.png', 'owl.jpg', 'parrot.jpg'].map((f) => photos.get(f)!), 1);
    expect(res.map((r) => [r[0]!.label, r[0]!.commonName])).toEqual([
      ['Poecile atricapillus', 'Black-capped Chickadee'],
      ['Athene cunicularia', 'Burrowing Owl'],
      ['Ara macao', 'Scarlet Macaw'],
    ]);
    await clf.dispose();
  });
});

describe('refusals', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trove-classifier-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a damaged file (SHA-256 mismatch) is refused before anything runs', async () => {
    const copy = join(dir, 'damaged');
    cpSync(IMAGENET, copy, { recursive: true });
    const labels = readFileSync(join(copy, 'labels.json'), 'utf8');
    writeFileSync(join(copy, 'labels.json'), labels.replace('"tench"', '"trout"'));
    await expect(loadClassifier(copy)).rejects.toThrow(/labels.json of imagenet-mobilenet-v2 is damaged \(SHA-256 .*\)\. Reinstall it/);
  });

  it('a package of another kind is refused', async () => {
    const copy = join(dir, 'detector');
    cpSync(IMAGENET, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { kind: string };
    manifest.kind = 'detector';
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadClassifier(copy)).rejects.toThrow(/holds a detector package, not a classifier/);
  });

  it('a missing folder says what to do', async () => {
    await expect(loadClassifier(join(dir, 'nowhere'))).rejects.toThrow(/manifest.json is missing/);
  });
});
