// The pieces of native-models/recipes that decide what the data looks like: the MMEB
// row text, the parquet it writes (read back by main/ml/eval), seeded randomness, names.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSuite } from '../../../main/ml/eval';
import { INSTRUCTIONS, side, withoutInstruction } from '../../../native-models/recipes/lib/instructions';
import { EvalWriter, TrainWriter, mapPool } from '../../../native-models/recipes/lib/out';
import { Rng, hash32, unit } from '../../../native-models/recipes/lib/rng';
import { plural, shortName } from '../../../native-models/recipes/lib/sources';

describe('recipe output round-trips through the eval reader', () => {
  it('EvalWriter parquet + suite.json are read back with the right tasks, splits, images and candidates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recipe-'));
    const ev = new EvalWriter(join(dir, 'eval'));
    const cls = INSTRUCTIONS.classification_object;
    await ev.write({ name: 'cls-x-ind', metaTask: 'classification', split: 'IND', source: 's', description: 'd' }, [
      { qry_text: side(cls.query, null, true), qry_img_path: 'images/a.jpg', tgt_text: ['animals', 'food'], tgt_img_path: ['', ''] },
    ]);
    const t2i = INSTRUCTIONS.retrieval_text_to_image;
    await ev.write({ name: 'ret-x-ood', metaTask: 'retrieval', split: 'OOD', source: 's', description: 'd' }, [
      { qry_text: side(t2i.query, 'A koala.', false), qry_img_path: '', tgt_text: [side(t2i.target, null, true), side(t2i.target, null, true)], tgt_img_path: ['images/k.jpg', 'images/p.jpg'] },
    ]);
    ev.finish('t');
    expect(ev.sets.map((s) => [s.name, s.rows, s.candidates])).toEqual([
      ['cls-x-ind', 1, { min: 2, max: 2 }],
      ['ret-x-ood', 1, { min: 2, max: 2 }],
    ]);
    const suite = await readSuite(join(dir, 'eval'));
    expect(suite.mapping).toBe('suite.json');
    expect(suite.issues).toEqual({});
    expect(suite.datasets.map((d) => [d.name, d.metaTask, d.split])).toEqual([
      ['cls-x-ind', 'classification', 'IND'],
      ['ret-x-ood', 'retrieval', 'OOD'],
    ]);
    const [c, r] = suite.datasets;
    expect(c!.rows[0]!.query).toEqual({ text: 'Identify the object shown in the image', imagePath: 'images/a.jpg', image: join(dir, 'images/a.jpg') });
    expect(r!.rows[0]!.query.text).toBe('Find me an everyday image that matches the given caption: A koala.');
    expect(r!.rows[0]!.candidates.map((x) => [x.text, x.image])).toEqual([
      ['Represent the given image.', join(dir, 'images/k.jpg')],
      ['Represent the given image.', join(dir, 'images/p.jpg')],
    ]);
  });

  it('EvalWriter refuses identical candidates, which could only tie', async () => {
    const ev = new EvalWriter(mkdtempSync(join(tmpdir(), 'recipe-')));
    await expect(
      ev.write({ name: 'x', metaTask: 'vqa', split: 'IND', source: 's', description: 'd' }, [{ qry_text: 'q', qry_img_path: '', tgt_text: ['a', 'a'], tgt_img_path: ['', ''] }]),
    ).rejects.toThrow(/duplicate candidates/);
  });

  it('TrainWriter writes MMEB-train rows with every field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recipe-'));
    const tw = new TrainWriter(dir);
    tw.add('vqa-count', 'vqa', 'scenes', { qry: side(INSTRUCTIONS.vqa.query, 'How many cats are in the image?', true), qry_image_path: 'images/s.jpg', pos_text: '3', neg_text: '2' });
    const info = await tw.close();
    expect(info).toEqual([{ name: 'vqa-count', family: 'vqa', source: 'scenes', file: 'train/vqa-count.jsonl', rows: 1 }]);
    const row = JSON.parse(readFileSync(join(dir, 'vqa-count.jsonl'), 'utf8').trim());
    expect(row).toEqual({
      qry: '<|image_1|>\nRepresent the given image with the following question: How many cats are in the image?',
      qry_image_path: 'images/s.jpg',
      pos_text: '3',
      pos_image_path: '',
      neg_text: '2',
      neg_image_path: '',
    });
  });
});

describe('recipe helpers', () => {
  it('seeded randomness is reproducible and forks independently', () => {
    const a = new Rng('seed'),
      b = new Rng('seed');
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(new Rng('seed').fork('x').next()).toBe(new Rng('seed').fork('x').next());
    expect(new Rng('seed').fork('x').next()).not.toBe(new Rng('seed').fork('y').next());
    expect(hash32('abc')).toBe(hash32('abc'));
    const u = unit('tux-split:a koala.');
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    const r = new Rng(1);
    expect(r.sample([1, 2, 3, 4, 5], 3).length).toBe(3);
    expect(new Set(new Rng(2).sample([1, 2, 3, 4, 5], 5))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('mapPool keeps order', async () => {
    const out = await mapPool([30, 10, 20], 3, async (ms, i) => {
      await new Promise((res) => setTimeout(res, ms));
      return i;
    });
    expect(out).toEqual([0, 1, 2]);
  });

  it('short names and plurals', () => {
    expect(shortName('A red kangaroo.')).toBe('red kangaroo');
    expect(shortName('An hippopotamus.')).toBe('hippopotamus');
    expect(shortName('A candy cane is a traditional Christmas treat in the United States.')).toBeNull();
    expect(shortName('A US 10 cent piece ($.10) called a dime.')).toBeNull();
    expect(plural('sheep')).toBe('sheep');
    expect(plural('red fox')).toBe('red foxes');
    expect(plural('strawberry')).toBe('strawberries');
    expect(plural('potato')).toBe('potatoes');
    expect(plural('mouse')).toBe('mice');
    expect(plural('top hat')).toBe('top hats');
    expect(plural('monkey')).toBe('monkeys');
  });

  it('sides carry the image token only when they carry an image', () => {
    expect(side(INSTRUCTIONS.grounding.query, 'dog', true)).toBe('<|image_1|>\nSelect the portion of the image that isolates the object labeled as "dog"');
    expect(side(INSTRUCTIONS.retrieval_text_to_text.target, 'long text', false)).toBe('Represent the given note: long text');
  });
});

describe('withoutInstruction (the instructions ablation)', () => {
  it('leaves only the content of every side the recipes write', () => {
    for (const [name, ins] of Object.entries(INSTRUCTIONS)) {
      for (const template of [ins.query, ins.target]) {
        const content = template.includes('{}') ? 'a red "kite" on grass: 3?' : '';
        for (const image of [false, true]) {
          expect(withoutInstruction(side(template, content, image)), `${name}: ${template}`).toBe(content);
        }
      }
    }
  });

  it('takes the longest matching template and keeps unknown text', () => {
    expect(withoutInstruction('Find me an everyday image that matches the given caption: a dog')).toBe('a dog');
    expect(withoutInstruction('Select the portion of the image that isolates the object labeled as "cat"')).toBe('cat');
    expect(withoutInstruction('just a note about tea')).toBe('just a note about tea');
    expect(withoutInstruction('Represent the given image. And more')).toBe('Represent the given image. And more');
  });
});
