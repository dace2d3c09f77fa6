// The colours pass: the named colours that cover a good part of a photo ("a red car",
// "blue sky"). Pure pixel statistics on a small copy of the decode; no model.
import type { RgbImage } from '../../ml/models/embedding-model';
import type { PassResult } from '../store/perception';
import type { Pass } from './pass';

/** Basic colour terms (Berlin & Kay's eleven) at typical sRGB values. */
const NAMED: readonly { name: string; rgb: [number, number, number] }[] = [
  { name: 'black', rgb: [20, 20, 20] },
  { name: 'white', rgb: [240, 240, 240] },
  { name: 'grey', rgb: [128, 128, 128] },
  { name: 'red', rgb: [200, 30, 30] },
  { name: 'orange', rgb: [240, 140, 20] },
  { name: 'yellow', rgb: [240, 220, 40] },
  { name: 'green', rgb: [40, 150, 50] },
  { name: 'blue', rgb: [30, 80, 200] },
  { name: 'purple', rgb: [130, 50, 160] },
  { name: 'pink', rgb: [240, 150, 190] },
  { name: 'brown', rgb: [120, 75, 40] },
];

/** A colour is named when it covers at least this share of the photo. */
const MIN_SHARE = 0.15;

function toLab([r, g, b]: readonly number[]): [number, number, number] {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r!), lin(g!), lin(b!)];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

const NAMED_LAB = NAMED.map((c) => ({ name: c.name, lab: toLab(c.rgb) }));

/** The nearest basic colour term of one sRGB pixel (CIE76 distance in Lab). */
export function colourName(rgb: readonly number[]): string {
  const lab = toLab(rgb);
  let best = NAMED_LAB[0]!;
  let bestD = Infinity;
  for (const c of NAMED_LAB) {
    const d = (c.lab[0] - lab[0]) ** 2 + (c.lab[1] - lab[1]) ** 2 + (c.lab[2] - lab[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best.name;
}

/** Named colours covering >= MIN_SHARE of the image (sampled on a grid), largest first. */
export function dominantColours(image: RgbImage, samples = 4096): PassResult {
  const { width, height, data } = image;
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / samples)));
  const counts = new Map<string, number>();
  let n = 0;
  for (let y = Math.floor(step / 2); y < height; y += step) {
    for (let x = Math.floor(step / 2); x < width; x += step) {
      const i = (y * width + x) * 3;
      const name = colourName([data[i]!, data[i + 1]!, data[i + 2]!]);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      n++;
    }
  }
  const tags = [...counts]
    .map(([tag, c]) => ({ tag, score: c / n, count: 1, ref: null }))
    .filter((t) => t.score >= MIN_SHARE)
    .sort((a, b) => b.score - a.score);
  return { tags };
}

export function colourPass(): Pass {
  return {
    name: 'colours',
    label: 'naming colours',
    version: 'basic-colours/r1',
    needsPixels: true,
    async run(_item, image) {
      return dominantColours(image!);
    },
  };
}
