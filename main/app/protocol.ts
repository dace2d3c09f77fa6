// The privileged trove:// protocol. trove://app/ serves the built renderer; trove://app/thumb/<id>
// and trove://app/original/<id> serve a library item's thumbnail / original BY ITEM ID ONLY:
// the path comes from the engine, and must lie inside the library, else 404. Pure: the
// Electron glue turns a ProtocolAnswer into a Response.
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { APP_CSP } from './csp';

export type FileKind = 'thumb' | 'original';

export interface ProtocolResolver {
  /** the built renderer folder */
  rendererDir: string;
  /** the file of an item id, or null */
  resolveFile(which: FileKind, itemId: number): Promise<string | null>;
  /** folders such files may live in */
  allowedRoots(which: FileKind): Promise<string[]>;
}

export type ProtocolAnswer =
  | { status: 200; path: string; headers: Record<string, string> }
  | { status: 400 | 403 | 404 | 405; headers: Record<string, string>; body: string };

/** The privileges of the scheme (registered before app ready). */
export const TROVE_SCHEME = {
  scheme: 'trove',
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false, bypassCSP: false },
} as const;

const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";
const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

const APP_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const FILE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.avif': 'image/avif', '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.heic': 'image/heic',
  '.md': 'text/plain; charset=utf-8', '.markdown': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

export function parseItemId(s: string): number | null {
  if (!/^[1-9][0-9]{0,14}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

export function isInside(root: string, child: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}

const fail = (status: 400 | 403 | 404 | 405, body: string): ProtocolAnswer => ({ status, body, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });

export async function answerProtocolRequest(rawUrl: string, method: string, r: ProtocolResolver): Promise<ProtocolAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return fail(405, 'Only GET.');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail(400, 'Malformed URL.');
  }
  if (url.protocol !== 'trove:' || url.host !== 'app' || url.username || url.password) return fail(403, 'Unknown trove:// host.');
  const file = /^\/(thumb|original)\/([^/]*)$/.exec(url.pathname);
  if (file) {
    const which = file[1] as FileKind;
    const id = parseItemId(file[2]!);
    if (id === null) return fail(404, 'No such item.');
    try {
      const p = await r.resolveFile(which, id);
      if (!p) return fail(404, 'No such item.');
      const real = await realpath(p);
      if (!(await stat(real)).isFile()) return fail(404, 'No such item.');
      const roots = await Promise.all((await r.allowedRoots(which)).map((x) => realpath(x).catch(() => null)));
      if (!roots.some((root) => root !== null && isInside(root, real))) return fail(404, 'No such item.');
      const type = FILE_TYPES[extname(real).toLowerCase()];
      return {
        status: 200,
        path: real,
        headers: { ...BASE_HEADERS, 'Content-Type': type ?? 'application/octet-stream', 'Content-Security-Policy': FILE_CSP, ...(type ? {} : { 'Content-Disposition': 'attachment' }) },
      };
    } catch {
      return fail(404, 'No such item.');
    }
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return fail(400, 'Malformed path.');
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((seg) => seg.startsWith('.'))) return fail(404, 'Not found.');
  const root = resolve(r.rendererDir);
  const full = resolve(join(root, rel));
  const type = APP_TYPES[extname(full).toLowerCase()];
  if (!type || !isInside(root, full)) return fail(404, 'Not found.');
  try {
    const realRoot = await realpath(root);
    const real = await realpath(full);
    if (!isInside(realRoot, real) || !(await stat(real)).isFile()) return fail(404, 'Not found.');
    return { status: 200, path: real, headers: { ...BASE_HEADERS, 'Content-Type': type, 'Content-Security-Policy': APP_CSP } };
  } catch {
    return fail(404, 'Not found.');
  }
}
