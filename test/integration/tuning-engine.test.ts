// Personal fine-tuning through the engine (TroveEngine's tuning methods, main/engine/tuning)
// with the committed vlm2vec-nano on the real photos of test/support/tuning-fixture.ts:
//   - labelled pairs: "These are ..." and thumbs from the UI (addPairs; one label per query
//     and photo), MMEB-train JSONL with paths relative to the file (importPairs), bad input
//     refused with the line and what is wrong;
//   - the fine-tune job runs in a process of its own at the lowest priority, reports step,
//     loss and ETA, can be cancelled, and after its process is killed the next start resumes
//     from the last checkpoint, not from step 0;
//   - adopting: a kill of the process that adopts leaves the library on the old version,
//     whole (settings, vectors, search); adopting again re-embeds only what is missing,
//     searches answer from the old vectors until the switch; then the new version is active
//     and finds the made-up word on photos nobody labelled; rolling back is instant.
// A few steps only: it is the job's machinery under test, fine-tune-cli.test.ts the quality.
// Each test sets up what it needs (the suite runs shuffled): the pairs tests start from no
// pairs, the job's story labels its own, and the adoption story trains a version if no test
// before it has.
import { getPriority } from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress, SearchResponse } from '../../main/contract/api';
import { findModelDir } from '../../main/engine/model-loader';
import { TroveEngine } from '../../main/engine/service';
import { loadModel } from '../../main/ml/models';
import { startScript } from '../support/spawn-cli';
import { tempDir, waitUntil } from '../support/tmp';
import { conceptSplits, writeTuningLibrary } from '../support/tuning-fixture';

const BASE = findModelDir()!;
/** few steps: a larger step than the default (1e-3, for 30) so that the word is learnt in them */
const SETTINGS = { steps: 8, batch: 16, lr: 0.004 } as const;
/** fine-tune checkpoints every 5 steps (main/ml/tune/settings.ts) */
const CHECKPOINT_EVERY = 5;

let tmp: ReturnType<typeof tempDir>;
let photos: string;
let dataDir: string;
let engine: TroveEngine;
const events: JobProgress[] = [];
/** library path -> item id */
const ids = new Map<string, number>();

/** watch: as the app and `trove serve` open it (they resume an interrupted fine-tune at start) */
async function open(watch = false): Promise<TroveEngine> {
  const e = new TroveEngine({ dataDir, model: await loadModel(BASE, { threads: 2, providers: ['cpu'] }), loaded: { dir: BASE, providers: ['cpu'], threads: 2 }, ownsModel: true, perception: false, ranking: 'embedding', batchSize: 8, watch });
  e.onEvent((ev) => {
    if (ev.type === 'progress') events.push(ev.progress);
  });
  return e;
}

async function clearPairs(): Promise<void> {
  const all = await engine.listPairs({});
  if (all.pairs.length) await engine.removePairs({ ids: all.pairs.map((p) => p.id) });
}

/** the two made-up words on their labelled photos: 28 pairs */
async function labelConcepts(): Promise<void> {
  await clearPairs();
  for (const s of conceptSplits(photos)) {
    await engine.addPairs({ task: 'retrieval_text_to_image', query: { text: s.concept.word }, targets: s.labelled.map((p) => ({ itemId: ids.get(p)!, label: 1 as const })), origin: 'these-are' });
  }
}

const find = (text: string): Promise<SearchResponse> => engine.find({ text, k: 12, filters: {}, sort: 'relevance' });
const ranking = (r: SearchResponse): string[] => r.results.map((x) => `${x.path} ${x.score.toFixed(6)}`);
const rel = (path: string): string => path.slice(photos.length + 1);

beforeAll(async () => {
  tmp = tempDir('trove-tuning-engine-');
  photos = join(tmp.path, 'photos');
  dataDir = join(tmp.path, 'data');
  writeTuningLibrary(photos);
  engine = await open();
  await engine.addSource({ path: photos });
  await engine.startIndexing({});
  expect((await engine.waitForIndexing())?.state).toBe('done');
  const all = await engine.find({ text: 'x', k: 200, filters: {}, sort: 'relevance' });
  for (const r of all.results) ids.set(rel(r.path), r.id);
  expect(ids.size).toBe(62);
}, 300_000);

afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

