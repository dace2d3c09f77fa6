import { describe, expect, it } from 'vitest';
import { MMEB_DATASETS, aggregate, chanceP1, formatScoresTable, hitAt1, mmebDatasetInfo, precisionAt1 } from '../../../main/ml/eval';
import type { DatasetScore } from '../../../main/ml/eval';

describe('hitAt1', () => {
  it('is a hit only when candidate 0 is strictly best', () => {
    expect(hitAt1([0.9, 0.1, 0.5])).toBe(true);
    expect(hitAt1([0.4, 0.1, 0.5])).toBe(false);
    expect(hitAt1([1])).toBe(true);
    expect(hitAt1([])).toBe(false);
  });

  it('counts a tie for the best score as a miss, never breaking it by position', () => {
    expect(hitAt1([0.5, 0.5])).toBe(false);
    expect(hitAt1([0.7, 0.2, 0.7, 0.1])).toBe(false);
    expect(hitAt1([0, 0, 0, 0])).toBe(false); // a collapsed model scores nothing
    // a tie below the best is irrelevant
    expect(hitAt1([0.9, 0.3, 0.3])).toBe(true);
  });

  it('treats NaN as a miss wherever it is', () => {
    expect(hitAt1([Number.NaN, 0.1])).toBe(false);
    expect(hitAt1([0.9, Number.NaN])).toBe(false);
  });

  it('chance level is the mean of 1 / candidates', () => {
    expect(chanceP1([2, 4])).toBeCloseTo(0.375, 12);
    expect(Number.isNaN(chanceP1([]))).toBe(true);
  });

  it('precisionAt1 over rows', () => {
    expect(precisionAt1([[1, 0], [0, 1], [0.5, 0.5], [2, 1]])).toEqual({ n: 4, hits: 2, p1: 0.5 });
    expect(Number.isNaN(precisionAt1([]).p1)).toBe(true);
  });
});

describe('aggregate', () => {
  const ds: DatasetScore[] = [
    { name: 'A', metaTask: 'classification', split: 'IND', n: 100, p1: 0.8 },
    { name: 'B', metaTask: 'classification', split: 'OOD', n: 10, p1: 0.4 },
    { name: 'C', metaTask: 'vqa', split: 'IND', n: 1000, p1: 0.3 },
    { name: 'D', metaTask: 'retrieval', split: 'IND', n: 50, p1: 0.6 },
    { name: 'E', metaTask: 'retrieval', split: 'OOD', n: 50, p1: 0.2 },
    { name: 'F', metaTask: 'retrieval', split: 'OOD', n: 50, p1: 0.1 },
  ];

  it('averages datasets (unweighted) per meta-task, IND, OOD and overall', () => {
    const s = aggregate('m', ds);
    expect(s.model).toBe('m');
    expect(s.metaTasks.classification).toBeCloseTo(0.6, 12);
    expect(s.metaTasks.vqa).toBeCloseTo(0.3, 12);
    expect(s.metaTasks.retrieval).toBeCloseTo(0.3, 12);
    expect(s.metaTasks.grounding).toBeNull();
    expect(s.ind).toBeCloseTo((0.8 + 0.3 + 0.6) / 3, 12);
    expect(s.ood).toBeCloseTo((0.4 + 0.2 + 0.1) / 3, 12);
    expect(s.overall).toBeCloseTo(2.4 / 6, 12);
  });

  it('has exactly the agreed JSON shape', () => {
    const s = JSON.parse(JSON.stringify(aggregate('m', ds.slice(0, 1))));
    expect(Object.keys(s)).toEqual(['model', 'datasets', 'metaTasks', 'ind', 'ood', 'overall']);
    expect(s.datasets[0]).toEqual({ name: 'A', metaTask: 'classification', split: 'IND', n: 100, p1: 0.8 });
    expect(s.metaTasks).toEqual({ classification: 0.8, vqa: null, retrieval: null, grounding: null });
    expect(s.ood).toBeNull();
  });

  it('leaves empty datasets out of the means', () => {
    const s = aggregate('m', [...ds.slice(0, 1), { name: 'Z', metaTask: 'classification', split: 'IND', n: 0, p1: Number.NaN }]);
    expect(s.metaTasks.classification).toBe(0.8);
    expect(s.datasets).toHaveLength(2);
  });

  it('formats a table in percent', () => {
    const t = formatScoresTable(aggregate('m', ds));
    expect(t).toContain('model: m');
    expect(t).toMatch(/A\s+classification\s+IND\s+100\s+80\.0/);
    expect(t).toMatch(/\[overall\]\s+40\.0/);
    expect(t).toMatch(/\[grounding\]\s+-/);
  });
});

describe('MMEB dataset table', () => {
  it('has the 36 datasets: 10/10/12/4 per meta-task, 20 IND and 16 OOD', () => {
    const all = [...MMEB_DATASETS.values()];
    expect(all).toHaveLength(36);
    const count = (f: (x: (typeof all)[number]) => boolean) => all.filter(f).length;
    expect([count((d) => d.metaTask === 'classification'), count((d) => d.metaTask === 'vqa'), count((d) => d.metaTask === 'retrieval'), count((d) => d.metaTask === 'grounding')]).toEqual([10, 10, 12, 4]);
    expect([count((d) => d.split === 'IND'), count((d) => d.split === 'OOD')]).toEqual([20, 16]);
  });

  it('looks names up forgivingly', () => {
    expect(mmebDatasetInfo('MSCOCO')).toEqual({ metaTask: 'grounding', split: 'IND' });
    expect(mmebDatasetInfo('mscoco_t2i')).toEqual({ metaTask: 'retrieval', split: 'IND' });
    expect(mmebDatasetInfo('Visual7W-Pointing')).toEqual({ metaTask: 'grounding', split: 'OOD' });
    expect(mmebDatasetInfo('Visual7W')).toEqual({ metaTask: 'vqa', split: 'IND' });
    expect(mmebDatasetInfo('imagenet_1k')).toEqual({ metaTask: 'classification', split: 'IND' });
    expect(mmebDatasetInfo('nope')).toBeUndefined();
  });
});
