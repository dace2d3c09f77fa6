// Perception tokens of the vlm2vec family (configVersion 3): the slots made from evidence
// (pure), the read-text segment, and a tiny package end to end: evidence changes the
// embedding, a batch of mixed inputs equals one-by-one, the inference ONNX equals the training
// graph's forward with the perception columns, and a package without perception tokens
// (configVersion 2, as vlm2vec-nano 0.1) still loads and ignores evidence.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbedInput, PerceptionEvidence } from '../../../main/ml/models/embedding-model';
import { maxDiff, realTrunkOnnx, testImage, TINY, trainingBatch } from '../../support/vlm2vec-package';
import { loadModel } from '../../../main/ml/models/index';
import { readModelPackage } from '../../../main/ml/models/model-package';
import { inputTokens, slotFeeds, type Vlm2vecEmbedder } from '../../../main/ml/models/vlm2vec/family';
import { featureSize, perceptionSlotCount, Vlm2vecModel, type Vlm2vecConfig } from '../../../main/ml/models/vlm2vec/model';
import { instructionsFromRecipe, writeVlm2vecPackage } from '../../../main/ml/models/vlm2vec/package';
import { perceptionSlots, SLOT_FEATURES, withTextSegment, type Vlm2vecPerceptionConfig } from '../../../main/ml/models/vlm2vec/perception';
import { BYTE_VOCAB, byteLevelTokenizerJson, PromptTokenizer } from '../../../main/ml/models/vlm2vec/tokenizer';
import { vlm2vecChunkEncoder } from '../../../main/ml/models/vlm2vec/train';
import { INSTRUCTIONS } from '../../../native-models/recipes/lib/instructions';

const instructions = instructionsFromRecipe(INSTRUCTIONS);

const PERCEPTION: Vlm2vecPerceptionConfig = {
  objectSlots: 3,
  labelSlots: 2,
  minLabelScore: 0.05,
  objectClasses: ['person', 'dog', 'cat', 'car'],
  labelClasses: ['n02099601', 'n02123045', 'n04285008'],
  textTokens: 12,
  textOpen: BYTE_VOCAB,
  textClose: BYTE_VOCAB + 1,
  packages: { labels: 'imagenet-test@1', objects: 'coco-test@1', text: 'ocr-test@1' },
};
const CFG: Vlm2vecConfig = { ...TINY, vocab: BYTE_VOCAB + 2, perception: PERCEPTION };

const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });
const DOG_AND_PEOPLE: PerceptionEvidence = {
  objects: [
    { label: 'person', score: 0.5, box: box(0.0, 0.1, 0.2, 0.6) },
    { label: 'dog', score: 0.8, box: box(0.6, 0.5, 0.3, 0.3) },
    { label: 'person', score: 0.7, box: box(0.3, 0.1, 0.2, 0.6) },
    { label: 'zebra', score: 0.9, box: box(0, 0, 1, 1) },
  ],
  labels: [
    { label: 'golden retriever', score: 0.6, wnid: 'n02099601' },
    { label: 'tabby', score: 0.03, wnid: 'n02123045' },
    { label: 'Blue Jay (Cyanocitta cristata)', score: 0.2 },
  ],
  text: [],
};
const feature = (s: ReturnType<typeof perceptionSlots>, slot: number, i: number) => s.features[slot * SLOT_FEATURES + i];

describe('perception slots', () => {
  it('no evidence: every slot masked; nothing found: the summary slot alone', () => {
    const none = perceptionSlots(PERCEPTION, undefined);
    expect(none.mask).toEqual([0, 0, 0, 0, 0, 0]);
    expect(none.features.every((v) => v === 0)).toBe(true);
    const empty = perceptionSlots(PERCEPTION, { objects: [], labels: [], text: [] });
    expect(empty.mask).toEqual([1, 0, 0, 0, 0, 0]);
    expect(empty.ids[0]).toBe(0);
    expect(feature(empty, 0, 0)).toBe(1);
  });

  it('one slot per detected class, best first, with its count, centre and extent; unknown classes left out', () => {
    const s = perceptionSlots(PERCEPTION, DOG_AND_PEOPLE);
    // summary, dog (0.8), person (0.7, two boxes), then the one label above 0.05 with a known wnid
    expect(s.mask).toEqual([1, 1, 1, 0, 1, 0]);
    expect(s.ids.slice(0, 3)).toEqual([0, 1 + 1, 1 + 0]);
    expect(feature(s, 1, 3)).toBeCloseTo(0.8);
    expect(feature(s, 1, 4)).toBe(1); // one dog
    expect(feature(s, 2, 5)).toBe(1); // two people
    expect(feature(s, 2, 4)).toBe(0);
    expect(feature(s, 2, 10)).toBeCloseTo((0.1 + 0.4) / 2 - 0.5); // mean centre x of the two people
    expect(feature(s, 2, 12)).toBeCloseTo(0 - 0.5); // leftmost edge
    expect(feature(s, 2, 13)).toBeCloseTo(0.5 - 0.5); // rightmost edge
    expect(s.ids[4]).toBe(1 + 4 + 0); // golden retriever, after the 4 object classes
    expect(feature(s, 4, 3)).toBeCloseTo(0.6);
    expect(feature(s, 0, 4)).toBeCloseTo(0.4); // 4 detections / 10
  });

  it('the read text goes in a marked segment after <s>, cut to textTokens; none when nothing was read', () => {
    const tok = PromptTokenizer.byteLevel();
    const plain = inputTokens(CFG, tok, { instruction: 'Represent the given image.', text: '' });
    expect(plain).toEqual(tok.encode('Represent the given image.', '', CFG.maxTextTokens));
    const read = inputTokens(CFG, tok, { instruction: 'Represent the given image.', text: '', perception: { ...DOG_AND_PEOPLE, text: [{ text: 'OPEN 9-5', box: box(0, 0, 1, 0.1) }, { text: 'every day of the week', box: box(0, 0.2, 1, 0.1) }] } });
    expect(read[0]).toBe(plain[0]);
    expect(read[1]).toBe(CFG.perception!.textOpen);
    expect(read[2 + 12]).toBe(CFG.perception!.textClose);
    expect(tok.decode(read.slice(2, 14))).toBe('OPEN 9-5 eve');
    expect(read.slice(15)).toEqual(plain.slice(1));
    expect(withTextSegment(PERCEPTION, [5, 6], [])).toEqual([5, 6]);
  });
});

