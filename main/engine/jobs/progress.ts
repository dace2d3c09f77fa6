import type { JobProgress } from '../../contract/api';

// Rate and ETA over a sliding window of recent completions.
export class RateMeter {
  private samples: { t: number; done: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  record(done: number, now = Date.now()): void {
    this.samples.push({ t: now, done });
    while (this.samples.length > 2 && now - this.samples[0]!.t > this.windowMs) this.samples.shift();
  }

  /** items per second over the window (0 until two samples exist) */
  rate(): number {
    if (this.samples.length < 2) return 0;
    const a = this.samples[0]!;
    const b = this.samples[this.samples.length - 1]!;
    const dt = (b.t - a.t) / 1000;
    return dt > 0 ? Math.max(0, (b.done - a.done) / dt) : 0;
  }

  eta(done: number, total: number): number | null {
    const r = this.rate();
    if (r <= 0) return done >= total ? 0 : null;
    return Math.max(0, (total - done) / r);
  }
}

/** Whether a job's progress is worth sending now: at most every `everyMs`, or when forced (its start and end). */
export class ProgressThrottle {
  private last = 0;

  constructor(private readonly everyMs = 200) {}

  due(force: boolean, now = Date.now()): boolean {
    if (!force && now - this.last < this.everyMs) return false;
    this.last = now;
    return true;
  }
}

/** The JobProgress every long job reports: counts, rate and ETA from its meter. */
export function jobProgress(
  job: { jobId: number; kind: JobProgress['kind']; phase?: JobProgress['phase']; state: JobProgress['state']; done: number; total: number; message?: string | undefined },
  meter: RateMeter,
): JobProgress {
  const p: JobProgress = {
    jobId: job.jobId,
    kind: job.kind,
    state: job.state,
    done: job.done,
    total: Math.max(job.total, job.done),
    rate: meter.rate(),
    etaSeconds: job.state === 'running' ? meter.eta(job.done, job.total) : null,
  };
  if (job.phase) p.phase = job.phase;
  if (job.message) p.message = job.message;
  return p;
}
