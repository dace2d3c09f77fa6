// A job made of phases run one after another under one job id: indexing is "look for
// changes", then "embed", then the perception passes. Progress is the running phase's; a
// phase is created only when the one before it ends, so it sees what that one did. The
// final progress counts what the main phase did (indexing: the items embedded).
import type { JobProgress } from '../../contract/api';
import type { Job } from './job';

export interface Phase {
  /** the job for this phase, or null when there is nothing to do */
  start(): Job | null | Promise<Job | null>;
  /** its counts are the job's final counts */
  main?: boolean;
}

export class PhasedJob implements Job {
  private current: Job | null = null;
  private cancelled = false;
  private final: JobProgress | null = null;

  constructor(
    private readonly head: Pick<JobProgress, 'jobId' | 'kind'>,
    private readonly phases: Phase[],
    /** the job's first progress, until a phase has started */
    private readonly initial: JobProgress,
    /** records the final state (the jobs table) */
    private readonly record: (p: JobProgress) => void,
  ) {}

  progress(): JobProgress {
    return this.final ?? this.current?.progress() ?? this.initial;
  }

  cancel(): boolean {
    if (this.final) return false;
    this.cancelled = true;
    this.current?.cancel();
    return true;
  }

  pause(): boolean {
    return this.current?.pause?.() ?? false;
  }

  resume(): boolean {
    return this.current?.resume?.() ?? false;
  }

  async run(): Promise<JobProgress> {
    let last: JobProgress = this.initial;
    let counts = { done: 0, total: 0 };
    for (const phase of this.phases) {
      if (this.cancelled) break;
      const job = await phase.start();
      if (!job) continue;
      if (this.cancelled) break;
      this.current = job;
      last = await job.run();
      if (phase.main) counts = { done: last.done, total: last.total };
      if (last.state !== 'done') break;
    }
    const state = this.cancelled && last.state === 'done' ? 'cancelled' : last.state === 'running' ? 'done' : last.state;
    this.final = { ...last, ...this.head, ...counts, state, etaSeconds: null };
    delete this.final.phase;
    if (state !== 'failed') delete this.final.message;
    if (state === 'failed' && last.message) this.final.message = last.message;
    this.current = null;
    this.record(this.final);
    return this.final;
  }
}
