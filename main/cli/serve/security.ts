// Pure helpers for the bridge's security decisions (token, Host/Origin checks, the UI's CSP).
// Kept free of I/O so that tests can pin every decision directly. What files are served, and
// how, is main/engine/served-files.ts (shared with the app's trove:// protocol).
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: valid in a URL, a cookie and a WebSocket subprotocol. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The WebSocket subprotocol the bridge speaks, and the prefix carrying the token (browsers cannot set headers on a WebSocket). */
export const WS_PROTOCOL = 'trove.v1';
export const WS_TOKEN_PREFIX = 'trove.bearer.';

/** Cookies are not isolated by port, so the name carries it: two bridges never clobber each other. */
export function cookieName(port: number): string {
  return `trove_token_${port}`;
}

export function bearerFrom(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization.trim());
  return m ? m[1]! : null;
}

export function cookieFrom(cookieHeader: string | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function subprotocolTokenFrom(header: string | undefined): string | null {
  if (!header) return null;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (v.startsWith(WS_TOKEN_PREFIX)) return v.slice(WS_TOKEN_PREFIX.length);
  }
  return null;
}

/** Host values accepted: loopback names with the bridge's port only (DNS-rebinding guard). */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return typeof host === 'string' && allowedHosts(port).includes(host.toLowerCase());
}

/** An Origin header, when a browser sends one, must be the bridge's own origin. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}

/** CSP for the UI: own scripts and styles only, no eval, no inline code, no remote origins. */
export function uiCsp(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers on every response. */
export const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=()',
};
