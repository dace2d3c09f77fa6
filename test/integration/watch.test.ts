// The watcher keeps the library in step with the disk: after every move, rename, edit and
// delete, the items in the database are exactly the files on disk, the HNSW index holds
// exactly the stored embeddings, and a moved/renamed file keeps its embedding (no re-embed).
import Database from 'better-sqlite3';
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindOf } from '../../main/engine/library/kinds';
import { TroveEngine } from '../../main/engine/service';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { generateLibrary, writeImage } from '../fixtures/library';
import { tempDir, waitUntil } from '../support/tmp';

let dir: ReturnType<typeof tempDir>;
let lib: string;
let engine: TroveEngine;
let ro: Database.Database;
let initial: Awaited<ReturnType<TroveEngine['status']>>;
const model = new HashedTestEmbedder();

function diskFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    if (name.startsWith('.')) continue;
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...diskFiles(p));
    else if (kindOf(p)) out.push(p);
  }
  return out.sort();
}

const dbPaths = () => (ro.prepare('SELECT path FROM items ORDER BY path').all() as { path: string }[]).map((r) => r.path).sort();
const dbEmbeddingIds = () => (ro.prepare('SELECT id FROM embeddings ORDER BY id').all() as { id: number }[]).map((r) => r.id);
const pending = () => (ro.prepare(`SELECT count(*) AS n FROM items WHERE state = 'pending'`).get() as { n: number }).n;
const embeddingsOf = (path: string) =>
  (ro.prepare('SELECT e.id FROM embeddings e JOIN items i ON i.id = e.item_id WHERE i.path = ? ORDER BY e.id').all(path) as { id: number }[]).map((r) => r.id);

function consistent(): boolean {
  const disk = diskFiles(lib);
  const db = dbPaths();
  return disk.length === db.length && disk.every((p, i) => p === db[i]) && pending() === 0 && sameIds(engine.vectorIds(), dbEmbeddingIds());
}

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function settle(what: string): Promise<void> {
  await waitUntil(async () => {
    await engine.idle();
    return consistent();
  }, what, 30_000);
  // and the exact assertions, for a readable failure
  expect(dbPaths()).toEqual(diskFiles(lib));
  expect(engine.vectorIds()).toEqual(dbEmbeddingIds());
  expect((await engine.status()).pending).toBe(0);
}

beforeAll(async () => {
  dir = tempDir();
  lib = join(dir.path, 'lib');
  await generateLibrary(lib, { images: 200, notes: 20 });
  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model, watch: true, perception: false });
  ro = new Database(join(dir.path, 'data', 'trove.db'), { readonly: true });
  await engine.addSource({ path: lib }); // autoIndex: indexing starts by itself
  await settle('initial index');
  initial = await engine.status();
}, 120_000);

afterAll(async () => {
  ro?.close();
  await engine?.close();
  dir.cleanup();
});