describe('labelled pairs', () => {
  it('records "These are ..." and thumbs, one label per query and photo', async () => {
    await clearPairs();
    for (const s of conceptSplits(photos)) {
      const r = await engine.addPairs({ task: 'retrieval_text_to_image', query: { text: s.concept.word }, targets: s.labelled.map((p) => ({ itemId: ids.get(p)!, label: 1 as const })), origin: 'these-are' });
      expect(r.added).toBe(s.labelled.length);
    }
    const wrong = ids.get('other/01.jpg')!;
    await engine.addPairs({ task: 'retrieval_text_to_image', query: { text: 'blicket' }, targets: [{ itemId: wrong, label: -1 }], origin: 'thumbs' });
    let list = await engine.listPairs({});
    expect(list.queries.find((q) => q.queryText === 'blicket')).toMatchObject({ positives: 16, negatives: 1 });
    expect(list.queries.find((q) => q.queryText === 'dax')).toMatchObject({ positives: 12, negatives: 0 });
    // a thumbs up on the same photo for the same words replaces the thumbs down
    await engine.addPairs({ task: 'retrieval_text_to_image', query: { text: 'blicket' }, targets: [{ itemId: wrong, label: 1 }], origin: 'thumbs' });
    list = await engine.listPairs({});
    expect(list.queries.find((q) => q.queryText === 'blicket')).toMatchObject({ positives: 17, negatives: 0 });
    const pair = list.pairs.find((p) => p.targetItem === wrong)!;
    expect(pair).toMatchObject({ label: 1, origin: 'thumbs', targetFile: null });
    expect(await engine.removePairs({ ids: [pair.id] })).toEqual({ removed: 1 });
    expect((await engine.listPairs({})).pairs).toHaveLength(28);
    expect((await engine.tuningStatus({})).pairs).toEqual({ total: 28, positives: 28, negatives: 0, queries: 2 });
  });

  it('refuses an item that is not in the library', async () => {
    await expect(engine.addPairs({ task: 'retrieval_text_to_image', query: { text: 'blicket' }, targets: [{ itemId: 999_999, label: 1 }], origin: 'thumbs' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/no item with id 999999/) });
  });

  it('imports MMEB-train JSONL with paths relative to the file, and says which line is bad', async () => {
    await labelConcepts();
    const dir = join(tmp.path, 'import');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'pairs.jsonl');
    writeFileSync(file, `{"qry": "wug", "pos_image_path": "../photos/other/02.jpg", "neg_image_path": "../photos/other/03.jpg", "task": "retrieval_text_to_image"}\n\n{"qry": "Find a note: wug", "pos_text": "a small bird-like creature"}\n`);
    expect(await engine.importPairs({ path: file })).toEqual({ added: 3 });
    const imported = (await engine.listPairs({})).pairs.filter((p) => p.origin.startsWith('import'));
    expect(imported.map((p) => [p.queryText, p.targetFile, p.targetText, p.label])).toEqual([
      ['wug', join(photos, 'other', '02.jpg'), null, 1],
      ['wug', join(photos, 'other', '03.jpg'), null, -1],
      ['Find a note: wug', null, 'a small bird-like creature', 1],
    ]);
    await engine.removePairs({ ids: imported.map((p) => p.id) });

    const bad = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return engine.importPairs({ path: join(dir, name) });
    };
    await expect(bad('broken.jsonl', '{"qry": "wug", "pos_text": "x"}\n{"qry": "wug", pos_text: 1}\n')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/line 2 is not valid JSON/) });
    await expect(bad('no-positive.jsonl', '{"qry": "wug"}\n')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/line 1: the positive is empty/) });
    await expect(bad('task.jsonl', '{"qry": "wug", "pos_text": "x", "task": "telepathy"}\n')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/line 1: unknown task "telepathy"/) });
    await expect(engine.importPairs({ path: join(dir, 'missing.jsonl') })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/Cannot read .*missing\.jsonl/) });
    // nothing of a refused file is kept
    expect((await engine.listPairs({})).pairs).toHaveLength(28);
  });
});

/** the version a finished fine-tune wrote (the job's story or the adoption story makes it) */
let packageDir: string | undefined;
const tune = () => events.filter((p) => p.kind === 'tune');

