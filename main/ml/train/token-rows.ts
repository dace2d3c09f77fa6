// Token-id batches as the trainer sees them: right-padded rows of ids with a 1/0 mask, and
// the helpers that cut them into GradCache chunks, join them and turn them into session
// feeds. A model family's rows may carry more per-row columns (vlm2vec: each row's trunk
// feature map and has-image flag): every typed-array field besides `ids` and `mask` is such
// a column, `width` values per row, and the helpers slice and join it with its rows.
import type { HostTensor } from '../runtime/session';

/** `rows` sequences of `seq` tokens, right-padded: ids [rows, seq], mask [rows, seq] (1 token, 0 padding). */
export interface TokenRows {
  ids: BigInt64Array;
  mask: Float32Array;
  seq: number;
}

/** One contrastive batch: query i pairs with target i; optional hard negatives join the candidates. */
export interface ContrastiveRows<Rows extends TokenRows> {
  queries: Rows;
  targets: Rows;
  negatives?: Rows;
}

export type ContrastiveTokens = ContrastiveRows<TokenRows>;

export const rowCount = (t: TokenRows): number => t.mask.length / t.seq;

type Column = Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;

/** The per-row columns of `t` besides ids and mask, with their values per row. */
function columnsOf(t: TokenRows): { key: string; values: Column; width: number }[] {
  const rows = rowCount(t);
  const out: { key: string; values: Column; width: number }[] = [];
  for (const [key, values] of Object.entries(t)) {
    if (key === 'ids' || key === 'mask' || !ArrayBuffer.isView(values)) continue;
    const column = values as Column;
    out.push({ key, values: column, width: rows > 0 ? column.length / rows : 0 });
  }
  return out;
}

/** Rows [from, to), every column with them (views, not copies). */
export function sliceRows<Rows extends TokenRows>(t: Rows, from: number, to: number): Rows {
  const columns: Record<string, Column> = {};
  for (const c of columnsOf(t)) columns[c.key] = c.values.subarray(from * c.width, to * c.width);
  return { ...t, ids: t.ids.subarray(from * t.seq, to * t.seq), mask: t.mask.subarray(from * t.seq, to * t.seq), ...columns };
}

/** Chunks of at most `size` rows, in order. */
export function chunkRows<Rows extends TokenRows>(t: Rows, size: number): Rows[] {
  const n = rowCount(t);
  const out: Rows[] = [];
  for (let r = 0; r < n; r += size) out.push(sliceRows(t, r, Math.min(n, r + size)));
  return out;
}

/** Row-wise concatenation, right-padding the shorter parts to the longest sequence with `padId` (mask 0). */
export function concatRows<Rows extends TokenRows>(parts: readonly Rows[], padId = 0): Rows {
  if (parts.length === 1) return parts[0];
  const seq = Math.max(...parts.map((p) => p.seq));
  const rows = parts.reduce((n, p) => n + rowCount(p), 0);
  const ids = new BigInt64Array(rows * seq);
  const mask = new Float32Array(rows * seq);
  const pad = BigInt(padId);
  let row = 0;
  for (const p of parts) {
    for (let r = 0; r < rowCount(p); r++, row++) {
      ids.set(p.ids.subarray(r * p.seq, (r + 1) * p.seq), row * seq);
      mask.set(p.mask.subarray(r * p.seq, (r + 1) * p.seq), row * seq);
      if (pad !== 0n) ids.fill(pad, row * seq + p.seq, (row + 1) * seq);
    }
  }
  const columns: Record<string, Column> = {};
  for (const c of columnsOf(parts.find((p) => rowCount(p) > 0) ?? parts[0])) {
    const joined = new (c.values.constructor as new (n: number) => Column)(rows * c.width);
    let at = 0;
    for (const p of parts) {
      const values = (p as unknown as Record<string, Column>)[c.key];
      if (values.length !== rowCount(p) * c.width) throw new Error(`concatRows: column ${c.key} has ${values.length} values for ${rowCount(p)} rows of ${c.width}`);
      (joined as Float32Array).set(values as Float32Array, at);
      at += values.length;
    }
    columns[c.key] = joined;
  }
  return { ...parts[0], ids, mask, seq, ...columns };
}

/** The candidates of a batch: positives, then hard negatives (when there are any). */
export function candidateRows<Rows extends TokenRows>(b: ContrastiveRows<Rows>, padId = 0): Rows {
  return b.negatives && rowCount(b.negatives) > 0 ? concatRows([b.targets, b.negatives], padId) : b.targets;
}

/** Session feeds for an encoder with inputs `<prefix>ids` / `<prefix>mask` (defaults: input_ids / attention_mask). */
export function tokenFeeds(t: TokenRows, dtype: 'float32' | 'float64', names: { ids: string; mask: string } = { ids: 'input_ids', mask: 'attention_mask' }): Record<string, HostTensor> {
  const dims = [rowCount(t), t.seq];
  return {
    [names.ids]: { dtype: 'int64', data: t.ids, dims },
    [names.mask]: { dtype, data: dtype === 'float64' ? Float64Array.from(t.mask) : t.mask, dims },
  };
}
