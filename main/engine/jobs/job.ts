// Every long job (indexing, its passes, labelling) has this shape, so one lane runs them
// all: start, progress, pause, resume, cancel, wait.
import type { JobProgress } from '../../contract/api';

export interface Job {
  progress(): JobProgress;
  /** runs to the end (done, cancelled or failed) and resolves with the final progress; never rejects */
  run(): Promise<JobProgress>;
  /** asks the job to stop at its next safe point; false when it is not running */
  cancel(): boolean;
  pause?(): boolean;
  resume?(): boolean;
}

export type JobPhaseState = JobProgress['state'];

/** A job whose work is one async function, cancelled by a flag it checks (e.g. scanning folders). */
export class TaskJob implements Job {
  private state: JobPhaseState = 'running';
  private cancelled = false;

  constructor(
    private readonly head: Pick<JobProgress, 'jobId' | 'kind' | 'phase' | 'message'>,
    private readonly work: (isCancelled: () => boolean) => Promise<void>,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  progress(): JobProgress {
    const p: JobProgress = { ...this.head, state: this.state, done: 0, total: 0, rate: 0, etaSeconds: null };
    if (this.state !== 'running') delete p.message;
    return p;
  }

  cancel(): boolean {
    if (this.state !== 'running') return false;
    this.cancelled = true;
    return true;
  }

  async run(): Promise<JobProgress> {
    try {
      await this.work(() => this.cancelled);
    } catch (err) {
      // a failed step of a larger job is logged; the job carries on with what it has
      this.log(`${this.head.phase ?? this.head.kind}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.state = this.cancelled ? 'cancelled' : 'done';
    return this.progress();
  }
}

/** Pause and resume for a job that works in steps: `wait()` between steps holds while paused. */
export class PauseGate {
  private waiters: (() => void)[] = [];
  private held = false;

  get paused(): boolean {
    return this.held;
  }

  pause(): void {
    this.held = true;
  }

  /** lets the job go on (also to see that it was cancelled) */
  open(): void {
    this.held = false;
    for (const w of this.waiters.splice(0)) w();
  }

  async wait(): Promise<void> {
    while (this.held) await new Promise<void>((r) => this.waiters.push(r));
  }
}
