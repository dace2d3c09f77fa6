// The OCR pass's pure parts on small hand-made inputs: DB post-processing, CTC decoding,
// box geometry, reading order and the OCR score.
import { describe, expect, it } from 'vitest';
import { editDistance, scoreOcr } from '../../../main/ml/eval/ocr-metrics';
import type { TruthLine } from '../../../main/ml/eval/ocr-metrics';
import { charsetFromKeys, ctcGreedyDecode, isLatinChar, restrictCharset } from '../../../main/ml/perception/ocr/ctc';
import { boxesFromMap, textRegions } from '../../../main/ml/perception/ocr/db-postprocess';
import type { ProbabilityMap } from '../../../main/ml/perception/ocr/db-postprocess';
import { cropQuad, detectorSize, rotateCcw, rotateHalf } from '../../../main/ml/perception/ocr/image';
import { applyHomography, homography, invertHomography, minAreaRect, orderQuad, quadSize } from '../../../main/ml/perception/ocr/quad';
import type { Point, Quad } from '../../../main/ml/perception/ocr/quad';
import { readingOrder } from '../../../main/ml/perception/ocr/reading-order';

function map(width: number, height: number, paint: (x: number, y: number) => number): ProbabilityMap {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = paint(x, y);
  return { data, width, height };
}

describe('DB post-processing', () => {
  it('turns a block of text probability into one box grown by area * 1.5 / perimeter, in image pixels', () => {
    // text at columns 4..15, rows 3..6 of a 20 x 10 map; the image is twice the map's size
    const m = map(20, 10, (x, y) => (x >= 4 && x <= 15 && y >= 3 && y <= 6 ? 0.9 : 0.05));
    const boxes = boxesFromMap(m, 40, 20);
    expect(boxes).toHaveLength(1);
    // pixel centres span 11 x 3; grown by 11 * 3 * 1.5 / 28 on every side
    const d = (11 * 3 * 1.5) / 28;
    const [tl, tr, br, bl] = boxes[0]!.quad;
    expect(tl[0]).toBeCloseTo((4 - d) * 2, 5);
    expect(tl[1]).toBeCloseTo((3 - d) * 2, 5);
    expect(br[0]).toBeCloseTo((15 + d) * 2, 5);
    expect(br[1]).toBeCloseTo((6 + d) * 2, 5);
    expect(tr[1]).toBeCloseTo(tl[1], 5);
    expect(bl[0]).toBeCloseTo(tl[0], 5);
    expect(boxes[0]!.score).toBeCloseTo(0.9, 5);
  });

  it('drops regions that are faint on average, too thin, or below the pixel threshold', () => {
    const m = map(30, 12, (x, y) => {
      if (x >= 2 && x <= 12 && y >= 2 && y <= 6) return 0.45; // above 0.3, mean below 0.6
      if (x >= 16 && x <= 26 && y === 4) return 0.95; // one pixel tall
      if (x >= 16 && x <= 26 && y >= 8 && y <= 10) return 0.25; // never above 0.3
      return 0;
    });
    expect(boxesFromMap(m, 30, 12)).toEqual([]);
  });

  it('finds separate 8-connected regions and follows a tilted line', () => {
    // two words side by side, and a line rising 1 pixel in 4 below them
    const m = map(60, 30, (x, y) => {
      if (y >= 2 && y <= 5 && ((x >= 2 && x <= 12) || (x >= 18 && x <= 30))) return 0.9;
      const base = 24 - Math.floor((x - 5) / 4);
      if (x >= 5 && x <= 50 && y >= base - 3 && y <= base) return 0.9;
      return 0;
    });
    expect(textRegions(m, 0.3)).toHaveLength(3);
    const boxes = boxesFromMap(m, 60, 30);
    expect(boxes).toHaveLength(3);
    const tilted = boxes.find((b) => b.quad[0][1] > 10)!;
    const [tl, tr] = tilted.quad;
    const slope = (tr[1] - tl[1]) / (tr[0] - tl[0]);
    expect(slope).toBeGreaterThan(-0.32);
    expect(slope).toBeLessThan(-0.18);
  });
});

