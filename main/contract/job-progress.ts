// Progress of one job arrives two ways: as events, and as the reply to the request that
// started or changed it. A reply can be overtaken by the events that followed it (a short
// job may finish before its start request's reply is read), so a UI keeps the later state.
import type { JobProgress } from './api';

const ended = (s: JobProgress['state']): boolean => s === 'done' || s === 'cancelled' || s === 'failed';

/** The progress to show after `incoming`: never an ended job back to running, never fewer items done. */
export function laterProgress(current: JobProgress | null, incoming: JobProgress): JobProgress {
  if (!current || current.jobId !== incoming.jobId || current.kind !== incoming.kind) return incoming;
  if (ended(current.state) && !ended(incoming.state)) return current;
  return incoming.done < current.done ? current : incoming;
}
