// The three instruction modes beyond Find — Ask (VQA), Sort into labels (classification)
// and Point at (grounding) — through TroveEngine, with a deterministic test double whose
// colour words link text and image features, so the right answer is knowable.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../../main/contract/api';
import { dispatch } from '../../../main/contract/dispatch';
import { ANSWER_VOCABULARY } from '../../../main/engine/queries/answer-vocabulary';
import { pixelRect, proposeRegions, slidingWindows } from '../../../main/engine/queries/ground';
import { TroveEngine } from '../../../main/engine/service';
import { ColourWordsTestEmbedder } from '../../doubles/colour-words-embedder';
import { tempDir, waitUntil } from '../../support/tmp';
import { BLUE, GREEN, GREY, RED, writePlainPhoto, writeSquarePhoto } from './mode-fixtures';

let dir: ReturnType<typeof tempDir>;
let engine: TroveEngine;
let model: ColourWordsTestEmbedder;
let srcA: number;
const ids: Record<string, number> = {};

beforeAll(async () => {
  dir = tempDir();
  const a = join(dir.path, 'A');
  const b = join(dir.path, 'B');
  mkdirSync(a);
  mkdirSync(b);
  // 200x160: a red square in the top-right corner, a blue one bottom-left
  await writeSquarePhoto(join(a, 'red-top-right.png'), 200, 160, GREY, RED, { x: 120, y: 0, side: 80 });
  await writeSquarePhoto(join(a, 'blue-bottom-left.png'), 200, 160, GREY, BLUE, { x: 0, y: 80, side: 80 });
  // stored 200x160 with the green square top-left; EXIF orientation 6 (rotate 90° clockwise)
  // shows it 160x200 with the square top-right
  await writeSquarePhoto(join(a, 'green-rotated.jpg'), 200, 160, GREY, GREEN, { x: 0, y: 0, side: 80 }, 6);
  writeFileSync(join(a, 'note.md'), '# Paint\n\nThe shed door is painted red.\n');
  for (let i = 0; i < 3; i++) await writePlainPhoto(join(b, `red${i}.png`), 48, RED, i);
  for (let i = 0; i < 3; i++) await writePlainPhoto(join(b, `blue${i}.png`), 48, BLUE, i + 10);
  model = new ColourWordsTestEmbedder();
  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model, batchSize: 4, perception: false });
  srcA = (await engine.addSource({ path: a })).id;
  await engine.addSource({ path: b });
  await engine.startIndexing({});
  expect((await engine.waitForIndexing())?.state).toBe('done');
  const all = await engine.find({ text: 'x', k: 100, filters: {}, sort: 'relevance' });
  for (const r of all.results) ids[r.path.split('/').pop()!] = r.id;
  expect(Object.keys(ids)).toHaveLength(10);
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

/** An engine of its own over `folders`, indexed, for a test that must not share the file's library or labels. */
async function engineOver(folders: string[], o: { delayMs?: number; batchSize?: number } = {}): Promise<{ engine: TroveEngine; close: () => Promise<void> }> {
  const d = tempDir();
  const own = new TroveEngine({ dataDir: join(d.path, 'data'), model: new ColourWordsTestEmbedder({ delayMs: o.delayMs }), batchSize: o.batchSize ?? 4, perception: false });
  const close = async () => {
    await own.close();
    d.cleanup();
  };
  try {
    for (const path of folders) await own.addSource({ path });
    await own.startIndexing({});
    expect((await own.waitForIndexing())?.state).toBe('done');
  } catch (e) {
    await close();
    throw e;
  }
  return { engine: own, close };
}

const parsed = <M extends 'ask' | 'pointAt' | 'sortIntoLabels'>(m: M, req: unknown) => methods[m].request.parse(req) as never;

