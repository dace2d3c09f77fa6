// Token-id batches as the trainer sees them: right-padded rows of ids with a 1/0 mask, and
// the helpers that cut them into GradCache chunks and turn them into session feeds.
import type { HostTensor } from '../runtime/session';

/** `rows` sequences of `seq` tokens, right-padded: ids [rows, seq], mask [rows, seq] (1 token, 0 padding). */
export interface TokenRows {
  ids: BigInt64Array;
  mask: Float32Array;
  seq: number;
}

/** One contrastive batch: query i pairs with target i; optional hard negatives join the candidates. */
export interface ContrastiveTokens {
  queries: TokenRows;
  targets: TokenRows;
  negatives?: TokenRows;
}

export const rowCount = (t: TokenRows): number => t.mask.length / t.seq;

/** Rows [from, to). */
export function sliceRows(t: TokenRows, from: number, to: number): TokenRows {
  return { ids: t.ids.subarray(from * t.seq, to * t.seq), mask: t.mask.subarray(from * t.seq, to * t.seq), seq: t.seq };
}

/** Chunks of at most `size` rows, in order. */
export function chunkRows(t: TokenRows, size: number): TokenRows[] {
  const n = rowCount(t);
  const out: TokenRows[] = [];
  for (let r = 0; r < n; r += size) out.push(sliceRows(t, r, Math.min(n, r + size)));
  return out;
}

/** Row-wise concatenation, right-padding the shorter parts to the longest sequence. */
export function concatRows(parts: readonly TokenRows[]): TokenRows {
  if (parts.length === 1) return parts[0];
  const seq = Math.max(...parts.map((p) => p.seq));
  const rows = parts.reduce((n, p) => n + rowCount(p), 0);
  const ids = new BigInt64Array(rows * seq);
  const mask = new Float32Array(rows * seq);
  let row = 0;
  for (const p of parts) {
    for (let r = 0; r < rowCount(p); r++, row++) {
      ids.set(p.ids.subarray(r * p.seq, (r + 1) * p.seq), row * seq);
      mask.set(p.mask.subarray(r * p.seq, (r + 1) * p.seq), row * seq);
    }
  }
  return { ids, mask, seq };
}

/** The candidates of a batch: positives, then hard negatives. */
export const candidateRows = (b: ContrastiveTokens): TokenRows => (b.negatives ? concatRows([b.targets, b.negatives]) : b.targets);

/** Session feeds for an encoder with inputs `<prefix>ids` / `<prefix>mask` (defaults: input_ids / attention_mask). */
export function tokenFeeds(t: TokenRows, dtype: 'float32' | 'float64', names: { ids: string; mask: string } = { ids: 'input_ids', mask: 'attention_mask' }): Record<string, HostTensor> {
  const dims = [rowCount(t), t.seq];
  return {
    [names.ids]: { dtype: 'int64', data: t.ids, dims },
    [names.mask]: { dtype, data: dtype === 'float64' ? Float64Array.from(t.mask) : t.mask, dims },
  };
}
