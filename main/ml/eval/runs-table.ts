// Several runs on one suite side by side: one line per dataset (grouped by meta-task),
// then per meta-task, IND, OOD and overall. P@1 in %; `chance` is the expected P@1 of a
// random ranking (mean of 1 / candidates), given for reference.
import { META_TASKS } from './types';
import type { SuiteScores } from './types';

const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : (100 * x).toFixed(1));

export function formatRunsTable(runs: SuiteScores[], chance?: ReadonlyMap<string, number>): string {
  if (runs.length === 0) return '';
  const datasets = runs[0]!.datasets;
  const nameW = Math.max('[classification]'.length, ...datasets.map((d) => d.name.length));
  const cols = [...(chance ? ['chance'] : []), ...runs.map((r) => r.model)];
  const colW = cols.map((c) => Math.max(7, c.length));
  const line = (name: string, task: string, split: string, n: string, vals: string[]) =>
    `${name.padEnd(nameW)}  ${task.padEnd(14)}  ${split.padEnd(5)}  ${n.padStart(5)}  ${vals.map((v, i) => v.padStart(colW[i]!)).join('  ')}`.trimEnd();
  const rule = '-'.repeat(nameW + 32 + colW.reduce((a, w) => a + w + 2, 0) - 2);
  const chanceMean = (names: string[]) => {
    const xs = names.map((n) => chance?.get(n)).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const out = [`P@1 (%) per dataset; aggregates are unweighted means of the datasets' P@1 (MMEB style)`, line('dataset', 'meta-task', 'split', 'n', cols), rule];
  const scoreOf = (r: SuiteScores, name: string) => r.datasets.find((d) => d.name === name)?.p1 ?? null;
  for (const t of META_TASKS) {
    for (const d of datasets.filter((x) => x.metaTask === t)) {
      out.push(line(d.name, d.metaTask, d.split, String(d.n), [...(chance ? [pct(chance.get(d.name))] : []), ...runs.map((r) => pct(scoreOf(r, d.name)))]));
    }
  }
  out.push(rule);
  const scored = datasets.filter((d) => d.n > 0);
  for (const t of META_TASKS) {
    const names = scored.filter((d) => d.metaTask === t).map((d) => d.name);
    out.push(line(`[${t}]`, '', '', '', [...(chance ? [pct(chanceMean(names))] : []), ...runs.map((r) => pct(r.metaTasks[t]))]));
  }
  for (const [label, split] of [['[IND]', 'IND'], ['[OOD]', 'OOD']] as const) {
    const names = scored.filter((d) => d.split === split).map((d) => d.name);
    out.push(line(label, '', '', '', [...(chance ? [pct(chanceMean(names))] : []), ...runs.map((r) => pct(split === 'IND' ? r.ind : r.ood))]));
  }
  out.push(line('[overall]', '', '', '', [...(chance ? [pct(chanceMean(scored.map((d) => d.name)))] : []), ...runs.map((r) => pct(r.overall))]));
  return out.join('\n');
}
