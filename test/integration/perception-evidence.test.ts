// A model that reads perception evidence gets it end to end, through the real engine with the
// real perception passes: photos are embedded at once (no evidence yet), the passes run, and
// the refresh phase embeds them again with what the passes stored (a record row says which
// evidence each embedding read); a changed photo is refreshed again; a cancelled refresh
// resumes; Find by image, Point at, Sort into labels and Ask hand the evidence to the model;
// a dropped image's evidence is computed by the passes' own models and equals what the
// passes stored for the same photo. A model without perception tokens sees none of this.
//
// The models are tiny vlm2vec packages written here (random weights, the REAL CenterNet trunk,
// the perception config of vlm2vec-nano 0.2: the installed detector's and classifier's classes)
// so that evidence changes the vector; `RecordingModel` wraps the REAL loaded model and
// records what the engine asks it to embed.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryEvidence, storedEvidence } from '../../main/engine/embedding/evidence';
import { embeddingRecordVersion } from '../../main/engine/embedding/evidence-refresh';
import { targetInput } from '../../main/engine/embedding/instructions';
import { photoModelInput } from '../../main/engine/embedding/prepare';
import { findInstalled } from '../../main/engine/installed';
import { decodeForModel } from '../../main/engine/library/images';
import { Enrichment } from '../../main/engine/passes/enrichment';
import { AnswerCache, ask } from '../../main/engine/queries/ask';
import { photoQuery, queryImage } from '../../main/engine/queries/query-image';
import { TroveEngine } from '../../main/engine/service';
import { openDb, type Db } from '../../main/engine/store/db';
import { fromBlob } from '../../main/engine/store/embeddings';
import { getItem } from '../../main/engine/store/items';
import type { EmbedInput, EmbeddingModel, PerceptionEvidence } from '../../main/ml/models/embedding-model';
import { loadModel } from '../../main/ml/models/index';
import { Vlm2vecModel, type Vlm2vecConfig } from '../../main/ml/models/vlm2vec/model';
import { instructionsFromRecipe, writeVlm2vecPackage } from '../../main/ml/models/vlm2vec/package';
import { BYTE_VOCAB, byteLevelTokenizerJson } from '../../main/ml/models/vlm2vec/tokenizer';
import { evidenceOfRegion } from '../../main/ml/perception/evidence';
import { INSTRUCTIONS } from '../../native-models/recipes/lib/instructions';
import { nanoPerception } from '../../native-models/recipes/lib/nano-perception';
import { maxDiff, realTrunkOnnx, TINY } from '../support/vlm2vec-package';
import { tempDir } from '../support/tmp';

const CORAL = resolve(__dirname, '..', 'fixtures', 'photos', 'coral');
const DOCUMENTS = resolve(__dirname, '..', 'fixtures', 'documents');
const SOURCES = [join(CORAL, 'cat.png'), join(CORAL, 'grace_hopper.png'), join(CORAL, 'kite_and_cold.jpg'), join(CORAL, 'hot_dog.jpg'), join(DOCUMENTS, 'sign-9003.jpg')];
const PHOTOS = SOURCES.map((f) => f.slice(f.lastIndexOf('/') + 1));
const EVIDENCE_PASSES = ['labels', 'objects', 'text'];

/** A REAL loaded model, wrapped to record every input the engine embeds (a spy, not a double). */
class RecordingModel implements EmbeddingModel {
  readonly calls: EmbedInput[][] = [];
  /** called before each batch is embedded */
  onEmbed: (batch: EmbedInput[]) => void = () => undefined;
  constructor(private readonly real: EmbeddingModel) {}
  get id() { return this.real.id; }
  get version() { return this.real.version; }
  get family() { return this.real.family; }
  get dim() { return this.real.dim; }
  get imageSize() { return this.real.imageSize; }
  get instructions() { return this.real.instructions; }
  get perception() { return this.real.perception; }
  get provider() { return this.real.provider; }
  get inputs(): EmbedInput[] { return this.calls.flat(); }
  embed(batch: EmbedInput[]): Promise<Float32Array[]> {
    this.calls.push(batch);
    this.onEmbed(batch);
    return this.real.embed(batch);
  }
  dispose(): Promise<void> { return this.real.dispose(); }
}

let dir: ReturnType<typeof tempDir>;
let trunk: Uint8Array;
let withTokens: EmbeddingModel;
let plain: EmbeddingModel;

