// `trove serve`: the API contract over loopback HTTP + WebSocket, so the same UI runs in a
// browser (and browser tests drive the real UI against the real engine).
//
// Security model (docs/SECURITY.md, "The serve bridge"):
// - binds 127.0.0.1 only; every request must carry a Host of 127.0.0.1:PORT or localhost:PORT;
// - a random token per launch. The printed URL carries it once as ?token=; the bridge answers
//   that first load with an HttpOnly SameSite=Strict cookie and redirects to /#token=..., from
//   where the UI keeps it in memory. API calls need `Authorization: Bearer <token>` (a cookie is
//   NOT enough: no CSRF); the WebSocket needs the token as a subprotocol (browsers cannot set
//   headers there) or a Bearer header; static files and images accept the cookie (an <img>
//   cannot send a header), a Bearer header or ?token=;
// - files are served by item id only; the path comes from the engine and must lie inside the
//   library (a source folder or the thumbnail cache), else 404. Those rules, and which UI
//   files are served, are main/engine/served-files.ts, shared with the app's trove://.
import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { EngineEvent, httpStatusOf } from '../../contract/api';
import type { ApiError, TroveApi } from '../../contract/api';
import { dispatch, invalid } from '../../contract/dispatch';
import { itemFileRoute, serveItemFile, serveUiFile } from '../../engine/served-files';
import type { ItemFileSource, Served } from '../../engine/served-files';
import { COMMON_HEADERS, WS_PROTOCOL, bearerFrom, cookieFrom, cookieName, hostAllowed, newToken, originAllowed, subprotocolTokenFrom, tokensEqual, uiCsp } from './security';
import { messageOf } from '../../base/errors';

/** What the bridge needs from the engine. */
export interface BridgeEngine extends ItemFileSource {
  api: TroveApi;
  /** subscribe to engine events; returns an unsubscribe function */
  onEvent(listener: (event: unknown) => void): () => void;
}

export interface BridgeOptions {
  /** 0 = any free port */
  port?: number;
  /** the built renderer (renderer/dist); null serves no UI */
  rendererDir?: string | null;
  /** fixed token (tests only); default: random per launch */
  token?: string;
  /** largest accepted request body, bytes */
  maxBody?: number;
  log?: (line: string) => void;
}

