// trove:// serves the UI and library files by item id only.
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerProtocolRequest, TROVE_SCHEME } from '../../../main/app/protocol';
import type { ProtocolResolver } from '../../../main/app/protocol';

const dir = mkdtempSync(join(tmpdir(), 'trove-proto-'));
const lib = join(dir, 'lib');
const thumbs = join(dir, 'thumbs');
const ui = join(dir, 'ui');
for (const d of [lib, thumbs, join(ui, 'assets')]) mkdirSync(d, { recursive: true });
writeFileSync(join(lib, 'a.jpg'), 'jpeg');
writeFileSync(join(lib, 'b.svg'), '<svg/>');
writeFileSync(join(dir, 'secret.txt'), 'secret');
symlinkSync(join(dir, 'secret.txt'), join(lib, 'sneaky.txt'));
writeFileSync(join(thumbs, '1.webp'), 'w');
writeFileSync(join(ui, 'index.html'), '<!doctype html>');
writeFileSync(join(ui, 'assets', 'x.js'), '1');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files: Record<number, string> = { 1: join(lib, 'a.jpg'), 2: join(lib, 'b.svg'), 3: join(dir, 'secret.txt'), 4: join(lib, 'sneaky.txt') };
let resolved: { which: string; id: number }[] = [];
const resolver: ProtocolResolver = {
  rendererDir: ui,
  resolveFile: async (which, id) => (resolved.push({ which, id }), which === 'thumb' ? (id === 1 ? join(thumbs, '1.webp') : null) : (files[id] ?? null)),
  allowedRoots: async (which) => (which === 'thumb' ? [thumbs] : [lib]),
};
const get = (url: string, method = 'GET') => answerProtocolRequest(url, method, resolver);

describe('trove:// protocol', () => {
  it('is a standard, secure scheme that does not bypass CSP', () => {
    expect(TROVE_SCHEME.privileges.standard).toBe(true);
    expect(TROVE_SCHEME.privileges.secure).toBe(true);
    expect(TROVE_SCHEME.privileges.bypassCSP).toBe(false);
  });
  it('serves the UI with the CSP header', async () => {
    const a = await get('trove://app/');
    expect(a.status).toBe(200);
    expect(a.headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect((await get('trove://app/assets/x.js')).status).toBe(200);
  });
  it('serves items by id', async () => {
    const a = await get('trove://app/original/1');
    expect(a).toMatchObject({ status: 200, headers: { 'Content-Type': 'image/jpeg' } });
    expect((await get('trove://app/thumb/1')).status).toBe(200);
    const svg = await get('trove://app/original/2');
    expect(svg.headers['Content-Type']).toBe('application/octet-stream');
    expect(svg.headers['Content-Security-Policy']).toContain('sandbox');
  });
  it('refuses raw paths, unknown ids and anything outside the library, without asking the engine about non-ids', async () => {
    resolved = [];
    for (const u of ['trove://app/original/99', 'trove://app/original/3', 'trove://app/original/4', 'trove://app/thumb/2', 'trove://app/original/0', 'trove://app/original/-1',
      'trove://app/original/1.5', 'trove://app/original/%2Fetc%2Fpasswd', 'trove://app/original/..%2Fsecret.txt', 'trove://app/original//etc/passwd',
      'trove://app/../secret.txt', 'trove://app/%2e%2e/secret.txt', 'trove://app/..%2fsecret.txt', 'trove://app/.hidden.js', 'trove://app/index.html%00.js']) {
      const a = await get(u);
      expect(a.status, u).toBeGreaterThanOrEqual(400);
      expect('path' in a, u).toBe(false);
    }
    expect(resolved.map((r) => r.id).sort((x, y) => x - y)).toEqual([2, 3, 4, 99]);
  });
  it('refuses other hosts, credentials in URLs and non-GET methods', async () => {
    for (const u of ['trove://thumb/1', 'trove://evil/index.html', 'trove://user:pw@app/index.html', 'file:///etc/passwd', 'http://app/index.html']) {
      expect((await get(u)).status, u).toBe(403);
    }
    expect((await get('trove://app/index.html', 'POST')).status).toBe(405);
  });
});
