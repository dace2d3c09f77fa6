// The instruction modes in a real browser against the real engine (`trove serve` with the
// ColourWordsTestEmbedder double, whose colour words make the right answers knowable):
// Find + "more like this", Point at (the viewer draws the box of a REAL pointAt response,
// and the grid overlays it), Ask (answers with score bars, the user's option first) and
// Sort into labels (background job, label chips, the label filter). Screenshots go to
// test-artifacts/e2e/modes-*.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { tempDir } from '../support/tmp';
import { BLUE, GREEN, GREY, RED, writeSquarePhoto } from '../unit/engine/mode-fixtures';
import { ensureRendererBuilt, launchBrowser, ROOT, shot, startServe, watchPage } from './harness';
import type { Served } from './harness';

const tmp = tempDir('trove-e2e-modes-');
let served: Served;
let browser: Browser;
let page: Page;
let problems: string[];
const lib = join(tmp.path, 'library');

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(lib);
  // 200x160 photos with one coloured square in a known corner
  await writeSquarePhoto(join(lib, 'red-top-right.png'), 200, 160, GREY, RED, { x: 120, y: 0, side: 80 });
  await writeSquarePhoto(join(lib, 'red-bottom-left.png'), 200, 160, GREY, RED, { x: 0, y: 80, side: 80 });
  await writeSquarePhoto(join(lib, 'blue-bottom-left.png'), 200, 160, GREY, BLUE, { x: 0, y: 80, side: 80 });
  await writeSquarePhoto(join(lib, 'blue-top-left.png'), 200, 160, GREY, BLUE, { x: 0, y: 0, side: 80 });
  // shown 160x200 (EXIF orientation 6) with the green square top-right
  await writeSquarePhoto(join(lib, 'green-rotated.jpg'), 200, 160, GREY, GREEN, { x: 0, y: 0, side: 80 }, 6);
  writeFileSync(join(lib, 'paint.md'), '# Paint\n\nThe shed door is painted red; the gate is blue.\n');
  served = await startServe(join(tmp.path, 'data'), {}, join(ROOT, 'test', 'e2e', 'colour-words-cli.ts'));
  const add = await api('addSource', { path: lib });
  expect(add.status).toBe(200);
  // indexing starts by itself; wait until the library is embedded
  for (let i = 0; i < 300; i++) {
    const st = (await api('status')).body as { embedded: number; pending: number };
    if (st.embedded === 6 && st.pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
  problems = watchPage(page);
}, 180_000);

// each test starts from the app as it opens (the tests run in any order)
beforeEach(async () => {
  await page.goto(served.url);
  await page.getByTestId('counts').filter({ hasText: '5 photos · 1 notes · 6 indexed' }).waitFor({ timeout: 30_000 });
});

afterEach(() => {
  expect(problems, 'console errors or CSP violations').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  tmp.cleanup();
});

