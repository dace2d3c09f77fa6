// What a fine-tune changes of a vlm2vec model:
//   'lora'        LoRA adapters (rank r, alpha 2r) on every linear layer of the transformer
//                 blocks; every original weight frozen (VLM2Vec's own choice: LoRA beat full
//                 fine-tuning in the paper);
//   'last-layers' the last k transformer blocks and the final norm, everything else frozen
//                 (the backward pass stops at block L-k, so a step is cheaper);
//   'full'        every parameter.
// After training, adapters are folded into their weights (mergeScope), so the new package
// has exactly the base's graph and size.
import type { Linear } from '../nn/layers';
import { Rng } from '../random';
import type { Vlm2vecModel } from '../models/vlm2vec/model';

export const TUNE_SCOPES = ['lora', 'last-layers', 'full'] as const;
export type TuneScope = (typeof TUNE_SCOPES)[number];

export interface ScopeOptions {
  scope: TuneScope;
  /** LoRA rank (alpha = 2 * rank) */
  loraRank: number;
  /** blocks trained by 'last-layers' */
  lastLayers: number;
  seed: number;
}

/** The linear layers of the transformer blocks (attention q, k, v, o; MLP gate, up, down). */
function blockLinears(model: Vlm2vecModel): Linear[] {
  return model.lm.blocks.flatMap((b) => [b.attn.q, b.attn.k, b.attn.v, b.attn.o, ...(b.mlp.gate ? [b.mlp.gate] : []), b.mlp.up, b.mlp.down]);
}

/** Marks what trains; returns the number of trainable values. */
export function applyScope(model: Vlm2vecModel, o: ScopeOptions): number {
  const blocks = model.lm.blocks;
  if (o.scope === 'full') model.setTrainable(true);
  else if (o.scope === 'last-layers') {
    if (!(o.lastLayers >= 1 && o.lastLayers <= blocks.length)) throw new Error(`last-layers: ${o.lastLayers} layers asked, the model has ${blocks.length}`);
    model.setTrainable(false);
    for (const b of blocks.slice(blocks.length - o.lastLayers)) b.setTrainable(true);
    model.lm.norm.setTrainable(true);
  } else {
    if (!(o.loraRank >= 1)) throw new Error(`lora: rank must be at least 1, got ${o.loraRank}`);
    model.setTrainable(false);
    const rng = new Rng(o.seed >>> 0);
    for (const l of blockLinears(model)) l.enableLora(o.loraRank, 2 * o.loraRank, rng);
  }
  return model.parameters().reduce((n, p) => n + (p.trainable ? p.data.length : 0), 0);
}

/** Folds LoRA adapters into their weights (a no-op for the other scopes). */
export function mergeScope(model: Vlm2vecModel): void {
  for (const l of blockLinears(model)) l.mergeLora();
}
