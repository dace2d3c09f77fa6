// Browser end-to-end harness: spawns the real `trove serve` (the CLI with the deterministic
// test embedder), and drives Debian's Chromium through playwright-core. No skipping: without
// Chromium the tests FAIL and say how to install it.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');
export const CHROMIUM = process.env.TROVE_CHROMIUM ?? '/usr/bin/chromium';

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the browser end-to-end tests need it. Install it with\n` +
        '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium\n' +
        '(CI does this in .ci/run), or point TROVE_CHROMIUM at a Chromium binary.',
    );
  }
}

/** Builds the UI when renderer/dist is missing (npm test builds it first anyway). */
export function ensureRendererBuilt(): void {
  if (existsSync(join(ROOT, 'renderer', 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.mts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

export async function launchBrowser(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
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
