// The serve bridge's security rules, against a fake engine over real HTTP/WebSocket:
// token everywhere, Host/Origin checks, CSP. Which files are served by item id and from the
// UI folder, with which types, is one table run through both hosts
// (test/unit/engine/served-files.test.ts).
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBridge } from '../../../main/cli/serve/server';
import type { Bridge } from '../../../main/cli/serve/server';
import { WS_PROTOCOL, WS_TOKEN_PREFIX, cookieName } from '../../../main/cli/serve/security';
import { fakeEngine, sampleEvent } from './fake-engine';

const dir = mkdtempSync(join(tmpdir(), 'trove-bridge-'));
const lib = join(dir, 'library');
const thumbs = join(dir, 'data', 'thumbs');
const ui = join(dir, 'ui');
mkdirSync(lib, { recursive: true });
mkdirSync(thumbs, { recursive: true });
mkdirSync(join(ui, 'assets'), { recursive: true });
writeFileSync(join(lib, 'a.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
writeFileSync(join(thumbs, '1.webp'), 'thumb');
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Trove</title>');
writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');

const engine = fakeEngine();
let bridge: Bridge;
beforeAll(async () => {
  bridge = await startBridge(
    {
      api: engine.api,
      onEvent: engine.onEvent,
      resolveFile: async (which, id) => (id !== 1 ? null : which === 'thumb' ? join(thumbs, '1.webp') : join(lib, 'a.png')),
      allowedRoots: async (which) => (which === 'thumb' ? [thumbs] : [lib]),
    },
    { rendererDir: ui },
  );
});
afterAll(async () => {
  await bridge.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = () => ({ Authorization: `Bearer ${bridge.token}` });

/** Raw request with a chosen Host header (fetch will not let us set it). */
function raw(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port: bridge.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serve bridge security', () => {
  it('binds loopback only and prints a URL with a long random token', () => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bridge.url).toBe(`${bridge.origin}/?token=${bridge.token}`);
  });

  it('refuses API calls without the token, with a wrong token, or with the cookie only', async () => {
    const url = `${bridge.origin}/api/status`;
    for (const headers of [{}, { Authorization: 'Bearer nope' }, { Authorization: `Basic ${bridge.token}` }, { Cookie: `${cookieName(bridge.port)}=${bridge.token}` }] as Record<string, string>[]) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const q = await fetch(`${url}?token=${bridge.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(q.status).toBe(401);
    const ok = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth() }, body: '{}' });
    expect(ok.status).toBe(200);
  });

  it('refuses foreign Host headers (DNS rebinding) and cross-origin API calls', async () => {
    const evil = await raw('/api/status', { Host: 'evil.example:80', ...auth() }, 'POST');
    expect(evil.status).toBe(403);
    const evilPort = await raw('/', { Host: `127.0.0.1:${bridge.port + 1}` });
    expect(evilPort.status).toBe(403);
    const local = await raw(`/thumb/1?token=${bridge.token}`, { Host: `localhost:${bridge.port}` });
    expect(local.status).toBe(200);
    const cross = await fetch(`${bridge.origin}/api/status`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example', ...auth() }, body: '{}' });
    expect(cross.status).toBe(403);
    const pre = await fetch(`${bridge.origin}/api/status`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('trades the printed ?token= for an HttpOnly SameSite=Strict cookie and a fragment, then serves the UI with a strict CSP', async () => {
    const first = await fetch(bridge.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/#token=${bridge.token}`);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${bridge.origin}/`, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|https?:|\*/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${bridge.origin}/`)).status).toBe(401);
    expect((await fetch(`${bridge.origin}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${bridge.origin}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${bridge.origin}/assets/app.js`, { headers: auth() })).status).toBe(200);
  });

  it('serves thumbnails and originals with the cookie, a Bearer header or ?token=, and without them not at all', async () => {
    expect((await fetch(`${bridge.origin}/thumb/1`)).status).toBe(401);
    expect((await fetch(`${bridge.origin}/original/1?token=wrong`)).status).toBe(401);
    expect((await fetch(`${bridge.origin}/thumb/1`, { headers: auth() })).status).toBe(200);
    expect((await fetch(`${bridge.origin}/thumb/1`, { headers: { Cookie: `${cookieName(bridge.port)}=${bridge.token}` } })).status).toBe(200);
    const png = await fetch(`${bridge.origin}/original/1?token=${bridge.token}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('the event WebSocket needs the token (as subprotocol or header) and pushes validated engine events', async () => {
    const wsUrl = `ws://127.0.0.1:${bridge.port}/events`;
    const refused = (ws: WebSocket) => new Promise<number>((ok) => { ws.on('unexpected-response', (_req, res) => ok(res.statusCode ?? 0)); ws.on('error', () => ok(-1)); });
    expect(await refused(new WebSocket(wsUrl, [WS_PROTOCOL]))).toBe(401);
    expect(await refused(new WebSocket(wsUrl, [WS_PROTOCOL, WS_TOKEN_PREFIX + 'wrong']))).toBe(401);
    expect(await refused(new WebSocket(wsUrl, [WS_PROTOCOL, WS_TOKEN_PREFIX + bridge.token], { headers: { Origin: 'http://evil.example' } }))).toBe(403);
    const ws = new WebSocket(wsUrl, [WS_PROTOCOL, WS_TOKEN_PREFIX + bridge.token]);
    await new Promise((ok, fail) => { ws.on('open', ok); ws.on('error', fail); });
    expect(ws.protocol).toBe(WS_PROTOCOL);
    const got = new Promise<string>((ok) => ws.once('message', (d) => ok(String(d))));
    engine.emit({ type: 'bogus' });
    engine.emit(sampleEvent);
    expect(JSON.parse(await got)).toEqual(sampleEvent);
    ws.close();
  });
});
