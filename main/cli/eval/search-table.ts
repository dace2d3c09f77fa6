// The `trove eval --search` table: one line per query kind and one overall, each metric
// with its runs side by side (random expectation, embedding only, the default ranking).
import type { Aggregate } from '../../ml/eval/search-metrics';

export interface RunAggregates {
  name: string;
  byKind: Record<string, Aggregate>;
  overall: Aggregate;
}

const METRIC_COLUMNS: { key: keyof Omit<Aggregate, 'n'>; title: string }[] = [
  { key: 'mrr', title: 'MRR' },
  { key: 'success5', title: 'Success@5' },
  { key: 'rPrecision10', title: 'R-precision@10' },
];

const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

export function formatSearchTable(runs: readonly RunAggregates[], kinds: readonly string[]): string {
  const kindW = Math.max('overall'.length, ...kinds.map((k) => k.length));
  const colW = runs.map((r) => Math.max(6, r.name.length));
  const blockW = colW.reduce((a, w) => a + w, 0) + 2 * (colW.length - 1);
  const head1 = `${''.padEnd(kindW)}  ${''.padStart(4)}  ${METRIC_COLUMNS.map((m) => m.title.padEnd(blockW)).join('   ')}`.trimEnd();
  const head2 = `${'kind'.padEnd(kindW)}  ${'n'.padStart(4)}  ${METRIC_COLUMNS.map(() => runs.map((r, i) => r.name.padStart(colW[i]!)).join('  ')).join('   ')}`;
  const line = (label: string, pick: (r: RunAggregates) => Aggregate | undefined) => {
    const n = pick(runs[0]!)?.n ?? 0;
    const blocks = METRIC_COLUMNS.map((m) => runs.map((r, i) => num(pick(r)?.[m.key]).padStart(colW[i]!)).join('  '));
    return `${label.padEnd(kindW)}  ${String(n).padStart(4)}  ${blocks.join('   ')}`;
  };
  const rule = '-'.repeat(head2.length);
  return [head1, head2, rule, ...kinds.map((k) => line(k, (r) => r.byKind[k])), rule, line('overall', (r) => r.overall)].join('\n');
}