describe('the fine-tune job', () => {
  // one story: each step goes on from the state the one before left
  it('runs in its own low-priority process with step, loss and ETA; cancel stops it; started again it goes on; after Trove closes and after a kill it resumes from the last checkpoint', async () => {
    await labelConcepts();
    events.length = 0;
    // runs in its own low-priority process with step, loss and ETA; cancel stops it
    const started = await engine.startTuning({ settings: SETTINGS });
    expect(started.run).toMatchObject({ state: 'running', steps: SETTINGS.steps, pairs: 28 });
    const worker = engine.tuningJobs.worker!;
    expect(worker.pid).not.toBeNull();
    expect(worker.pid).not.toBe(process.pid);
    await waitUntil(() => tune().some((p) => p.done >= 2), 'two training steps', 240_000);
    // the worker lowers itself before onnxruntime starts its threads
    expect(getPriority(worker.pid!)).toBe(19);
    const p = tune().find((x) => x.done >= 2)!;
    expect(p).toMatchObject({ state: 'running', total: SETTINGS.steps });
    expect(p.etaSeconds).toBeGreaterThan(0);
    const running = await engine.tuningStatus({});
    expect(running.run!.losses.length).toBeGreaterThanOrEqual(2);
    expect(running.run!.losses.every(([s, l]) => s >= 1 && Number.isFinite(l) && l > 0)).toBe(true);

    expect(await engine.cancelTuning({})).toEqual({ ok: true });
    await engine.tuningJobs.waitForTuning();
    const after = await engine.tuningStatus({});
    expect(after.run).toMatchObject({ state: 'cancelled', packageDir: null });
    expect(after.run!.message).toMatch(/resumes from its last checkpoint/);
    expect(tune().at(-1)?.state).toBe('cancelled');

    // started again after a cancel, it goes on from where it stopped; when Trove closes, it carries on at the next start
    const cancelledAt = (await engine.tuningStatus({})).run!.step;
    events.length = 0;
    await engine.startTuning({ settings: SETTINGS });
    await waitUntil(() => tune().some((p) => p.done > cancelledAt), `step ${cancelledAt + 1}`, 240_000);
    expect(Math.min(...tune().filter((p) => p.done > 0).map((p) => p.done))).toBe(cancelledAt + 1);
    await engine.close();
    events.length = 0;
    engine = await open(true);
    await waitUntil(() => tune().some((p) => p.done > cancelledAt + 1), 'the run going on after the restart', 240_000);
    expect((await engine.tuningStatus({})).run!.state).toBe('running');

    // resumes from the last checkpoint after its process is killed, not from step 0
    await waitUntil(() => tune().some((p) => p.done > CHECKPOINT_EVERY), `step ${CHECKPOINT_EVERY + 1}`, 240_000);
    engine.tuningJobs.worker!.kill();
    await engine.tuningJobs.waitForTuning();
    const killed = await engine.tuningStatus({});
    expect(killed.run).toMatchObject({ state: 'failed', packageDir: null });
    expect(killed.run!.message).toMatch(/SIGKILL.*resume from its last checkpoint/);

    events.length = 0;
    await engine.startTuning({ settings: SETTINGS });
    await engine.tuningJobs.waitForTuning();
    const steps = tune().filter((p) => p.state === 'running' && p.done > 0).map((p) => p.done);
    // the first step this process trained is the one after the checkpoint
    expect(Math.min(...steps)).toBe(CHECKPOINT_EVERY + 1);
    const done = await engine.tuningStatus({});
    expect(done.run).toMatchObject({ state: 'done', step: SETTINGS.steps, resumedFrom: CHECKPOINT_EVERY });
    // the loss curve carries on from the killed process's
    expect(done.run!.losses.map(([s]) => s).slice(0, 3)).toEqual([1, 2, 3]);
    expect(done.run!.before?.heldOut?.n).toBeGreaterThan(0);
    expect(done.run!.after?.probe).toBeGreaterThan(0);
    packageDir = done.run!.packageDir!;
    expect(existsSync(join(packageDir, 'manifest.json'))).toBe(true);
    expect(done.versions.map((v) => v.dir)).toContain(packageDir);
    expect(done.versions.find((v) => v.dir === packageDir)).toMatchObject({ active: false, pairs: 28, base: { id: 'vlm2vec-nano' } });
  }, 1_200_000);
});

describe('searching while the job trains', () => {
  it('the job starts no new work while the user searches, and goes on when they stop', async () => {
    await labelConcepts();
    events.length = 0;
    // a spec of its own (more steps than the window can hold), so the other stories' runs are not this one
    await engine.startTuning({ settings: { ...SETTINGS, steps: 40 } });
    const stepNow = () => Math.max(0, ...tune().map((p) => p.done));
    await waitUntil(() => stepNow() >= 1, 'the first step', 240_000);
    const window = async (search: boolean): Promise<number> => {
      const from = stepNow();
      const until = Date.now() + 6000;
      while (Date.now() < until) {
        if (search) await find('blicket');
        await new Promise((r) => setTimeout(r, 200));
      }
      return stepNow() - from;
    };
    const searching = await window(true);
    const quiet = await window(false);
    console.log(`fine-tune steps in 6 s: ${searching} while searching every 200 ms, ${quiet} after`);
    // the step in flight when the searches began may finish; no other
    expect(searching).toBeLessThanOrEqual(1);
    expect(quiet).toBeGreaterThan(searching);
    await engine.cancelTuning({});
    await engine.tuningJobs.waitForTuning();
  }, 600_000);
});

/** Trains a version unless the job's story has made one. Its own settings make its own run:
 *  the same spec started later by the job's story would resume this finished run instead. */
