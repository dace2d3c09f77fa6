// trove:// serves the UI and library files by item id only. Which files, their types and the
// path checks are one table run through both hosts (test/unit/engine/served-files.test.ts);
// here: the scheme's own rules (privileges, host, credentials, method) and its UI CSP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_CSP } from '../../../main/app/csp';
import { answerProtocolRequest, TROVE_SCHEME } from '../../../main/app/protocol';
import type { ProtocolResolver } from '../../../main/app/protocol';
import { tempDir } from '../../support/tmp';

const tmp = tempDir('trove-proto-');
const ui = join(tmp.path, 'ui');
const lib = join(tmp.path, 'lib');
mkdirSync(ui);
mkdirSync(lib);
writeFileSync(join(ui, 'index.html'), '<!doctype html>');
writeFileSync(join(lib, 'a.jpg'), 'jpeg');
afterAll(() => tmp.cleanup());

const resolver: ProtocolResolver = {
  rendererDir: ui,
  resolveFile: async (which, id) => (which === 'original' && id === 1 ? join(lib, 'a.jpg') : null),
  allowedRoots: async () => [lib],
};
const get = (url: string, method = 'GET') => answerProtocolRequest(url, method, resolver);

describe('trove:// protocol', () => {
  it('is a standard, secure scheme that does not bypass CSP', () => {
    expect(TROVE_SCHEME.privileges.standard).toBe(true);
    expect(TROVE_SCHEME.privileges.secure).toBe(true);
    expect(TROVE_SCHEME.privileges.bypassCSP).toBe(false);
  });
  it("serves the UI with the app's CSP, and a library file with the sandboxing one", async () => {
    const page = await get('trove://app/');
    expect(page.status).toBe(200);
    expect(page.headers['Content-Security-Policy']).toBe(APP_CSP);
    const photo = await get('trove://app/original/1');
    expect(photo.status).toBe(200);
    expect(photo.headers['Content-Security-Policy']).toMatch(/sandbox/);
  });
  it('refuses other hosts, credentials in URLs and non-GET methods', async () => {
    for (const u of ['trove://thumb/1', 'trove://evil/index.html', 'trove://user:pw@app/index.html', 'file:///etc/passwd', 'http://app/index.html']) {
      expect((await get(u)).status, u).toBe(403);
    }
    expect((await get('trove://app/index.html', 'POST')).status).toBe(405);
    expect((await get('trove://app/original/1', 'HEAD')).status).toBe(200);
  });
});
