// Reading a vlm2vec package back into a trainable model (its weights live only in
// model.onnx), and the anchor set's storage: pooled float16 trunk features that give the
// model the same visual tokens as the full maps.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../../main/ml/graph/graph';
import { readOnnxInitializers } from '../../../main/ml/graph/onnx-read';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { loadModel } from '../../../main/ml/models/index';
import { expandFeatures, poolFeatures, readAnchorSet, writeAnchorSet } from '../../../main/ml/models/vlm2vec/anchor';
import { featureSize, NANO_CONFIG, Vlm2vecModel } from '../../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../../main/ml/models/vlm2vec/model';
import { embedGraphOnnx, instructionsFromRecipe, writeVlm2vecPackage } from '../../../main/ml/models/vlm2vec/package';
import { readVlm2vecPackage } from '../../../main/ml/models/vlm2vec/package-read';
import { byteLevelTokenizerJson } from '../../../main/ml/models/vlm2vec/tokenizer';
import { vlm2vecFeeds } from '../../../main/ml/models/vlm2vec/train';
import { Ctx } from '../../../main/ml/nn/context';
import { createSession } from '../../../main/ml/runtime/session';
import { Rng } from '../../../main/ml/random';
import { INSTRUCTIONS } from '../../../native-models/recipes/lib/instructions';

const TINY: Vlm2vecConfig = { ...NANO_CONFIG, vocab: 259, dim: 16, heads: 2, layers: 2, mlpHidden: 32, maxTextTokens: 40, dropout: 0, seed: 5 };
const NANO_DIR = join(__dirname, '..', '..', '..', 'native-models', 'vlm2vec-nano');
// any bytes do as the trunk: these tests never run it
const FAKE_TRUNK = new Uint8Array([1, 2, 3]);

function tinyPackage(model: Vlm2vecModel): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-weights-'));
  writeVlm2vecPackage(dir, { id: 'tiny', version: '1', config: TINY, params: model.stateDict(), tokenizer: byteLevelTokenizerJson(), trunk: FAKE_TRUNK, instructions: instructionsFromRecipe(INSTRUCTIONS), provenance: 'test', licence: 'MIT' });
  return dir;
}

describe('readOnnxInitializers', () => {
  it('gives back every parameter of a written graph exactly, and float16 ones under their own names', () => {
    const model = new Vlm2vecModel(TINY);
    const exact = readOnnxInitializers(embedGraphOnnx(model));
    for (const p of model.parameters()) expect(Array.from(exact.get(p.name)!.data), p.name).toEqual(Array.from(p.data));
    const g = new Graph();
    const emb = model.buildEmbedGraph(new Ctx(g, { train: false }));
    const half = readOnnxInitializers(toOnnx(g, { outputs: { embedding: emb }, float16Params: true }).model);
    const w = model.projector.parameters()[0]!;
    const got = half.get(w.name)!;
    expect(got.dims).toEqual([...w.shape]);
    for (let i = 0; i < w.data.length; i++) expect(Math.abs(got.data[i]! - w.data[i]!)).toBeLessThanOrEqual(Math.abs(w.data[i]!) / 1024 + 1e-7);
  });

  it('refuses bytes that are not a model', () => {
    expect(() => readOnnxInitializers(new Uint8Array([0x08, 0x07]))).toThrow(/no graph/);
  });
});

describe('readVlm2vecPackage', () => {
  it('loads a written package into a model with the same weights', async () => {
    const model = new Vlm2vecModel(TINY);
    const back = await readVlm2vecPackage(tinyPackage(model));
    for (const p of model.parameters()) expect(back.model.stateDict().get(p.name)).toEqual(p.data);
    expect(back.tokenizer.vocabSize).toBe(259);
  });

  it('reads the shipped vlm2vec-nano: its weights embed exactly as the package does', async () => {
    const pkg = await readVlm2vecPackage(NANO_DIR);
    const loaded = await loadModel(NANO_DIR, { providers: ['cpu'], threads: 1 });
    const instruction = 'Find a note that matches the given query: {text}';
    const [want] = await loaded.embed([{ instruction, text: 'sourdough starter' }]);
    await loaded.dispose();
    const session = await createSession(embedGraphOnnx(pkg.model), { providers: ['cpu'], intraOpNumThreads: 1 });
    const tokens = pkg.tokenizer.encode(instruction, 'sourdough starter', 96);
    const rows = { ids: BigInt64Array.from(tokens.map(BigInt)), mask: new Float32Array(tokens.length).fill(1), seq: tokens.length, features: new Float32Array(featureSize(pkg.model.cfg)), hasImage: new Float32Array(1) };
    const got = (await session.run(vlm2vecFeeds(pkg.model, rows))).embedding.data as Float32Array;
    await session.release();
    expect(Array.from(got)).toEqual(Array.from(want!));
  });
});

describe('anchor set', () => {
  it('stores pooled features that give the model the same embedding as the full maps (up to float16)', async () => {
    const model = new Vlm2vecModel(TINY);
    const rng = new Rng(9);
    const n = 3;
    const full = rng.normals(n * featureSize(TINY), 2);
    const expanded = expandFeatures(poolFeatures(full, TINY), TINY);
    expect(poolFeatures(expanded, TINY)).toEqual(poolFeatures(full, TINY));
    const dir = mkdtempSync(join(tmpdir(), 'trove-anchor-'));
    const texts = ['Represent the given image.', 'Identify the object shown in the image', 'animals'];
    writeAnchorSet({
      path: join(dir, 'anchor.json'),
      cfg: TINY,
      trunkSha256: 'x',
      texts,
      features: full,
      replay: [{ query: { text: 1, image: 0 }, target: { text: 2, image: -1 }, set: 'cls-test' }],
      probe: [{ name: 'p', metaTask: 'classification', split: 'IND', rows: [{ query: { text: 1, image: 2 }, candidates: [{ text: 2, image: -1 }, { text: 0, image: 1 }] }] }],
      provenance: 'test',
    });
    expect(readFileSync(join(dir, 'anchor.bin')).byteLength).toBe((n * featureSize(TINY) * 2) / 4);
    const a = readAnchorSet(join(dir, 'anchor.json'), TINY);
    expect(a.imageCount).toBe(3);
    expect(a.replay).toEqual([{ query: { text: 1, image: 0 }, target: { text: 2, image: -1 }, set: 'cls-test' }]);
    expect(a.probe[0]!.rows[0]!.candidates[1]).toEqual({ text: 0, image: 1 });
    const session = await createSession(embedGraphOnnx(model), { providers: ['cpu'], intraOpNumThreads: 1 });
    const rows = (features: Float32Array) => ({ ids: new BigInt64Array(n * 2).fill(256n), mask: new Float32Array(n * 2).fill(1), seq: 2, features, hasImage: new Float32Array(n).fill(1) });
    const e1 = (await session.run(vlm2vecFeeds(model, rows(full)))).embedding.data as Float32Array;
    const e2 = (await session.run(vlm2vecFeeds(model, rows(a.features)))).embedding.data as Float32Array;
    await session.release();
    for (let i = 0; i < e1.length; i++) expect(Math.abs(e1[i]! - e2[i]!)).toBeLessThan(5e-3);
  });

  it('refuses an anchor set made for another model shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-anchor-'));
    writeAnchorSet({ path: join(dir, 'anchor.json'), cfg: TINY, trunkSha256: 'x', texts: ['a'], features: new Float32Array(featureSize(TINY)), replay: [], probe: [], provenance: 'test' });
    expect(() => readAnchorSet(join(dir, 'anchor.json'), { ...TINY, visualPool: 1 })).toThrow(/another model shape/);
  });
});