export interface Bridge {
  port: number;
  origin: string;
  token: string;
  /** the URL to open: carries the token once */
  url: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 48 * 1024 * 1024;

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  res.writeHead(status, { ...COMMON_HEADERS, ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, error: ApiError, extra: Record<string, string> = {}): void {
  const status = httpStatusOf[error.code];
  send(res, status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra }, JSON.stringify({ error }));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendRefusal(res: ServerResponse, refusal: Extract<Served, { ok: false }>, extra: Record<string, string> = {}): void {
  sendError(res, refusal.status === 400 ? invalid(refusal.message) : { code: 'not_found', message: refusal.message }, extra);
}

/** Streams a served file (headers only for HEAD). */
function sendFile(req: IncomingMessage, res: ServerResponse, file: Extract<Served, { ok: true }>, headers: Record<string, string>): void {
  res.writeHead(200, { ...COMMON_HEADERS, ...headers, ...file.headers, 'Content-Length': String(file.size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file.path).on('error', () => res.destroy()).pipe(res);
}

export async function startBridge(engine: BridgeEngine, opts: BridgeOptions = {}): Promise<Bridge> {
  const token = opts.token ?? newToken();
  const maxBody = opts.maxBody ?? DEFAULT_MAX_BODY;
  const log = opts.log ?? (() => {});
  const rendererRoot = opts.rendererDir ? await realpath(opts.rendererDir).catch(() => null) : null;
  let port = 0;
  const clients = new Set<WebSocket>();

  const unsubscribe = engine.onEvent((raw) => {
    const parsed = EngineEvent.safeParse(raw);
    if (!parsed.success) {
      log(`bridge: dropped a malformed engine event`);
      return;
    }
    const text = JSON.stringify(parsed.data);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  function authorized(req: IncomingMessage, url: URL, allow: { cookie?: boolean; query?: boolean }): boolean {
    if (tokensEqual(token, bearerFrom(req.headers.authorization))) return true;
    if (allow.cookie && tokensEqual(token, cookieFrom(req.headers.cookie, cookieName(port)))) return true;
    if (allow.query && tokensEqual(token, url.searchParams.get('token'))) return true;
    return false;
  }

  const unauthorized: ApiError = {
    code: 'unauthorized',
    message: 'Missing or wrong access token. Open the URL that `trove serve` printed; API calls need "Authorization: Bearer <token>".',
  };

  async function serveApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return sendError(res, invalid('API calls are POST requests with a JSON body.'), { Allow: 'POST' });
    if (!originAllowed(req.headers.origin, port)) return sendError(res, { code: 'forbidden', message: 'Cross-origin API calls are refused.' });
    const url = new URL(req.url ?? '/', 'http://x');
    if (!authorized(req, url, {})) return sendError(res, unauthorized);
    const ctype = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ctype !== 'application/json') return sendError(res, invalid('Send the request body as JSON (Content-Type: application/json).'));
    const body = await readBody(req, maxBody);
    if (body === 'too_large') return sendError(res, invalid(`The request body is larger than ${maxBody} bytes.`));
    let request: unknown;
    const text = body.toString('utf8');
    if (text.trim() === '') request = {};
    else {
      try {
        request = JSON.parse(text);
      } catch (err) {
        return sendError(res, invalid(`The request body is not valid JSON (${messageOf(err)}).`));
      }
    }
    const out = await dispatch(engine.api, method, request);
    if (!out.ok) return sendError(res, out.error);
    send(res, 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, JSON.stringify(out.value));
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers = { 'Content-Security-Policy': uiCsp(port) };
    // First load: the printed URL carries ?token=; trade it for a cookie and drop it from the URL.
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && (url.pathname === '/' || url.pathname === '/index.html')) {
      if (!tokensEqual(token, queryToken)) return sendError(res, unauthorized, headers);
      return send(res, 303, {
        ...headers,
        'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: `/#token=${token}`,
        'Cache-Control': 'no-store',
      });
    }
    if (!authorized(req, url, { cookie: true })) return sendError(res, unauthorized, headers);
    if (!rendererRoot) {
      return send(res, 503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, 'The UI is not built. Run `npm run build:renderer` and restart `trove serve`.');
    }
    const file = await serveUiFile(rendererRoot, url.pathname);
    if (!file.ok) return sendRefusal(res, file, headers);
    sendFile(req, res, file, { ...headers, 'Cache-Control': url.pathname === '/' || url.pathname === '/index.html' ? 'no-store' : 'private, max-age=3600' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, port)) {
      return sendError(res, { code: 'forbidden', message: `Host "${String(req.headers.host ?? '').slice(0, 80)}" is not allowed; use http://127.0.0.1:${port}/.` });
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return sendError(res, invalid('Malformed URL.'));
    }
    const path = url.pathname;
    if (path.startsWith('/api/')) return serveApi(req, res, path.slice('/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, invalid(`${req.method} is not supported here.`), { Allow: 'GET, HEAD' });
    const item = itemFileRoute(path);
    if (item) {
      if (!authorized(req, url, { cookie: true, query: true })) return sendError(res, unauthorized);
      const file = await serveItemFile(engine, item.which, item.idText);
      if (!file.ok) {
        if (file.refused) log(`bridge: refused ${file.refused}`);
        return sendRefusal(res, file);
      }
      return sendFile(req, res, file, { 'Cache-Control': 'private, max-age=60' });
    }
    if (path === '/events') return sendError(res, invalid('/events is a WebSocket endpoint.'));
    return serveStatic(req, res, url);
  }

  function rejectUpgrade(socket: Duplex, status: number, message: string): void {
    const body = JSON.stringify({ error: { code: status === 401 ? 'unauthorized' : 'forbidden', message } });
    socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`bridge: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, { code: 'internal', message: 'Internal error in the bridge.' });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    if (!hostAllowed(req.headers.host, port)) return rejectUpgrade(socket, 403, 'Host not allowed.');
    if (!originAllowed(req.headers.origin, port)) return rejectUpgrade(socket, 403, 'Cross-origin WebSocket refused.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/events') return rejectUpgrade(socket, 403, 'Unknown WebSocket endpoint.');
    const given = bearerFrom(req.headers.authorization) ?? subprotocolTokenFrom(req.headers['sec-websocket-protocol']);
    if (!tokensEqual(token, given)) return rejectUpgrade(socket, 401, 'Missing or wrong access token.');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      // The event channel is one-way; anything a client sends is ignored.
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  const origin = `http://127.0.0.1:${port}`;

  return {
    port,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      clients.clear();
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections?.();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
