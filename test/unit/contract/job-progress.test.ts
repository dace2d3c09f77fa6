import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../main/contract/api';
import { laterProgress } from '../../../main/contract/job-progress';

const job = (jobId: number, state: JobProgress['state'], done: number): JobProgress => ({ jobId, kind: 'label', state, done, total: 9, rate: 0, etaSeconds: null });

describe('laterProgress (a reply overtaken by events)', () => {
  it('keeps a finished job finished when the start reply arrives after the done event', () => {
    expect(laterProgress(job(3, 'done', 9), job(3, 'running', 0))).toEqual(job(3, 'done', 9));
    expect(laterProgress(job(3, 'cancelled', 4), job(3, 'running', 2)).state).toBe('cancelled');
  });

  it('never goes back in items done, and takes newer states and other jobs', () => {
    expect(laterProgress(job(3, 'running', 5), job(3, 'running', 2)).done).toBe(5);
    expect(laterProgress(job(3, 'running', 5), job(3, 'paused', 5)).state).toBe('paused');
    expect(laterProgress(job(3, 'running', 5), job(3, 'done', 9)).state).toBe('done');
    expect(laterProgress(job(3, 'done', 9), job(4, 'running', 0))).toEqual(job(4, 'running', 0));
    expect(laterProgress(null, job(4, 'running', 0))).toEqual(job(4, 'running', 0));
  });
});
