// kill -9 the indexer at several points; every restart resumes. At the end: items == files,
// no duplicates, no missing embeddings, and the HNSW index holds exactly the stored embeddings.
import Database from 'better-sqlite3';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFileFor } from '../../main/engine/embedding/vector-store';
import { kindOf } from '../../main/engine/library/kinds';
import { VectorIndex } from '../../main/engine/vectors/vector-index';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { generateLibrary } from '../fixtures/library';
import { runCliProcess, startCli } from '../support/spawn-cli';
import { tempDir } from '../support/tmp';
import { uniformSource } from '../../main/ml/random';

let dir: ReturnType<typeof tempDir>;
let lib: string;
let data: string;
const slow = { TROVE_TEST_EMBED_DELAY_MS: '600' };

function diskFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...diskFiles(p));
    else if (kindOf(p)) out.push(p);
  }
  return out.sort();
}

const rng = uniformSource;

beforeAll(async () => {
  dir = tempDir();
  lib = join(dir.path, 'lib');
  data = join(dir.path, 'data');
  await generateLibrary(lib, { images: 200, notes: 20 });
  const added = await runCliProcess(['--data', data, 'add', lib]);
  expect(added.code, added.stderr).toBe(0);
}, 60_000);

afterAll(() => dir.cleanup());

describe('crash safety', () => {
  it('survives kill -9 at random points and ends consistent', async () => {
    const seed = Number(process.env.CRASH_SEED ?? 20261128);
    const random = rng(seed);
    const partials: number[] = [];
    for (let i = 0; i < 7; i++) {
      const run = startCli(['--data', data, 'index'], slow);
      if (i % 3 === 2) {
        // anywhere: startup, scan, or mid-batch
        await new Promise((r) => setTimeout(r, 300 + random() * 2500));
      } else {
        // during embedding: after a progress line with counts
        await run.waitForLine(/running: \d+\/\d+ items/).catch(() => undefined);
        await new Promise((r) => setTimeout(r, random() * 700));
      }
      run.child.kill('SIGKILL');
      const { signal, code } = await run.exit;
      if (process.env.CRASH_DEBUG) console.log(i, code, signal, run.stdout(), run.stderr());
      if (code === 0) break; // it finished before the kill: nothing left to interrupt
      expect(signal).toBe('SIGKILL');
      const db = new Database(join(data, 'trove.db'), { readonly: true });
      partials.push((db.prepare('SELECT count(DISTINCT item_id) AS n FROM embeddings').get() as { n: number }).n);
      db.close();
    }
    expect(partials.length, `seed ${seed}`).toBeGreaterThanOrEqual(5);
    // progress is kept across kills: the embedded count never goes down
    for (let i = 1; i < partials.length; i++) expect(partials[i]!).toBeGreaterThanOrEqual(partials[i - 1]!);

    const final = await runCliProcess(['--data', data, 'index']);
    expect(final.code, final.stderr).toBe(0);

    const files = diskFiles(lib);
    const db = new Database(join(data, 'trove.db'), { readonly: true });
    try {
      const paths = (db.prepare('SELECT path FROM items ORDER BY path').all() as { path: string }[]).map((r) => r.path);
      expect(paths).toEqual(files);
      expect(new Set(paths).size).toBe(paths.length);
      expect((db.prepare(`SELECT count(*) AS n FROM items WHERE state <> 'ready'`).get() as { n: number }).n).toBe(0);
      // one embedding per photo, one per note chunk, none orphaned or duplicated
      const imgNoEmb = db.prepare(`SELECT count(*) AS n FROM items i WHERE kind = 'image' AND (SELECT count(*) FROM embeddings e WHERE e.item_id = i.id) <> 1`).get() as { n: number };
      expect(imgNoEmb.n).toBe(0);
      const chunkMismatch = db
        .prepare(`SELECT count(*) AS n FROM chunks c WHERE (SELECT count(*) FROM embeddings e WHERE e.chunk_id = c.id) <> 1`)
        .get() as { n: number };
      expect(chunkMismatch.n).toBe(0);
      const notesWithout = db.prepare(`SELECT count(*) AS n FROM items i WHERE kind = 'note' AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.item_id = i.id)`).get() as { n: number };
      expect(notesWithout.n).toBe(0);
      const orphans = db.prepare('SELECT count(*) AS n FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = e.item_id)').get() as { n: number };
      expect(orphans.n).toBe(0);
      // the saved HNSW index matches the stored embeddings exactly
      const mv = (db.prepare('SELECT id FROM model_versions').get() as { id: number }).id;
      const ids = (db.prepare('SELECT id FROM embeddings WHERE model_version = ? ORDER BY id').all(mv) as { id: number }[]).map((r) => r.id);
      const index = VectorIndex.load(indexFileFor(data, mv), new HashedTestEmbedder().dim);
      expect(index.liveIds().sort((a, b) => a - b)).toEqual(ids);
      expect(index.size).toBe(ids.length);
      // the interrupted runs are recorded as such
      const jobs = db.prepare(`SELECT state FROM jobs ORDER BY id`).all() as { state: string }[];
      expect(jobs[jobs.length - 1]!.state).toBe('done');
      expect(jobs.filter((j) => j.state === 'running')).toEqual([]);
    } finally {
      db.close();
    }

    const status = await runCliProcess(['--data', data, 'status', '--json']);
    const st = JSON.parse(status.stdout) as { items: { image: number; note: number }; embedded: number; pending: number };
    expect(st.items).toEqual({ image: 200, note: 20 });
    expect(st.embedded).toBe(220);
    expect(st.pending).toBe(0);
  }, 180_000);
});
