// Indexing job control (pause, resume, cancel), progress events against the contract,
// vector-index repair at open, and re-embedding when the model version changes.
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineEvent, type JobProgress } from '../../../main/contract/api';
import { indexFileFor } from '../../../main/engine/embedding/vector-store';
import { TroveEngine } from '../../../main/engine/service';
import { HashedTestEmbedder } from '../../doubles/hashed-embedder';
import { generateLibrary } from '../../fixtures/library';
import { tempDir, waitUntil } from '../../support/tmp';

let dir: ReturnType<typeof tempDir>;
let lib: string;
let data: string;
const engines: TroveEngine[] = [];
const open = (model: HashedTestEmbedder | null) => {
  const e = new TroveEngine({ dataDir: data, model, batchSize: 4, perception: false });
  engines.push(e);
  return e;
};

beforeEach(async () => {
  dir = tempDir();
  lib = join(dir.path, 'lib');
  data = join(dir.path, 'data');
  await generateLibrary(lib, { images: 40, notes: 4 });
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  dir.cleanup();
});

describe('indexing jobs', () => {
  it('pauses, resumes and finishes; every event matches the contract', async () => {
    const e = open(new HashedTestEmbedder({ delayMs: 30 }));
    const events: EngineEvent[] = [];
    e.onEvent((ev) => events.push(EngineEvent.parse(ev)));
    await e.addSource({ path: lib });
    await e.startIndexing({});
    await waitUntil(async () => ((await e.status()).job?.done ?? 0) > 0, 'some progress');
    expect((await e.pauseIndexing({})).ok).toBe(true);
    const pausedAt = (await e.status()).job!;
    expect(pausedAt.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 300));
    // nothing moves while paused (at most the batch that was in flight when pausing)
    const later = (await e.status()).job!;
    expect(later.state).toBe('paused');
    expect(later.done - pausedAt.done).toBeLessThanOrEqual(32);
    const stillPaused = (await e.status()).job!.done;
    await new Promise((r) => setTimeout(r, 200));
    expect((await e.status()).job!.done).toBe(stillPaused);
    expect((await e.resumeIndexing({})).ok).toBe(true);
    const final = await e.waitForIndexing();
    expect(final!.state).toBe('done');
    expect(final!.done).toBe(44);
    const progress = events.filter((x): x is { type: 'progress'; progress: JobProgress } => x.type === 'progress').map((x) => x.progress);
    expect(progress.some((p) => p.state === 'paused')).toBe(true);
    expect(progress[progress.length - 1]!.state).toBe('done');
    expect((await e.status()).embedded).toBe(44);
  });

  it('cancel stops the job; starting again resumes where it stopped', async () => {
    const model = new HashedTestEmbedder({ delayMs: 30 });
    const e = open(model);
    await e.addSource({ path: lib });
    await e.startIndexing({});
    await waitUntil(async () => ((await e.status()).job?.done ?? 0) > 0, 'some progress');
    expect((await e.cancelIndexing({})).ok).toBe(true);
    const cancelled = await e.waitForIndexing();
    expect(cancelled!.state).toBe('cancelled');
    const st = await e.status();
    expect(st.embedded).toBeGreaterThan(0);
    expect(st.pending).toBe(44 - st.embedded);
    const callsBefore = model.embedCalls;
    await e.startIndexing({});
    const done = await e.waitForIndexing();
    expect(done!.state).toBe('done');
    expect(done!.done).toBe(44 - st.embedded); // only what was left
    expect(model.embedCalls).toBeGreaterThan(callsBefore);
    expect((await e.status()).embedded).toBe(44);
  });

  it('rebuilds a missing or stale vector index from the database at open', async () => {
    const e = open(new HashedTestEmbedder());
    await e.addSource({ path: lib });
    await e.startIndexing({});
    await e.waitForIndexing();
    const ids = e.vectorIds();
    expect(ids).toHaveLength(44);
    await e.close();
    const file = indexFileFor(data, 1);
    expect(existsSync(file)).toBe(true);
    unlinkSync(file);
    const again = open(new HashedTestEmbedder());
    expect(again.vectorIds()).toEqual(ids);
    await again.close();
    writeFileSync(file, 'garbage'); // a damaged file is not trusted
    const third = open(new HashedTestEmbedder());
    expect(third.vectorIds()).toEqual(ids);
    const res = await third.find({ text: 'sourdough', k: 1, filters: {}, sort: 'relevance' });
    expect(res.results[0]!.kind).toBe('note');
  });

  it('a new model version re-embeds everything into its own index', async () => {
    const v1 = open(new HashedTestEmbedder({ version: '1' }));
    await v1.addSource({ path: lib });
    await v1.startIndexing({});
    await v1.waitForIndexing();
    await v1.close();
    const v2 = open(new HashedTestEmbedder({ version: '2' }));
    const st = await v2.status();
    expect(st.embedded).toBe(0);
    expect(st.pending).toBe(44);
    await v2.startIndexing({});
    expect((await v2.waitForIndexing())!.done).toBe(44);
    expect(v2.vectorIds()).toHaveLength(44);
    expect(existsSync(indexFileFor(data, 2))).toBe(true);
  });

  it('one indexer per library: a second is refused while the first runs; the lock of a dead owner is taken over', async () => {
    const a = open(new HashedTestEmbedder({ delayMs: 30 }));
    await a.addSource({ path: lib });
    await a.startIndexing({});
    const b = open(new HashedTestEmbedder());
    await expect(b.startIndexing({})).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/Another Trove process .* is indexing/) });
    await a.waitForIndexing();
    await a.close();
    writeFileSync(join(data, 'index.lock'), '999999999'); // left behind by a process that died
    await b.startIndexing({});
    expect((await b.waitForIndexing())!.state).toBe('done');
    expect(existsSync(join(data, 'index.lock'))).toBe(false);
  });

  it('an input the model rejects fails only its own item; a broken model fails the job, keeping items pending', async () => {
    class Picky extends HashedTestEmbedder {
      override async embed(batch: Parameters<HashedTestEmbedder['embed']>[0]) {
        if (batch.some((x) => x.text.includes('POISON'))) throw new Error('token limit exceeded');
        return super.embed(batch);
      }
    }
    writeFileSync(join(lib, 'notes', 'poison.md'), 'This note has POISON in it.');
    const e = open(new Picky());
    await e.addSource({ path: lib });
    await e.startIndexing({});
    expect((await e.waitForIndexing())!.state).toBe('done');
    const errors = await e.listErrors({ limit: 10 });
    expect(errors).toEqual([expect.objectContaining({ path: join(lib, 'notes', 'poison.md'), reason: expect.stringMatching(/embedding model could not process this file \(token limit exceeded\)/) })]);
    expect((await e.status()).embedded).toBe(44);
    await e.close();

    class Broken extends HashedTestEmbedder {
      override async embed(): Promise<Float32Array[]> {
        throw new Error('onnxruntime: session crashed');
      }
    }
    const b = open(new Broken({ version: 'broken' }));
    await b.startIndexing({});
    const final = (await b.waitForIndexing())!;
    expect(final.state).toBe('failed');
    expect(final.message).toMatch(/session crashed/);
    expect((await b.status()).pending).toBeGreaterThan(40);
  });

  it('with autoIndex, a folder added while a job runs is indexed too', async () => {
    const second = join(dir.path, 'second');
    await generateLibrary(second, { images: 6, notes: 1, folders: 1 });
    const e = new TroveEngine({ dataDir: data, model: new HashedTestEmbedder({ delayMs: 20 }), autoIndex: true, batchSize: 4, perception: false });
    engines.push(e);
    await e.addSource({ path: lib });
    await waitUntil(async () => ((await e.status()).job?.done ?? 0) > 0, 'first job under way');
    await e.addSource({ path: second });
    await waitUntil(async () => {
      await e.idle();
      const st = await e.status();
      return st.embedded === 51 && st.pending === 0;
    }, 'both folders indexed');
  });

  it('without a model: status works, indexing and search say no model is installed', async () => {
    const e = open(null);
    await e.addSource({ path: lib });
    const st = await e.status();
    expect(st.model).toBeNull();
    expect(st.sources).toBe(1);
    await expect(e.startIndexing({})).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/No embedding model is installed/) });
    await expect(e.find({ text: 'x', k: 5, filters: {}, sort: 'relevance' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
