// The fine-tune job as the engine runs it: the worker process does the work (worker-main.ts);
// this side keeps the run's row in the store (step, phase, loss curve, outcome), turns the
// worker's reports into JobProgress events (kind 'tune') and stops it when asked. A run's
// checkpoints live in a work folder named by what is trained (base, pairs, settings), so
// starting the same run again (after a kill, a crash or a restart) resumes it.
import type { JobProgress } from '../../contract/api';
import type { TuneProgress } from '../../ml/tune/fine-tune';
import type { Job } from '../jobs/job';
import type { Db } from '../store/db';
import { finishRun, updateRunProgress } from '../store/tuning';
import type { TuneOutcome, WorkerMessage } from './protocol';
import type { TuneProcess } from './worker-process';

export interface TuneJobOptions {
  db: Db;
  runId: number;
  steps: number;
  /** losses already recorded by an earlier process of the same run */
  losses: [number, number][];
  start: () => TuneProcess;
  onProgress: (p: JobProgress) => void;
  /** the run ended with a new package */
  onPackage?: (dir: string) => void;
}

const PHASE_WORDS: Record<TuneProgress['phase'], string> = {
  preparing: 'reading the model and the photos',
  'scoring-before': 'scoring the model before training',
  training: 'training',
  'scoring-after': 'scoring the new version',
  writing: 'writing the new version',
};

export class TuneJob implements Job {
  private state: JobProgress['state'] = 'running';
  private step = 0;
  private etaSeconds: number | null = null;
  private rate = 0;
  private phase: TuneProgress['phase'] = 'preparing';
  private message: string | undefined;
  private proc: TuneProcess | null = null;
  private cancelled = false;
  /** stopped because the engine closes: the run stays 'running' in the store and resumes at the next start */
  private suspended = false;
  private readonly losses: [number, number][];
  /** the worker's final report */
  outcome: TuneOutcome | null = null;

  constructor(private readonly o: TuneJobOptions) {
    this.losses = [...o.losses];
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  /** The worker (tests kill it to play a crash). */
  get process(): TuneProcess | null {
    return this.proc;
  }

  progress(): JobProgress {
    const p: JobProgress = { jobId: this.o.runId, kind: 'tune', state: this.state, done: this.step, total: Math.max(this.o.steps, this.step), rate: this.rate, etaSeconds: this.state === 'running' ? this.etaSeconds : null };
    const message = this.message ?? (this.state === 'running' ? PHASE_WORDS[this.phase] : undefined);
    if (message) p.message = message;
    return p;
  }

  cancel(): boolean {
    if (this.state !== 'running') return false;
    this.cancelled = true;
    this.proc?.cancel();
    return true;
  }

  /** The user is searching: the worker starts no new piece of work for `ms`. */
  hold(ms: number): void {
    if (this.state === 'running') this.proc?.hold(ms);
  }

  /** Stops the worker (it writes its checkpoint) and leaves the run to be resumed. */
  suspend(): void {
    if (this.state !== 'running') return;
    this.suspended = true;
    this.proc?.cancel();
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'progress') {
      const p = m.progress;
      this.phase = p.phase;
      if (p.phase === 'training' && Number.isFinite(p.loss)) {
        this.losses.push([p.step, p.loss]);
        this.step = p.step;
        this.etaSeconds = p.etaSec;
        this.rate = p.elapsedSec > 0 ? p.step / p.elapsedSec : 0;
      }
      updateRunProgress(this.o.db, this.o.runId, { step: this.step, phase: p.phase, losses: this.losses });
      this.o.onProgress(this.progress());
    } else if (m.type === 'done') this.outcome = m.outcome;
    else this.message = m.message;
  }

  async run(): Promise<JobProgress> {
    try {
      this.proc = this.o.start();
      this.proc.onMessage((m) => this.onMessage(m));
      if (this.cancelled) this.proc.cancel();
      const exit = await this.proc.exited;
      const o = this.outcome;
      if (this.suspended && !(o && !o.cancelled && o.packageDir)) {
        this.message = 'paused while Trove is closed; it resumes from its last checkpoint at the next start';
        return this.progress();
      }
      if (o && !o.cancelled && o.packageDir) {
        this.state = 'done';
        this.step = o.step;
        finishRun(this.o.db, this.o.runId, { state: 'done', result: o, packageDir: o.packageDir });
        this.o.onPackage?.(o.packageDir);
      } else if (o?.cancelled || this.cancelled) {
        this.state = 'cancelled';
        this.message = `stopped at step ${this.step}; starting the same fine-tune again resumes from its last checkpoint`;
        finishRun(this.o.db, this.o.runId, { state: 'cancelled', result: o ?? undefined, message: this.message });
      } else {
        this.state = 'failed';
        const why = this.message ?? (exit.signal ? `the fine-tune process was stopped (${exit.signal})` : `the fine-tune process ended with code ${String(exit.code)}`);
        const last = exit.output.trim().split('\n').slice(-3).join(' ').trim();
        this.message = `${why}${!this.message && last ? `: ${last}` : ''}. Start it again to resume from its last checkpoint.`;
        finishRun(this.o.db, this.o.runId, { state: 'failed', message: this.message });
      }
    } catch (err) {
      this.state = 'failed';
      this.message = `the fine-tune could not start: ${err instanceof Error ? err.message : String(err)}`;
      finishRun(this.o.db, this.o.runId, { state: 'failed', message: this.message });
    }
    const final = this.progress();
    this.o.onProgress(final);
    return final;
  }
}
