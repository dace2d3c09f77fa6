// One lane runs one job at a time (indexing has a lane, labelling has its own): start,
// progress, pause, resume, cancel and wait, the same for every kind of job.
import type { JobProgress } from '../../contract/api';
import type { Job } from './job';

export class JobLane {
  private job: Job | null = null;
  private running: Promise<JobProgress> | null = null;
  private last: JobProgress | null = null;

  constructor(
    /** called after a job ends (its final progress), e.g. to start another run */
    private readonly onEnd: (final: JobProgress) => void = () => undefined,
  ) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** Runs the job; the lane must be free (check `busy`). Resolves with its final progress. */
  start(job: Job): Promise<JobProgress> {
    if (this.running) throw new Error('a job is already running in this lane');
    this.job = job;
    const run = job.run();
    this.running = run;
    void run.then((final) => {
      if (this.running !== run) return;
      this.running = null;
      this.job = null;
      this.last = final;
      this.onEnd(final);
    });
    return run;
  }

  /** The running job's progress, else the last one's (null when none ran in this process). */
  progress(): JobProgress | null {
    return this.job?.progress() ?? this.last;
  }

  get active(): boolean {
    return this.job !== null;
  }

  cancel(): boolean {
    return this.job?.cancel() ?? false;
  }

  pause(): boolean {
    return this.job?.pause?.() ?? false;
  }

  resume(): boolean {
    return this.job?.resume?.() ?? false;
  }

  /** Resolves when the running job (if any) ends, with its final progress. */
  async wait(): Promise<JobProgress | null> {
    return this.running ?? null;
  }

  /** Cancels the running job and waits for it to stop. */
  async stop(): Promise<void> {
    this.cancel();
    await this.running;
  }
}