describe('a vlm2vec package with perception tokens', () => {
  let trunk: Uint8Array;
  let model: Vlm2vecModel;
  let emb: Vlm2vecEmbedder;
  let plainEmb: Vlm2vecEmbedder;
  let dir: string;
  let plainDir: string;

  beforeAll(async () => {
    trunk = realTrunkOnnx();
    model = new Vlm2vecModel(CFG);
    const write = (config: Vlm2vecConfig, params: ReadonlyMap<string, Float32Array>): string => {
      const d = mkdtempSync(join(tmpdir(), 'trove-vlm2vec-perception-'));
      writeVlm2vecPackage(d, { instructions, id: 'vlm2vec-perception-test', version: '0.0.1', config, params, tokenizer: byteLevelTokenizerJson(), trunk, provenance: 'test', licence: 'MIT' });
      return d;
    };
    dir = write(CFG, model.stateDict());
    emb = (await loadModel(dir, { providers: ['cpu'], threads: 2 })) as Vlm2vecEmbedder;
    const plain = new Vlm2vecModel({ ...TINY });
    plainDir = write({ ...TINY }, plain.stateDict());
    plainEmb = (await loadModel(plainDir, { providers: ['cpu'], threads: 2 })) as Vlm2vecEmbedder;
  });
  afterAll(async () => {
    await emb?.dispose();
    await plainEmb?.dispose();
  });

  it('is written as configVersion 3 and says which evidence it reads; one without perception stays version 2', async () => {
    expect(JSON.parse(readFileSync(join(dir, 'vlm2vec.json'), 'utf8'))).toMatchObject({ configVersion: 3, config: { perception: { objectSlots: 3, labelSlots: 2 } } });
    expect((await readModelPackage(dir)).manifest.family).toBe('vlm2vec');
    expect(emb.perception).toEqual({ kinds: ['objects', 'labels', 'text'], packages: { objects: 'coco-test@1', labels: 'imagenet-test@1', text: 'ocr-test@1' } });
    expect(plainEmb.perception).toBeUndefined();
    expect((JSON.parse(readFileSync(join(plainDir, 'vlm2vec.json'), 'utf8')) as { configVersion: number }).configVersion).toBe(2);
  });

  const inputs = (): EmbedInput[] => [
    { image: testImage(0), instruction: 'Represent the given image.', text: '', perception: DOG_AND_PEOPLE },
    { image: testImage(0), instruction: 'Represent the given image.', text: '' },
    { instruction: 'Find me an everyday image that matches the given caption: {text}', text: 'a dog and two people' },
    { image: testImage(1), instruction: 'Represent the given image with the following question: {text}', text: 'What is written?', perception: { objects: [], labels: [], text: [{ text: 'EXIT', box: box(0.4, 0.4, 0.2, 0.1) }] } },
    { image: testImage(1), instruction: 'Represent the given image.', text: '', perception: { objects: [], labels: [], text: [] } },
  ];

  it('evidence changes the embedding; a mixed batch equals one-by-one', async () => {
    const out = await emb.embed(inputs());
    for (const v of out) expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-5);
    expect(maxDiff(out[0], out[1])).toBeGreaterThan(1e-4); // with vs without evidence
    const emptyVsNone = await emb.embed([{ image: testImage(1), instruction: 'Represent the given image.', text: '' }]);
    expect(maxDiff(out[4], emptyVsNone[0])).toBeGreaterThan(1e-5); // "nothing found" is evidence too
    for (let i = 0; i < out.length; i++) {
      const [one] = await emb.embed([inputs()[i]]);
      expect(maxDiff(one, out[i])).toBeLessThan(1e-5);
    }
  });

  it('a model without perception tokens (configVersion 2) ignores evidence', async () => {
    const [a, b] = await plainEmb.embed([inputs()[0], inputs()[1]]);
    expect(maxDiff(a, b)).toBe(0);
  });

  it('the inference ONNX matches the training graph forward with the perception columns (< 1e-5)', async () => {
    const xs = inputs();
    const { ids, mask, seq, features, hasImage } = await trainingBatch(emb, xs, featureSize(CFG));
    const slots = slotFeeds(CFG, xs.map((x) => x.perception));
    expect(slots.mask.length).toBe(xs.length * perceptionSlotCount(CFG));
    const enc = await vlm2vecChunkEncoder(model, { providers: ['cpu'], intraOpNumThreads: 2 });
    try {
      const train = await enc.encode({ ids, mask, seq, features, hasImage, perceptionIds: slots.ids, perceptionFeatures: slots.features, perceptionMask: slots.mask }, 1);
      const inf = await emb.embed(xs);
      for (let i = 0; i < xs.length; i++) expect(maxDiff(train.subarray(i * 16, (i + 1) * 16), inf[i])).toBeLessThan(1e-5);
    } finally {
      await enc.release();
    }
  });
});
