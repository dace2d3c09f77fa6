import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSuite, readParquetRows, toEvalRows } from '../../../main/ml/eval';

const fixtures = resolve(__dirname, '../../fixtures/mmeb');

describe('readSuite without suite.json (MMEB default mapping)', () => {
  it('reads parquet in the real MMEB-eval schema, shard folders and jsonl, and maps names to meta-tasks', async () => {
    const s = await readSuite(join(fixtures, 'mmeb-default'));
    expect(s.mapping).toBe('mmeb-default');
    const byName = Object.fromEntries(s.datasets.map((d) => [d.name, d]));
    expect(Object.keys(byName).sort()).toEqual(['ImageNet-1K', 'MSCOCO_t2i', 'RefCOCO', 'VizWiz']);
    expect([byName['ImageNet-1K']!.metaTask, byName['ImageNet-1K']!.split]).toEqual(['classification', 'IND']);
    expect([byName['MSCOCO_t2i']!.metaTask, byName['MSCOCO_t2i']!.split]).toEqual(['retrieval', 'IND']);
    expect([byName['VizWiz']!.metaTask, byName['VizWiz']!.split]).toEqual(['vqa', 'OOD']);
    expect([byName['RefCOCO']!.metaTask, byName['RefCOCO']!.split]).toEqual(['grounding', 'OOD']);
    expect(s.skipped).toEqual([{ name: 'MyOwnSet', reason: 'not an MMEB dataset name and no suite.json' }]);
    expect(s.issues).toEqual({});
  });

  it('strips image tokens, keeps the image path, resolves it against the folder', async () => {
    const dir = join(fixtures, 'mmeb-default');
    const s = await readSuite(dir);
    const cls = s.datasets.find((d) => d.name === 'ImageNet-1K')!;
    expect(cls.rows).toHaveLength(3);
    const r0 = cls.rows[0]!;
    expect(r0.query.text).toBe('Represent the given image for classification');
    expect(r0.query.imagePath).toBe('ImageNet-1K/val/a.JPEG');
    expect(r0.query.image).toBe(join(dir, 'ImageNet-1K/val/a.JPEG'));
    expect(r0.candidates.map((c) => c.text)).toEqual(['tench', 'goldfish', 'great white shark', 'tiger shark']);
    expect(r0.candidates.every((c) => c.image === null && c.imagePath === null)).toBe(true);

    const t2i = s.datasets.find((d) => d.name === 'MSCOCO_t2i')!;
    const q = t2i.rows[0]!;
    expect(q.query.image).toBeNull();
    expect(q.query.text).toBe('Find me an everyday image that matches the given caption: A dog on a beach.');
    expect(q.candidates.map((c) => [c.text, c.imagePath])).toEqual([
      ['Represent the given image.', 'MSCOCO/1.jpg'],
      ['Represent the given image.', 'MSCOCO/2.jpg'],
    ]);
  });

  it('honours limitRows, only and imageRoot', async () => {
    const s = await readSuite(join(fixtures, 'mmeb-default'), { limitRows: 2, only: ['ImageNet-1K'], imageRoot: '/imgs' });
    expect(s.datasets.map((d) => d.name)).toEqual(['ImageNet-1K']);
    expect(s.datasets[0]!.rows).toHaveLength(2);
    expect(s.datasets[0]!.rows[0]!.query.image).toBe('/imgs/ImageNet-1K/val/a.JPEG');
  });

  it('parquet raw rows come back with list columns as arrays', async () => {
    const rows = await readParquetRows(join(fixtures, 'mmeb-default', 'ImageNet-1K.parquet'));
    expect(rows[1]!.tgt_text).toEqual(['goldfish', 'tench', 'great white shark', 'tiger shark']);
    expect(rows[1]!.tgt_img_path).toEqual(['', '', '', '']);
  });
});

describe('readSuite with suite.json', () => {
  it('takes meta-task and split from suite.json over the MMEB default, and its imageRoot', async () => {
    const dir = join(fixtures, 'trove-suite');
    const s = await readSuite(dir);
    expect(s.mapping).toBe('suite.json');
    expect(s.datasets.map((d) => [d.name, d.metaTask, d.split])).toEqual([
      ['stamps-cls', 'classification', 'IND'],
      ['scenes-vqa', 'vqa', 'OOD'],
      ['MSCOCO', 'retrieval', 'OOD'], // MMEB's default would say grounding / IND
    ]);
    expect(s.skipped).toEqual([{ name: 'extra', reason: 'not named in suite.json' }]);
    expect(s.imageRoot).toBe(join(dir, 'images'));
    expect(s.datasets[0]!.rows[0]!.query.image).toBe(join(dir, 'images', 'cat.png'));
    // a candidate list mixing an image candidate and a text candidate
    expect(s.datasets[2]!.rows[0]!.candidates.map((c) => [c.text, c.imagePath])).toEqual([
      ['Represent the given image.', 'x.png'],
      ['another caption', null],
    ]);
  });

  it('fails clearly when suite.json names a dataset that has no file, or is malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmeb-'));
    writeFileSync(join(dir, 'suite.json'), JSON.stringify({ datasets: [{ name: 'gone', metaTask: 'vqa', split: 'IND' }] }));
    await expect(readSuite(dir)).rejects.toThrow(/gone/);
    const dir2 = mkdtempSync(join(tmpdir(), 'mmeb-'));
    writeFileSync(join(dir2, 'suite.json'), JSON.stringify({ datasets: [{ name: 'x', metaTask: 'ranking', split: 'IND' }] }));
    await expect(readSuite(dir2)).rejects.toThrow(/suite\.json/);
  });

  it('reads a dataset from an explicit file path in suite.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmeb-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'rows.jsonl'), JSON.stringify({ qry_text: 'q', tgt_text: ['a', 'b'] }) + '\n\n');
    writeFileSync(join(dir, 'suite.json'), JSON.stringify({ datasets: [{ name: 'named', metaTask: 'retrieval', split: 'IND', file: 'sub/rows.jsonl' }] }));
    const s = await readSuite(dir);
    expect(s.datasets[0]!.rows).toHaveLength(1);
    expect(s.datasets[0]!.rows[0]!.candidates.map((c) => c.imagePath)).toEqual([null, null]);
  });
});

describe('toEvalRows', () => {
  it('rejects rows without candidates or with mismatched lists', () => {
    expect(() => toEvalRows([{ qry_text: 'q', tgt_text: [] }], '/', 'd')).toThrow(/no candidates/);
    expect(() => toEvalRows([{ qry_text: 'q', tgt_text: ['a', 'b'], tgt_img_path: [''] }], '/', 'd')).toThrow(/tgt_img_path 1/);
  });

  it('reports token/path disagreements as issues without failing', () => {
    const { rows, issues } = toEvalRows(
      [
        { qry_text: '<|image_1|> q', qry_img_path: '', tgt_text: ['a'], tgt_img_path: ['p.png'] },
        { qry_text: '<|image_1|> q', qry_img_path: '', tgt_text: ['a'], tgt_img_path: [''] },
      ],
      '/root',
      'd',
    );
    expect(rows[0]!.query.image).toBeNull();
    expect(rows[0]!.candidates[0]!.image).toBe('/root/p.png');
    expect(issues).toEqual(['query: image token without an image path (2x)', 'target: image path without an image token (1x)']);
  });
});
