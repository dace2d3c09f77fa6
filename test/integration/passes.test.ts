// The perception passes on real photos, through the real engine: what they store, the
// full-text index they feed, a pass that fails on one photo, and a run stopped midway.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroveEngine } from '../../main/engine/service';
import type { Pass } from '../../main/engine/passes/pass';
import { PassJob } from '../../main/engine/passes/pass-job';
import { buildPasses, disposePerceptionModels, loadPerceptionModels, type PerceptionModels } from '../../main/engine/passes/perception-set';
import { defaultGazetteer } from '../../main/engine/places/gazetteer';
import { defaultLexicon } from '../../main/engine/lexicon/lexicon';
import { openDb, type Db } from '../../main/engine/store/db';
import { insertJob } from '../../main/engine/store/jobs';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { tempDir } from '../support/tmp';

const CORAL = resolve(__dirname, '..', 'fixtures', 'photos', 'coral');
const PHOTOS = ['cat.png', 'grace_hopper.png', 'kite_and_cold.jpg', 'parrot.jpg', 'hot_dog.jpg', 'pets.jpg'];

let dir: ReturnType<typeof tempDir>;
let models: PerceptionModels;

/** A library of the coral photos and a note, indexed (embeddings, documents, the passes that need no model) without the model passes. */
async function indexedLibrary(name: string): Promise<{ data: string; db: Db; ids: Map<string, number> }> {
  const lib = join(dir.path, name, 'Holiday snaps');
  mkdirSync(lib, { recursive: true });
  PHOTOS.forEach((f, i) => copyFileSync(join(CORAL, f), join(lib, `IMG_${4000 + i}${f.slice(f.lastIndexOf('.'))}`)));
  writeFileSync(join(lib, 'packing.md'), '# Packing\n\nSunscreen, a kite, warm socks and the guest wifi password.\n');
  const data = join(dir.path, name, 'data');
  const e = new TroveEngine({ dataDir: data, model: new HashedTestEmbedder(), perception: false });
  await e.addSource({ path: join(dir.path, name) });
  await e.startIndexing({});
  expect((await e.waitForIndexing())!.state).toBe('done');
  await e.close();
  const db = openDb(join(data, 'trove.db'));
  const ids = new Map((db.prepare(`SELECT id, path FROM items`).all() as { id: number; path: string }[]).map((r) => [r.path.slice(r.path.lastIndexOf('/') + 1), r.id]));
  return { data, db, ids };
}

function passJob(db: Db, passes: Pass[]): PassJob {
  return new PassJob({ db, jobId: insertJob(db, 'index', 0), passes, refreshDocs: () => undefined, onProgress: () => undefined });
}

const realPasses = () => buildPasses(models, { gazetteer: defaultGazetteer(), gazetteerVersion: 'test', lexicon: defaultLexicon() });

beforeAll(async () => {
  dir = tempDir();
  models = await loadPerceptionModels({ log: () => undefined, threads: 2 });
  expect(models.unavailable).toEqual([]);
}, 120_000);

afterAll(async () => {
  await disposePerceptionModels(models);
  dir.cleanup();
});