describe('Ask (VQA)', () => {
  it('ranks the built-in answer that matches the photo first, and shows the vqa instruction with the question', async () => {
    const red = await engine.ask(parsed('ask', { itemId: ids['red-top-right.png'], question: 'what colour is it' }));
    expect(red.answers).toHaveLength(5);
    expect(red.answers[0]).toMatchObject({ text: 'red', fromOptions: false });
    expect(red.instruction).toBe('<image> Represent the given image with the following question: what colour is it');
    const blue = await engine.ask(parsed('ask', { itemId: ids['blue-bottom-left.png'], question: 'what colour is it' }));
    expect(blue.answers[0]!.text).toBe('blue');
    // scores are sorted, highest first
    for (let i = 1; i < red.answers.length; i++) expect(red.answers[i]!.score).toBeLessThanOrEqual(red.answers[i - 1]!.score);
  });

  it("ranks the user's option first when it fits best, and caches the vocabulary's embeddings", async () => {
    await engine.ask(parsed('ask', { itemId: ids['blue-bottom-left.png'], question: 'what colour is it' })); // embeds the vocabulary once
    const before = model.embedCalls;
    const res = await engine.ask(parsed('ask', { itemId: ids['red-top-right.png'], question: 'what colour is it', options: ['red it is', 'purple'], k: 3 }));
    // one embed call: the query + the two options; the vocabulary came from the cache
    expect(model.embedCalls - before).toBe(1);
    expect(res.answers[0]).toMatchObject({ text: 'red it is', fromOptions: true });
    expect(res.answers.map((a) => a.text)).toContain('red');
    expect(res.answers.map((a) => a.text)).not.toContain('purple');
  });

  it('refuses a note, and an unknown item, with advice', async () => {
    await expect(engine.ask(parsed('ask', { itemId: ids['note.md'], question: 'what is it' }))).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/Ask works on photos/) });
    await expect(engine.ask(parsed('ask', { itemId: 99_999, question: 'what is it' }))).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/no item with id 99999/) });
    const out = await dispatch(engine, 'ask', { itemId: 1, question: '   ' });
    expect(out).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('has a vocabulary of a few hundred distinct answers with numbers, colours and yes/no', () => {
    expect(ANSWER_VOCABULARY.length).toBeGreaterThan(250);
    expect(new Set(ANSWER_VOCABULARY).size).toBe(ANSWER_VOCABULARY.length);
    for (const w of ['yes', 'no', '0', '20', 'red', 'dog', 'beach', 'night', 'sunny']) expect(ANSWER_VOCABULARY).toContain(w);
  });
});

