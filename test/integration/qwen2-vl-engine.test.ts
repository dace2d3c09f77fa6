// Every task runs with a qwen2-vl model: the real engine indexes real photos and a note with
// the tiny Qwen2-VL export (random weights, so the rankings mean nothing; what is checked is
// that each task goes through the family end to end and returns well-formed results): Find
// by text and by image, Ask, Sort into labels, Point at.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../main/contract/api';
import { TroveEngine } from '../../main/engine/service';
import { loadModel } from '../../main/ml/models/index';
import { writeTinyExport } from '../support/qwen2vl-tiny';
import { tempDir } from '../support/tmp';

const CORAL = join(__dirname, '..', 'fixtures', 'photos', 'coral');
const parsed = <M extends 'ask' | 'pointAt' | 'sortIntoLabels'>(m: M, req: unknown) => methods[m].request.parse(req) as never;

let dir: ReturnType<typeof tempDir>;
let engine: TroveEngine;
const ids: Record<string, number> = {};

beforeAll(async () => {
  dir = tempDir('trove-qwen2vl-engine-');
  const lib = join(dir.path, 'library');
  mkdirSync(lib);
  for (const f of ['parrot.jpg', 'pets.jpg', 'owl.jpg']) copyFileSync(join(CORAL, f), join(lib, f));
  writeFileSync(join(lib, 'bread.md'), '# Sourdough\n\nFeed the starter the night before.\n');
  writeTinyExport(join(dir.path, 'tiny'));
  const model = await loadModel(join(dir.path, 'tiny'), { providers: ['cpu'], threads: 2 });
  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model, batchSize: 4, perception: false, ownsModel: true });
  await engine.addSource({ path: lib });
  await engine.startIndexing({});
  expect((await engine.waitForIndexing())?.state).toBe('done');
  const all = await engine.find({ text: 'x', k: 100, filters: {}, sort: 'relevance' });
  for (const r of all.results) ids[r.path.split('/').pop()!] = r.id;
}, 300_000);
afterAll(async () => {
  await engine?.close();
  dir.cleanup();
});

describe('every task with a qwen2-vl model', () => {
  it('indexes photos and notes, and Find returns them by text and by image', async () => {
    expect(Object.keys(ids).sort()).toEqual(['bread.md', 'owl.jpg', 'parrot.jpg', 'pets.jpg']);
    const st = await engine.status();
    expect(st.embedded).toBe(4);
    const like = await engine.find({ imageItemId: ids['owl.jpg'], k: 3, filters: { kinds: ['image'] }, sort: 'relevance' });
    expect(like.results.length).toBeGreaterThan(0);
  });

  it('Ask ranks answers for a photo', async () => {
    const res = await engine.ask(parsed('ask', { itemId: ids['parrot.jpg'], question: 'what animal is this', options: ['parrot', 'dog'], k: 3 }));
    expect((res as { answers: unknown[] }).answers).toHaveLength(3);
  }, 120_000);

  it('Sort into labels labels every photo', async () => {
    await engine.sortIntoLabels(parsed('sortIntoLabels', { labels: ['bird', 'dog'] }));
    expect(await engine.waitForLabels()).toMatchObject({ state: 'done', done: 3, total: 3 });
  }, 120_000);

  it('Point at returns photos with a region', async () => {
    const res = (await engine.pointAt(parsed('pointAt', { caption: 'the bird', k: 2 }))) as { results: { box?: unknown }[] };
    expect(res.results.length).toBeGreaterThan(0);
    expect(res.results[0]!.box).toBeDefined();
  }, 300_000);
});

describe("Settings' Add model", () => {
  it('checks an export folder, adds it to the library models with what it is and where it runs, and Settings lists it and says it cannot be fine-tuned', async () => {
    const exportDir = join(dir.path, 'export-for-settings');
    writeTinyExport(exportDir);
    const added = await engine.addModel(methods.addModel.request.parse({ dir: exportDir }));
    expect(added).toMatchObject({ model: { family: 'qwen2-vl' }, trainable: false, trainingReason: expect.stringMatching(/Trove's trainer/) });
    expect(added.providers.some((p) => p.name === 'cpu' && p.available)).toBe(true);
    expect(added.model.dir.startsWith(join(dir.path, 'data', 'models'))).toBe(true);
    const settings = await engine.getSettings({});
    expect(settings.availableModels.map((m) => m.dir)).toContain(added.model.dir);
    // the running model is the tiny export too: Settings says why it cannot be fine-tuned
    expect(settings.training).toMatchObject({ trainable: false, reason: expect.stringMatching(/Trove's trainer/) });
  }, 120_000);

  it('a folder that holds no export is a clear error', async () => {
    await expect(engine.addModel(methods.addModel.request.parse({ dir: join(dir.path, 'library') }))).rejects.toThrow(/could not be added as a model: .*Pick the folder of a Qwen2-VL embedding export/);
  });
});
