// Teaching Trove in the real UI against `trove serve` with the committed vlm2vec-nano
// (TROVE_TEST_MODEL=package: fine-tuning needs a real model), in Chromium, on the real photos
// of test/support/tuning-fixture.ts: a person finds their bird photos by the folder's name,
// picks ten and says "These are blicket" (a word no model knows), marks two results of
// "blicket" right and wrong with the thumbs, runs a short fine-tune from the Teach dialog
// (progress with a loss curve, then before/after scores), adopts the new version, finds more
// birds for "blicket" than before, and rolls back. Screenshots go to test-artifacts/e2e/.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { tempDir } from '../support/tmp';
import { writeTuningLibrary } from '../support/tuning-fixture';
import { ensureRendererBuilt, launchBrowser, shot, startServe, watchPage } from './harness';
import type { Served } from './harness';

const STEPS = 6;
const tmp = tempDir('trove-e2e-teach-');
const lib = join(tmp.path, 'photos');
let served: Served;
let browser: Browser;
let page: Page;
let problems: string[];

async function api(method: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${served.origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, `${method}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function find(text: string): Promise<void> {
  await page.locator('#q').fill(text);
  await page.getByTestId('submit').click();
  await page.locator('.query-bar').filter({ hasText: `“${text}”` }).waitFor();
  await page.locator('.query-bar').filter({ hasText: /\d+ results?/ }).waitFor();
}

/** The library paths of the first `n` results, as the cards name them. */
const topPaths = async (n: number): Promise<string[]> => (await page.getByTestId('result').locator('.name').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))).slice(0, n);
const birdsIn = (paths: string[]): number => paths.filter((p) => p.includes('/bird/')).length;

beforeAll(async () => {
  ensureRendererBuilt();
  writeTuningLibrary(lib);
  served = await startServe(join(tmp.path, 'data'), { TROVE_TEST_MODEL: 'package' });
  await api('addSource', { path: lib });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  problems = watchPage(page);
  await page.goto(served.url);
  await page.locator('section.progress[data-state="done"]').waitFor({ timeout: 300_000 });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  tmp.cleanup();
});

describe('teaching Trove a word in the browser', () => {
  // one story, as a person lives it: each step goes on from where the one before left the app
  it('labels pairs, runs a short fine-tune with progress and before/after scores, adopts the new version (more birds for "blicket"), rolls back', async () => {
    // labels pairs: ten picked photos are "blicket", and thumbs on two results
    await find('blicket');
    const before = await topPaths(10);
    await find('bird');
    const cards = page.getByTestId('result').filter({ has: page.locator('.name[title*="/bird/"]') });
    await expect.poll(() => cards.count()).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 10; i++) await cards.nth(i).getByRole('checkbox').check();
    await page.getByTestId('picked-bar').getByText('10 photos picked').waitFor();
    await page.getByLabel('What the picked photos are').fill('blicket');
    await page.getByTestId('picked-bar').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('teach-info').getByText('10 photos for “blicket”').waitFor();

    await find('blicket');
    const other = page.getByTestId('result').filter({ has: page.locator('.name[title*="/other/"]') }).first();
    await other.hover();
    await other.getByRole('button', { name: /^Wrong for “blicket”/ }).click();
    await expect.poll(() => other.getByRole('button', { name: /^Wrong for “blicket”/ }).getAttribute('aria-pressed')).toBe('true');
    const pairs = (await api('listPairs')) as { queries: { queryText: string; positives: number; negatives: number }[] };
    expect(pairs.queries).toEqual([expect.objectContaining({ queryText: 'blicket', positives: 10, negatives: 1 })]);
    await shot(page, 'teach-01-labelled');

    // runs a short fine-tune with progress, and shows the scores before and after
    await page.getByTestId('teach-open').click();
    const dialog = page.getByRole('dialog', { name: 'Teach Trove' });
    await dialog.waitFor();
    await dialog.getByTestId('teach-pair-counts').getByText('11 pairs: 10 right, 1 wrong, for 1 phrase.').waitFor();
    await dialog.getByLabel('Steps').fill(String(STEPS));
    await dialog.getByRole('button', { name: 'Start fine-tune' }).click();
    await dialog.locator('[data-testid="teach-run"][data-state="running"]').waitFor();
    await dialog.getByText(/Step [1-9]\d* of 6 · about/).waitFor({ timeout: 600_000 });
    await dialog.getByTestId('teach-loss').waitFor({ timeout: 600_000 });
    await shot(page, 'teach-02-training');
    await dialog.locator('[data-testid="teach-run"][data-state="done"]').waitFor({ timeout: 900_000 });
    expect(await dialog.getByTestId('teach-before').textContent()).toMatch(/^\d+\.\d%$/);
    expect(await dialog.getByTestId('teach-after').textContent()).toMatch(/^\d+\.\d%$/);
    await dialog.getByText(`Done: ${STEPS} steps`).waitFor();
    await shot(page, 'teach-03-done');

    // adopts the new version, which finds more birds for "blicket"
    await dialog.getByRole('button', { name: 'Adopt the new version' }).click();
    await dialog.getByText('The new version is in use.').waitFor({ timeout: 300_000 });
    const adopted = (await api('tuningStatus')) as { activeDir: string; versions: { dir: string; active: boolean; version: string }[] };
    expect(adopted.versions.find((v) => v.active)?.version).toMatch(/tuned/);
    await shot(page, 'teach-04-adopted');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await find('blicket');
    const after = await topPaths(10);
    console.log(`birds in the top 10 for "blicket": ${birdsIn(before)} before, ${birdsIn(after)} after adopting`);
    expect(birdsIn(after)).toBeGreaterThan(birdsIn(before));

    // rolls back to the version before
    await page.getByTestId('teach-open').click();
    await dialog.getByRole('button', { name: /^Roll back to / }).click();
    await dialog.getByText('Rolled back to the earlier version.').waitFor({ timeout: 60_000 });
    const rolledBack = (await api('tuningStatus')) as { versions: { active: boolean; version: string }[] };
    expect(rolledBack.versions.find((v) => v.active)?.version).not.toMatch(/tuned/);
    await page.keyboard.press('Escape');
    await find('blicket');
    expect(await topPaths(10)).toEqual(before);
    expect(problems).toEqual([]);
  }, 2_400_000);
});
