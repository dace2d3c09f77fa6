// The main process's IPC handlers, pure: what the renderer may ask, checked before anything
// reaches the engine host. main.ts registers them with ipcMain.handle.
import { ItemId } from '../contract/api';
import type { ApiError } from '../contract/api';
import { checkMethod, parseRequest, parseResponse } from '../contract/dispatch';
import type { Outcome } from '../contract/dispatch';
import { senderAllowed } from './guards';

export interface EngineCalls {
  call(method: string, request: unknown): Promise<Outcome<unknown>>;
}

const forbidden: ApiError = { code: 'forbidden', message: 'Only the Trove window may call the engine.' };

/** trove:invoke: (sender frame URL, method, request) -> Outcome. Validates the sender, the method, the request, and the engine's response. */
export function createInvokeHandler(engine: EngineCalls) {
  return async (frameUrl: string | undefined, method: unknown, request: unknown): Promise<Outcome<unknown>> => {
    if (!senderAllowed(frameUrl)) return { ok: false, error: forbidden };
    const m = checkMethod(method);
    if (!m.ok) return m;
    const req = parseRequest(m.value, request);
    if (!req.ok) return req;
    const out = await engine.call(m.value, req.value);
    if (!out.ok) return out;
    return parseResponse(m.value, out.value);
  };
}

/** Item ids from the renderer for open / reveal. */
export function parseItemIdArg(raw: unknown): number | null {
  const r = ItemId.safeParse(raw);
  return r.success ? r.data : null;
}

/** Kinds of file "Open" hands to the OS: photos and notes only, never anything executable. */
const OPENABLE = /\.(jpe?g|png|webp|gif|avif|bmp|tiff?|heic|heif|md|markdown|txt)$/i;
export function openable(path: string): boolean {
  return OPENABLE.test(path);
}
