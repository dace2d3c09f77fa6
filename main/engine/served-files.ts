// What the two hosts of the UI serve besides the API, and how: the Electron app's trove://
// protocol (main/app/protocol.ts) and `trove serve`'s HTTP bridge (main/cli/serve/server.ts)
// both answer file requests here, so their rules cannot drift apart.
//   /thumb/<id>, /original/<id>  a library item's thumbnail or original BY ITEM ID ONLY: the
//                                path comes from the engine and must lie inside the allowed
//                                roots (source folders, the thumbnail cache, the JPEG renditions
//                                of HEIC originals) once links are
//                                resolved, else 404;
//   anything else                a file of the built UI, inside its folder, never a dot file,
//                                a NUL or a backslash (a separator on Windows).
// A user's file is served with a sandboxing CSP and `nosniff`; a type the UI does not show
// (SVG, HTML, unknown) only as an attachment, so it can never run as the app's origin.
// The hosts add their own headers (the UI's CSP, caching, auth) and error formats.
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { isInside } from '../base/paths';

/**
 * thumb: a photo's thumbnail; original: what the viewer shows of an item (a HEIC photo as
 * its JPEG rendition); file: the item's own file, to open or reveal outside the app.
 */
export type FileKind = 'thumb' | 'original' | 'file';

/** What serving item files needs of the engine. */
export interface ItemFileSource {
  /** the file for an item id, or null when there is no such item (or no thumbnail yet) */
  resolveFile(which: FileKind, itemId: number): Promise<string | null>;
  /** folders a file of this kind may live in (source folders; the thumbnail cache) */
  allowedRoots(which: FileKind): Promise<string[]>;
}

export type Served =
  | { ok: true; path: string; size: number; headers: Record<string, string> }
  | {
      ok: false;
      status: 400 | 404;
      /** for the user */
      message: string;
      /** for the host's log, when the refusal guards something (a file outside the library) */
      refused?: string;
    };

/** CSP for a user's file (an SVG or HTML note must never run as the app's origin). */
export const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

const ITEM_FILE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
  '.md': 'text/plain; charset=utf-8',
  '.markdown': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const UI_FILE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content type of a user's file, and whether it is shown inline; anything else is a download. */
export function itemFileType(path: string): { type: string; inline: boolean } {
  const type = ITEM_FILE_TYPES[extname(path).toLowerCase()];
  return type ? { type, inline: true } : { type: 'application/octet-stream', inline: false };
}

/** Content type of a file of the built UI, or null: other files of that folder are not served. */
export function uiFileType(path: string): string | null {
  return UI_FILE_TYPES[extname(path).toLowerCase()] ?? null;
}

/** Item ids in URLs: a positive decimal integer, nothing else (no paths, no signs, no dots). */
export function parseItemId(s: string): number | null {
  if (!/^[1-9][0-9]{0,14}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** `/thumb/<x>` or `/original/<x>` (a URL's pathname, still percent-encoded): an item file request. */
export function itemFileRoute(pathname: string): { which: FileKind; idText: string } | null {
  const m = /^\/(thumb|original)\/([^/]*)$/.exec(pathname);
  return m ? { which: m[1] as FileKind, idText: m[2]! } : null;
}

/** An item's file, links resolved; `outside` when it is not a plain file inside the allowed roots. */
async function locate(source: ItemFileSource, which: FileKind, id: number): Promise<{ path: string; size: number } | 'none' | 'outside'> {
  const path = await source.resolveFile(which, id);
  if (!path) return 'none';
  const real = await realpath(path);
  const st = await stat(real);
  const roots = await Promise.all((await source.allowedRoots(which)).map((r) => realpath(r).catch(() => null)));
  return st.isFile() && roots.some((r) => r !== null && isInside(r, real)) ? { path: real, size: st.size } : 'outside';
}

/** The real path of an item's file when it lies inside the allowed roots, else null (for opening it outside the app). */
export async function libraryFile(source: ItemFileSource, which: FileKind, id: number): Promise<string | null> {
  const found = await locate(source, which, id).catch(() => 'none' as const);
  return typeof found === 'object' ? found.path : null;
}

/** A thumbnail or original by the id text of its URL. */
export async function serveItemFile(source: ItemFileSource, which: FileKind, idText: string): Promise<Served> {
  const notFound: Served = { ok: false, status: 404, message: `No ${which === 'thumb' ? 'thumbnail' : 'file'} for item "${idText.slice(0, 40)}".` };
  const id = parseItemId(idText);
  if (id === null) return notFound;
  const found = await locate(source, which, id).catch(() => 'none' as const);
  if (found === 'none') return notFound;
  if (found === 'outside') return { ...notFound, refused: `${which} ${id}: its file is not a file inside the library` };
  const { type, inline } = itemFileType(found.path);
  return {
    ok: true,
    path: found.path,
    size: found.size,
    headers: { 'Content-Type': type, 'Content-Disposition': inline ? 'inline' : 'attachment', 'Content-Security-Policy': FILE_CSP, 'X-Content-Type-Options': 'nosniff' },
  };
}

/** A file of the built UI at `rendererDir` by a URL's pathname (still percent-encoded; `/` is index.html). */
export async function serveUiFile(rendererDir: string, pathname: string): Promise<Served> {
  const notFound: Served = { ok: false, status: 404, message: 'Not found.' };
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400, message: 'Malformed path.' };
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((seg) => seg.startsWith('.'))) return notFound;
  const root = resolve(rendererDir);
  const full = resolve(join(root, rel));
  const type = uiFileType(full);
  if (!type || !isInside(root, full)) return notFound;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(full);
    const st = await stat(real);
    if (!isInside(realRoot, real) || !st.isFile()) return notFound;
    return { ok: true, path: real, size: st.size, headers: { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' } };
  } catch {
    return notFound;
  }
}
