// float32 -> float16 rounding (ties to even, like numpy and onnxruntime), and toOnnx's
// float16Params: parameters stored half-size behind a Cast that onnxruntime folds at load.
import { describe, expect, it } from 'vitest';
import * as o from '../../../main/ml/autodiff/ops';
import { float16ToFloat32, float32ToFloat16 } from '../../../main/ml/graph/float16';
import { Graph } from '../../../main/ml/graph/graph';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';

describe('float32 -> float16', () => {
  it('every float16 bit pattern survives the round trip (normals, subnormals, zeros, infinities)', () => {
    const all = new Uint16Array(65536).map((_v, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    for (let i = 0; i < 65536; i++) {
      const isNan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (isNan) expect((back[i]! & 0x7c00) === 0x7c00 && (back[i]! & 0x3ff) !== 0, `NaN ${i.toString(16)}`).toBe(true);
      else expect(back[i], `pattern ${i.toString(16)}`).toBe(i);
    }
  });

  it('rounds to nearest, ties to even; overflow to infinity; below half the least subnormal to zero', () => {
    const h = (x: number) => float32ToFloat16([x])[0]!;
    expect(h(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and the next half: even (1)
    expect(h(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway between 1+2^-10 and 1+2^-9: even (1+2^-9)
    expect(h(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just over halfway
    expect(h(65504)).toBe(0x7bff);
    expect(h(65520)).toBe(0x7c00); // rounds up past the largest half
    expect(h(-1e6)).toBe(0xfc00);
    expect(h(2 ** -24)).toBe(0x0001);
    expect(h(2 ** -25)).toBe(0x0000); // a tie with zero: even
    expect(h(3 * 2 ** -26)).toBe(0x0001);
    expect(h(-0)).toBe(0x8000);
    expect(h(0.1)).toBe(0x2e66); // numpy: np.float16(0.1).view(np.uint16) == 0x2e66
  });
});

describe('toOnnx float16Params', () => {
  it('stores parameters as float16 behind Casts: half the bytes, the same outputs when the weights are float16 values', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 64]);
    const wData = float16ToFloat32(float32ToFloat16(Float32Array.from({ length: 64 * 32 }, (_v, i) => Math.sin(i) * 3)));
    const w = g.param('w', [64, 32], wData, { trainable: false });
    const b = g.param('b', [32], float16ToFloat32(float32ToFloat16(Float32Array.from({ length: 32 }, (_v, i) => i / 7))), { trainable: false });
    const y = o.add(o.matmul(x, w), b);
    const f32 = toOnnx(g, { outputs: { y } });
    const f16 = toOnnx(g, { outputs: { y }, float16Params: true });
    expect(f16.model.byteLength).toBeLessThan(f32.model.byteLength * 0.6);
    const feeds = { x: { dtype: 'float32' as const, data: Float32Array.from({ length: 128 }, (_v, i) => Math.cos(i)), dims: [2, 64] } };
    const a = await createSession(f32.model, { providers: ['cpu'] });
    const c = await createSession(f16.model, { providers: ['cpu'] });
    expect(Array.from((await c.run(feeds)).y!.data as Float32Array)).toEqual(Array.from((await a.run(feeds)).y!.data as Float32Array));
    await a.release();
    await c.release();
  });
});
