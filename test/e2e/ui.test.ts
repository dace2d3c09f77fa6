// The real UI against the real engine through `trove serve`, in Chromium: add a folder, watch
// indexing reach 100%, search (Find), open the viewer, "more like this", drop an image,
// keyboard navigation, dark theme. Screenshots go to test-artifacts/e2e/. Also the bridge's
// security against the real engine: no token, unknown ids, paths instead of ids.
// Each test sets up what it needs (a fresh page; the first-run story has a data folder of
// its own, the rest one indexed before they start), so they pass in any order.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { generateLibrary } from '../fixtures/library';
import type { GeneratedLibrary } from '../fixtures/library';
import { tempDir, waitUntil } from '../support/tmp';
import { ensureRendererBuilt, launchBrowser, shot, startServe, watchPage } from './harness';
import type { Served } from './harness';

const IMAGES = 120;
const tmp = tempDir('trove-e2e-');
let lib: GeneratedLibrary;
let browser: Browser;

beforeAll(async () => {
  ensureRendererBuilt();
  lib = await generateLibrary(join(tmp.path, 'library'), { images: IMAGES, notes: 12, folders: 3 });
  writeFileSync(join(lib.root, 'album-0', 'broken.jpg'), 'this is not a JPEG');
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  tmp.cleanup();
});

/** A page of its own per test (its own storage too), which must end with no console errors and no CSP violations. */
function freshPages(): { page: () => Page } {
  let ctx: BrowserContext;
  let page: Page;
  let problems: string[];
  beforeEach(async () => {
    ctx = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
    page = await ctx.newPage();
    problems = watchPage(page);
  });
  afterEach(async () => {
    await ctx.close();
    expect(problems, 'console errors or CSP violations').toEqual([]);
  });
  return { page: () => page };
}

