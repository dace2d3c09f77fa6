// TroveEngine end to end in one process, with the deterministic test double as model.
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/contract/dispatch';
import { TroveEngine } from '../../../main/engine/service';
import { HashedTestEmbedder } from '../../doubles/hashed-embedder';
import { noteText, writeImage } from '../../fixtures/library';
import { tempDir } from '../../support/tmp';

let dir: ReturnType<typeof tempDir>;
let engine: TroveEngine;
let srcA: number;
let srcB: number;
const DAY = 86_400_000;
const base = Date.UTC(2024, 0, 1);

beforeAll(async () => {
  dir = tempDir();
  const a = join(dir.path, 'A');
  const b = join(dir.path, 'B');
  mkdirSync(a);
  mkdirSync(b);
  for (let i = 0; i < 12; i++) {
    const p = join(a, `a${i}.png`);
    await writeImage(p, i);
    utimesSync(p, new Date(base + i * DAY), new Date(base + i * DAY)); // no EXIF: the date is the mtime
  }
  for (let i = 0; i < 6; i++) {
    const p = join(b, `b${i}.jpg`);
    await writeImage(p, 100 + i);
    utimesSync(p, new Date(base + (20 + i) * DAY), new Date(base + (20 + i) * DAY));
  }
  for (let i = 0; i < 6; i++) writeFileSync(join(a, `note${i}.md`), noteText(i) + 'filler text. '.repeat(200));
  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model: new HashedTestEmbedder(), perception: false });
  srcA = (await engine.addSource({ path: a })).id;
  srcB = (await engine.addSource({ path: b })).id;
  await engine.startIndexing({});
  const final = await engine.waitForIndexing();
  expect(final?.state).toBe('done');
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

const find = (req: Partial<Parameters<TroveEngine['find']>[0]>) =>
  engine.find({ k: 50, filters: {}, sort: 'relevance', ...req } as Parameters<TroveEngine['find']>[0]);

describe('TroveEngine search', () => {
  it('indexes everything and reports it in status', async () => {
    const st = await engine.status();
    expect(st.items).toEqual({ image: 18, note: 6 });
    expect(st.embedded).toBe(24);
    expect(st.pending).toBe(0);
    expect(st.errors).toBe(0);
    expect(st.job?.state).toBe('done');
    expect(st.model?.id).toBe('hashed-test-embedder');
  });

  it('finds the matching note first, pointing at a chunk with correct offsets, one hit per note', async () => {
    const res = await find({ text: 'sourdough bread baking' });
    const top = res.results[0]!;
    expect(top.kind).toBe('note');
    expect(top.path).toMatch(/note0\.md$/);
    const text = readFileSync(top.path, 'utf8');
    expect(text.slice(top.chunk!.start, top.chunk!.end)).toBe(top.chunk!.text);
    expect(top.chunk!.text).toMatch(/sourdough/);
    const ids = res.results.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(res.instruction).toContain('sourdough bread baking');
  });

  it('filters by kind and by source', async () => {
    const images = await find({ text: 'anything', filters: { kinds: ['image'] } });
    expect(images.results.length).toBe(18);
    expect(images.results.every((r) => r.kind === 'image')).toBe(true);
    const notes = await find({ text: 'piano', filters: { kinds: ['note'] } });
    expect(notes.results.length).toBe(6);
    expect(notes.results.every((r) => r.kind === 'note' && r.chunk)).toBe(true);
    const onlyB = await find({ text: 'anything', filters: { sourceIds: [srcB] } });
    expect(onlyB.results.length).toBe(6);
    expect(onlyB.results.every((r) => r.path.includes('/B/'))).toBe(true);
    const onlyA = await find({ text: 'anything', filters: { sourceIds: [srcA], kinds: ['image'] } });
    expect(onlyA.results.length).toBe(12);
  });

  it('filters by date (inclusive) and sorts by date', async () => {
    const res = await find({ text: 'x', filters: { kinds: ['image'], dateFrom: base + 5 * DAY, dateTo: base + 21 * DAY } });
    const names = res.results.map((r) => r.path.split('/').pop()).sort();
    expect(names).toEqual(['a10.png', 'a11.png', 'a5.png', 'a6.png', 'a7.png', 'a8.png', 'a9.png', 'b0.jpg', 'b1.jpg'].sort());
    const byDate = await find({ text: 'x', filters: { kinds: ['image'] }, sort: 'date', k: 5 });
    expect(byDate.results.length).toBe(5);
    const dates = await Promise.all(byDate.results.map(async (r) => (await engine.getItem({ id: r.id })).mtime));
    expect([...dates].sort((x, y) => y - x)).toEqual(dates);
  });

  it('searches with a library photo: the photo itself ranks first', async () => {
    const all = await find({ text: 'x', filters: { kinds: ['image'] } });
    const probe = all.results.find((r) => r.path.endsWith('a3.png'))!;
    const res = await find({ imageItemId: probe.id, k: 3 });
    expect(res.results[0]!.id).toBe(probe.id);
    expect(res.results[0]!.score).toBeGreaterThan(0.99);
    expect(res.instruction).toMatch(/^<image> /);
    const dropped = await find({ imageBase64: readFileSync(probe.path).toString('base64'), k: 1 });
    expect(dropped.results[0]!.id).toBe(probe.id);
  });

  it('resolves files only for ids in the library', async () => {
    const all = await find({ text: 'x' });
    const img = all.results.find((r) => r.kind === 'image')!;
    const note = all.results.find((r) => r.kind === 'note')!;
    expect(engine.thumbnailPath(img.id)).toMatch(/thumbs\/[0-9a-f]{2}\/[0-9a-f]{64}\.webp$/);
    expect(engine.originalPath(img.id)).toBe(img.path);
    expect(engine.thumbnailPath(note.id)).toBeNull();
    expect(engine.thumbnailPath(99999)).toBeNull();
    expect(engine.originalPath(99999)).toBeNull();
    const detail = await engine.getItem({ id: note.id });
    expect(detail.text).toContain('Note');
    expect((await engine.getItem({ id: img.id })).width).toBe(64);
    await expect(engine.getItem({ id: 99999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('answers every contract method with a response that passes the contract schemas', async () => {
    const call = async (method: string, req: unknown) => {
      const r = await dispatch(engine, method, req);
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.value;
    };
    await call('status', {});
    await call('listSources', {});
    await call('listErrors', {});
    const found = (await call('find', { text: 'sourdough', k: 5 })) as { results: { id: number }[] };
    await call('getItem', { id: found.results[0]!.id });
    await call('find', { imageItemId: found.results.find(() => true)!.id, k: 2 }).catch((e: Error) => expect(e.message).toMatch(/invalid .* note/));
    await call('pauseIndexing', {});
    await call('resumeIndexing', {});
    await call('cancelIndexing', {});
    const missing = await dispatch(engine, 'getItem', { id: 424242 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await dispatch(engine, 'addSource', { path: '/definitely/not/here' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/does not exist/) } });
  });

  it('refuses nested sources and missing folders with actionable messages', async () => {
    await expect(engine.addSource({ path: join(dir.path, 'A', 'nope') })).rejects.toMatchObject({ code: 'not_found' });
    mkdirSync(join(dir.path, 'A', 'inner'), { recursive: true });
    await expect(engine.addSource({ path: join(dir.path, 'A', 'inner') })).rejects.toThrow(/already part of the library/);
    await expect(engine.addSource({ path: dir.path })).rejects.toThrow(/Remove .* first/);
  });
});
