// Spawns the test CLI (the real `trove` CLI with the deterministic test-double model), or
// another TypeScript script of the tests, in a process of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { honouringFileModes } from './file-modes';

export const repoRoot = resolve(__dirname, '..', '..');
const cli = join(repoRoot, 'test', 'support', 'trove-test-cli.ts');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the exit code (null when killed by a signal) and the signal */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves when stdout has a line matching `re` */
  waitForLine: (re: RegExp) => Promise<string>;
}

export function startCli(args: string[], env: Record<string, string> = {}, opts: ScriptOptions = {}): CliRun {
  return startScript(cli, args, env, opts);
}

export interface ScriptOptions {
  /** file mode bits hold even when the tests run as root (support/file-modes.ts) */
  honourFileModes?: boolean;
}

/** Runs a TypeScript file with `node --import tsx` from the repository root. */
export function startScript(script: string, args: string[], env: Record<string, string> = {}, opts: ScriptOptions = {}): CliRun {
  // `node --import tsx` runs the script in ONE process (the tsx binary would fork a child
  // that outlives a kill -9 of its parent; setpriv execs, so it adds no process either)
  const node = { command: process.execPath, args: ['--import', 'tsx', script, ...args] };
  const cmd = opts.honourFileModes ? honouringFileModes(node.command, node.args) : node;
  const child = spawn(cmd.command, cmd.args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForLine: (re) =>
      new Promise((res, rej) => {
        const line = out.split('\n').find((l) => re.test(l));
        if (line !== undefined) return res(line);
        waiters.push({ re, resolve: res });
        void exit.then(() => rej(new Error(`the CLI exited before printing a line matching ${re}:\n${out}\n${err}`)));
      }),
  };
}

export async function runCliProcess(args: string[], env: Record<string, string> = {}, opts: ScriptOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startCli(args, env, opts);
  const { code } = await r.exit;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}