async function api(method: string, body: unknown = {}) {
  const res = await fetch(`${served.origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const mode = (name: string) => page.getByRole('radio', { name, exact: true });
const submit = () => page.getByTestId('submit');
const pct = (v: number) => `${Number(v.toFixed(4))}%`;
type Box = { x: number; y: number; width: number; height: number };

/** The RGBA of the displayed photo's pixel under the centre of the drawn grounding box. */
const centrePixel = () =>
  page.evaluate<number[]>(`(() => {
    const el = document.querySelector('[data-testid="grounding-box"]');
    const img = el.parentElement.querySelector('img');
    const r = el.getBoundingClientRect();
    const ir = img.getBoundingClientRect();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const x = ((r.left + r.width / 2 - ir.left) / ir.width) * img.naturalWidth;
    const y = ((r.top + r.height / 2 - ir.top) / ir.height) * img.naturalHeight;
    return [...g.getImageData(Math.floor(x), Math.floor(y), 1, 1).data];
  })()`);

type Pointed = { results: { id: number; path: string; box: Box; width: number; height: number }[]; instruction: string };

/** Point at with this caption, through the UI; the engine's response as the page received it. */
async function pointAt(caption: string): Promise<Pointed> {
  await mode('Point at').click();
  await page.getByRole('searchbox').fill(caption);
  const responded = page.waitForResponse((r) => r.url().endsWith('/api/pointAt'));
  await submit().click();
  return (await (await responded).json()) as Pointed;
}

/** Opens the viewer on a photo of the library, found by Find. */
async function openViewer(name: string): Promise<void> {
  await mode('Find').click();
  await page.getByRole('searchbox').fill('photo');
  await submit().click();
  await page.getByTestId('result').filter({ has: page.locator('.name', { hasText: name }) }).locator('button.thumb').click();
  await page.getByTestId('viewer').locator('h2').filter({ hasText: name }).waitFor();
}

describe('instruction modes in a browser, against the real engine', () => {
  it('Find, then "more like this" from the viewer (the photo itself first)', async () => {
    await mode('Find').click();
    await page.getByRole('searchbox').fill('photo');
    await submit().click();
    const photo = page.locator('[data-testid="result"][data-kind="image"]').first();
    await photo.waitFor();
    await photo.locator('button.thumb').click();
    const viewer = page.getByTestId('viewer');
    await viewer.waitFor();
    const title = (await viewer.locator('h2').textContent())!;
    await page.getByTestId('more-like-this').click();
    await viewer.waitFor({ state: 'detached' });
    await page.getByText(`More like ${title}`).waitFor();
    await expect.poll(() => page.getByTestId('result').first().locator('.name').textContent()).toBe(title);
    await shot(page, 'modes-01-more-like-this');
  });

  it('Point at: the results carry boxes, and the viewer draws the box of the real response', async () => {
    const body = await pointAt('red square');
    expect(body.results.length).toBeGreaterThan(0);
    const top = body.results[0]!;
    expect(top.path).toMatch(/red-/);
    // the box lies on the red square of that photo
    if (top.path.endsWith('red-top-right.png')) expect(top.box.x).toBeGreaterThanOrEqual(100);
    else expect(top.box.y).toBeGreaterThanOrEqual(80);
    await page.locator('.query-bar').filter({ hasText: 'Regions matching “red square”' }).waitFor();
    await page.getByText('Instruction sent to the model').click();
    expect(await page.getByTestId('instruction').textContent()).toBe(body.instruction);
    expect(body.instruction).toContain('red square');
    // the grid overlays the box on the thumbnails
    await page.getByTestId('thumb-box').first().waitFor();
    await shot(page, 'modes-02-point-at-grid');
    await page.getByTestId('results').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const viewer = page.getByTestId('viewer');
    await viewer.waitFor();
    expect(await viewer.locator('h2').textContent()).toBe(top.path.split('/').pop());
    const box = page.getByTestId('grounding-box');
    await box.waitFor();
    await expect.poll(() => viewer.locator('figure img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(top.width);
    const style = (await box.getAttribute('style'))!;
    expect(style).toContain(`left: ${pct((top.box.x / top.width) * 100)}`);
    expect(style).toContain(`top: ${pct((top.box.y / top.height) * 100)}`);
    expect(style).toContain(`width: ${pct((top.box.width / top.width) * 100)}`);
    // the drawn box sits over red pixels of the displayed image
    const centre = await centrePixel();
    expect(centre[0]).toBeGreaterThan(180);
    expect(centre[1]).toBeLessThan(80);
    await shot(page, 'modes-03-point-at-viewer-box');
  });

  it('Point at shows the box where the viewer shows the square of an EXIF-rotated photo', async () => {
    const body = await pointAt('green square');
    const top = body.results[0]!;
    expect(top.path).toMatch(/green-rotated\.jpg$/);
    expect([top.width, top.height]).toEqual([160, 200]);
    expect(top.box.x).toBeGreaterThanOrEqual(80);
    expect(top.box.y + top.box.height).toBeLessThanOrEqual(100);
    await page.locator('.query-bar').filter({ hasText: '“green square”' }).waitFor();
    await page.getByTestId('results').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const box = page.getByTestId('grounding-box');
    await box.waitFor();
    await expect.poll(() => page.getByTestId('viewer').locator('figure img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(160);
    const centre = await centrePixel();
    expect(centre[1]).toBeGreaterThan(150); // green under the box, as the viewer shows the photo
    expect(centre[0]).toBeLessThan(90);
    await shot(page, 'modes-04-point-at-rotated');
  });

  it('Ask: about the photo in the viewer, with the user\'s option ranked first, scores and the instruction', async () => {
    await openViewer('green-rotated.jpg');
    await page.getByTestId('ask-about').click();
    await page.getByTestId('viewer').waitFor({ state: 'detached' });
    expect(await mode('Ask').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('ask-target').textContent()).toBe('green-rotated.jpg');
    await page.getByRole('searchbox').fill('what colour is it');
    await page.getByTestId('ask-options').fill('green it is, purple');
    await submit().click();
    const answers = page.getByTestId('answer');
    await answers.first().waitFor();
    expect(await answers.count()).toBe(5);
    expect(await answers.first().textContent()).toContain('green it is');
    expect(await answers.first().textContent()).toContain('yours');
    expect((await answers.allTextContents()).some((t) => /^\s*green\b/.test(t))).toBe(true);
    await page.getByText('Instruction sent to the model').first().click();
    expect(await page.getByTestId('ask-instruction').textContent()).toBe('<image> Represent the given image with the following question: what colour is it');
    await shot(page, 'modes-05-ask');
  });

  it('Ask teaches Trove: an answer marked right or wrong is a labelled pair for the fine-tune', async () => {
    await openViewer('green-rotated.jpg');
    await page.getByTestId('ask-about').click();
    await page.getByRole('searchbox').fill('which colour is the square');
    await page.getByTestId('ask-options').fill('green, purple');
    await submit().click();
    await page.getByTestId('answer').first().waitFor();
    const right = page.getByRole('button', { name: 'Right answer: green', exact: true });
    // another answer Trove gave, marked wrong
    const others = (await page.getByRole('button', { name: /^Wrong answer: / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')!.replace('Wrong answer: ', '')))).filter((t) => t !== 'green');
    const wrongText = others[0]!;
    const wrong = page.getByRole('button', { name: `Wrong answer: ${wrongText}`, exact: true });
    await right.click();
    await wrong.click();
    await expect.poll(() => right.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => wrong.getAttribute('aria-pressed')).toBe('true');
    const photo = ((await api('find', { text: 'photo', k: 10, filters: { kinds: ['image'] } })).body.results as { id: number; path: string }[]).find((r) => r.path.endsWith('green-rotated.jpg'))!;
    const pairs = ((await api('listPairs')).body.pairs as { task: string; queryText: string; queryItem: number; targetText: string; label: number; origin: string }[]).filter((p) => p.queryText === 'which colour is the square');
    expect(pairs.map((p) => [p.task, p.queryItem, p.targetText, p.label, p.origin])).toEqual([
      ['vqa', photo.id, 'green', 1, 'ask'],
      ['vqa', photo.id, wrongText, -1, 'ask'],
    ]);
    await shot(page, 'modes-08-ask-teach');
  });

  it('Point at teaches Trove: the box marked wrong, and a box drawn by hand around the square, are labelled pairs', async () => {
    const top = (await pointAt('red square')).results[0]!;
    await page.getByTestId('results').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const teach = page.getByTestId('region-teach');
    await teach.getByText('Where is “red square”?').waitFor();
    await teach.getByRole('button', { name: '✕ The box is wrong' }).click();
    await expect.poll(() => teach.getByRole('button', { name: '✕ The box is wrong' }).getAttribute('aria-pressed')).toBe('true');
    // the red square, as the file's name says where it is (200 x 160 photos, an 80 px square)
    const square = top.path.endsWith('red-top-right.png') ? [0.6, 0, 0.4, 0.5] : [0, 0.5, 0.4, 0.5];
    await teach.getByRole('button', { name: 'Draw the right box' }).click();
    const img = (await page.getByTestId('viewer').locator('figure img').boundingBox())!;
    const at = (fx: number, fy: number) => [img.x + fx * img.width, img.y + fy * img.height] as const;
    await page.mouse.move(...at(square[0]! + 0.002, square[1]! + 0.002));
    await page.mouse.down();
    await page.mouse.move(...at(square[0]! + square[2]! / 2, square[1]! + square[3]! / 2), { steps: 4 });
    await page.mouse.move(...at(square[0]! + square[2]! - 0.002, square[1]! + square[3]! - 0.002), { steps: 4 });
    await page.mouse.up();
    await page.getByTestId('drawn-box').waitFor();
    await shot(page, 'modes-09-point-at-drawn-box');
    const pairs = ((await api('listPairs')).body.pairs as { task: string; queryText: string; queryItem: number; targetItem: number; targetBox: number[]; label: number; origin: string }[]).filter((p) => p.queryText === 'red square');
    expect(pairs.every((p) => p.task === 'grounding' && p.origin === 'point-at' && p.queryItem === top.id && p.targetItem === top.id)).toBe(true);
    const wrong = pairs.filter((p) => p.label === -1);
    expect(wrong.map((p) => p.targetBox)).toContainEqual([top.box.x / top.width, top.box.y / top.height, top.box.width / top.width, top.box.height / top.height].map((v) => expect.closeTo(v, 3)));
    const drawn = pairs.filter((p) => p.label === 1);
    expect(drawn).toHaveLength(1);
    drawn[0]!.targetBox.forEach((v, i) => expect(v).toBeCloseTo(square[i]!, 1));
  });

  it('Ask refuses a note with advice', async () => {
    const notes = (await api('find', { text: 'shed door painted', k: 5, filters: { kinds: ['note'] } })).body.results as { id: number }[];
    const res = await api('ask', { itemId: notes[0]!.id, question: 'what colour is the door' });
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toMatch(/Ask works on photos/);
    const unknown = await api('ask', { itemId: 99999, question: 'what is it' });
    expect(unknown.status).toBe(404);
  });

  it('Sort into labels: runs in the background with progress, then filters by label', async () => {
    await mode('Sort into labels').click();
    await page.getByRole('searchbox').fill('red, blue, green, red');
    await submit().click();
    await page.locator('section.progress[data-kind="label"][data-state="done"]').waitFor({ timeout: 30_000 });
    const chips = page.getByTestId('label');
    await expect.poll(() => chips.allTextContents()).toEqual([expect.stringMatching(/red\s+2/), expect.stringMatching(/blue\s+2/), expect.stringMatching(/green\s+1/)]);
    await page.getByText('Instruction sent to the model').first().click();
    expect(await page.getByTestId('labels-instruction').textContent()).toContain('Represent the given image for classification');
    await shot(page, 'modes-06-labels');
    // filter by a label: the sidebar select and the chip agree; only blue photos remain
    await mode('Find').click();
    await page.getByRole('searchbox').fill('photo');
    await submit().click();
    await page.locator('.query-bar').filter({ hasText: 'Results for “photo”' }).waitFor();
    await page.getByTestId('label-filter').selectOption('blue');
    await page.getByTestId('label-chip').filter({ hasText: 'label: blue' }).waitFor();
    // one poll for both: the unfiltered "photo" results already hold the blue photos, so
    // checking "only blue" after a separate poll could read the list before the filter's reply
    const names = () => page.getByTestId('result').locator('.name').allTextContents();
    await expect.poll(async () => (await names()).length > 0 && (await names()).every((n) => n.startsWith('blue-'))).toBe(true);
    expect(await names()).toEqual(expect.arrayContaining(['blue-bottom-left.png', 'blue-top-left.png']));
    await shot(page, 'modes-07-label-filter');
    await page.getByRole('button', { name: 'Remove the label filter' }).click();
    await expect.poll(() => page.getByTestId('result').count()).toBeGreaterThan(2);
  });
});
