// Token rows with per-row columns: slicing, chunking and joining keep every column with its
// rows, and padding uses the family's pad id.
import { describe, expect, it } from 'vitest';
import type { TokenRows } from '../../../main/ml/train/token-rows';
import { candidateRows, chunkRows, concatRows, rowCount, sliceRows } from '../../../main/ml/train/token-rows';

interface Rows extends TokenRows {
  features: Float32Array;
  flag: Uint8Array;
}

/** `lengths.length` rows; row r holds tokens 10r+1.., its features are [r, r] and its flag r % 2. */
function rows(lengths: number[], firstRow = 0): Rows {
  const seq = Math.max(1, ...lengths);
  const ids = new BigInt64Array(lengths.length * seq);
  const mask = new Float32Array(lengths.length * seq);
  lengths.forEach((n, i) => {
    for (let j = 0; j < n; j++) {
      ids[i * seq + j] = BigInt(10 * (firstRow + i) + 1 + j);
      mask[i * seq + j] = 1;
    }
  });
  const features = Float32Array.from(lengths.flatMap((_n, i) => [firstRow + i, firstRow + i]));
  const flag = Uint8Array.from(lengths.map((_n, i) => (firstRow + i) % 2));
  return { ids, mask, seq, features, flag };
}

describe('token rows', () => {
  it('slices and chunks every column with its rows', () => {
    const t = rows([2, 3, 1, 2, 2]);
    const chunks = chunkRows(t, 2);
    expect(chunks.map(rowCount)).toEqual([2, 2, 1]);
    expect(Array.from(chunks[1].features)).toEqual([2, 2, 3, 3]);
    expect(Array.from(chunks[2].flag)).toEqual([0]);
    const s = sliceRows(t, 1, 3);
    expect(s.features).toBeInstanceOf(Float32Array);
    expect(Array.from(s.ids)).toEqual([11, 12, 13, 21, 0, 0].map(BigInt));
  });

  it('joins rows of different lengths, padding ids with the pad id and the mask with 0, columns in order', () => {
    const a = rows([1, 2]);
    const b = rows([4], 2);
    const c = concatRows([a, b], 257);
    expect(c.seq).toBe(4);
    // a row keeps its own padding (0 here); only the columns added to reach the longer sequence get the pad id
    expect(Array.from(c.ids)).toEqual([1, 0, 257, 257, 11, 12, 257, 257, 21, 22, 23, 24].map(BigInt));
    expect(Array.from(c.mask)).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(c.features)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(c.flag).toBeInstanceOf(Uint8Array);
    expect(Array.from(c.flag)).toEqual([0, 1, 0]);
    expect(() => concatRows([a, { ...b, features: new Float32Array(3) }])).toThrow(/features/);
  });

  it('candidates are the positives, then the hard negatives when there are any', () => {
    const targets = rows([2, 2]);
    expect(candidateRows({ queries: targets, targets })).toBe(targets);
    expect(candidateRows({ queries: targets, targets, negatives: rows([]) })).toBe(targets);
    const withNegatives = candidateRows({ queries: targets, targets, negatives: rows([3], 5) });
    expect(rowCount(withNegatives)).toBe(3);
    expect(Array.from(withNegatives.features)).toEqual([0, 0, 1, 1, 5, 5]);
  });
});