async function tinyPackage(config: Vlm2vecConfig, id: string): Promise<EmbeddingModel> {
  const d = mkdtempSync(join(dir.path, 'pkg-'));
  const instructions = instructionsFromRecipe(INSTRUCTIONS);
  writeVlm2vecPackage(d, { instructions, id, version: '0.0.1', config, params: new Vlm2vecModel(config).stateDict(), tokenizer: byteLevelTokenizerJson(), trunk, provenance: 'test', licence: 'MIT' });
  return loadModel(d, { providers: ['cpu'], threads: 2 });
}

function library(name: string): { root: string; lib: string; data: string } {
  const root = join(dir.path, name);
  const lib = join(root, 'Trip');
  mkdirSync(lib, { recursive: true });
  SOURCES.forEach((f, i) => copyFileSync(f, join(lib, PHOTOS[i]!)));
  return { root, lib, data: join(root, 'data') };
}

const photoIds = (db: Db) => new Map((db.prepare(`SELECT id, path FROM items WHERE kind = 'image'`).all() as { id: number; path: string }[]).map((r) => [r.path.slice(r.path.lastIndexOf('/') + 1), r.id]));
const vectorOf = (db: Db, itemId: number) => fromBlob((db.prepare('SELECT vector FROM embeddings WHERE item_id = ?').get(itemId) as { vector: Buffer }).vector);
const recordOf = (db: Db, itemId: number) => db.prepare(`SELECT version, hash FROM item_passes WHERE item_id = ? AND pass = 'embedding'`).get(itemId) as { version: string; hash: string } | undefined;

/** The record the photo's embedding must carry: its model version and the versions of the evidence passes that ran on it. */
function expectedRecord(db: Db, itemId: number): string {
  const it = getItem(db, itemId)!;
  const rows = db.prepare(`SELECT pass, version FROM item_passes WHERE item_id = ? AND hash = ? AND pass IN ('labels', 'objects', 'text')`).all(itemId, it.hash) as { pass: string; version: string }[];
  expect(rows.map((r) => r.pass).sort()).toEqual(EVIDENCE_PASSES);
  return embeddingRecordVersion(it.embeddedVersion!, new Map(rows.map((r) => [r.pass, r.version])));
}

/** What the engine's embedding of a library photo must be: its indexing input, with the evidence given. */
async function expectedVector(model: EmbeddingModel, path: string, perception?: PerceptionEvidence): Promise<Float32Array> {
  const input = targetInput(model, 'image', { image: await photoModelInput(readFileSync(path), model.imageSize!) });
  const [v] = await model.embed([perception ? { ...input, perception } : input]);
  return v!;
}

const imageInputs = (m: RecordingModel, instruction: string) => m.inputs.filter((x) => x.image && x.instruction === instruction);

beforeAll(async () => {
  dir = tempDir('trove-evidence-');
  trunk = realTrunkOnnx();
  const root = findInstalled('native-models');
  if (!root) throw new Error('native-models/ (the perception packages) was not found');
  const perception = nanoPerception(root, BYTE_VOCAB);
  withTokens = await tinyPackage({ ...TINY, vocab: BYTE_VOCAB + 2, perception }, 'vlm2vec-evidence-test');
  plain = await tinyPackage({ ...TINY }, 'vlm2vec-plain-test');
  expect(withTokens.perception?.kinds).toEqual(['objects', 'labels', 'text']);
  expect(plain.perception).toBeUndefined();
}, 180_000);

afterAll(async () => {
  await withTokens?.dispose();
  await plain?.dispose();
  dir?.cleanup();
});

