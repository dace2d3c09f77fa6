// Precision@1 and its aggregation, MMEB style. The correct target is candidate 0. A row
// is a hit only when candidate 0 scores STRICTLY higher than every other candidate: a tie
// for the best score is a miss, never broken by position (a model that maps everything to
// one vector must score 0, not 100). NaN scores are misses too.
import type { DatasetScore, MetaTask, SuiteScores } from './types';
import { META_TASKS } from './types';

/** Whether candidate 0 wins outright. */
export function hitAt1(scores: ArrayLike<number>): boolean {
  if (scores.length === 0) return false;
  const s0 = scores[0]!;
  if (Number.isNaN(s0)) return false;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s < s0)) return false; // ties and NaN lose
  }
  return true;
}

/** P@1 (fraction in [0, 1]) over rows of candidate scores; 0 rows -> NaN. */
export function precisionAt1(rows: Iterable<ArrayLike<number>>): { n: number; hits: number; p1: number } {
  let n = 0;
  let hits = 0;
  for (const r of rows) {
    n++;
    if (hitAt1(r)) hits++;
  }
  return { n, hits, p1: n === 0 ? Number.NaN : hits / n };
}

/** The P@1 a random ranking would get on average: the mean over rows of 1 / (number of candidates). */
export function chanceP1(candidatesPerRow: Iterable<number>): number {
  let n = 0;
  let s = 0;
  for (const c of candidatesPerRow) {
    n++;
    s += c > 0 ? 1 / c : 0;
  }
  return n === 0 ? Number.NaN : s / n;
}

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Aggregates per-dataset scores: per meta-task, IND, OOD and overall are each the
 * unweighted mean of the datasets' P@1 (a 50-row set counts as much as a 1,000-row
 * set, as in MMEB). Datasets with n = 0 are listed but left out of every mean.
 */
export function aggregate(model: string, datasets: DatasetScore[]): SuiteScores {
  const scored = datasets.filter((d) => d.n > 0 && Number.isFinite(d.p1));
  const metaTasks = Object.fromEntries(
    META_TASKS.map((t) => [t, mean(scored.filter((d) => d.metaTask === t).map((d) => d.p1))]),
  ) as Record<MetaTask, number | null>;
  return {
    model,
    datasets: datasets.map(({ name, metaTask, split, n, p1 }) => ({ name, metaTask, split, n, p1 })),
    metaTasks,
    ind: mean(scored.filter((d) => d.split === 'IND').map((d) => d.p1)),
    ood: mean(scored.filter((d) => d.split === 'OOD').map((d) => d.p1)),
    overall: mean(scored.map((d) => d.p1)),
  };
}

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : (100 * x).toFixed(1));

/** A plain-text table: one line per dataset (grouped by meta-task), then the aggregates. Scores in %. */
export function formatScoresTable(s: SuiteScores): string {
  const nameW = Math.max(12, ...s.datasets.map((d) => d.name.length));
  const line = (a: string, b: string, c: string, d: string, e: string) =>
    `${a.padEnd(nameW)}  ${b.padEnd(14)}  ${c.padEnd(5)}  ${d.padStart(6)}  ${e.padStart(6)}`;
  const out = [`model: ${s.model}`, line('dataset', 'meta-task', 'split', 'n', 'P@1'), '-'.repeat(nameW + 41)];
  for (const t of META_TASKS) {
    for (const d of s.datasets.filter((x) => x.metaTask === t)) {
      out.push(line(d.name, d.metaTask, d.split, String(d.n), pct(d.p1)));
    }
  }
  out.push('-'.repeat(nameW + 41));
  for (const t of META_TASKS) out.push(line(`[${t}]`, '', '', '', pct(s.metaTasks[t])));
  out.push(line('[IND]', '', '', '', pct(s.ind)));
  out.push(line('[OOD]', '', '', '', pct(s.ood)));
  out.push(line('[overall]', '', '', '', pct(s.overall)));
  return out.join('\n');
}
