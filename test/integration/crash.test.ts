// kill -9 the indexer and check that every restart resumes and ends consistent: items ==
// files, no duplicated or lost embeddings, and the HNSW index holds exactly the stored
// embeddings, each with its own vector. Three kinds of kill: at random points with the slowed
// test double; inside the real model's embedding batches (the committed vlm2vec-nano); and
// inside an HNSW index save, at each of its crash points (the vectors' test hook).
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetInput } from '../../main/engine/embedding/instructions';
import { photoModelInput } from '../../main/engine/embedding/prepare';
import { indexFileFor } from '../../main/engine/embedding/vector-store';
import { loadDefaultModel } from '../../main/engine/model-loader';
import { kindOf } from '../../main/engine/library/kinds';
import { embeddingVectors } from '../../main/engine/store/embeddings';
import { VectorIndex } from '../../main/engine/vectors/vector-index';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import { uniformSource } from '../../main/ml/random';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { generateLibrary, noteText, writeImage } from '../fixtures/library';
import { runCliProcess, startCli, type CliRun } from '../support/spawn-cli';
import { tempDir } from '../support/tmp';

let dir: ReturnType<typeof tempDir>;

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.cleanup());

function diskFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...diskFiles(p));
    else if (kindOf(p)) out.push(p);
  }
  return out.sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withDb<T>(data: string, f: (db: Database.Database) => T): T {
  const db = new Database(join(data, 'trove.db'), { readonly: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

const count = (db: Database.Database, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;

/**
 * What must hold even right after a kill: nothing duplicated, nothing orphaned, and every
 * item the database calls ready has all its embeddings (none lost). Returns how many items
 * are embedded.
 */
function expectNothingLostOrDuplicated(data: string): number {
  return withDb(data, (db) => {
    expect(count(db, `SELECT count(*) AS n FROM items i WHERE kind = 'image' AND state = 'ready' AND (SELECT count(*) FROM embeddings e WHERE e.item_id = i.id) <> 1`)).toBe(0);
    expect(count(db, `SELECT count(*) AS n FROM items i WHERE kind = 'image' AND (SELECT count(*) FROM embeddings e WHERE e.item_id = i.id) > 1`)).toBe(0);
    expect(count(db, `SELECT count(*) AS n FROM chunks c WHERE (SELECT count(*) FROM embeddings e WHERE e.chunk_id = c.id) > 1`)).toBe(0);
    expect(
      count(db, `SELECT count(*) AS n FROM chunks c JOIN items i ON i.id = c.item_id WHERE i.state = 'ready' AND (SELECT count(*) FROM embeddings e WHERE e.chunk_id = c.id) <> 1`),
    ).toBe(0);
    expect(count(db, `SELECT count(*) AS n FROM items i WHERE kind = 'note' AND state = 'ready' AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.item_id = i.id)`)).toBe(0);
    expect(count(db, 'SELECT count(*) AS n FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = e.item_id)')).toBe(0);
    return count(db, 'SELECT count(DISTINCT item_id) AS n FROM embeddings');
  });
}

/** After a run that completed: the database holds the library exactly, and the saved HNSW index agrees with it, vector by vector. */
function expectConsistent(data: string, lib: string): void {
  expectNothingLostOrDuplicated(data);
  withDb(data, (db) => {
    const paths = (db.prepare('SELECT path FROM items ORDER BY path').all() as { path: string }[]).map((r) => r.path);
    expect(paths).toEqual(diskFiles(lib));
    expect(count(db, `SELECT count(*) AS n FROM items WHERE state <> 'ready'`)).toBe(0);
    expect(count(db, `SELECT count(*) AS n FROM chunks c WHERE (SELECT count(*) FROM embeddings e WHERE e.chunk_id = c.id) <> 1`)).toBe(0);
    const mv = db.prepare('SELECT id, dim FROM model_versions').get() as { id: number; dim: number };
    const ids = (db.prepare('SELECT id FROM embeddings WHERE model_version = ? ORDER BY id').all(mv.id) as { id: number }[]).map((r) => r.id);
    const index = VectorIndex.load(indexFileFor(data, mv.id), mv.dim);
    expect(index.liveIds().sort((a, b) => a - b)).toEqual(ids);
    expect(index.size).toBe(ids.length);
    // each id holds its own stored vector, not another's
    for (const [id, v] of embeddingVectors(db, ids)) {
      const [hit] = index.search(v, 1, (x) => x === id);
      expect(hit?.id).toBe(id);
      expect(hit!.score).toBeGreaterThan(0.9999);
    }
    const jobs = db.prepare('SELECT state FROM jobs ORDER BY id').all() as { state: string }[];
    expect(jobs[jobs.length - 1]!.state).toBe('done');
    expect(jobs.filter((j) => j.state === 'running')).toEqual([]);
  });
}

/** Each stored embedding is what `model` makes of its own photo or note chunk (none lost to another item). */
async function expectEmbeddingsOfTheirItems(data: string, model: EmbeddingModel): Promise<void> {
  const { rows, stored } = withDb(data, (db) => {
    const rows = db
      .prepare(`SELECT e.id, i.path, i.kind, c.text FROM embeddings e JOIN items i ON i.id = e.item_id LEFT JOIN chunks c ON c.id = e.chunk_id ORDER BY e.id`)
      .all() as { id: number; path: string; kind: 'image' | 'note'; text: string | null }[];
    return { rows, stored: new Map(embeddingVectors(db, rows.map((r) => r.id))) };
  });
  const inputs = await Promise.all(
    rows.map(async (r) =>
      r.kind === 'image' ? targetInput(model, 'image', { image: await photoModelInput(readFileSync(r.path), model.imageSize!) }) : targetInput(model, 'note', { text: r.text! }),
    ),
  );
  const fresh = await model.embed(inputs);
  const wrong = rows.filter((r, i) => cosine(fresh[i]!, stored.get(r.id)!) < 0.9999).map((r) => `${r.id} ${r.path}`);
  expect(wrong).toEqual([]);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Find by image through the CLI: the photo itself comes first among the photos. */
async function expectSearchFinds(data: string, image: string, env: Record<string, string> = {}): Promise<void> {
  const r = await runCliProcess(['--data', data, 'search', '--image', image, '--kind', 'image', '--k', '5', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  const results = (JSON.parse(r.stdout) as { results: { path: string; score: number }[] }).results;
  const seen = results.map((x) => `${x.path} ${x.score.toFixed(4)}`).join('\n');
  expect(results, seen).toHaveLength(5);
  expect(results[0]!.path, seen).toBe(image);
}

async function indexToTheEnd(data: string, env: Record<string, string> = {}): Promise<void> {
  const r = await runCliProcess(['--data', data, 'index'], env);
  expect(r.code, r.stderr + r.stdout).toBe(0);
}

async function newLibrary(name: string, images: number, notes: number): Promise<{ lib: string; data: string }> {
  const lib = join(dir.path, name, 'lib');
  const data = join(dir.path, name, 'data');
  await generateLibrary(lib, { images, notes });
  const added = await runCliProcess(['--data', data, 'add', lib]);
  expect(added.code, added.stderr).toBe(0);
  return { lib, data };
}

function killed(run: CliRun): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  run.child.kill('SIGKILL');
  return run.exit;
}

describe('crash safety', () => {
  it('survives kill -9 at random points and ends consistent', async () => {
    const { lib, data } = await newLibrary('random', 200, 20);
    const seed = Number(process.env.CRASH_SEED ?? 20261128);
    const random = uniformSource(seed);
    const partials: number[] = [];
    for (let i = 0; i < 7; i++) {
      const run = startCli(['--data', data, 'index'], { TROVE_TEST_EMBED_DELAY_MS: '600' });
      if (i % 3 === 2) {
        // anywhere: startup, scan, or mid-batch
        await sleep(300 + random() * 2500);
      } else {
        // during embedding: after a progress line with counts
        await run.waitForLine(/running: \d+\/\d+ items/).catch(() => undefined);
        await sleep(random() * 700);
      }
      const { signal, code } = await killed(run);
      if (process.env.CRASH_DEBUG) console.log(i, code, signal, run.stdout(), run.stderr());
      if (code === 0) break; // it finished before the kill: nothing left to interrupt
      expect(signal).toBe('SIGKILL');
      partials.push(expectNothingLostOrDuplicated(data));
    }
    expect(partials.length, `seed ${seed}`).toBeGreaterThanOrEqual(5);
    // progress is kept across kills: the embedded count never goes down
    for (let i = 1; i < partials.length; i++) expect(partials[i]!).toBeGreaterThanOrEqual(partials[i - 1]!);

    await indexToTheEnd(data);
    expectConsistent(data, lib);
    await expectEmbeddingsOfTheirItems(data, new HashedTestEmbedder());
    const status = await runCliProcess(['--data', data, 'status', '--json']);
    const st = JSON.parse(status.stdout) as { items: { image: number; note: number }; embedded: number; pending: number };
    expect(st.items).toEqual({ image: 200, note: 20 });
    expect(st.embedded).toBe(220);
    expect(st.pending).toBe(0);
    await expectSearchFinds(data, join(lib, 'album-1', 'img-0005.png'));
  }, 240_000);

  it('survives kill -9 inside the real model’s embedding batches', async () => {
    const { lib, data } = await newLibrary('real-model', 96, 8);
    const real = { TROVE_TEST_MODEL: 'package' };
    const env = { ...real, TROVE_TEST_EMBED_TRACE: '1' };
    const random = uniformSource(Number(process.env.CRASH_SEED ?? 20261202));
    const partials: number[] = [];
    let insideBatch = 0;
    /** how long the model took for the batches of the runs so far (this machine's pace, under its load now) */
    const batchMs: number[] = [];
    for (let i = 0; i < 8 && insideBatch < 4; i++) {
      const run = startCli(['--data', data, 'index'], env);
      // the kill comes a moment after the first, second or third batch of the run went into the model
      const nth = 1 + Math.floor(random() * 3);
      if (!(await waitForLines(run, /^test hook: embed batch of \d+ starts$/, nth))) {
        expect((await run.exit).code, run.stderr()).toBe(0); // it finished first
        break;
      }
      // within the first half of a batch as long as those before (20 ms before any has ended)
      await sleep(random() * (batchMs.length ? 0.5 * Math.min(...batchMs) : 20));
      const { code, signal } = await killed(run);
      if (code === 0) break;
      expect(signal).toBe('SIGKILL');
      for (const m of run.stdout().matchAll(/^test hook: embed batch of \d+ ends after (\d+) ms$/gm)) batchMs.push(Number(m[1]));
      const trace = run.stdout().match(/^test hook: embed batch of \d+ (starts|ends)/gm) ?? [];
      if (trace[trace.length - 1]?.endsWith('starts')) insideBatch++;
      partials.push(expectNothingLostOrDuplicated(data));
    }
    // most kills land while the model computes a batch (between the batches the run only decodes 64 px photos and commits)
    expect(insideBatch).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < partials.length; i++) expect(partials[i]!).toBeGreaterThanOrEqual(partials[i - 1]!);

    await indexToTheEnd(data, env);
    expectConsistent(data, lib);
    expect(withDb(data, (db) => count(db, 'SELECT count(DISTINCT item_id) AS n FROM embeddings'))).toBe(104);
    const model = await loadDefaultModel();
    try {
      await expectEmbeddingsOfTheirItems(data, model);
    } finally {
      await model.dispose();
    }
    await expectSearchFinds(data, join(lib, 'album-2', 'img-0010.webp'), real);
  }, 240_000);

  it('survives kill -9 inside an HNSW index save, at each of its crash points', async () => {
    const { lib, data } = await newLibrary('index-save', 60, 8);
    const points = ['temp-files-written', 'index-renamed', 'temp-files-written', 'index-renamed'] as const;
    let next = 1000;
    for (const [round, point] of points.entries()) {
      if (round > 0) {
        // new work for this round: photos added, one removed, a note edited
        for (let k = 0; k < 12; k++, next++) await writeImage(join(lib, 'album-0', `new-${next}.jpg`), next);
        unlinkSync(diskFiles(lib).find((p) => p.includes('img-'))!);
        writeFileSync(join(lib, 'notes', `note-${round}.${round % 2 ? 'md' : 'txt'}`), noteText(100 + round));
      }
      const before = withDb(data, (db) => count(db, 'SELECT ifnull(max(id), 0) AS n FROM embeddings'));
      const run = startCli(['--data', data, 'index'], { TROVE_TEST_INDEX_SAVE_PAUSE_MS: '1500' });
      // the save that holds this run's embeddings: after new ones were committed and nothing is pending
      const landed = await killAtSave(run, point, () =>
        withDb(data, (db) => count(db, 'SELECT ifnull(max(id), 0) AS n FROM embeddings') > before && count(db, `SELECT count(*) AS n FROM items WHERE state = 'pending'`) === 0),
      );
      expect(landed, `round ${round}: no index save at ${point} after the run's commits\n${run.stdout()}\n${run.stderr()}`).toBe(true);
      expect((await run.exit).signal).toBe('SIGKILL');
      expectNothingLostOrDuplicated(data);

      await indexToTheEnd(data);
      expectConsistent(data, lib);
      await expectEmbeddingsOfTheirItems(data, new HashedTestEmbedder());
      await expectSearchFinds(data, join(lib, 'album-3', 'img-0011.jpg'));
    }
  }, 240_000);
});

/** Resolves true once stdout holds `n` lines matching `re`, false if the run exits first. */
async function waitForLines(run: CliRun, re: RegExp, n: number): Promise<boolean> {
  const all = new RegExp(re.source, 'gm');
  for (;;) {
    if ((run.stdout().match(all)?.length ?? 0) >= n) return true;
    if (run.child.exitCode !== null || run.child.signalCode !== null) return false;
    await sleep(10);
  }
}

/** Kills the run while it is paused at `point` of an index save for which `wanted()` holds; false if it exits first. */
async function killAtSave(run: CliRun, point: string, wanted: () => boolean): Promise<boolean> {
  const at = new RegExp(`^test hook: index save at ${point}$`, 'gm');
  let seen = 0;
  for (;;) {
    const n = run.stdout().match(at)?.length ?? 0;
    if (n > seen) {
      seen = n;
      if (wanted()) {
        run.child.kill('SIGKILL');
        return true;
      }
    }
    if (run.child.exitCode !== null || run.child.signalCode !== null) return false;
    await sleep(20);
  }
}