describe('watching a library', () => {
  it('indexed all 220 files', () => {
    expect(initial.items).toEqual({ image: 200, note: 20 });
    expect(initial.embedded).toBe(220);
  });

  it('a renamed file keeps its embedding', async () => {
    const from = join(lib, 'album-0', 'img-0000.jpg');
    const to = join(lib, 'album-0', 'renamed photo.jpg');
    const before = embeddingsOf(from);
    const calls = model.embedCalls;
    renameSync(from, to);
    await settle('rename');
    expect(embeddingsOf(to)).toEqual(before);
    expect(model.embedCalls).toBe(calls);
  });

  it('a file moved to another folder keeps its embedding', async () => {
    const from = join(lib, 'album-1', 'img-0001.png');
    const to = join(lib, 'album-2', 'moved-0001.png');
    const before = embeddingsOf(from);
    renameSync(from, to);
    await settle('move');
    expect(embeddingsOf(to)).toEqual(before);
  });

  it('a renamed folder keeps all its embeddings', async () => {
    const from = join(lib, 'album-3');
    const to = join(lib, 'album three');
    const sample = diskFiles(from).slice(0, 5);
    const before = sample.map(embeddingsOf);
    const calls = model.embedCalls;
    renameSync(from, to);
    await settle('folder rename');
    expect(sample.map((p) => embeddingsOf(p.replace(from, to)))).toEqual(before);
    expect(model.embedCalls).toBe(calls);
  });

  it('a copied photo and note reuse the stored embeddings (no model call)', async () => {
    const img = join(lib, 'album-2', 'img-0006.webp');
    const note = join(lib, 'notes', 'note-5.md');
    const calls = model.embedCalls;
    mkdirSync(join(lib, 'copies'));
    copyFileSync(img, join(lib, 'copies', 'same photo.webp'));
    copyFileSync(note, join(lib, 'copies', 'same note.md'));
    await settle('copy');
    expect(model.embedCalls).toBe(calls);
    const vec = (path: string) =>
      (ro.prepare('SELECT e.vector FROM embeddings e JOIN items i ON i.id = e.item_id WHERE i.path = ? ORDER BY e.id').all(path) as { vector: Buffer }[]).map((r) =>
        r.vector.toString('hex'),
      );
    expect(vec(join(lib, 'copies', 'same photo.webp'))).toEqual(vec(img));
    expect(vec(join(lib, 'copies', 'same note.md'))).toEqual(vec(note));
    expect(embeddingsOf(join(lib, 'copies', 'same note.md'))).not.toEqual(embeddingsOf(note));
    const res = await engine.find({ text: 'x', k: 300, filters: { kinds: ['image'] }, sort: 'relevance' });
    expect(res.results.map((r) => r.path)).toContain(join(lib, 'copies', 'same photo.webp'));
  });

  it('an edited photo and an edited note are embedded again', async () => {
    const img = join(lib, 'album-2', 'img-0002.webp');
    const note = join(lib, 'notes', 'note-3.md');
    const imgBefore = embeddingsOf(img);
    const noteBefore = embeddingsOf(note);
    await writeImage(img + '.tmp.webp', 999);
    renameSync(img + '.tmp.webp', img);
    appendFileSync(note, '\n\nA new paragraph about quantum gardening.\n');
    // the paths do not change, so wait for the new embeddings before checking consistency
    const changed = (a: number[], b: number[]) => a.length > 0 && !sameIds(a, b);
    await waitUntil(() => changed(embeddingsOf(img), imgBefore) && changed(embeddingsOf(note), noteBefore), 'edits re-embedded', 30_000);
    await settle('edit');
    expect(embeddingsOf(img)).not.toEqual(imgBefore);
    expect(embeddingsOf(img)).toHaveLength(1);
    expect(embeddingsOf(note)).not.toEqual(noteBefore);
    const res = await engine.find({ text: 'quantum gardening', k: 1, filters: { kinds: ['note'] }, sort: 'relevance' });
    expect(res.results[0]!.path).toBe(note);
  });

  it('deleted files leave the library and the index', async () => {
    const gone = [join(lib, 'album-0', 'img-0004.jpg'), join(lib, 'album-1', 'img-0005.png'), join(lib, 'notes', 'note-0.txt')];
    const before = (await engine.status()).items;
    for (const p of gone) unlinkSync(p);
    await settle('delete');
    for (const p of gone) expect(embeddingsOf(p)).toEqual([]);
    expect((await engine.status()).items).toEqual({ image: before.image - 2, note: before.note - 1 });
  });

  it('new files and a new folder are picked up', async () => {
    const before = (await engine.status()).items;
    mkdirSync(join(lib, 'new album'));
    await writeImage(join(lib, 'new album', 'fresh 1.jpg'), 500);
    await writeImage(join(lib, 'new album', 'fresh 2.png'), 501);
    writeFileSync(join(lib, 'notes', 'new note.md'), 'Fresh thoughts on sailing.');
    await settle('add');
    expect(embeddingsOf(join(lib, 'new album', 'fresh 2.png'))).toHaveLength(1);
    expect((await engine.status()).items).toEqual({ image: before.image + 2, note: before.note + 1 });
  });

  it('hidden files are ignored', async () => {
    await writeImage(join(lib, 'album-0', '.hidden.jpg'), 77);
    mkdirSync(join(lib, '.cache'));
    await writeImage(join(lib, '.cache', 'x.jpg'), 78);
    await new Promise((r) => setTimeout(r, 1000)); // give the watcher time to (not) react
    await settle('hidden');
    expect(dbPaths().some((p) => p.includes('hidden') || p.includes('.cache'))).toBe(false);
  });
});
