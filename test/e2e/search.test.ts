// Search on real photos in a real browser against the real engine (`trove serve` with the
// test embedder and the REAL perception passes): the passes' progress, chips for a parsed
// date and place (removing one re-runs the query without it), why each result matched on
// its card, and the "no strong matches" state. Screenshots: test-artifacts/e2e/search-*.png.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { withExif } from '../../native-models/recipes/search-dev/camera-roll';
import { tempDir } from '../support/tmp';
import { ensureRendererBuilt, launchBrowser, shot, startServe, watchPage } from './harness';
import type { Served } from './harness';

const CORAL = resolve(__dirname, '..', 'fixtures', 'photos', 'coral');
const LISBON = { lat: 38.7139, lon: -9.1394 };
const REYKJAVIK = { lat: 64.1466, lon: -21.9426 };
const PHOTOS = [
  { file: 'cat.png', name: 'IMG_0001.jpg', when: new Date(2022, 11, 10, 12), gps: LISBON },
  { file: 'parrot.jpg', name: 'IMG_0002.jpg', when: new Date(2022, 11, 11, 15), gps: LISBON },
  { file: 'hot_dog.jpg', name: 'IMG_0003.jpg', when: new Date(2019, 6, 1, 13), gps: REYKJAVIK },
  { file: 'grace_hopper.png', name: 'IMG_0004.jpg', when: new Date(2019, 6, 2, 9), gps: REYKJAVIK },
];

const tmp = tempDir('trove-e2e-search-');
let served: Served;
let browser: Browser;
let page: Page;
let problems: string[];
const lib = join(tmp.path, 'library');
const phasesSeen = new Set<string>();

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(lib);
  for (const p of PHOTOS) {
    const jpeg = await sharp(readFileSync(join(CORAL, p.file))).jpeg({ quality: 90 }).toBuffer({ resolveWithObject: true });
    const camera = { make: 'Apple', model: 'iPhone 12', naming: 'iphone' as const };
    writeFileSync(join(lib, p.name), withExif(jpeg.data, { camera, when: p.when, gps: p.gps, orientation: 1, width: jpeg.info.width, height: jpeg.info.height }));
  }
  writeFileSync(join(lib, 'pets.md'), '# Pets\n\nThe parrot needs fresh seed every morning; the cat sleeps all day.\n');
  served = await startServe(join(tmp.path, 'data'), { TROVE_TEST_PERCEPTION: '1' });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
  problems = watchPage(page);
  await page.goto(served.url);
  await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
  // the library is added and indexed as a person sees it: the UI's progress section names the
  // running phase; every phase it shows is recorded for the test of the passes' phase
  const poll = setInterval(() => {
    void page
      .locator('section.progress')
      .first()
      .getAttribute('data-phase', { timeout: 200 })
      .then((p) => p && phasesSeen.add(p))
      .catch(() => undefined);
  }, 50);
  try {
    expect((await api('addSource', { path: lib })).status).toBe(200);
    await page.locator('section.progress[data-phase="passes"]').waitFor({ timeout: 120_000 });
    await shot(page, 'search-01-passes');
    await page.locator('section.progress[data-state="done"]').waitFor({ timeout: 180_000 });
  } finally {
    clearInterval(poll);
  }
}, 420_000);

// each test starts from the app as it opens (the tests run in any order)
beforeEach(async () => {
  await page.goto(served.url);
  await page.getByTestId('counts').filter({ hasText: `${PHOTOS.length} photos` }).waitFor({ timeout: 30_000 });
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

async function find(text: string): Promise<void> {
  await page.locator('#q').fill(text);
  await page.getByTestId('submit').click();
  await page.locator('.query-bar').filter({ hasText: `“${text}”` }).waitFor();
  await page.locator('.query-bar').filter({ hasText: /\d+ results?/ }).waitFor();
}

const chips = () => page.getByTestId('query-chip');
const resultNames = () => page.getByTestId('result').locator('.name').allTextContents();

describe('search in the browser', () => {
  it('showed the perception passes as a phase of indexing, then finished', async () => {
    expect(phasesSeen.has('passes')).toBe(true);
    const status = (await api('status')).body as { passes: { pass: string; done: number }[] };
    expect(status.passes.find((p) => p.pass === 'labels')?.done).toBe(PHOTOS.length);
  });

  it('a parsed date is a removable chip: removing it runs the query again without the date', async () => {
    await find('December 2022');
    await expect.poll(() => chips().allTextContents(), { timeout: 15_000 }).toEqual([expect.stringMatching(/^date: December 2022/)]);
    expect((await resultNames()).sort()).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg']);
    await expect.poll(() => page.getByTestId('why').first().textContent(), { timeout: 15_000 }).toMatch(/date: December 2022/);
    await shot(page, 'search-02-date-chip');
    await page.getByRole('button', { name: 'Remove date December 2022' }).click();
    await expect.poll(() => chips().count(), { timeout: 15_000 }).toBe(0);
    // the words are plain text now: nothing says "December 2022", so nothing matches well
    await page.getByTestId('weak-matches').waitFor();
    expect((await resultNames()).length).toBeGreaterThan(2);
  });

  it('a place of the library is a chip whose photos come first, saying why', async () => {
    await find('photos in Reykjavik');
    await expect.poll(() => chips().allTextContents(), { timeout: 15_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^place: Reykjav[ií]k/), expect.stringMatching(/^kind: Photos/)]));
    expect((await resultNames()).slice(0, 2).sort()).toEqual(['IMG_0003.jpg', 'IMG_0004.jpg']);
    expect(await page.getByTestId('why').first().textContent()).toMatch(/place: Reykjav[ií]k/);
    await shot(page, 'search-03-place-chip');
    await page.getByRole('button', { name: /^Remove place Reykjav[ií]k/ }).click();
    await expect.poll(() => chips().allTextContents(), { timeout: 15_000 }).toEqual([expect.stringMatching(/^kind: Photos/)]);
    // the word is plain text now: it still matches the photos' place names in the index, as a word ("reykjavik")
    await expect.poll(() => page.getByTestId('why').first().textContent(), { timeout: 15_000 }).toMatch(/^place: reykjavik/);
    expect((await resultNames()).slice(0, 2).sort()).toEqual(['IMG_0003.jpg', 'IMG_0004.jpg']);
  });

  it('says why each result matched: a label the classifier gave, the words of a note', async () => {
    await find('cat');
    const first = page.getByTestId('result').first();
    await expect.poll(() => first.locator('.name').textContent(), { timeout: 15_000 }).toBe('IMG_0001.jpg');
    expect(await first.getByTestId('why').textContent()).toMatch(/label: (Egyptian cat|tabby|tiger cat)( \+ [a-z ]+)* 0\.\d\d/);
    const note = page.locator('[data-testid="result"][data-kind="note"]');
    expect(await note.getByTestId('why').textContent()).toMatch(/text: "cat"/);
    await shot(page, 'search-04-why');
  });

  it('says so when nothing matches well, and still shows the closest', async () => {
    await find('zeppelin hangar');
    await page.getByTestId('weak-matches').waitFor();
    expect(await page.getByTestId('weak-matches').textContent()).toMatch(/No strong matches/);
    await shot(page, 'search-05-no-strong-match');
  });
});