describe('a model that reads perception evidence', () => {
  let lib: ReturnType<typeof library>;
  let spy: RecordingModel;
  let engine: TroveEngine;
  let db: Db;
  /** what the first indexing run embedded (the tests after it run in any order) */
  let indexed: EmbedInput[];
  const openEngine = (model: EmbeddingModel, batchSize?: number) => new TroveEngine({ dataDir: lib.data, model, watch: false, autoIndex: false, ...(batchSize ? { batchSize } : {}) });

  beforeAll(async () => {
    lib = library('reads');
    spy = new RecordingModel(withTokens);
    engine = openEngine(spy);
    await engine.addSource({ path: lib.lib });
    await engine.startIndexing({});
    expect((await engine.waitForIndexing())!.state).toBe('done');
    indexed = [...spy.inputs];
    db = openDb(join(lib.data, 'trove.db'));
  }, 300_000);

  afterAll(async () => {
    db?.close();
    await engine?.close();
  });

  it('after indexing with the passes, every photo embedding read what the passes stored (record rows; the vector is not the pixels-only one)', async () => {
    const target = withTokens.instructions.retrieval_text_to_image.target;
    const embedded = indexed.filter((x) => x.image && x.instruction === target);
    // each photo twice: at once with no evidence (searchable before the passes), then again with it
    expect(embedded.length).toBe(2 * PHOTOS.length);
    expect(embedded.slice(0, PHOTOS.length).every((x) => x.perception === undefined)).toBe(true);
    expect(embedded.slice(PHOTOS.length).every((x) => x.perception !== undefined)).toBe(true);
    const ids = photoIds(db);
    for (const [file, id] of ids) {
      const it = getItem(db, id)!;
      expect(recordOf(db, id), file).toEqual({ version: expectedRecord(db, id), hash: it.hash });
      const evidence = storedEvidence(db, id, it.hash)!;
      const stored = vectorOf(db, id);
      expect(maxDiff(stored, await expectedVector(withTokens, it.path, evidence)), file).toBeLessThan(1e-5);
      expect(maxDiff(stored, await expectedVector(withTokens, it.path)), file).toBeGreaterThan(1e-3);
    }
    // what the passes saw reached the model: a cat, people at the kite, a hot dog
    const evidenceOf = (file: string) => storedEvidence(db, ids.get(file)!, getItem(db, ids.get(file)!)!.hash)!;
    expect(evidenceOf('cat.png').labels[0]!.label).toBe('Egyptian cat');
    expect(evidenceOf('kite_and_cold.jpg').objects.map((o) => o.label)).toContain('person');
    expect(evidenceOf('hot_dog.jpg').objects.length + evidenceOf('hot_dog.jpg').labels.length).toBeGreaterThan(0);
    expect(evidenceOf('sign-9003.jpg').text.length).toBeGreaterThan(0);
    // the record is no pass: status does not count it
    expect((await engine.status()).passes.map((p) => p.pass)).not.toContain('embedding');
  }, 120_000);

  it('a run with nothing new embeds nothing again', async () => {
    const before = spy.inputs.length;
    await engine.startIndexing({});
    expect((await engine.waitForIndexing())!.state).toBe('done');
    expect(spy.inputs.length).toBe(before);
  }, 120_000);

  it('Find by image (a library photo), Point at and Sort into labels give the model the stored evidence', async () => {
    const ids = photoIds(db);
    const cat = getItem(db, ids.get('cat.png')!)!;
    const catEvidence = storedEvidence(db, cat.id, cat.hash)!;
    const { instructions } = withTokens;

    spy.calls.length = 0;
    const similar = await engine.find({ imageItemId: cat.id, k: PHOTOS.length, filters: {}, sort: 'relevance' });
    expect(similar.results.length).toBe(PHOTOS.length);
    const [byImage] = imageInputs(spy, instructions.retrieval_image_to_image.query.replace('{text}', ''));
    expect(byImage?.perception).toEqual(catEvidence);

    spy.calls.length = 0;
    const pointed = await engine.pointAt({ caption: 'the cat', k: 2, filters: {} });
    expect(pointed.results.length).toBeGreaterThan(0);
    const queries = spy.inputs.filter((x) => x.image && x.instruction.includes('the cat'));
    const regions = spy.inputs.filter((x) => x.image && x.instruction === instructions.grounding.target);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q.perception).toBeDefined();
    // the first photo's query carries its stored evidence; its first region (the whole photo) all of it
    const whole = queries[0]!.perception!;
    expect([...ids.values()].map((id) => storedEvidence(db, id, getItem(db, id)!.hash))).toContainEqual(whole);
    expect(regions[0]!.perception).toEqual(evidenceOfRegion(whole, { x: 0, y: 0, width: 1, height: 1 }));
    const quarter = regions.find((r) => r.perception && r.perception.labels.length === 0);
    expect(quarter, 'a small region keeps none of the whole photo labels').toBeDefined();

    spy.calls.length = 0;
    await engine.sortIntoLabels({ labels: ['a cat', 'people', 'food'] });
    expect((await engine.waitForLabels())!.state).toBe('done');
    const classified = imageInputs(spy, instructions.classification.query.replace('{text}', ''));
    expect(classified.length).toBe(PHOTOS.length);
    const evidences = [...ids.values()].map((id) => storedEvidence(db, id, getItem(db, id)!.hash));
    for (const c of classified) expect(evidences).toContainEqual(c.perception);
  }, 240_000);

  it('Ask and a dropped image: stored evidence for a library photo, the passes models for bytes (the same values the passes stored)', async () => {
    const ids = photoIds(db);
    const kite = getItem(db, ids.get('kite_and_cold.jpg')!)!;
    const stored = storedEvidence(db, kite.id, kite.hash)!;
    const enrichment = new Enrichment({ db, dataDir: lib.data, log: () => undefined });
    try {
      const evidence = queryEvidence(db, () => enrichment.evidenceModels());
      spy.calls.length = 0;
      const q = await photoQuery(spy, kite, evidence);
      expect(q.perception).toEqual(stored);
      const answered = await ask(spy, new AnswerCache(), { itemId: kite.id, ...q, question: 'How many people?', options: [], k: 3 });
      expect(answered.answers.length).toBe(3);
      expect(spy.inputs.find((x) => x.image && x.instruction.includes('How many people?'))?.perception).toEqual(stored);

      // through the engine: Ask on the photo, and Find with its bytes dropped in
      spy.calls.length = 0;
      await engine.ask({ itemId: kite.id, question: 'How many people?', options: [], k: 3 });
      expect(spy.inputs.find((x) => x.image && x.instruction.includes('How many people?'))?.perception).toEqual(stored);
      spy.calls.length = 0;
      await engine.find({ imageBase64: readFileSync(kite.path).toString('base64'), k: 2, filters: {}, sort: 'relevance' });
      const droppedInput = imageInputs(spy, withTokens.instructions.retrieval_image_to_image.query.replace('{text}', ''))[0];
      expect(droppedInput?.perception?.objects.map((o) => o.label).sort()).toEqual(stored.objects.map((o) => o.label).sort());

      // a dropped image: the passes' models run on it; for a library photo's bytes, what its passes stored
      for (const file of ['kite_and_cold.jpg', 'sign-9003.jpg']) {
        const it = getItem(db, ids.get(file)!)!;
        const saved = storedEvidence(db, it.id, it.hash)!;
        const bytes = readFileSync(it.path);
        const dropped = await queryImage(spy, { imageBase64: bytes.toString('base64') }, () => it, evidence);
        expect(dropped!.image).toEqual(await decodeForModel(bytes, spy.imageSize!));
        const computed = dropped!.perception!;
        expect(computed.labels.map((l) => [l.label, l.wnid]), file).toEqual(saved.labels.map((l) => [l.label, l.wnid]));
        computed.labels.forEach((l, i) => expect(l.score).toBeCloseTo(saved.labels[i]!.score, 5));
        expect(computed.objects.map((o) => o.label).sort(), file).toEqual(saved.objects.map((o) => o.label).sort());
        expect(computed.text, file).toEqual(saved.text.map((l) => ({ text: l.text, box: expect.objectContaining({ x: expect.closeTo(l.box.x, 5) }) })));
      }
      // no perception models at hand: not known (the pixels alone), which is not "nothing found"
      const bytes = readFileSync(kite.path);
      const kinds = withTokens.perception!.kinds;
      expect(await queryEvidence(db).ofBytes(bytes, kinds)).toBeUndefined();
      const none = new Enrichment({ db, dataDir: lib.data, log: () => undefined, withoutModels: true });
      expect(await queryEvidence(db, () => none.evidenceModels()).ofBytes(bytes, kinds)).toBeUndefined();
    } finally {
      await enrichment.dispose();
    }
  }, 180_000);

  it('a changed photo is embedded again with the evidence of its new content', async () => {
    const ids = photoIds(db);
    const id = ids.get('hot_dog.jpg')!;
    const oldHash = getItem(db, id)!.hash;
    copyFileSync(join(CORAL, 'pets.jpg'), join(lib.lib, 'hot_dog.jpg'));
    spy.calls.length = 0;
    await engine.rescan();
    await engine.startIndexing({});
    expect((await engine.waitForIndexing())!.state).toBe('done');
    const it = getItem(db, id)!;
    expect(it.hash).not.toBe(oldHash);
    const target = withTokens.instructions.retrieval_text_to_image.target;
    expect(imageInputs(spy, target).map((x) => x.perception !== undefined)).toEqual([false, true]);
    expect(recordOf(db, id)).toEqual({ version: expectedRecord(db, id), hash: it.hash });
    const evidence = storedEvidence(db, id, it.hash)!;
    expect(evidence.labels.map((l) => l.label)).not.toContain('hotdog');
    expect(maxDiff(vectorOf(db, id), await expectedVector(withTokens, it.path, evidence))).toBeLessThan(1e-5);
  }, 180_000);

  it('the refresh pauses and resumes; cancelled, it stops between batches and the next run embeds the rest', async () => {
    await engine.close();
    // make every photo's record stale, as after a pass's new version
    db.prepare(`UPDATE item_passes SET version = 'stale' WHERE pass = 'embedding'`).run();
    const spy2 = new RecordingModel(withTokens);
    engine = openEngine(spy2, 1);
    try {
      const target = withTokens.instructions.retrieval_text_to_image.target;
      const refreshed = () => imageInputs(spy2, target).length;
      // paused while the first photo is embedded (nothing more is embedded until it resumes), then
      // cancelled while the second is: the first is stored, the second is not
      let paused: Promise<{ ok: boolean; heldStill: boolean }> | undefined;
      spy2.onEmbed = (batch) => {
        if (!batch.some((x) => x.perception)) return;
        if (refreshed() === 1) {
          paused = (async () => {
            const { ok } = await engine.pauseIndexing();
            await new Promise((r) => setTimeout(r, 400));
            const heldStill = refreshed() === 1;
            await engine.resumeIndexing();
            return { ok, heldStill };
          })();
        }
        if (refreshed() === 2) void engine.cancelIndexing();
      };
      await engine.startIndexing({});
      const final = await engine.waitForIndexing();
      spy2.onEmbed = () => undefined;
      expect(await paused).toEqual({ ok: true, heldStill: true });
      expect(final!.state).toBe('cancelled');
      const stale = () => [...photoIds(db).values()].filter((id) => recordOf(db, id)!.version === 'stale').length;
      expect(refreshed()).toBe(2);
      expect(stale()).toBe(PHOTOS.length - 1);
      await engine.startIndexing({});
      expect((await engine.waitForIndexing())!.state).toBe('done');
      expect(stale()).toBe(0);
      // the resumed run embeds the photos left (the cancelled batch's photo again), not the one stored
      expect(refreshed()).toBe(2 + PHOTOS.length - 1);
      for (const id of photoIds(db).values()) {
        const it = getItem(db, id)!;
        expect(maxDiff(vectorOf(db, id), await expectedVector(withTokens, it.path, storedEvidence(db, id, it.hash)))).toBeLessThan(1e-5);
      }
    } finally {
      // the other tests' engine, recording with their spy
      await engine.close();
      engine = openEngine(spy);
    }
  }, 240_000);
});

