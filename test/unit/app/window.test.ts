// The window's security-relevant options, CSP, and the navigation / window.open / permission guards.
import { describe, expect, it } from 'vitest';
import { mainWindowOptions, APP_ENTRY } from '../../../main/app/window-options';
import { APP_CSP, parseCsp } from '../../../main/app/csp';
import { navigationAllowed, permissionCheckHandler, permissionRequestHandler, senderAllowed, willAttachWebviewHandler, windowOpenHandler } from '../../../main/app/guards';
import { fitToDisplays, parseWindowState } from '../../../main/app/window-state';

describe('BrowserWindow options', () => {
  const opts = mainWindowOptions('/app/preload.js');
  const wp = opts.webPreferences!;
  it('isolates and sandboxes the renderer, with no Node integration anywhere', () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
    expect(wp.preload).toBe('/app/preload.js');
  });
  it('keeps web security on and risky features off', () => {
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.experimentalFeatures).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.navigateOnDragDrop).toBe(false);
  });
  it('loads the app from its own privileged scheme, not file:// or http://', () => {
    expect(APP_ENTRY).toBe('trove://app/index.html');
  });
  it('restores remembered bounds, ignoring nonsense', () => {
    expect(mainWindowOptions('/p', { x: 10, y: 20, width: 900, height: 700 })).toMatchObject({ x: 10, y: 20, width: 900, height: 700 });
    expect(parseWindowState({ width: 'big' })).toBeNull();
    expect(parseWindowState({ width: 5, height: 5 })).toBeNull();
    expect(parseWindowState({ width: 1000, height: 800, x: 1.5, y: 2 })).toEqual({ width: 1000, height: 800, maximized: false });
  });
  it('forgets a position no display shows any more', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    const s = { x: 100, y: 100, width: 900, height: 700 };
    expect(fitToDisplays(s, screens)).toEqual(s);
    expect(fitToDisplays({ ...s, x: 2500 }, screens)).toEqual({ width: 900, height: 700 });
    expect(fitToDisplays({ ...s, y: -900 }, screens)).toEqual({ width: 900, height: 700 });
    expect(fitToDisplays({ ...s, x: 2500 }, [...screens, { x: 1920, y: 0, width: 1920, height: 1080 }])).toEqual({ ...s, x: 2500 });
  });
});

describe('CSP', () => {
  const csp = parseCsp(APP_CSP);
  it('has no unsafe-eval, no unsafe-inline, no wildcard and no remote origins', () => {
    expect(APP_CSP).not.toMatch(/unsafe-eval|unsafe-inline|unsafe-hashes|wasm-unsafe-eval/);
    for (const [name, values] of csp) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(/^\*|https?:|wss?:|data:|\*\./);
      }
    }
  });
  it('defaults to none and allows only own scripts; no network, frames or objects', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
  });
});

describe('navigation, window.open, permissions', () => {
  it('allows navigation only within trove://app', () => {
    expect(navigationAllowed('trove://app/index.html')).toBe(true);
    for (const u of ['https://example.com', 'http://127.0.0.1:1234/', 'file:///etc/passwd', 'trove://thumb/1', 'trove://evil/', 'javascript:alert(1)', 'data:text/html,hi', 'not a url']) {
      expect(navigationAllowed(u), u).toBe(false);
    }
  });
  it('denies every window.open', () => {
    for (const url of ['https://example.com', 'trove://app/index.html', 'about:blank']) expect(windowOpenHandler({ url })).toEqual({ action: 'deny' });
  });
  it('denies every permission request and check', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      permissionRequestHandler(null, p, (g) => (granted = g));
      expect(granted, p).toBe(false);
    }
    expect(permissionCheckHandler()).toBe(false);
  });
  it('refuses webviews and IPC from anything but the app frame', () => {
    let prevented = false;
    willAttachWebviewHandler({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(senderAllowed('trove://app/index.html')).toBe(true);
    for (const u of [undefined, '', 'https://evil.example/', 'file:///x', 'trove://other/']) expect(senderAllowed(u), String(u)).toBe(false);
  });
});
