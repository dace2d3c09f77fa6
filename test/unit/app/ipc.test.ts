// The main process's IPC handlers: sender checks, method/request validation before the engine
// host is asked, response validation after; the "open" whitelist; the menu.
import { describe, expect, it } from 'vitest';
import { createInvokeHandler, openable, parseItemIdArg } from '../../../main/app/ipc-handlers';
import { menuTemplate } from '../../../main/app/menu';
import type { Outcome } from '../../../main/contract/dispatch';
import { VALID, mutate, randomValue, rng } from '../contract/fuzz-gen';
import { methods } from '../../../main/contract/api';

const APP = 'trove://app/index.html';

function fakeHost(answer: (method: string, request: unknown) => Outcome<unknown>) {
  const seen: { method: string; request: unknown }[] = [];
  return {
    seen,
    call: async (method: string, request: unknown) => {
      seen.push({ method, request });
      return answer(method, request);
    },
  };
}

describe('trove:invoke handler', () => {
  it('refuses callers other than the app frame', async () => {
    const host = fakeHost(() => ({ ok: true, value: {} }));
    const invoke = createInvokeHandler(host);
    for (const url of [undefined, 'https://evil.example/', 'file:///tmp/x.html', 'devtools://devtools/bundled/x.html']) {
      expect(await invoke(url, 'status', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(host.seen).toEqual([]);
  });

  it('rejects >= 1,000 malformed calls before they reach the engine host, each with a clear message', async () => {
    const host = fakeHost((m) => ({ ok: true, value: m === 'status' ? null : [] }));
    const invoke = createInvokeHandler(host);
    const r = rng(99);
    const names = Object.keys(methods);
    let rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const method = r() < 0.1 ? randomValue(r) : names[i % names.length]!;
      const request = r() < 0.6 ? mutate(r, Object.hasOwn(VALID, String(method)) ? VALID[String(method)] : {}) : randomValue(r);
      const out = await invoke(APP, method, request);
      if (!out.ok && (out.error.code === 'invalid' || out.error.code === 'not_found')) {
        rejected++;
        expect(out.error.message.length).toBeGreaterThan(10);
      }
    }
    expect(rejected).toBeGreaterThanOrEqual(1000);
    for (const s of host.seen) expect(methods[s.method as keyof typeof methods].request.safeParse(s.request).success).toBe(true);
  });

  it('checks the engine host response too', async () => {
    const invoke = createInvokeHandler(fakeHost(() => ({ ok: true, value: { nonsense: true } })));
    const out = await invoke(APP, 'getItem', { id: 1 });
    expect(out).toMatchObject({ ok: false, error: { code: 'internal' } });
    const pass = createInvokeHandler(fakeHost(() => ({ ok: false, error: { code: 'not_found', message: 'No item 1.' } })));
    expect(await pass(APP, 'getItem', { id: 1 })).toEqual({ ok: false, error: { code: 'not_found', message: 'No item 1.' } });
  });
});

describe('open / reveal arguments', () => {
  it('accepts positive integer item ids only', () => {
    expect(parseItemIdArg(5)).toBe(5);
    for (const bad of [0, -1, 1.5, '5', '/etc/passwd', null, undefined, {}, [], NaN]) expect(parseItemIdArg(bad)).toBeNull();
  });
  it('hands only photos and notes to the OS, never executables or scripts', () => {
    for (const ok of ['/a/b.jpg', '/a/B.PNG', 'C:\\x\\y.heic', '/n/note.md', '/n/t.txt']) expect(openable(ok), ok).toBe(true);
    for (const bad of ['/a/run.sh', '/a/x.desktop', 'C:\\x\\setup.exe', '/a/p.app', '/a/b.jpg.exe', '/a/s.svg', '/a/h.html', '/a/noext']) expect(openable(bad), bad).toBe(false);
  });
});

describe('menu', () => {
  it('offers Add Folder and uses roles for the rest', () => {
    let added = 0;
    const t = menuTemplate('linux', { addFolder: () => added++, openDataFolder: () => {} });
    const file = t.find((m) => m.label === 'File')!;
    const add = (file.submenu as { label?: string; click?: () => void }[]).find((i) => i.label === 'Add Folder…')!;
    add.click!();
    expect(added).toBe(1);
    expect(menuTemplate('darwin', { addFolder: () => {}, openDataFolder: () => {} })[0]).toEqual({ role: 'appMenu' });
  });
});
