// The Electron glue (main/app/main.ts) loaded against a stand-in 'electron' module, since the
// Electron binary cannot run here: it must register the scheme before ready, sandbox every
// renderer, take the single-instance lock, harden every web contents, deny permissions,
// validate IPC senders and payloads, and route calls through the engine host.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;
const h = vi.hoisted(() => {
  const calls: Record<string, unknown[][]> = {};
  const rec = (name: string) => (...args: unknown[]) => {
    (calls[name] ??= []).push(args);
  };
  return { calls, rec, handlers: new Map<string, Handler>(), appEvents: new Map<string, Handler>(), posted: [] as unknown[], host: null as null | { emit(e: string, ...a: unknown[]): boolean }, windows: [] as { options: unknown; url?: string }[], protocolHandler: null as null | Handler };
});

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class FakeHost extends EventEmitter {
    postMessage(m: unknown) {
      h.posted.push(m);
    }
  }
  class BrowserWindow extends EventEmitter {
    static getAllWindows = () => h.windows;
    webContents = { send: h.rec('webContents.send') };
    constructor(options: unknown) {
      super();
      h.windows.push({ options });
    }
    loadURL(url: string) {
      h.windows[h.windows.length - 1]!.url = url;
      return Promise.resolve();
    }
    maximize() {}
    show() {}
    isMinimized = () => false;
    isMaximized = () => false;
    getNormalBounds = () => ({ x: 0, y: 0, width: 1000, height: 700 });
  }
  return {
    app: {
      enableSandbox: h.rec('app.enableSandbox'),
      requestSingleInstanceLock: () => (h.rec('app.requestSingleInstanceLock')(), true),
      on: (e: string, f: Handler) => h.appEvents.set(e, f),
      whenReady: () => Promise.resolve(),
      getPath: () => '/tmp/trove-glue-test',
      getAppPath: () => '/tmp/trove-glue-test/app',
      isPackaged: false,
      quit: h.rec('app.quit'),
    },
    protocol: {
      registerSchemesAsPrivileged: h.rec('protocol.registerSchemesAsPrivileged'),
      handle: (scheme: string, f: Handler) => {
        h.rec('protocol.handle')(scheme);
        h.protocolHandler = f;
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: h.rec('setPermissionRequestHandler'),
        setPermissionCheckHandler: h.rec('setPermissionCheckHandler'),
        webRequest: { onHeadersReceived: h.rec('onHeadersReceived') },
      },
    },
    ipcMain: { handle: (ch: string, f: Handler) => h.handlers.set(ch, f) },
    utilityProcess: {
      fork: (...args: unknown[]) => {
        h.rec('utilityProcess.fork')(...args);
        const host = new FakeHost();
        h.host = host;
        return host;
      },
    },
    BrowserWindow,
    Menu: { setApplicationMenu: h.rec('Menu.setApplicationMenu'), buildFromTemplate: (t: unknown) => t },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showErrorBox: h.rec('dialog.showErrorBox') },
    shell: { openPath: async () => '', showItemInFolder: h.rec('shell.showItemInFolder') },
    net: { fetch: async () => new Response('x') },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  };
});

// each test starts the glue afresh (its own engine host, windows and handlers), so the
// tests hold alone and in any order (one kills the host, others count the host's messages)
beforeEach(async () => {
  for (const k of Object.keys(h.calls)) delete h.calls[k];
  h.handlers.clear();
  h.appEvents.clear();
  h.posted.length = 0;
  h.windows.length = 0;
  h.host = null;
  h.protocolHandler = null;
  vi.resetModules();
  await import('../../../main/app/main.js');
  await new Promise((r) => setTimeout(r, 10));
});

const APP_FRAME = { senderFrame: { url: 'trove://app/index.html' } };

