// The pairs Ask and Point at record, from the store to what the fine-tune worker reads
// (main/engine/tuning/pairs.ts, image-refs.ts): Ask's answers become a vqa pair whose query
// is the photo and the question; Point at's boxes a grounding pair whose target is the
// region, cropped from the real photo; a wrong target rides along as its query's negative.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AddPairsRequest } from '../../../main/contract/tuning';
import { openDb, type Db } from '../../../main/engine/store/db';
import { insertItem } from '../../../main/engine/store/items';
import { insertSource } from '../../../main/engine/store/sources';
import { loadImageRef } from '../../../main/engine/tuning/image-refs';
import { addPairs, trainingPairs } from '../../../main/engine/tuning/pairs';
import { tempDir } from '../../support/tmp';
import { GREY, RED, writeSquarePhoto } from './mode-fixtures';

let dir: ReturnType<typeof tempDir>;
let db: Db;
let photo: number;
let note: number;
let photoPath: string;

beforeEach(async () => {
  dir = tempDir();
  db = openDb(join(dir.path, 'trove.db'));
  photoPath = join(dir.path, 'red-top-right.png');
  // 200 x 160, the red square at x 120-200, y 0-80: [0.6, 0, 0.4, 0.5] of the photo
  await writeSquarePhoto(photoPath, 200, 160, GREY, RED, { x: 120, y: 0, side: 80 });
  const s = insertSource(db, dir.path);
  photo = insertItem(db, { sourceId: s.id, path: photoPath, kind: 'image', size: 1, mtime: 1 });
  note = insertItem(db, { sourceId: s.id, path: join(dir.path, 'n.md'), kind: 'note', size: 1, mtime: 1 });
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const add = (req: unknown) => addPairs(db, AddPairsRequest.parse(req));

describe('pairs from Ask and Point at', () => {
  it('Ask: the photo and the question are the query, the right answer the positive, a wrong one its negative', () => {
    add({ task: 'vqa', query: { text: 'which colour is the square', itemId: photo }, targets: [{ text: 'red', label: 1 }, { text: 'blue', label: -1 }], origin: 'ask' });
    const { pairs } = trainingPairs(db);
    expect(pairs).toEqual([{ task: 'vqa', query: { text: 'which colour is the square', image: photoPath }, positive: { text: 'red' }, negatives: [{ text: 'blue' }] }]);
  });

  it('Point at: the target is the region of the photo, and the worker reads that crop of it', async () => {
    add({ task: 'grounding', query: { text: 'red square', itemId: photo }, targets: [{ itemId: photo, box: [0.6, 0, 0.4, 0.5], label: 1 }, { itemId: photo, box: [0, 0.5, 0.4, 0.5], label: -1 }], origin: 'point-at' });
    const { pairs } = trainingPairs(db);
    expect(pairs).toHaveLength(1);
    const [p] = pairs;
    expect(p!.query).toEqual({ text: 'red square', image: photoPath });
    const size = { width: 32, height: 32 };
    const mean = async (ref: string) => {
      const img = await loadImageRef(ref, size);
      const px = img.data.length / 3;
      let r = 0;
      let g = 0;
      for (let i = 0; i < px; i++) {
        r += img.data[3 * i]!;
        g += img.data[3 * i + 1]!;
      }
      return { r: r / px, g: g / px };
    };
    // the right region is the red square; the wrong one grey; the whole photo mostly grey
    const right = await mean(p!.positive.image!);
    const wrong = await mean(p!.negatives![0]!.image!);
    expect(right.r - right.g).toBeGreaterThan(150);
    expect(Math.abs(wrong.r - wrong.g)).toBeLessThan(10);
    expect(p!.positive.image).not.toBe(p!.query.image);
  });

  it('a box on a note, or a pair about an item that is not there, is refused', () => {
    expect(() => add({ task: 'grounding', query: { text: 'x', itemId: photo }, targets: [{ itemId: note, box: [0, 0, 0.5, 0.5], label: 1 }], origin: 'point-at' })).toThrow(/is a note: a box marks a region of a photo/);
    expect(() => add({ task: 'vqa', query: { text: 'x', itemId: note }, targets: [{ text: 'y', label: 1 }], origin: 'ask' })).toThrow(/A query item must be a photo/);
    expect(() => add({ task: 'vqa', query: { text: 'x', itemId: 999 }, targets: [{ text: 'y', label: 1 }], origin: 'ask' })).toThrow(/no item with id 999/);
  });
});
