// Regions of a photo as labelled pairs carry them (main/contract/regions.ts).
import { describe, expect, it } from 'vitest';
import { boxBetween, isDrawnRegion, overlap, toRegionBox } from '../../../main/contract/regions';

describe('regions of a photo', () => {
  it('a pixel box becomes fractions of the photo as shown, clamped to it', () => {
    expect(toRegionBox({ x: 120, y: 0, width: 80, height: 80 }, 200, 160)).toEqual([0.6, 0, 0.4, 0.5]);
    // a box reaching past the edge keeps the part on the photo
    expect(toRegionBox({ x: 150, y: -10, width: 100, height: 50 }, 200, 100)).toEqual([0.75, 0, 0.25, 0.4]);
  });

  it('a drag gives the same box whichever corner it starts from; a click is not a region', () => {
    const down = boxBetween({ x: 0.2, y: 0.3 }, { x: 0.6, y: 0.9 });
    expect(down).toEqual([0.2, 0.3, 0.4, 0.6]);
    expect(boxBetween({ x: 0.6, y: 0.9 }, { x: 0.2, y: 0.3 })).toEqual(down);
    expect(boxBetween({ x: -0.5, y: 0.5 }, { x: 0.5, y: 1.5 })).toEqual([0, 0.5, 0.5, 0.5]);
    expect(isDrawnRegion(down)).toBe(true);
    expect(isDrawnRegion(boxBetween({ x: 0.5, y: 0.5 }, { x: 0.505, y: 0.7 }))).toBe(false);
  });

  it('overlap is intersection over union', () => {
    expect(overlap([0, 0, 0.5, 0.5], [0, 0, 0.5, 0.5])).toBe(1);
    expect(overlap([0, 0, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5])).toBe(0);
    expect(overlap([0, 0, 0.5, 0.5], [0.25, 0, 0.5, 0.5])).toBeCloseTo(1 / 3, 10);
  });
});