describe('Electron glue', () => {
  it('registers the privileged scheme, sandboxes renderers and takes the single-instance lock', () => {
    expect(h.calls['protocol.registerSchemesAsPrivileged']![0]![0]).toEqual([expect.objectContaining({ scheme: 'trove' })]);
    expect(h.calls['app.enableSandbox']).toHaveLength(1);
    expect(h.calls['app.requestSingleInstanceLock']).toHaveLength(1);
    expect(h.appEvents.has('second-instance')).toBe(true);
  });

  it('opens one hardened window on trove://app, and runs the engine in a utilityProcess', () => {
    expect(h.windows).toHaveLength(1);
    const w = h.windows[0]!;
    expect(w.url).toBe('trove://app/index.html');
    expect(w.options).toMatchObject({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } });
    expect(String(h.calls['utilityProcess.fork']![0]![0])).toMatch(/engine-host\.js$/);
    expect(h.calls['protocol.handle']![0]).toEqual(['trove']);
    expect(h.calls['setPermissionRequestHandler']).toHaveLength(1);
    expect(h.calls['setPermissionCheckHandler']).toHaveLength(1);
  });

  it('hardens every web contents: navigation, redirects, window.open, webviews', () => {
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    h.appEvents.get('web-contents-created')!({}, contents);
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    contents.emit('will-navigate', ev, 'https://evil.example/');
    contents.emit('will-redirect', ev, 'file:///etc/passwd');
    contents.emit('will-navigate', ev, 'trove://app/index.html');
    contents.emit('will-attach-webview', ev);
    expect(prevented).toBe(3);
    const open = contents.setWindowOpenHandler.mock.calls[0]![0] as (d: { url: string }) => unknown;
    expect(open({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('answers IPC only from the app frame, validates it, and routes it through the engine host', async () => {
    expect([...h.handlers.keys()].sort()).toEqual(['trove:choose-data-folder', 'trove:invoke', 'trove:open-item', 'trove:pick-folder', 'trove:reveal-item']);
    const invoke = h.handlers.get('trove:invoke')!;
    expect(await invoke({ senderFrame: { url: 'https://evil.example/' } }, 'status', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await invoke(APP_FRAME, 'getItem', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(h.posted).toEqual([]);
    const pending = invoke(APP_FRAME, 'pauseIndexing', {}) as Promise<unknown>;
    await new Promise((r) => setTimeout(r, 0));
    expect(h.posted).toEqual([{ t: 'call', id: 1, method: 'pauseIndexing', request: {} }]);
    h.host!.emit('message', { t: 'result', id: 1, response: { ok: true } });
    await expect(pending).resolves.toEqual({ ok: true, value: { ok: true } });
    expect(await h.handlers.get('trove:reveal-item')!({ senderFrame: { url: 'https://evil.example/' } }, 1)).toBe(false);
    expect(await h.handlers.get('trove:open-item')!(APP_FRAME, '/etc/passwd')).toBe(false);
    // Settings › Change data folder: only from the app frame; a cancelled dialog changes nothing
    expect(await h.handlers.get('trove:choose-data-folder')!({ senderFrame: { url: 'https://evil.example/' } })).toBeNull();
    expect(await h.handlers.get('trove:choose-data-folder')!(APP_FRAME)).toBeNull();
  });

  it('forwards engine events to the window and fails calls clearly when the host dies', async () => {
    h.host!.emit('message', { t: 'event', event: { type: 'libraryChanged', added: 1, changed: 0, removed: 0 } });
    expect(h.calls['webContents.send']![0]).toEqual(['trove:event', { type: 'libraryChanged', added: 1, changed: 0, removed: 0 }]);
    h.host!.emit('exit', 9);
    const out = await h.handlers.get('trove:invoke')!(APP_FRAME, 'status', {});
    expect(out).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('exit code 9') } });
  });

  it('the trove:// handler refuses unknown hosts and non-id paths', async () => {
    const res = (await h.protocolHandler!(new Request('trove://evil/index.html'))) as Response;
    expect(res.status).toBe(403);
    const bad = (await h.protocolHandler!(new Request('trove://app/original/%2Fetc%2Fpasswd'))) as Response;
    expect(bad.status).toBe(404);
  });
});