describe('perception passes', () => {
  it('label, count and read real photos, and feed the full-text index', async () => {
    const { data, db, ids } = await indexedLibrary('a');
    const passes = realPasses();
    expect(passes.map((p) => p.name).sort()).toEqual(['colours', 'faces', 'labels', 'objects', 'places', 'text']);
    const final = await passJob(db, passes).run();
    expect(final).toMatchObject({ state: 'done', done: PHOTOS.length, total: PHOTOS.length, phase: 'passes' });
    const tags = (file: string, pass: string) => db.prepare('SELECT tag, score, count FROM item_tags WHERE item_id = ? AND pass = ? ORDER BY score DESC').all(ids.get(file), pass) as { tag: string; score: number; count: number }[];
    expect(tags('IMG_4000.png', 'labels')[0]).toMatchObject({ tag: 'Egyptian cat' });
    expect(tags('IMG_4001.png', 'faces')).toEqual([expect.objectContaining({ tag: 'face', count: 1 })]);
    expect(tags('IMG_4000.png', 'faces')).toEqual([]);
    expect(tags('IMG_4002.jpg', 'objects').map((t) => t.tag)).toContain('person');
    expect(tags('IMG_4003.jpg', 'labels').map((t) => t.tag)).toContain('macaw');
    const states = db.prepare(`SELECT state, count(*) AS n FROM item_passes GROUP BY state`).all();
    expect(states).toEqual([{ state: 'done', n: PHOTOS.length * passes.length }]);
    db.close();

    // through the engine: the documents are written in the same transaction as the passes
    const e = new TroveEngine({ dataDir: data, model: new HashedTestEmbedder() });
    try {
      await e.startIndexing({});
      await e.waitForIndexing();
      const res = await e.find({ text: 'cat', k: 5, filters: {}, sort: 'relevance' });
      expect(res.results[0]!.path).toMatch(/IMG_4000\.png$/);
      expect(res.results[0]!.why).toContainEqual(expect.objectContaining({ kind: 'label', label: expect.stringMatching(/^label: Egyptian cat( \+ [a-z ]+)* 0\.\d\d$/) }));
      const people = await e.find({ text: 'people', k: 10, filters: { kinds: ['image'] }, sort: 'relevance' });
      expect(people.results.slice(0, 2).map((r) => r.path).join(' ')).toMatch(/IMG_4001|IMG_4002/);
      const named = await e.find({ text: 'holiday', k: 10, filters: {}, sort: 'relevance' });
      expect(named.results.filter((r) => r.why?.some((w) => w.kind === 'name')).length).toBe(PHOTOS.length + 1);
    } finally {
      await e.close();
    }
  }, 180_000);

  it('a pass that fails on one photo records that error for that pass only', async () => {
    const { db, ids } = await indexedLibrary('b');
    const target = ids.get('IMG_4004.jpg')!;
    const broken: Pass = {
      name: 'objects',
      label: 'finding objects',
      version: 'broken/r1',
      needsPixels: true,
      async run(item) {
        if (item.id === target) throw new Error('the detector ran out of memory');
        return { tags: [{ tag: 'thing', score: 0.5, count: 1, ref: null }] };
      },
    };
    const passes = [...realPasses().filter((p) => p.name === 'colours' || p.name === 'places'), broken];
    expect((await passJob(db, passes).run()).state).toBe('done');
    const rows = db.prepare('SELECT pass, state, error FROM item_passes WHERE item_id = ? ORDER BY pass').all(target);
    expect(rows).toEqual([
      { pass: 'colours', state: 'done', error: null },
      { pass: 'objects', state: 'error', error: 'finding objects failed: the detector ran out of memory' },
      { pass: 'places', state: 'done', error: null },
    ]);
    expect(db.prepare(`SELECT count(*) AS n FROM item_tags WHERE item_id = ? AND pass = 'colours'`).get(target)).not.toEqual({ n: 0 });
    // the others have the broken pass's tag
    expect(db.prepare(`SELECT count(DISTINCT item_id) AS n FROM item_tags WHERE pass = 'objects'`).get()).toEqual({ n: PHOTOS.length - 1 });
    db.close();
  }, 180_000);

  it('a run stopped midway resumes every pass without losing or duplicating rows', async () => {
    const { db } = await indexedLibrary('c');
    const passes = realPasses();
    const first = passJob(db, passes);
    const run = first.run();
    // stop it after the second photo
    while (first.progress().done < 2) await new Promise((r) => setTimeout(r, 20));
    first.cancel();
    const stopped = await run;
    expect(stopped.state).toBe('cancelled');
    expect(stopped.done).toBeLessThan(PHOTOS.length);
    // (indexing already ran the passes that need no model: places, colours)
    const partial = (db.prepare(`SELECT count(DISTINCT item_id) AS n FROM item_passes WHERE pass = 'labels'`).get() as { n: number }).n;
    expect(partial).toBe(stopped.done);
    const again = await passJob(db, passes).run();
    expect(again).toMatchObject({ state: 'done', done: PHOTOS.length - stopped.done });
    expect(db.prepare('SELECT count(*) AS n FROM item_passes').get()).toEqual({ n: PHOTOS.length * passes.length });
    const tagRows = (db.prepare('SELECT count(*) AS n FROM item_tags').get() as { n: number }).n;
    // a third run has nothing to do and changes nothing
    expect((await passJob(db, passes).run()).total).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM item_tags').get()).toEqual({ n: tagRows });
    db.close();
  }, 180_000);
});
