// The privileged trove:// protocol. trove://app/ serves the built renderer; trove://app/thumb/<id>
// and trove://app/original/<id> serve a library item's thumbnail / original by item id only.
// Which file, its type and disposition and the path checks are main/engine/served-files.ts,
// shared with `trove serve`; this module adds the scheme's own rules (host, method) and
// headers. Pure: the Electron glue turns a ProtocolAnswer into a Response.
import { itemFileRoute, serveItemFile, serveUiFile } from '../engine/served-files';
import type { FileKind, ItemFileSource, Served } from '../engine/served-files';
import { APP_CSP } from './csp';

export type { FileKind };

export interface ProtocolResolver extends ItemFileSource {
  /** the built renderer folder */
  rendererDir: string;
}

export type ProtocolAnswer =
  | { status: 200; path: string; headers: Record<string, string> }
  | { status: 400 | 403 | 404 | 405; headers: Record<string, string>; body: string };

/** The privileges of the scheme (registered before app ready). */
export const TROVE_SCHEME = {
  scheme: 'trove',
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false, bypassCSP: false },
} as const;

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

const fail = (status: 400 | 403 | 404 | 405, body: string): ProtocolAnswer => ({ status, body, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });

function answerOf(served: Served, extraHeaders: Record<string, string>): ProtocolAnswer {
  if (!served.ok) return fail(served.status, served.message);
  return { status: 200, path: served.path, headers: { ...BASE_HEADERS, ...extraHeaders, ...served.headers } };
}

export async function answerProtocolRequest(rawUrl: string, method: string, r: ProtocolResolver): Promise<ProtocolAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return fail(405, 'Only GET.');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail(400, 'Malformed URL.');
  }
  if (url.protocol !== 'trove:' || url.host !== 'app' || url.username || url.password) return fail(403, 'Unknown trove:// host.');
  const item = itemFileRoute(url.pathname);
  if (item) return answerOf(await serveItemFile(r, item.which, item.idText), {});
  return answerOf(await serveUiFile(r.rendererDir, url.pathname), { 'Content-Security-Policy': APP_CSP });
}
