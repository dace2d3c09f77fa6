// Validated dispatch of one API call: the single place where an untrusted (method, request)
// pair meets the engine. Used by the `trove serve` bridge, the Electron main process (IPC)
// and the engine host. Never throws: every failure becomes an ApiError a user can read.
import type { z } from 'zod';
import { ApiErrorCode, isMethodName, methods } from './api';
import type { ApiError, MethodName, ParsedRequestOf, ResponseOf, TroveApi } from './api';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const MAX_ISSUES = 5;

/** Turns a zod error into one readable sentence: "k: must be at most 1000; text: ...". */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : '';
    let what = issue.message;
    if (issue.code === 'unrecognized_keys') what = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return where ? `${where}: ${what}` : what;
  });
  const more = error.issues.length > MAX_ISSUES ? ` (and ${error.issues.length - MAX_ISSUES} more)` : '';
  return parts.join('; ') + more;
}

export function invalid(message: string): ApiError {
  return { code: 'invalid', message };
}

/** Checks the method name. */
export function checkMethod(method: unknown): Outcome<MethodName> {
  if (isMethodName(method)) return { ok: true, value: method };
  const shown = typeof method === 'string' ? `"${method.slice(0, 60)}"` : `a ${method === null ? 'null' : typeof method}`;
  return { ok: false, error: { code: 'not_found', message: `There is no API method ${shown}. Known methods: ${Object.keys(methods).join(', ')}.` } };
}

/** Parses a request for `method` against the contract. */
export function parseRequest<M extends MethodName>(method: M, request: unknown): Outcome<ParsedRequestOf<M>> {
  const schema = methods[method].request as unknown as z.ZodType<ParsedRequestOf<M>>;
  const r = schema.safeParse(request === undefined ? {} : request);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: invalid(`Invalid request for ${method}: ${describeIssues(r.error)}`) };
}

/** Parses a response for `method` against the contract. */
export function parseResponse<M extends MethodName>(method: M, response: unknown): Outcome<ResponseOf<M>> {
  const schema = methods[method].response as unknown as z.ZodType<ResponseOf<M>>;
  const r = schema.safeParse(response);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: { code: 'internal', message: `The engine returned a malformed ${method} response: ${describeIssues(r.error)}` } };
}

/** Maps anything thrown by the engine to an ApiError. Errors may carry a `code` from ApiErrorCode. */
export function toApiError(err: unknown): ApiError {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    const message = typeof e.message === 'string' && e.message ? e.message : 'Unknown error';
    const code = ApiErrorCode.safeParse(e.code);
    if (code.success) return { code: code.data, message };
    if (e.code === 'ENOENT') return { code: 'not_found', message };
    return { code: 'internal', message };
  }
  return { code: 'internal', message: typeof err === 'string' ? err : 'Unknown error' };
}

/** Validates method + request, calls the engine, validates the response. */
export async function dispatch(api: TroveApi, method: unknown, request: unknown): Promise<Outcome<unknown>> {
  const m = checkMethod(method);
  if (!m.ok) return m;
  const req = parseRequest(m.value, request);
  if (!req.ok) return req;
  let raw: unknown;
  try {
    const fn = api[m.value] as (r: unknown) => Promise<unknown>;
    raw = await fn.call(api, req.value);
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
  return parseResponse(m.value, raw);
}
