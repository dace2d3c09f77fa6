// Browser end-to-end harness: spawns the real `trove serve` (the CLI with the deterministic
// test embedder), and drives Chromium through playwright-core (the one npm ci installs, or
// $TROVE_CHROMIUM). No skipping: a browser that cannot start fails the tests.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');
/**
 * The browser: $TROVE_CHROMIUM when set, else the headless Chromium that arrives with
 * `npm ci` inside the @sparticuz/chromium package (unpacked to a temp folder on first use),
 * so a fresh machine needs nothing installed by hand.
 */
export async function chromiumPath(): Promise<string> {
  const fromEnv = process.env.TROVE_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TROVE_CHROMIUM points at ${fromEnv}, which does not exist. Unset it to use the Chromium that npm ci installs.`);
    return fromEnv;
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  // test files run in parallel processes: one unpacks, the others wait (a half-written
  // binary would pass the package's own exists-check)
  const lock = join(tmpdir(), 'trove-chromium.lock');
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) throw new Error(`waited 2 minutes for another test process to unpack Chromium (remove ${lock} if none is running)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await packaged.executablePath();
  } finally {
    rmdirSync(lock);
  }
}

/** Builds the UI when renderer/dist is missing (npm test builds it first anyway). */
export function ensureRendererBuilt(): void {
  if (existsSync(join(ROOT, 'renderer', 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.mts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--no-zygote'],
  });
}

export interface Served {
  url: string;
  origin: string;
  token: string;
  port: number;
  output: () => string;
  stop(): Promise<void>;
}

/** Spawns `trove-test-cli --data DIR serve --port 0` (or another test CLI) and waits for the URL it prints. */
export async function startServe(dataDir: string, extraEnv: Record<string, string> = {}, cli = join(ROOT, 'test', 'support', 'trove-test-cli.ts')): Promise<Served> {
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const proc: ChildProcess = spawn(process.execPath, [tsx, cli, '--data', dataDir, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const m = await new Promise<RegExpExecArray>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`trove serve printed no URL within 60 s. Output:\n${out}`)), 60_000);
    const check = () => {
      const hit = /(http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (hit) {
        clearTimeout(timer);
        ok(hit);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`trove serve exited (${code}) before printing a URL. Output:\n${out}`));
    });
  });
  return {
    url: m[0],
    origin: m[1]!,
    port: Number(m[2]),
    token: m[3]!,
    output: () => out,
    stop: () =>
      new Promise<void>((ok) => {
        if (proc.exitCode !== null) return ok();
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        proc.once('exit', () => {
          clearTimeout(t);
          ok();
        });
        proc.kill('SIGTERM');
      }),
  };
}

/** Collects console errors, page errors and CSP violations, which must stay empty. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}
