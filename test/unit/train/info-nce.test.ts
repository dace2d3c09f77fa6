import { describe, expect, it } from 'vitest';
import { infoNce } from '../../../main/ml/train/info-nce';

function normalisedRows(rows: number, dim: number, seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let c = 0; c < dim; c++) n += (out[r * dim + c] = rand()) ** 2;
    for (let c = 0; c < dim; c++) out[r * dim + c] /= Math.sqrt(n);
  }
  return out;
}

describe('infoNce', () => {
  it('is log(B) for identical representations and perfect when each pair matches', () => {
    const dim = 4;
    const same = new Float32Array(3 * dim).fill(0.5);
    expect(infoNce({ queries: same, targets: same, dim }).loss).toBeCloseTo(Math.log(3), 6);
    expect(infoNce({ queries: same, targets: same, dim }).accuracy).toBe(0); // ties are misses
    const eye = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    const r = infoNce({ queries: eye, targets: eye, dim });
    expect(r.accuracy).toBe(1);
    expect(r.loss).toBeLessThan(1e-6);
  });

  it('has gradients that match central finite differences, hard negatives included', () => {
    const dim = 5;
    const queries = normalisedRows(4, dim, 1);
    const targets = normalisedRows(6, dim, 2); // 4 positives + 2 hard negatives
    const tau = 0.5; // a mild temperature keeps float32 differences informative
    const { gradQueries, gradTargets } = infoNce({ queries, targets, dim, tau });
    const h = 1e-3;
    const check = (which: Float32Array, grad: Float32Array) => {
      for (let i = 0; i < which.length; i++) {
        const keep = which[i];
        which[i] = keep + h;
        const up = infoNce({ queries, targets, dim, tau }).loss;
        which[i] = keep - h;
        const down = infoNce({ queries, targets, dim, tau }).loss;
        which[i] = keep;
        expect(grad[i]).toBeCloseTo((up - down) / (2 * h), 3);
      }
    };
    check(queries, gradQueries);
    check(targets, gradTargets);
  });

  it('refuses a batch without a positive for every query', () => {
    expect(() => infoNce({ queries: new Float32Array(8), targets: new Float32Array(4), dim: 4 })).toThrow(/positive/);
  });
});