describe('first run: adding a folder and indexing it', () => {
  let served: Served;
  beforeAll(async () => {
    // each embed batch takes a while, so the test can pause, resume and cancel mid-run
    served = await startServe(join(tmp.path, 'first-run-data'), { TROVE_TEST_EMBED_DELAY_MS: '500' });
  }, 120_000);
  afterAll(() => served?.stop());
  const pages = freshPages();

  it('opens the printed URL, drops the token from the address bar, shows the first-run screen; adds a folder by path; indexing can be paused, resumed, cancelled and restarted, and reaches 100%', async () => {
    const page = pages.page();
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
    expect(page.url()).toBe(`${served.origin}/`);
    await shot(page, '01-first-run');

    await page.getByLabel('Folder with photos or notes').fill(lib.root);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const progress = page.locator('section.progress');
    await progress.waitFor({ timeout: 30_000 });
    await progress.filter({ hasText: / of [1-9]/ }).waitFor({ timeout: 30_000 }); // scanning done, embedding under way
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('section.progress[data-state="paused"]').waitFor();
    await shot(page, '02a-paused');
    // batches already in flight finish; after that nothing moves until Resume or Cancel
    await new Promise((r) => setTimeout(r, 2000));
    const held = await page.getByTestId('progress-percent').textContent();
    expect(held).not.toBe('100%');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.getByTestId('progress-percent').textContent()).toBe(held);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('section.progress[data-state="cancelled"]').waitFor();
    // the rest is pending; Index now picks it up, and a paused run resumes to the end
    await page.getByRole('button', { name: 'Index now' }).click({ timeout: 15_000 });
    await page.locator('section.progress[data-state="running"]').filter({ hasText: / of [1-9]/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('section.progress[data-state="done"]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('progress-percent').textContent()).toBe('100%');
    // broken.jpg counts as a photo, but is not indexed: it is in the error list instead
    await page.getByTestId('counts').filter({ hasText: `${IMAGES + 1} photos · 12 notes · ${IMAGES + 12} indexed` }).waitFor({ timeout: 15_000 });
    await shot(page, '02-indexed');
  });
});

describe('Trove UI in a browser, against the real engine', () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe(join(tmp.path, 'indexed-data'));
    expect((await api('addSource', { path: lib.root })).status).toBe(200); // trove serve watches: indexing starts by itself
    await waitUntil(async () => {
      const st = (await api('status')).body as { pending: number; embedded: number; job: { state: string } | null };
      return st.pending === 0 && st.embedded === IMAGES + 12 && st.job?.state === 'done';
    }, 'the library indexed', 120_000);
  }, 180_000);
  afterAll(() => served?.stop());
  const pages = freshPages();
  const api = async (method: string, body: unknown = {}) => {
    const res = await fetch(`${served.origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const open = async (): Promise<Page> => {
    const page = pages.page();
    await page.goto(served.url);
    await page.getByRole('searchbox').waitFor();
    return page;
  };
  /** Photos only, searched for "photo": every photo in the results. */
  const searchPhotos = async (page: Page): Promise<void> => {
    await page.getByRole('checkbox', { name: 'Notes' }).uncheck();
    await page.getByRole('searchbox').fill('photo');
    await page.getByRole('button', { name: 'Find', exact: true }).last().click();
    // the last search has answered (unchecking Notes re-ran the previous one too)
    await page.locator('.query-bar').filter({ hasText: 'Results for “photo”' }).filter({ hasText: `${IMAGES} results` }).waitFor();
  };

  it('lists the files it could not read, and why', async () => {
    const page = await open();
    const toggle = page.getByRole('button', { name: /could not be read/ });
    await toggle.waitFor({ timeout: 15_000 });
    await toggle.click();
    const list = page.getByTestId('error-list');
    await list.waitFor();
    expect(await list.textContent()).toContain('broken.jpg');
    await shot(page, '02b-errors');
    await toggle.click();
  });

  it('finds notes by text, shows the instruction sent, and opens a note with the matching chunk highlighted', async () => {
    const page = await open();
    await page.getByRole('searchbox').fill('sourdough bread baking');
    await page.getByRole('button', { name: 'Find', exact: true }).last().click();
    const first = page.getByTestId('result').first();
    await first.waitFor();
    expect(await first.getAttribute('data-kind')).toBe('note');
    expect(await first.textContent()).toContain('sourdough');
    await page.getByText('Instruction sent to the model').click();
    expect(await page.getByTestId('instruction').textContent()).toContain('sourdough bread baking');
    await shot(page, '03-find-notes');
    await page.getByTestId('results').focus();
    await page.keyboard.press('Enter');
    const viewer = page.getByTestId('viewer');
    await viewer.waitFor();
    expect(await page.getByTestId('chunk-highlight').textContent()).toContain('sourdough');
    await shot(page, '04-viewer-note');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    // focus returns to the results, so the keyboard carries on where it was
    await expect.poll(() => page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("data-testid")')).toBe('results');
  });

  it('filters to photos, renders only the visible rows, and moves the selection with the keyboard', async () => {
    const page = await open();
    await searchPhotos(page);
    await page.locator('[data-testid="result"][data-kind="image"]').first().waitFor();
    expect(await page.locator('[data-testid="result"][data-kind="note"]').count()).toBe(0);
    await expect.poll(() => page.getByTestId('results').getAttribute('aria-label')).toBe(`Search results (${IMAGES})`);
    const rendered = await page.getByTestId('result').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(IMAGES); // virtualised: off-screen rows are not in the DOM
    // thumbnails load (served by item id, authorised by the cookie)
    await expect.poll(() => page.locator('[data-testid="result"] img').first().evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth > 0; })).toBe(true);
    await page.getByTestId('results').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('results').getAttribute('aria-activedescendant')).not.toBe('result-0');
    await page.keyboard.press('End');
    await expect.poll(() => page.getByTestId('results').getAttribute('aria-activedescendant')).toBe(`result-${IMAGES - 1}`);
    await page.locator(`#result-${IMAGES - 1}`).waitFor();
    await page.keyboard.press('Home');
    await shot(page, '05-photos-grid');
  });

  it('opens a photo in the viewer, zooms, and finds more like it (itself first)', async () => {
    const page = await open();
    await searchPhotos(page);
    await page.getByTestId('results').focus();
    await page.keyboard.press('Enter');
    const viewer = page.getByTestId('viewer');
    await viewer.waitFor();
    const title = (await viewer.locator('h2').textContent())!;
    await expect.poll(() => viewer.locator('figure img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(await viewer.getByText('125%').count()).toBe(1);
    await shot(page, '06-viewer-photo');
    await page.getByTestId('more-like-this').click();
    await viewer.waitFor({ state: 'detached' });
    await page.getByText(`More like ${title}`).waitFor();
    const first = page.getByTestId('result').first();
    await first.waitFor();
    expect(await first.locator('.name').textContent()).toBe(title);
    await shot(page, '07-more-like-this');
  });

  it('searches with a dropped image', async () => {
    const page = await open();
    const bytes = [...readFileSync(lib.images.find((p) => p.endsWith('.png'))!)];
    // a real File in a DataTransfer, dispatched as dragenter + drop (what a user's drag does)
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(${JSON.stringify(bytes)})], 'dropped.png', { type: 'image/png' }));
      const target = document.querySelector('.shell');
      target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.getByText('Photos like dropped.png').waitFor();
    await page.getByTestId('result').first().waitFor();
    await shot(page, '08-dropped-image');
  });

  it('follows the OS dark theme', async () => {
    const page = await open();
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate<string>(`getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()`);
    expect(bg).toBe('#161514');
    await shot(page, '09-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('through a preload-shaped window.trove (the Electron path), uses window.trove when present: calls, native folder picker, open / show in folder', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const p = await ctx.newPage();
    const seen = watchPage(p);
    // what preload/preload.ts exposes, forwarding to the bridge instead of IPC
    await p.addInitScript(`(() => {
      const token = ${JSON.stringify(served.token)};
      const calls = [];
      window.__trove = { calls, opened: [] };
      window.trove = Object.freeze({
        invoke: async (method, request) => {
          calls.push(method);
          window.__trove.last = { method, request };
          const r = await fetch('/api/' + method, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify(request ?? {}) });
          const b = await r.json();
          // a fixed box on every photo, to check the viewer's drawing alone (modes.test.ts checks real pointAt boxes)
          if (r.ok && method === 'find') for (const x of b.results) if (x.kind === 'image') x.box = { x: 16, y: 8, width: 32, height: 16 };
          return r.ok ? { ok: true, value: b } : { ok: false, error: b.error };
        },
        onEvent: () => () => {},
        pickFolder: async () => '/no/such/folder/picked',
        openItem: async (id) => (window.__trove.opened.push(['open', id]), true),
        revealItem: async (id) => (window.__trove.opened.push(['reveal', id]), true),
      });
    })()`);
    await p.goto(served.url);
    await p.getByRole('button', { name: 'Add folder…' }).waitFor();
    expect(await p.locator('#add-path').count()).toBe(0); // native picker instead of a path field
    await p.getByRole('searchbox').fill('tax return');
    await p.getByRole('button', { name: 'Find', exact: true }).last().click();
    await p.getByTestId('result').first().waitFor();
    await p.getByTestId('results').focus();
    await p.keyboard.press('Enter');
    await p.getByRole('button', { name: 'Show in folder' }).click();
    await p.getByRole('button', { name: 'Open', exact: true }).click();
    const state = await p.evaluate<{ calls: string[]; opened: [string, number][] }>('window.__trove');
    expect(state.calls).toEqual(expect.arrayContaining(['status', 'listSources', 'find', 'getItem']));
    expect(state.opened.map((o) => o[0])).toEqual(['reveal', 'open']);
    await p.keyboard.press('Escape');
    // filters and sort reach the request
    await p.getByRole('checkbox', { name: 'Notes' }).uncheck();
    await p.getByLabel('Sort by').selectOption('date');
    await p.getByLabel('From').fill('2001-02-03');
    await expect.poll(() => p.evaluate<unknown>('window.__trove.last.request')).toMatchObject({ sort: 'date', filters: { kinds: ['image'], dateFrom: new Date('2001-02-03T00:00:00').getTime() } });
    await p.getByLabel('From').fill('');
    await p.getByLabel('Sort by').selectOption('relevance');
    await p.locator('.query-bar').filter({ hasText: `${IMAGES} results` }).waitFor();
    await expect.poll(() => p.locator('[data-testid="result"][data-kind="note"]').count()).toBe(0);
    // the viewer draws a grounding box where the engine returns one (64x64 images: 25%, 12.5%, 50%, 25%)
    await p.getByTestId('results').focus();
    await p.keyboard.press('Home');
    await p.keyboard.press('Enter');
    const box = p.getByTestId('grounding-box');
    await box.waitFor().catch(async (e: unknown) => {
      await shot(p, '11-grounding-box-FAILED');
      throw e;
    });
    const style = await box.getAttribute('style');
    expect(style).toContain('left: 25%');
    expect(style).toContain('top: 12.5%');
    expect(style).toContain('width: 50%');
    expect(style).toContain('height: 25%');
    await shot(p, '11-grounding-box');
    await p.keyboard.press('Escape');
    await p.getByRole('button', { name: 'Add folder…' }).click();
    await p.getByRole('alert').filter({ hasText: /no\/such\/folder\/picked/ }).waitFor();
    await shot(p, '10-preload-path');
    expect(seen.filter((m) => !/status of 4\d\d/.test(m))).toEqual([]);
    await ctx.close();
  });

  describe('serve bridge security against the real engine', () => {
    it('refuses the API, files, the UI and the event socket without the token', async () => {
      const noTok = await fetch(`${served.origin}/api/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(noTok.status).toBe(401);
      expect((await fetch(`${served.origin}/original/1`)).status).toBe(401);
      expect((await fetch(`${served.origin}/thumb/1`)).status).toBe(401);
      expect((await fetch(`${served.origin}/`)).status).toBe(401);
      const code = await new Promise<number>((ok) => {
        const ws = new WebSocket(`ws://127.0.0.1:${served.port}/events`, ['trove.v1']);
        ws.on('unexpected-response', (_q, r) => ok(r.statusCode ?? 0));
        ws.on('open', () => ok(101));
        ws.on('error', () => ok(-1));
      });
      expect(code).toBe(401);
    });

    it('serves a real item by id, and refuses unknown ids and paths', async () => {
      const found = await api('find', { text: 'bike shop receipt', k: 5 });
      expect(found.status).toBe(200);
      const hit = (found.body.results as { id: number; path: string }[])[0]!;
      const ok = await fetch(`${served.origin}/original/${hit.id}`, { headers: { Authorization: `Bearer ${served.token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(readFileSync(hit.path, 'utf8'));
      for (const p of ['/original/99999', '/thumb/99999', `/original/${encodeURIComponent(hit.path)}`, '/original/..%2F..%2F..%2Fetc%2Fpasswd', `/original/${hit.id}.0`, '/original/0']) {
        const res = await fetch(`${served.origin}${p}`, { headers: { Authorization: `Bearer ${served.token}` } });
        expect(res.status, p).toBe(404);
      }
      const bad = await api('getItem', { id: 'x' });
      expect(bad.status).toBe(400);
      expect((bad.body.error as { message: string }).message).toMatch(/Invalid request for getItem: id:/);
      const unknown = await api('getItem', { id: 99999 });
      expect(unknown.status).toBe(404);
    });
  });
});
