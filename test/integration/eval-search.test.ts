// `trove eval --search` on a tiny generated search set (photos made with sharp, notes,
// queries.json) with the deterministic test-double model: the table and --json shapes, a
// query whose ranking is perfect by construction scoring 1, the random baseline's exact
// figures, --data reuse, and clear errors for a broken set.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../main/cli/main';
import { expectedRandomScores } from '../../main/ml/eval/search-metrics';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { tempDir } from '../support/tmp';

let tmp: ReturnType<typeof tempDir>;
let set: string;

const queries = [
  // the hashed double scores notes by shared words, and a text query never matches a
  // photo's colour features, so this note comes first: a perfect ranking
  { kind: 'note-words', query: 'sourdough starter hydration', relevant: ['notes/sourdough.md'] },
  { kind: 'note-meaning', query: 'what to take camping', relevant: ['Documents/packing list.txt'] },
  { kind: 'object', query: 'a red tomato', relevant: ['2019/06/IMG_4012.jpg', 'DCIM/PXL_20210304_101530123.jpg'] },
  { kind: 'date', query: 'June 2019', relevant: ['2019/06/IMG_4012.jpg', '2019/06/IMG_4013.jpg'] },
];

async function photo(path: string, rgb: [number, number, number]) {
  mkdirSync(join(path, '..'), { recursive: true });
  await sharp({ create: { width: 48, height: 36, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg().toFile(path);
}

beforeAll(async () => {
  tmp = tempDir('trove-eval-search-');
  set = join(tmp.path, 'dev set');
  const lib = join(set, 'library');
  await photo(join(lib, '2019/06/IMG_4012.jpg'), [200, 30, 30]);
  await photo(join(lib, '2019/06/IMG_4013.jpg'), [30, 30, 200]);
  await photo(join(lib, 'DCIM/PXL_20210304_101530123.jpg'), [210, 40, 20]);
  mkdirSync(join(lib, 'notes'), { recursive: true });
  mkdirSync(join(lib, 'Documents'), { recursive: true });
  writeFileSync(join(lib, 'notes/sourdough.md'), '# Sourdough\n\nFeed the starter twice a day; 75% hydration works for the country loaf.\n');
  writeFileSync(join(lib, 'Documents/packing list.txt'), 'Tent, sleeping bag, head torch, stove, gas, spare socks.\n');
  writeFileSync(join(lib, 'notes/garden.md'), 'Tomatoes planted along the south fence; basil next to them.\n');
  writeFileSync(join(set, 'queries.json'), JSON.stringify(queries, null, 2));
}, 60_000);
afterAll(() => tmp.cleanup());

async function evalCli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    loadModel: async () => new HashedTestEmbedder(),
    engine: { perception: false },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const Unit = z.number().min(0).max(1);
const Scores = z.object({ firstRelevantRank: z.number().int().positive().nullable(), rr: Unit, success5: z.union([z.literal(0), z.literal(1)]), rPrecision10: Unit }).strict();
const Aggregate = z.object({ n: z.number().int().nonnegative(), mrr: Unit.nullable(), success5: Unit.nullable(), rPrecision10: Unit.nullable() }).strict();
const RunAggregates = z.object({ overall: Aggregate, byKind: z.record(z.string(), Aggregate) }).strict();
const SearchEvalJson = z
  .object({
    set: z.string(),
    model: z.string(),
    k: z.literal(50),
    items: z.number().int().positive(),
    runs: z.tuple([z.literal('random'), z.literal('embedding'), z.literal('fused')]),
    queries: z.array(
      z
        .object({
          kind: z.string(),
          query: z.string(),
          relevant: z.number().int().positive(),
          random: z.object({ rr: Unit, success5: Unit, rPrecision10: Unit }).strict(),
          embedding: Scores,
          fused: Scores,
        })
        .strict(),
    ),
    aggregates: z.object({ random: RunAggregates, embedding: RunAggregates, fused: RunAggregates }).strict(),
  })
  .strict();

describe('trove eval --search', () => {
  it('--json: one document; the perfect query scores 1; random is the exact expectation', async () => {
    const r = await evalCli(['eval', '--search', set, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const doc = SearchEvalJson.parse(JSON.parse(r.stdout));
    expect(doc.model).toBe('hashed-test-embedder@1');
    expect(doc.items).toBe(6);
    expect(doc.queries.map((q) => [q.kind, q.query, q.relevant])).toEqual(queries.map((q) => [q.kind, q.query, q.relevant.length]));
    const perfect = doc.queries[0]!;
    for (const run of [perfect.fused, perfect.embedding]) expect(run).toEqual({ firstRelevantRank: 1, rr: 1, success5: 1, rPrecision10: 1 });
    for (const q of doc.queries) {
      const want = expectedRandomScores(6, q.relevant, 50);
      expect(q.random.rr).toBeCloseTo(want.rr, 12);
      expect(q.random.success5).toBeCloseTo(want.success5, 12);
      expect(q.random.rPrecision10).toBeCloseTo(want.rPrecision10, 12);
      // the metrics agree with the rank they report
      for (const run of [q.fused, q.embedding]) expect(run.rr).toBeCloseTo(run.firstRelevantRank === null ? 0 : 1 / run.firstRelevantRank, 12);
    }
    const fused = doc.aggregates.fused;
    expect(Object.keys(fused.byKind)).toEqual(['object', 'date', 'note-words', 'note-meaning']);
    expect(fused.byKind['note-words']).toEqual({ n: 1, mrr: 1, success5: 1, rPrecision10: 1 });
    expect(fused.overall.n).toBe(4);
    expect(fused.overall.mrr).toBeCloseTo(doc.queries.reduce((a, q) => a + q.fused.rr, 0) / 4, 12);
    expect(doc.aggregates.embedding.overall.mrr).toBeCloseTo(doc.queries.reduce((a, q) => a + q.embedding.rr, 0) / 4, 12);
    expect(doc.aggregates.embedding.byKind['note-words']).toEqual({ n: 1, mrr: 1, success5: 1, rPrecision10: 1 });
  });

  it('the table: a line per kind and overall, each metric with random, embedding and fused', async () => {
    const r = await evalCli(['eval', '--search', set]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 queries over 6 indexed items; model hashed-test-embedder@1/);
    expect(r.stdout).toMatch(/MRR\s+Success@5\s+R-precision@10/);
    expect(r.stdout).toMatch(/kind\s+n(\s+random\s+embedding\s+fused){3}/);
    expect(r.stdout).toMatch(/note-words\s+1(\s+[01]\.\d{3}\s+1\.000\s+1\.000){3}/);
    for (const k of ['object', 'date', 'note-meaning', 'overall']) expect(r.stdout).toMatch(new RegExp(`\\n${k}\\s+\\d+(\\s+\\d\\.\\d{3}){9}`));
  });

  it('--data keeps the index; a rerun resumes and gives the same figures', async () => {
    const data = join(tmp.path, 'data');
    const first = await evalCli(['eval', '--search', set, '--data', data, '--json']);
    expect(first.code).toBe(0);
    const again = await evalCli(['eval', '--search', set, '--data', data, '--json']);
    expect(again.code).toBe(0);
    const a = SearchEvalJson.parse(JSON.parse(first.stdout));
    const b = SearchEvalJson.parse(JSON.parse(again.stdout));
    expect(b.aggregates).toEqual(a.aggregates);
    expect(b.items).toBe(6);
  });

  it('a broken set is a clear error (exit 3); mixing modes is a usage error (exit 2)', async () => {
    const broken = join(tmp.path, 'broken');
    cpSync(set, broken, { recursive: true });
    const q = join(broken, 'queries.json');

    writeFileSync(q, JSON.stringify([{ kind: 'colour', query: 'red', relevant: ['2019/06/IMG_4012.jpg'] }]));
    let r = await evalCli(['eval', '--search', broken]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/queries\.json is malformed[\s\S]*queries\.json\[0\]\.kind/);

    writeFileSync(q, JSON.stringify([{ kind: 'object', query: 'red', relevant: [] }]));
    r = await evalCli(['eval', '--search', broken]);
    expect(r.stderr).toMatch(/queries\.json\[0\]\.relevant: needs at least one relevant path/);

    writeFileSync(q, JSON.stringify([{ kind: 'object', query: 'red', relevant: ['2019/06/IMG_9999.jpg'] }]));
    r = await evalCli(['eval', '--search', broken]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/1 relevant path\(s\) are not files in .*library:\n\s+queries\.json\[0\] \("red"\): 2019\/06\/IMG_9999\.jpg/);

    writeFileSync(q, '[{"kind": "object",');
    r = await evalCli(['eval', '--search', broken]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/queries\.json is not valid JSON/);

    rmSync(join(broken, 'library'), { recursive: true });
    r = await evalCli(['eval', '--search', broken]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/has no library\/ folder/);

    r = await evalCli(['eval', '--search', join(tmp.path, 'nope')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nope: no such folder/);

    r = await evalCli(['eval', '--search', set, '--baselines']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--search does not take --baselines/);
  });
});