describe('a model without perception tokens (as vlm2vec-nano 0.1)', () => {
  it('is embedded and queried as before: no evidence in any input, no record rows, no second embedding', async () => {
    const lib = library('plain');
    const spy = new RecordingModel(plain);
    const engine = new TroveEngine({ dataDir: lib.data, model: spy, watch: false, autoIndex: false });
    const db = openDb(join(lib.data, 'trove.db'));
    try {
      await engine.addSource({ path: lib.lib });
      await engine.startIndexing({});
      expect((await engine.waitForIndexing())!.state).toBe('done');
      expect(imageInputs(spy, plain.instructions.retrieval_text_to_image.target).length).toBe(PHOTOS.length);
      expect(db.prepare(`SELECT count(*) AS n FROM item_passes WHERE pass = 'labels'`).get()).toEqual({ n: PHOTOS.length });
      expect(db.prepare(`SELECT count(*) AS n FROM item_passes WHERE pass = 'embedding'`).get()).toEqual({ n: 0 });
      const ids = photoIds(db);
      for (const id of ids.values()) expect(maxDiff(vectorOf(db, id), await expectedVector(plain, getItem(db, id)!.path))).toBe(0);
      await engine.find({ imageItemId: ids.get('cat.png')!, k: 2, filters: {}, sort: 'relevance' });
      await engine.pointAt({ caption: 'the cat', k: 1, filters: {} });
      await engine.sortIntoLabels({ labels: ['a cat', 'people'] });
      await engine.waitForLabels();
      const cat = getItem(db, ids.get('cat.png')!)!;
      const q = await photoQuery(spy, cat, queryEvidence(db));
      expect(q.perception).toBeUndefined();
      expect(spy.inputs.some((x) => x.perception !== undefined)).toBe(false);
    } finally {
      db.close();
      await engine.close();
    }
  }, 300_000);
});