async function trainedPackage(): Promise<string> {
  if (packageDir) return packageDir;
  await labelConcepts();
  await engine.startTuning({ settings: { ...SETTINGS, steps: 12 } });
  await engine.tuningJobs.waitForTuning();
  const done = await engine.tuningStatus({});
  expect(done.run).toMatchObject({ state: 'done' });
  packageDir = done.run!.packageDir!;
  return packageDir;
}

describe('adopting the new version', () => {
  const unlabelledBirds = () => new Set(conceptSplits(photos).find((s) => s.concept.word === 'blicket')!.unlabelled);

  // one story: killed, adopted again, switched, rolled back
  it('a kill while the library is being embedded leaves it whole on the old version; adopting again embeds what is missing while searches use the old vectors, then switches; rolling back is instant', async () => {
    const packageDir = await trainedPackage();
    const before = await find('blicket');
    await engine.close();
    const child = startScript(join(__dirname, '..', 'support', 'adopt-process.ts'), [dataDir, packageDir], { TROVE_TEST_ADOPT_DELAY_MS: '400' });
    await child.waitForLine(/^adopt running (1[6-9]|[2-5]\d)\/62/);
    child.child.kill('SIGKILL');
    await child.exit;
    expect(child.stdout()).not.toMatch(/adopted/);

    engine = await open();
    expect((await engine.getSettings({})).modelDir).toBe(BASE);
    const status = await engine.status();
    expect(status.pending).toBe(0);
    expect(status.embedded).toBe(62);
    expect(engine.vectorIds()).toHaveLength(62);
    expect(ranking(await find('blicket'))).toEqual(ranking(before));

    // a kill inside the final switch (the items marked for the new version, settings.json not
    // yet naming it) leaves it whole on the old version too, and says the switch is to be done again
    await engine.close();
    const switching = startScript(join(__dirname, '..', 'support', 'adopt-process.ts'), [dataDir, packageDir], { TROVE_TEST_KILL_AT_SWITCH: '1' });
    await switching.waitForLine(/^switching$/);
    expect((await switching.exit).signal).toBe('SIGKILL');
    expect(switching.stdout()).not.toMatch(/adopted/);
    engine = await open();
    expect((await engine.getSettings({})).modelDir).toBe(BASE);
    expect(await engine.status()).toMatchObject({ pending: 0, embedded: 62 });
    expect(engine.vectorIds()).toHaveLength(62);
    expect(ranking(await find('blicket'))).toEqual(ranking(before));
    expect((await engine.tuningStatus({})).adoption).toMatchObject({ state: 'embedding', message: expect.stringMatching(/interrupted.*the current model stays active until the new version is adopted again/) });

    // embeds what is missing in the background while searches use the old vectors, then switches
    events.length = 0;
    const adopting = await engine.adoptModel({ dir: packageDir });
    expect(adopting.adoption).toMatchObject({ state: 'embedding', toDir: packageDir });
    // the killed process's vectors are kept: only the rest is embedded
    expect(adopting.adoption!.total).toBeLessThan(62 - 15);
    expect(ranking(await find('blicket'))).toEqual(ranking(before));
    expect((await engine.getSettings({})).modelDir).toBe(BASE);

    await engine.tuningJobs.waitForAdoption();
    const adopted = await engine.tuningStatus({});
    expect(adopted.adoption).toMatchObject({ state: 'active', toDir: packageDir, fromDir: BASE });
    expect(adopted.activeDir).toBe(packageDir);
    expect(adopted.rollbackTo?.dir).toBe(BASE);
    // the old version stays, listed
    expect(adopted.versions.find((v) => v.dir === BASE)).toMatchObject({ active: false });
    expect((await engine.status()).pending).toBe(0);
    expect(engine.vectorIds()).toHaveLength(62);
    // the new word finds birds nobody labelled
    const birds = unlabelledBirds();
    const top = (r: SearchResponse) => r.results.slice(0, 10).filter((x) => birds.has(rel(x.path))).length;
    const now = await find('blicket');
    console.log(`never-labelled birds in the top 10 for "blicket": ${top(before)} before, ${top(now)} after adopting`);
    expect(top(now)).toBeGreaterThan(top(before));

    // rolls back at once, to the old vectors
    const t = performance.now();
    const back = await engine.rollbackModel({});
    const ms = performance.now() - t;
    console.log(`rollback: ${ms.toFixed(0)} ms`);
    expect(back.activeDir).toBe(BASE);
    expect(back.adoption?.state).toBe('rolled-back');
    expect(back.versions.map((v) => v.dir)).toContain(packageDir);
    expect((await engine.status()).pending).toBe(0);
    expect(ranking(await find('blicket'))).toEqual(ranking(before));
    expect(ms).toBeLessThan(10_000);
  }, 900_000);
});
