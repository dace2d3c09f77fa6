// Files served by item id, and the UI's own files: one table of cases, run through
// main/engine/served-files.ts itself and through both hosts that use it (the app's trove://
// protocol and `trove serve`'s HTTP bridge), so the two can never answer differently.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProtocolRequest } from '../../../main/app/protocol';
import { startBridge } from '../../../main/cli/serve/server';
import type { Bridge } from '../../../main/cli/serve/server';
import { itemFileRoute, serveItemFile, serveUiFile } from '../../../main/engine/served-files';
import type { FileKind, ItemFileSource } from '../../../main/engine/served-files';
import { tempDir } from '../../support/tmp';
import { fakeEngine } from '../contract/fake-engine';

const tmp = tempDir('trove-served-');
const dir = tmp.path;
const lib = join(dir, 'library');
const thumbs = join(dir, 'data', 'thumbs');
const ui = join(dir, 'ui');
const secret = join(dir, 'secret.txt');
const SECRET = 'top secret';
for (const d of [join(lib, 'folder'), thumbs, join(ui, 'assets')]) mkdirSync(d, { recursive: true });
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
writeFileSync(join(lib, 'a.png'), PNG);
writeFileSync(join(lib, 'evil.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
writeFileSync(join(lib, 'photo.heif'), 'heif bytes');
writeFileSync(join(lib, 'note.md'), '# a note');
writeFileSync(join(thumbs, '1.webp'), 'thumb');
writeFileSync(secret, SECRET);
symlinkSync(secret, join(lib, 'link.txt'));
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Trove</title>');
writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(ui, '.hidden.js'), SECRET);
writeFileSync(join(ui, 'back\\slash.js'), SECRET); // a legal name on POSIX; a path on Windows
writeFileSync(join(ui, 'readme.md'), SECRET);
writeFileSync(join(dir, 'ui-secret.js'), SECRET);
symlinkSync(join(dir, 'ui-secret.js'), join(ui, 'link.js'));

// item ids -> files, as the engine would resolve them (3 and 4 lead outside the library, 7 is a folder)
const originals: Record<number, string> = { 1: join(lib, 'a.png'), 2: join(lib, 'evil.svg'), 3: secret, 4: join(lib, 'link.txt'), 5: join(lib, 'photo.heif'), 6: join(lib, 'note.md'), 7: join(lib, 'folder') };
const asked: { which: FileKind; id: number }[] = [];
const source: ItemFileSource = {
  resolveFile: async (which, id) => {
    asked.push({ which, id });
    if (which === 'thumb') return id === 1 ? join(thumbs, '1.webp') : id === 3 ? secret : null;
    return originals[id] ?? null;
  },
  allowedRoots: async (which) => (which === 'thumb' ? [thumbs] : [lib]),
};

interface Want {
  status: number;
  type?: string;
  disposition?: 'inline' | 'attachment';
  /** the file whose bytes the answer carries */
  body?: string;
}
type Case = [path: string, want: Want];

const served = (type: string, body: string, disposition?: 'inline' | 'attachment'): Want => ({ status: 200, type, body, disposition });
const NOT_FOUND: Want = { status: 404 };

const cases: Case[] = [
  // the UI
  ['/', served('text/html; charset=utf-8', join(ui, 'index.html'))],
  ['/index.html', served('text/html; charset=utf-8', join(ui, 'index.html'))],
  ['/assets/app.js', served('text/javascript; charset=utf-8', join(ui, 'assets', 'app.js'))],
  ['/../ui-secret.js', NOT_FOUND],
  ['/%2e%2e/ui-secret.js', NOT_FOUND],
  ['/assets/..%2f..%2fui-secret.js', NOT_FOUND],
  ['/.hidden.js', NOT_FOUND],
  ['/back%5Cslash.js', NOT_FOUND],
  ['/assets%5C..%5C..%5Cui-secret.js', NOT_FOUND],
  ['/index.html%00.js', NOT_FOUND],
  ['/readme.md', NOT_FOUND],
  ['/link.js', NOT_FOUND],
  ['/%E0%A4%A', { status: 400 }],
  // items by id
  ['/original/1', served('image/png', join(lib, 'a.png'), 'inline')],
  ['/thumb/1', served('image/webp', join(thumbs, '1.webp'), 'inline')],
  ['/original/2', served('application/octet-stream', join(lib, 'evil.svg'), 'attachment')],
  ['/original/5', served('image/heif', join(lib, 'photo.heif'), 'inline')],
  ['/original/6', served('text/plain; charset=utf-8', join(lib, 'note.md'), 'inline')],
  ['/original/3', NOT_FOUND],
  ['/original/4', NOT_FOUND],
  ['/thumb/3', NOT_FOUND],
  ['/thumb/2', NOT_FOUND],
  ['/original/7', NOT_FOUND],
  ['/original/99', NOT_FOUND],
  // not ids: never asked of the engine
  ['/original/0', NOT_FOUND],
  ['/original/-1', NOT_FOUND],
  ['/original/1.0', NOT_FOUND],
  ['/original/1e3', NOT_FOUND],
  ['/original/%2Fetc%2Fpasswd', NOT_FOUND],
  ['/original/..%2F..%2Fsecret.txt', NOT_FOUND],
  [`/original/${encodeURIComponent(secret)}`, NOT_FOUND],
  ['/original/1/x', NOT_FOUND],
  ['/original/', NOT_FOUND],
];
/** the ids the cases above may ask the engine about */
const WELL_FORMED_IDS = [1, 2, 3, 4, 5, 6, 7, 99];

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The shared module on its own, given a pathname as a URL parser hands it over. */
async function viaModule(path: string): Promise<Answer> {
  const pathname = new URL(`trove://app${path}`).pathname;
  const item = itemFileRoute(pathname);
  const s = item ? await serveItemFile(source, item.which, item.idText) : await serveUiFile(ui, pathname);
  if (!s.ok) return { status: s.status, headers: {}, body: Buffer.from(s.message) };
  return { status: 200, headers: lower(s.headers), body: readFileSync(s.path) };
}

async function viaProtocol(path: string): Promise<Answer> {
  const a = await answerProtocolRequest(`trove://app${path}`, 'GET', { rendererDir: ui, ...source });
  return { status: a.status, headers: lower(a.headers), body: 'path' in a ? readFileSync(a.path) : Buffer.from(a.body) };
}

let bridge: Bridge;
function viaBridge(path: string): Promise<Answer> {
  return new Promise((ok, fail) => {
    const headers = { Host: `127.0.0.1:${bridge.port}`, Authorization: `Bearer ${bridge.token}` };
    const req = httpRequest({ host: '127.0.0.1', port: bridge.port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: lower(res.headers as Record<string, string>), body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

function lower(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k.toLowerCase(), String(v)]])));
}

beforeAll(async () => {
  const engine = fakeEngine();
  bridge = await startBridge({ api: engine.api, onEvent: engine.onEvent, ...source }, { rendererDir: ui });
});
afterAll(async () => {
  await bridge.close();
  tmp.cleanup();
});

const hosts: [string, (path: string) => Promise<Answer>][] = [
  ['served-files.ts', viaModule],
  ['the trove:// protocol', viaProtocol],
  ['the trove serve bridge', viaBridge],
];

describe.each(hosts)('served files, through %s', (_name, answer) => {
  it.each(cases)('%s', async (path, want) => {
    const a = await answer(path);
    expect(a.status).toBe(want.status);
    if (want.status !== 200) {
      expect(a.body.toString()).not.toContain(SECRET);
      return;
    }
    expect(a.headers['content-type']).toBe(want.type);
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.body.equals(readFileSync(want.body!))).toBe(true);
    if (want.disposition) {
      expect(a.headers['content-disposition']).toBe(want.disposition);
      expect(a.headers['content-security-policy']).toMatch(/sandbox/);
    }
  });

  it('asks the engine about well-formed ids only', async () => {
    asked.length = 0;
    for (const [path] of cases) await answer(path);
    expect([...new Set(asked.map((a) => a.id))].sort((x, y) => x - y)).toEqual(WELL_FORMED_IDS);
  });
});
