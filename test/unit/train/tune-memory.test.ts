// The GradCache chunk from a memory budget (main/ml/tune/memory.ts); test/bench/tune-bench.ts (d)
// measures the peak RSS of steps at the chunks it picks.
import { describe, expect, it } from 'vitest';
import { NANO_CONFIG } from '../../../main/ml/models/vlm2vec/model';
import { activationBytesPerRow, chunkForMemory, FIXED_TUNE_MIB, MAX_AUTO_CHUNK, stepMemoryMiB } from '../../../main/ml/tune/memory';
import { resolveTuneSettings } from '../../../main/ml/tune/settings';

describe('the GradCache chunk from a memory budget', () => {
  it('vlm2vec-nano: about 26 MiB of activations a row (as measured), chunk 16 in the default 1 GiB', () => {
    expect(activationBytesPerRow(NANO_CONFIG) / 2 ** 20).toBeGreaterThan(24);
    expect(activationBytesPerRow(NANO_CONFIG) / 2 ** 20).toBeLessThan(29);
    expect(resolveTuneSettings().chunk).toBe(0);
    expect(chunkForMemory(NANO_CONFIG, resolveTuneSettings().memoryMiB)).toBe(16);
  });

  it('the largest power of two that fits: more memory, larger chunks, up to a cap; at least 1', () => {
    const chunks = [256, 512, 1024, 2048, 4096, 1 << 16].map((m) => chunkForMemory(NANO_CONFIG, m));
    expect(chunks).toEqual([1, 4, 16, 32, MAX_AUTO_CHUNK, MAX_AUTO_CHUNK]);
    for (const m of [512, 1024, 2048]) {
      const c = chunkForMemory(NANO_CONFIG, m);
      expect(stepMemoryMiB(NANO_CONFIG, c)).toBeLessThanOrEqual(m);
      expect(stepMemoryMiB(NANO_CONFIG, 2 * c)).toBeGreaterThan(m);
    }
    expect(stepMemoryMiB(NANO_CONFIG, 1)).toBeGreaterThan(FIXED_TUNE_MIB);
  });

  it('longer inputs (perception tokens, more text) cost more a row, so the same budget takes a smaller chunk', () => {
    const longer = { ...NANO_CONFIG, maxTextTokens: 4 * NANO_CONFIG.maxTextTokens };
    expect(activationBytesPerRow(longer)).toBeGreaterThan(2 * activationBytesPerRow(NANO_CONFIG));
    expect(chunkForMemory(longer, 1024)).toBeLessThan(chunkForMemory(NANO_CONFIG, 1024));
  });

  it('a budget below what a step needs is refused by the settings', () => {
    expect(() => resolveTuneSettings({ memoryMiB: 100 })).toThrow(/memoryMiB must be a whole number from 256/);
  });
});
