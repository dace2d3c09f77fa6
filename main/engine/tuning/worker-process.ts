// Starts the fine-tune worker apart from the engine: a Node child process (the CLI, `trove
// serve`, tests), or a worker thread inside Electron's engine host, whose binary cannot run
// as Node (the runAsNode fuse is off). Either way the engine talks to it by messages and
// can stop it (politely: cancel, the checkpoint is written; or at once: kill).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParentMessage, WorkerMessage } from './protocol';

export interface TuneProcess {
  /** the child's pid (null for a worker thread) */
  readonly pid: number | null;
  onMessage(handler: (m: WorkerMessage) => void): void;
  /** asks the worker to stop after the current step, writing its checkpoint */
  cancel(): void;
  /** asks the worker to start no new piece of work for `ms` (the user is searching) */
  hold(ms: number): void;
  /** stops it now (the last checkpoint stays) */
  kill(): void;
  /** resolves when it has ended; `output` is the tail of what it wrote to stderr */
  readonly exited: Promise<{ code: number | null; signal: string | null; output: string }>;
}

/** The worker's entry file next to this one (.js when compiled, .ts when run from source). */
function entryFile(): { file: string; fromSource: boolean } {
  const fromSource = __filename.endsWith('.ts');
  const file = join(__dirname, `worker-main${fromSource ? '.ts' : '.js'}`);
  if (!existsSync(file)) throw new Error(`The fine-tune worker is missing (${file}). Reinstall Trove.`);
  return { file, fromSource };
}

const tail = (s: string): string => s.slice(-4000);

export function startTuneProcess(specFile: string, o: { inThread?: boolean } = {}): TuneProcess {
  const { file, fromSource } = entryFile();
  const inThread = o.inThread ?? process.versions.electron !== undefined;
  if (inThread) {
    // from source (tests), the thread loads tsx's require hook first: a worker thread takes no --import
    const w = fromSource
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`, { eval: true, workerData: { specFile }, stderr: true })
      : new Worker(file, { workerData: { specFile }, stderr: true });
    let output = '';
    w.stderr.on('data', (d: Buffer) => (output = tail(output + String(d))));
    return {
      pid: null,
      onMessage: (h) => w.on('message', (m: WorkerMessage) => h(m)),
      cancel: () => w.postMessage({ type: 'cancel' } satisfies ParentMessage),
      hold: (ms) => w.postMessage({ type: 'hold', ms } satisfies ParentMessage),
      kill: () => void w.terminate(),
      exited: new Promise((ok) => w.on('exit', (code) => ok({ code, signal: null, output }))),
    };
  }
  const child = fork(file, [specFile], {
    execArgv: fromSource ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output = tail(output + String(d))));
  return {
    pid: child.pid ?? null,
    onMessage: (h) => child.on('message', (m: WorkerMessage) => h(m)),
    cancel: () => {
      if (child.connected) child.send({ type: 'cancel' } satisfies ParentMessage);
    },
    hold: (ms) => {
      if (child.connected) child.send({ type: 'hold', ms } satisfies ParentMessage);
    },
    kill: () => void child.kill('SIGKILL'),
    exited: new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal, output }))),
  };
}