describe('CTC greedy decoding (PaddleOCR conventions)', () => {
  const cs = charsetFromKeys('a\nb\n中\n');

  it('reads the keys file as blank, one class per line, then the space', () => {
    expect(cs.chars).toEqual(['', 'a', 'b', '中', ' ']);
    expect(charsetFromKeys('a\nb', { useSpaceChar: false }).chars).toEqual(['', 'a', 'b']);
  });

  it('merges repeats, drops blanks, keeps a repeat split by a blank, and scores by the kept characters', () => {
    // argmax per step: a a blank a b space b  ->  "aab b"
    const steps = [
      [0.1, 0.8, 0.05, 0.0, 0.05],
      [0.2, 0.7, 0.05, 0.0, 0.05],
      [0.9, 0.05, 0.05, 0.0, 0.0],
      [0.3, 0.6, 0.1, 0.0, 0.0],
      [0.2, 0.1, 0.7, 0.0, 0.0],
      [0.1, 0.0, 0.0, 0.0, 0.9],
      [0.0, 0.0, 1.0, 0.0, 0.0],
    ];
    const probs = Float32Array.from(steps.flat());
    const out = ctcGreedyDecode(probs, steps.length, 5, cs);
    expect(out.text).toBe('aab b');
    expect(out.score).toBeCloseTo((0.8 + 0.6 + 0.7 + 0.9 + 1.0) / 5, 5);
  });

  it('decodes only the allowed characters when restricted to Latin', () => {
    const steps = [
      [0.1, 0.3, 0.0, 0.6, 0.0],
      [0.9, 0.05, 0.05, 0.0, 0.0],
    ];
    const probs = Float32Array.from(steps.flat());
    expect(ctcGreedyDecode(probs, 2, 5, cs).text).toBe('中');
    const latin = restrictCharset(cs, isLatinChar);
    const out = ctcGreedyDecode(probs, 2, 5, latin);
    expect(out.text).toBe('a');
    expect(out.score).toBeCloseTo(0.3, 5);
  });

  it('reads a batch row at an offset and refuses a charset of the wrong size', () => {
    const probs = Float32Array.from([0, 1, 0, 0, 0, /* row 2 */ 0, 0, 1, 0, 0]);
    expect(ctcGreedyDecode(probs, 1, 5, cs, 5).text).toBe('b');
    expect(() => ctcGreedyDecode(probs, 1, 6, cs)).toThrow(/keys file does not belong/);
  });

  it('counts Latin letters, digits, punctuation and accented letters as Latin, CJK not', () => {
    expect([...'Aé$9 ,“'].every(isLatinChar)).toBe(true);
    expect(isLatinChar('中')).toBe(false);
    expect(isLatinChar('×')).toBe(false);
  });
});

describe('box geometry', () => {
  it('finds the minimum-area rectangle of a rotated rectangle', () => {
    const a = (20 * Math.PI) / 180;
    const pts: Point[] = [];
    for (let u = 0; u <= 40; u += 2) for (let v = 0; v <= 10; v += 2) pts.push([u * Math.cos(a) - v * Math.sin(a), u * Math.sin(a) + v * Math.cos(a)]);
    const r = minAreaRect(pts);
    expect(r.width * r.height).toBeCloseTo(400, 3);
    expect(Math.max(r.width, r.height)).toBeCloseTo(40, 3);
  });

  it('orders corners top-left, top-right, bottom-right, bottom-left', () => {
    expect(orderQuad([[10, 5], [0, 6], [1, 0], [11, 1]])).toEqual([[1, 0], [11, 1], [10, 5], [0, 6]]);
  });

  it('maps four points onto four points and back', () => {
    const src: Point[] = [[0, 0], [100, 0], [100, 50], [0, 50]];
    const dst: Point[] = [[10, 20], [120, 10], [130, 80], [5, 70]];
    const h = homography(src, dst);
    src.forEach((p, i) => {
      const q = applyHomography(h, p);
      expect(q[0]).toBeCloseTo(dst[i]![0], 6);
      expect(q[1]).toBeCloseTo(dst[i]![1], 6);
      const back = applyHomography(invertHomography(h), q);
      expect(back[0]).toBeCloseTo(p[0], 6);
    });
  });

  it('crops a quad straight and turns crops by quarter and half turns', () => {
    // a 6 x 4 image whose pixel value is its x * 40 + y
    const img = { width: 6, height: 4, data: new Uint8Array(72) };
    for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) img.data.fill(x * 40 + y, (y * 6 + x) * 3, (y * 6 + x) * 3 + 3);
    const quad: Quad = [[1, 1], [5, 1], [5, 3], [1, 3]];
    const crop = cropQuad(img, quad, 4, 2);
    expect([crop.width, crop.height]).toEqual([4, 2]);
    expect(crop.data[0]).toBe(1 * 40 + 1);
    expect(crop.data[(1 * 4 + 3) * 3]).toBe(4 * 40 + 2);
    const ccw = rotateCcw(crop);
    expect([ccw.width, ccw.height]).toEqual([2, 4]);
    expect(ccw.data[(3 * 2 + 0) * 3]).toBe(crop.data[0]); // the top-left goes to the bottom-left
    expect(rotateHalf(crop).data[0]).toBe(crop.data[(1 * 4 + 3) * 3]);
    expect(quadSize(quad)).toEqual({ width: 4, height: 2 });
  });

  it('scales the detector input to the longer side asked for, in multiples of 32, enlarging small photos', () => {
    expect(detectorSize(2048, 1536, 960)).toEqual({ width: 960, height: 736 });
    expect(detectorSize(300, 200, 960)).toEqual({ width: 960, height: 640 });
  });
});

