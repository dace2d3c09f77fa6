// IEEE 754 half precision <-> float32, bit exact both ways: decoding is exact, encoding
// rounds to the nearest half (ties to even), as numpy's astype(float16) and onnxruntime do.

/** IEEE half -> float (exact; subnormals, inf and NaN included). */
export function float16ToFloat32(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i];
    const sign = v & 0x8000 ? -1 : 1;
    const exp = (v >> 10) & 0x1f;
    const frac = v & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** float -> IEEE half, rounded to nearest even; beyond the half range -> +-inf, NaN stays NaN. */
export function float32ToFloat16(f: ArrayLike<number>): Uint16Array {
  const bits = new Uint32Array(1);
  const view = new Float32Array(bits.buffer);
  const out = new Uint16Array(f.length);
  for (let i = 0; i < f.length; i++) {
    view[0] = f[i];
    const x = bits[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      // subnormal half (or zero): the 24-bit significand shifted right by 14 - e, rounded
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - e;
      let h = m >>> shift;
      const rest = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rest > half || (rest === half && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent, up to inf: still correct
    out[i] = sign | h;
  }
  return out;
}