describe('Sort into labels (classification)', () => {
  it('trims, dedupes and bounds the labels in the request schema', () => {
    expect(methods.sortIntoLabels.request.parse({ labels: [' red ', 'red', 'blue'] })).toEqual({ labels: ['red', 'blue'] });
    expect(methods.sortIntoLabels.request.safeParse({ labels: ['red', ' red'] }).success).toBe(false);
    expect(methods.sortIntoLabels.request.safeParse({ labels: ['red'] }).success).toBe(false);
    expect(methods.sortIntoLabels.request.safeParse({ labels: Array.from({ length: 101 }, (_, i) => `l${i}`) }).success).toBe(false);
  });

  it('refuses a label filter before any labels exist', async () => {
    const fresh = await engineOver([join(dir.path, 'B')]);
    try {
      await expect(fresh.engine.find({ text: 'x', k: 10, filters: { label: 'red' }, sort: 'relevance' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/Sort into labels/) });
      expect((await fresh.engine.listLabels({})).id).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('labels every photo in a background job with progress, and filters Find by label', async () => {
    const events: string[] = [];
    const off = engine.onEvent((e) => {
      if (e.type === 'progress' && e.progress.kind === 'label') events.push(`${e.progress.state}:${e.progress.done}/${e.progress.total}`);
    });
    const first = await engine.sortIntoLabels(parsed('sortIntoLabels', { labels: ['red', 'blue'] }));
    expect(first).toMatchObject({ kind: 'label', state: 'running' });
    const final = await engine.waitForLabels();
    off();
    expect(final).toMatchObject({ kind: 'label', state: 'done', done: 9, total: 9 });
    expect(events.at(-1)).toBe('done:9/9');
    expect(events.length).toBeGreaterThan(2);

    const set = await engine.listLabels({});
    expect(set.labels.map((l) => l.label)).toEqual(['red', 'blue']);
    expect(set.labelled).toBe(9);
    expect(set.instruction).toBe('<image> Represent the given image for classification');

    const reds = await engine.find({ text: 'photo', k: 50, filters: { label: 'red' }, sort: 'relevance' });
    const redNames = reds.results.map((r) => r.path.split('/').pop());
    for (let i = 0; i < 3; i++) expect(redNames).toContain(`red${i}.png`);
    expect(redNames.some((n) => n!.startsWith('blue'))).toBe(false);
    expect(redNames).not.toContain('note.md');
    const blues = await engine.find({ text: 'photo', k: 50, filters: { label: 'blue' }, sort: 'relevance' });
    const blueNames = blues.results.map((r) => r.path.split('/').pop());
    for (let i = 0; i < 3; i++) expect(blueNames).toContain(`blue${i}.png`);
    expect(blueNames.some((n) => n!.startsWith('red'))).toBe(false);
    await expect(engine.find({ text: 'x', k: 10, filters: { label: 'green' }, sort: 'relevance' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/not one of the current labels/) });
  });

  it('a new label set replaces the old one', async () => {
    await engine.sortIntoLabels(parsed('sortIntoLabels', { labels: ['red', 'blue'] }));
    await engine.waitForLabels();
    await engine.sortIntoLabels(parsed('sortIntoLabels', { labels: ['green', 'red', 'blue'] }));
    await engine.waitForLabels();
    const set = await engine.listLabels({});
    expect(set.labels.map((l) => l.label)).toEqual(['green', 'red', 'blue']);
    expect(set.labels.reduce((n, l) => n + l.count, 0)).toBe(9);
    expect(set.labels.find((l) => l.label === 'green')!.count).toBeGreaterThanOrEqual(1); // the green photo
    const greens = await engine.find({ text: 'x', k: 50, filters: { label: 'green' }, sort: 'relevance' });
    expect(greens.results.map((r) => r.path.split('/').pop())).toContain('green-rotated.jpg');
  });

  it('can be cancelled', async () => {
    const { engine: slow, close } = await engineOver([join(dir.path, 'B')], { delayMs: 80, batchSize: 1 });
    try {
      await slow.sortIntoLabels(parsed('sortIntoLabels', { labels: ['red', 'blue'] }));
      await waitUntil(async () => ((await slow.status()).job?.kind === 'label' && ((await slow.status()).job?.done ?? 0) >= 1), 'one photo labelled');
      expect(await slow.cancelLabels({})).toEqual({ ok: true });
      const final = await slow.waitForLabels();
      expect(final?.state).toBe('cancelled');
      expect(final!.done).toBeLessThan(6);
    } finally {
      await close();
    }
  });
});

describe('Point at (grounding)', () => {
  it('proposes a bounded set of multi-scale windows plus the whole image', () => {
    const w = slidingWindows();
    expect(w.length).toBeGreaterThanOrEqual(20);
    expect(w.length).toBeLessThanOrEqual(40);
    expect(w[0]).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    for (const b of w) {
      expect(b.x + b.width).toBeLessThanOrEqual(1 + 1e-9);
      expect(b.y + b.height).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(pixelRect({ x: 0.66, y: 0, width: 0.34, height: 0.34 }, 200, 160)).toEqual({ left: 132, top: 0, width: 68, height: 54 });
  });

  it('finds the red square in the top-right corner and returns its box in pixels', async () => {
    const res = await engine.pointAt(parsed('pointAt', { caption: 'red square', k: 3, filters: { sourceIds: [srcA] } }));
    expect(res.instruction).toBe('<image> Select the portion of the image that follows the language expressions. red square');
    const top = res.results[0]!;
    expect(top.path).toMatch(/red-top-right\.png$/);
    const box = top.box!;
    // inside the top-right quadrant of the 200x160 photo, and overlapping the square (x 120-200, y 0-80)
    expect(box.x).toBeGreaterThanOrEqual(100);
    expect(box.x + box.width).toBeLessThanOrEqual(200);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(80);
    expect(box.width).toBeLessThan(200);
    for (const r of res.results) expect(r.box).toBeDefined();
    for (let i = 1; i < res.results.length; i++) expect(res.results[i]!.score).toBeLessThanOrEqual(res.results[i - 1]!.score);
  });

  it('finds the blue square bottom-left', async () => {
    const res = await engine.pointAt(parsed('pointAt', { caption: 'blue square', k: 3, filters: { sourceIds: [srcA] } }));
    const top = res.results[0]!;
    expect(top.path).toMatch(/blue-bottom-left\.png$/);
    expect(top.box!.x + top.box!.width).toBeLessThanOrEqual(100);
    expect(top.box!.y).toBeGreaterThanOrEqual(80);
  });

  it('gives the box in the EXIF-rotated coordinates the viewer shows', async () => {
    const res = await engine.pointAt(parsed('pointAt', { caption: 'green square', k: 3, filters: { sourceIds: [srcA] } }));
    const top = res.results[0]!;
    expect(top.path).toMatch(/green-rotated\.jpg$/);
    expect([top.width, top.height]).toEqual([160, 200]);
    // stored top-left, shown top-right after rotating 90° clockwise
    expect(top.box!.x).toBeGreaterThanOrEqual(80);
    expect(top.box!.x + top.box!.width).toBeLessThanOrEqual(160);
    expect(top.box!.y + top.box!.height).toBeLessThanOrEqual(100);
  });

  it('returns nothing for notes only, and honours the label filter', async () => {
    await engine.sortIntoLabels(parsed('sortIntoLabels', { labels: ['red', 'blue'] }));
    await engine.waitForLabels();
    expect((await engine.pointAt(parsed('pointAt', { caption: 'red', filters: { kinds: ['note'] } }))).results).toEqual([]);
    const res = await engine.pointAt(parsed('pointAt', { caption: 'blue square', k: 10, filters: { label: 'red' } }));
    for (const r of res.results) expect(r.path).not.toMatch(/blue/);
  });
});

describe('region proposals: the detector seam', () => {
  it('adds the boxes the passes detected (clamped, tiny ones dropped) to the sliding windows', () => {
    const plain = proposeRegions();
    const withDetector = proposeRegions([
      { x: 0.1, y: 0.2, width: 0.3, height: 0.4 },
      { x: 0.9, y: 0.9, width: 0.5, height: 0.5 }, // runs off the image: clamped
      { x: 0.5, y: 0.5, width: 0.001, height: 0.3 }, // too thin: dropped
    ]);
    expect(withDetector.length).toBe(plain.length + 2);
    expect(withDetector.at(-2)).toEqual({ x: 0.1, y: 0.2, width: 0.3, height: 0.4 });
    const last = withDetector.at(-1)!;
    expect(last.x + last.width).toBeCloseTo(1);
    expect(last.y + last.height).toBeCloseTo(1);
  });
});

describe('Point at on a photo larger than the grounding decode', () => {
  it('scales the box back to the original pixels', async () => {
    const c = join(dir.path, 'C');
    mkdirSync(c);
    // 1200x900 is decoded at 683x512 for grounding; the box must come back in 1200x900 pixels
    await writeSquarePhoto(join(c, 'big-red-bottom-right.png'), 1200, 900, GREY, RED, { x: 750, y: 450, side: 450 });
    const big = await engineOver([c]);
    let res: Awaited<ReturnType<TroveEngine['pointAt']>>;
    try {
      res = await big.engine.pointAt(parsed('pointAt', { caption: 'red square', k: 1 }));
    } finally {
      await big.close();
    }
    const top = res.results[0]!;
    expect([top.width, top.height]).toEqual([1200, 900]);
    const box = top.box!;
    expect(box.x).toBeGreaterThanOrEqual(700);
    expect(box.y).toBeGreaterThanOrEqual(420);
    expect(box.x + box.width).toBeLessThanOrEqual(1200);
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    expect(box.width).toBeGreaterThan(300); // a 0.34 window of 1200 px, not of the 683 px decode
  });
});