describe('reading order', () => {
  const line = (name: string, center: Point, direction: Point = [100, 0], height = 20) => ({ name, center, direction, height });

  it('reads rows top to bottom and the pieces of a row left to right', () => {
    const out = readingOrder([line('price', [300, 104]), line('total', [300, 150]), line('item', [50, 100]), line('shop', [150, 40])]);
    expect(out.map((l) => l.name)).toEqual(['shop', 'item', 'price', 'total']);
  });

  it('reads an upside-down document from its first line, at the bottom of the photo', () => {
    const out = readingOrder([line('second', [500, 300], [-100, 0]), line('first', [500, 400], [-100, 0]), line('price', [100, 398], [-50, 0])]);
    expect(out.map((l) => l.name)).toEqual(['first', 'price', 'second']);
  });
});

describe('OCR score', () => {
  const truth: TruthLine[] = [
    { text: 'Coffee 3.50', quad: [[0, 0], [200, 0], [200, 20], [0, 20]] },
    { text: 'TOTAL $3.50', quad: [[0, 40], [200, 40], [200, 60], [0, 60]] },
  ];
  const box = (x0: number, y0: number, x1: number, y1: number) => ({ x: x0 / 400, y: y0 / 100, width: (x1 - x0) / 400, height: (y1 - y0) / 100 });

  it('counts edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('matches read lines by place, joins pieces along the line and ignores the order they came in', () => {
    const read = [
      { text: 'TOTAL $3.50', box: box(0, 40, 200, 60) },
      { text: '3.50', box: box(160, 0, 200, 20) },
      { text: 'Coffee', box: box(0, 0, 60, 20) },
    ];
    const s = scoreOcr(truth, read, 400, 100);
    expect(s.errors).toBe(0);
    expect(s.chars).toBe(22);
    expect(s.wordsFound).toBe(s.words);
  });

  it('measures "down the line" square to its top edge when perspective slants its sides', () => {
    const slanted: TruthLine[] = [{ text: 'Slanted', quad: [[100, 20], [300, 20], [340, 60], [140, 60]] }];
    const s = scoreOcr(slanted, [{ text: 'Slanted', box: box(160, 30, 280, 50) }], 400, 100);
    expect(s.errors).toBe(0);
  });

  it('charges misread characters, missing lines and text read where nothing is printed', () => {
    const read = [
      { text: 'Cofee 3.5O', box: box(0, 0, 200, 20) },
      { text: 'stray', box: box(300, 80, 390, 95) },
    ];
    const s = scoreOcr(truth, read, 400, 100);
    expect(s.inserted).toBe(5);
    expect(s.errors).toBe(2 + 11 + 5);
    expect(s.wordsFound).toBe(0);
  });
});
