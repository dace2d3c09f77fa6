// Position ids of the Qwen2-VL text model: [3, seq] rows (temporal, height, width) per input.
//   rope-index: transformers' Qwen2VLForConditionalGeneration.get_rope_index (VLM2Vec calls the
//     full model, so this is what it runs; transformers.js models/qwen2_vl/modeling_qwen2_vl.js
//     is the same algorithm): text before a `<|vision_start|>` + image segment counts up on all
//     three rows; the image's tokens j (H' = h/merge, W' = w/merge, off = start of the segment)
//     get t = off + floor(j / (H'W')), h = off + floor(j / W') mod H', w = off + j mod W'; the text
//     after it restarts at max + 1. Image tokens NOT preceded by vision_start (VLM2Vec's
//     `<|image_pad|> ...` prompt) are plain text here: positions stay sequential.
//   sequential: 0..len-1 on all three rows (GME calls the base model without position ids).
// Padding (right) gets 1, as get_rope_index initialises it; the causal mask and last-token
// pooling never let a pad reach the pooled token.

export interface RopeTokenIds {
  imageTokenId: number;
  videoTokenId: number;
  visionStartTokenId: number;
}

export type PositionMode = 'rope-index' | 'sequential';

/** Positions [3][ids.length] for one unpadded input; `grids` are the images' [t, h, w] in order. */
export function ropeIndex(ids: readonly number[], grids: readonly (readonly [number, number, number])[], t: RopeTokenIds, mergeSize: number): number[][] {
  const rows: number[][] = [[], [], []];
  let imageIndex = 0;
  let visionSegments = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    if (ids[i] === t.visionStartTokenId && ids[i + 1] === t.imageTokenId) visionSegments++;
    if (ids[i] === t.visionStartTokenId && ids[i + 1] === t.videoTokenId) throw new Error('video inputs are not supported');
  }
  let st = 0;
  let next = 0; // the next position: max so far + 1
  const pushText = (len: number) => {
    for (let k = 0; k < len; k++) for (const r of rows) r.push(next + k);
    next += len;
  };
  for (let s = 0; s < visionSegments; s++) {
    const ed = ids.indexOf(t.imageTokenId, st);
    if (ed < 0) break;
    const grid = grids[imageIndex++];
    if (!grid) throw new Error(`the prompt has more vision segments than images (${grids.length})`);
    const [gt, gh, gw] = [grid[0], grid[1] / mergeSize, grid[2] / mergeSize];
    pushText(ed - st);
    const off = next;
    const n = gt * gh * gw;
    let max = off;
    for (let j = 0; j < n; j++) {
      const tt = off + Math.floor(j / (gh * gw));
      const hh = off + (Math.floor(j / gw) % gh);
      const ww = off + (j % gw);
      rows[0].push(tt);
      rows[1].push(hh);
      rows[2].push(ww);
      max = Math.max(max, tt, hh, ww);
    }
    next = max + 1;
    st = ed + n;
  }
  if (st < ids.length) pushText(ids.length - st);
  return rows;
}

export function sequentialPositions(len: number): number[][] {
  const r = Array.from({ length: len }, (_v, i) => i);
  return [r, [...r], [...r]];
}

/** Right-padded int64 position_ids [3, batch, seq] from per-input rows; padding gets 1. */
export function batchPositions(perInput: readonly number[][][], seq: number): BigInt64Array {
  const b = perInput.length;
  const out = new BigInt64Array(3 * b * seq).fill(1n);
  perInput.forEach((rows, i) => {
    for (let r = 0; r < 3; r++) {
      const row = rows[r]!;
      for (let s = 0; s < row.length; s++) out[(r * b + i) * seq + s] = BigInt(row[s]!);
    }
  });
  return out;
}
