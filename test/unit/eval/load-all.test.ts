import { describe, expect, it } from 'vitest';
import { loadAllInOrder } from '../../../main/ml/eval';

const after = <T>(ms: number, f: () => T): Promise<T> => new Promise((res, rej) => setTimeout(() => { try { res(f()); } catch (e) { rej(e); } }, ms));

describe('loadAllInOrder', () => {
  it('returns the results in input order', async () => {
    expect(await loadAllInOrder([30, 0, 10], (ms) => after(ms, () => ms))).toEqual([30, 0, 10]);
  });

  it('throws the first failure in input order, not the first to fail in time', async () => {
    const load = (name: string) =>
      after(name === 'red' ? 40 : 0, () => {
        if (name !== 'ok') throw new Error(`cannot read ${name}`);
        return name;
      });
    await expect(loadAllInOrder(['ok', 'red', 'blue'], load)).rejects.toThrow('cannot read red');
  });
});
