import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, readSuite } from '../../../main/ml/eval';
import type { EvalDataset, EvalSide, EvalEncoder } from '../../../main/ml/eval';

const side = (text: string, imagePath: string | null = null): EvalSide => ({ text, imagePath, image: imagePath });

/** An encoder over a tiny vocabulary: one-hot of the "concept" a side is about. */
function conceptEncoder(concepts: string[], conceptOf: (s: EvalSide) => string) {
  const calls = { query: 0, target: 0 };
  const vec = (s: EvalSide) => {
    const v = new Array(concepts.length).fill(0);
    const i = concepts.indexOf(conceptOf(s));
    if (i >= 0) v[i] = 1;
    return v;
  };
  const enc: EvalEncoder = {
    embedQuery: (s) => {
      calls.query++;
      return vec(s);
    },
    embedTarget: async (s) => {
      calls.target++;
      return vec(s);
    },
  };
  return { enc, calls };
}

const cls: EvalDataset = {
  name: 'cls',
  metaTask: 'classification',
  split: 'IND',
  files: [],
  rows: [
    { query: side('Identify', 'cat1.png'), candidates: [side('cat'), side('dog'), side('bird')] },
    { query: side('Identify', 'dog1.png'), candidates: [side('dog'), side('cat'), side('bird')] },
    { query: side('Identify', 'bird1.png'), candidates: [side('bird'), side('dog'), side('cat')] },
    // the "model" thinks this dog is a cat: a miss
    { query: side('Identify', 'dogcat.png'), candidates: [side('dog'), side('cat'), side('bird')] },
  ],
};
const ret: EvalDataset = {
  name: 'ret',
  metaTask: 'retrieval',
  split: 'OOD',
  files: [],
  rows: [
    { query: side('a cat'), candidates: [side('img', 'cat1.png'), side('img', 'dog1.png')] },
    { query: side('a dog'), candidates: [side('img', 'dog1.png'), side('img', 'cat1.png')] },
  ],
};
const conceptOf = (s: EvalSide) => {
  const key = (s.imagePath ?? s.text).replace(/^a /, '');
  return key.startsWith('dogcat') ? 'cat' : key.replace(/\d*\.png$/, '');
};

describe('evaluate', () => {
  it('scores P@1 per dataset and aggregates', async () => {
    const { enc } = conceptEncoder(['cat', 'dog', 'bird'], conceptOf);
    const s = await evaluate({ datasets: [cls, ret] }, enc, { model: 'oracle-ish' });
    expect(s.datasets).toEqual([
      { name: 'cls', metaTask: 'classification', split: 'IND', n: 4, p1: 0.75 },
      { name: 'ret', metaTask: 'retrieval', split: 'OOD', n: 2, p1: 1 },
    ]);
    expect(s.ind).toBe(0.75);
    expect(s.ood).toBe(1);
    expect(s.overall).toBe(0.875);
    expect(s.model).toBe('oracle-ish');
  });

  it('embeds each distinct candidate once (cache by content)', async () => {
    const { enc, calls } = conceptEncoder(['cat', 'dog', 'bird'], conceptOf);
    await evaluate({ datasets: [cls] }, enc);
    expect(calls.target).toBe(3); // 12 candidate slots, 3 labels
    expect(calls.query).toBe(4);
    // with a suite-wide cache, a second dataset sharing candidates embeds nothing new
    const again = conceptEncoder(['cat', 'dog', 'bird'], conceptOf);
    const progress: number[] = [];
    await evaluate({ datasets: [cls, { ...cls, name: 'cls2' }] }, again.enc, {
      cacheScope: 'suite',
      onProgress: (p) => p.phase === 'scored' && progress.push(p.targetsEmbedded),
    });
    expect(again.calls.target).toBe(3);
    expect(progress).toEqual([3, 3]);
  });

  it('gives a collapsed model (every vector equal) zero, because ties are misses', async () => {
    const enc: EvalEncoder = { embedQuery: () => [1, 0], embedTarget: () => [0.5, 0.5] };
    const s = await evaluate({ datasets: [cls, ret] }, enc);
    expect(s.overall).toBe(0);
  });

  it('uses batched forms when present and checks dimensions', async () => {
    const sizes: number[] = [];
    const { enc: single } = conceptEncoder(['cat', 'dog', 'bird'], conceptOf);
    const enc: EvalEncoder = {
      ...single,
      embedTargets: async (xs, ctx) => {
        sizes.push(xs.length);
        return Promise.all(xs.map((x) => single.embedTarget(x, ctx)));
      },
    };
    const s = await evaluate({ datasets: [cls] }, enc, { batchSize: 2 });
    expect(sizes).toEqual([2, 1]);
    expect(s.datasets[0]!.p1).toBe(0.75);
    const bad: EvalEncoder = { embedQuery: () => [1, 0, 0], embedTarget: () => [1, 0] };
    await expect(evaluate({ datasets: [cls] }, bad)).rejects.toThrow(/dimension/);
  });

  it('runs end to end on the parquet fixture suite', async () => {
    const suite = await readSuite(resolve(__dirname, '../../fixtures/mmeb/mmeb-default'));
    // an "oracle" that knows candidate 0 of every row: the row's first candidate text/path
    const truth = new Map<string, string>();
    for (const d of suite.datasets) for (const r of d.rows) truth.set(r.query.text + r.query.imagePath, r.candidates[0]!.text + r.candidates[0]!.imagePath);
    const h = (s: string) => [...s].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 1000003, 7);
    const v = (s: string) => [Math.cos(h(s)), Math.sin(h(s))];
    const enc: EvalEncoder = {
      embedQuery: (q) => v(truth.get(q.text + q.imagePath)!),
      embedTarget: (t) => v(t.text + t.imagePath),
    };
    const s = await evaluate(suite, enc, { model: 'oracle' });
    expect(s.overall).toBe(1);
    expect(s.datasets.map((d) => d.n)).toEqual([3, 2, 1, 1]);
  });
});
