// The vlm2vec family's trainable part (vlm2vec-nano and anything of the same shape):
//   frozen trunk feature map [B, 120, 8, 8] -> (2x2 average pooling, cfg.visualPool) -> 16
//   visual tokens (64 with visualPool 1) (Linear 120 -> d + learned position embeddings) placed BEFORE the text tokens `<s> {instruction} {text}` -> a small
//   causal transformer -> the LAST real token's final hidden state -> L2 normalise.
//
// Layout of every sequence (one layout, so batches of mixed inputs need no special case):
//   [N visual slots][text tokens, right-padded]   (N = visualTokenCount(cfg): 16 for nano)
// The attention mask of the visual slots is `has_image` (1 or 0 per row): an input without
// an image has its N slots masked out (no query attends to them; they are never pooled), so
// its text starts at position N instead of 0. Positions are rotary, i.e. attention depends
// only on relative positions, so that shift changes nothing but float rounding. The pooled
// token is the last 1 of the mask (nn's lastTokenPool: mask[t] * (1 - mask[t+1])), which is
// correct with masked slots in front and right padding behind. Text is never empty: the
// tokenizer always puts `<s>` first.
//
// The frozen trunk is a separate graph (trunk.onnx in the package; its features are cached
// once for training), so this module's graph takes the feature map as an input.
import type { Tensor } from '../../graph/graph';
import { typedArrayOf } from '../../graph/graph';
import * as o from '../../autodiff/ops';
import type { Ctx } from '../../nn/context';
import { Linear } from '../../nn/layers';
import { Module } from '../../nn/module';
import { l2Normalize, lastTokenPool, Transformer } from '../../nn/transformer';
import { Rng } from '../../random';
import { NANO_BPE_VOCAB } from './bpe';
import { Embedding } from '../../nn/layers';
import type { Vlm2vecPerceptionConfig } from './perception';
import { SLOT_FEATURES, slotCount, slotVocab } from './perception';

export interface Vlm2vecConfig {
  /** tokenizer vocabulary size (BPE trained on the training text for nano; 259 byte-level) */
  vocab: number;
  dim: number;
  heads: number;
  layers: number;
  mlpHidden: number;
  /** text tokens per input (BOS included); the transformer's maxSeq = visualTokens + this */
  maxTextTokens: number;
  /** trunk feature channels (CenterNet MobileNetV3 tap: 120) */
  featureChannels: number;
  /** trunk feature map height x width (8 x 8) */
  featureGrid: [number, number];
  /**
   * average-pooling factor applied to the feature map in the graph before the projector:
   * 2 -> 2x2 cells of the 8x8 map -> 4x4 = 16 visual tokens; 1 -> 64. Absent (packages
   * written before it existed) means 1.
   */
  visualPool?: number;
  /**
   * perception tokens (perception.ts): slots for what the detector and the classifier saw,
   * in front of the visual tokens, and the read text as a marked segment of the text
   * tokens. Absent: pixels only (packages before configVersion 3).
   */
  perception?: Vlm2vecPerceptionConfig;
  dropout: number;
  seed: number;
}

/** vlm2vec-nano's planned size. */
export const NANO_CONFIG: Vlm2vecConfig = {
  vocab: NANO_BPE_VOCAB,
  dim: 256,
  heads: 4,
  layers: 4,
  mlpHidden: 704,
  maxTextTokens: 96,
  featureChannels: 120,
  featureGrid: [8, 8],
  visualPool: 2,
  dropout: 0.1,
  seed: 1,
};

/** The pooling factor (1 when absent: configs written before visualPool existed). */
export function visualPoolOf(c: Vlm2vecConfig): number {
  const p = c.visualPool ?? 1;
  if (!Number.isInteger(p) || p < 1 || c.featureGrid[0] % p || c.featureGrid[1] % p) throw new Error(`vlm2vec: visualPool ${p} must be a positive integer dividing the feature grid ${c.featureGrid.join('x')}`);
  return p;
}

/** Visual tokens per image: (H / pool) * (W / pool). */
export const visualTokenCount = (c: Vlm2vecConfig): number => (c.featureGrid[0] / visualPoolOf(c)) * (c.featureGrid[1] / visualPoolOf(c));

/** Values of one image's trunk feature map (C * H * W, before pooling): the graph's `features` input per row. */
export const featureSize = (c: Vlm2vecConfig): number => c.featureChannels * c.featureGrid[0] * c.featureGrid[1];

/** Graph inputs of the embedding graph (inference and training alike); the perception ones only with `cfg.perception`. */
export const EMBED_INPUTS = {
  features: 'features',
  hasImage: 'has_image',
  ids: 'input_ids',
  mask: 'attention_mask',
  perceptionIds: 'perception_ids',
  perceptionFeatures: 'perception_features',
  perceptionMask: 'perception_mask',
} as const;

/** Perception slots per input (0 without perception tokens). */
export const perceptionSlotCount = (c: Vlm2vecConfig): number => (c.perception ? slotCount(c.perception) : 0);

/** Text tokens per input: the prompt's, plus the read-text segment and its two markers. */
export const textTokenCount = (c: Vlm2vecConfig): number => c.maxTextTokens + (c.perception ? c.perception.textTokens + 2 : 0);

/** The perception inputs of the embedding graph: slot ids [B, P], features [B, P, SLOT_FEATURES], mask [B, P]. */
export interface PerceptionTensors {
  ids: Tensor;
  features: Tensor;
  mask: Tensor;
}

// Initial loss (measured, nano, batch 128 of real training rows): cosine between
// non-matching query/target embeddings has mean 0.23 and std 0.18 at init, i.e. a logit
// spread of ~9 at tau 0.02, so the first InfoNCE loss is ~18 (batch 512) instead of
// ln(512) = 6.2 and the gradient norm ~230 (clipped to 1). That is the fixed tau on an
// untrained, isotropic encoder, not a scale bug: scaling the projector down (1/40) makes it
// worse (std 0.24), GPT-2-style 1/sqrt(2L) residual projections help only a little
// (std 0.15, loss 15.4 at 128), the final RMSNorm cannot change a direction. One AdamW step
// brings the loss to ~6.9 (ln(512) + 0.7), so the init is left as it is.
export class Vlm2vecModel extends Module {
  readonly projector: Linear;
  readonly lm: Transformer;
  readonly visualTokens: number;
  readonly perceptionSlots: number;
  readonly perceptionEmbed?: Embedding;
  readonly perceptionProjector?: Linear;

  constructor(readonly cfg: Vlm2vecConfig) {
    super('');
    const rng = new Rng((cfg.seed * 7919 + 17) >>> 0);
    this.visualTokens = visualTokenCount(cfg);
    this.projector = this.addChild(new Linear('projector', cfg.featureChannels, cfg.dim, rng, { std: 1 / Math.sqrt(cfg.featureChannels) / 8 }));
    this.addParam('visual_pos', [this.visualTokens, cfg.dim], rng.normals(this.visualTokens * cfg.dim, 0.02));
    this.perceptionSlots = perceptionSlotCount(cfg);
    if (cfg.perception) {
      // a separate generator: adding perception leaves the other parameters' initial values as they were
      const prng = new Rng((cfg.seed * 7919 + 29) >>> 0);
      this.perceptionEmbed = this.addChild(new Embedding('perception/embed', slotVocab(cfg.perception), cfg.dim, prng));
      this.perceptionProjector = this.addChild(new Linear('perception/projector', SLOT_FEATURES, cfg.dim, prng, { std: 0.02 }));
      this.addParam('perception/pos', [this.perceptionSlots, cfg.dim], prng.normals(this.perceptionSlots * cfg.dim, 0.02));
    }
    this.lm = this.addChild(
      new Transformer(
        { vocab: cfg.vocab, dim: cfg.dim, heads: cfg.heads, layers: cfg.layers, mlpHidden: cfg.mlpHidden, maxSeq: this.perceptionSlots + this.visualTokens + textTokenCount(cfg), dropout: cfg.dropout },
        cfg.seed,
        'lm',
      ),
    );
  }

  /**
   * features: [B, C, H, W] trunk feature map (NCHW); hasImage: [B] 1/0; ids: int64 [B, T];
   * mask: [B, T] (1 token, 0 right padding); perception (with cfg.perception): the slots.
   * Returns the L2-normalised embeddings [B, dim].
   *
   * Layout: [perception slots][visual slots][text]; the pooled token is the last real text
   * token (the slots' masks may hold gaps, so pooling reads the text's own mask).
   */
  embed(ctx: Ctx, features: Tensor, hasImage: Tensor, ids: Tensor, mask: Tensor, perception?: PerceptionTensors): Tensor {
    const g = ctx.g;
    const n = this.visualTokens;
    const visual = g.scope('visual', () => {
      const c = this.cfg.featureChannels;
      const p = visualPoolOf(this.cfg);
      const [h, w] = this.cfg.featureGrid;
      // p x p average pooling (stride p) as reshape + mean: [B, C, H/p, p, W/p, p] -> [B, C, H/p, W/p]
      const pooled = p === 1 ? features : o.reduceMean(o.reshape(features, [0, c, h / p, p, w / p, p]), [3, 5]);
      const tokens = o.transpose(o.reshape(pooled, [0, c, n]), [0, 2, 1]); // [B, n, C], row-major over the pooled grid
      return o.add(this.projector.forward(ctx, tokens), this.p(g, 'visual_pos'));
    });
    const text = g.scope('lm', () => this.lm.embed.forward(ctx, ids));
    const slots = g.scope('visual_mask', () => o.mul(o.unsqueeze(hasImage, [1]), g.constant(typedArrayOf(ctx.dtype, new Array<number>(n).fill(1)), [1, n], ctx.dtype, 'ones')));
    if (!this.cfg.perception) {
      const fullMask = o.concat([slots, mask], 1);
      return l2Normalize(lastTokenPool(this.lm.forwardEmbeddings(ctx, o.concat([visual, text], 1), fullMask), fullMask));
    }
    if (!perception) throw new Error('vlm2vec: this model reads perception slots; give them (perception_ids, perception_features, perception_mask)');
    const slotTokens = g.scope('perception', () =>
      o.add(o.add(this.perceptionEmbed!.forward(ctx, perception.ids), this.perceptionProjector!.forward(ctx, perception.features)), this.p(g, 'perception/pos')),
    );
    const prefix = this.perceptionSlots + n;
    const fullMask = o.concat([perception.mask, slots, mask], 1);
    const hidden = this.lm.forwardEmbeddings(ctx, o.concat([slotTokens, visual, text], 1), fullMask);
    const textHidden = o.slice(hidden, [prefix], [2 ** 31 - 1], [1]);
    return l2Normalize(lastTokenPool(textHidden, mask));
  }

  /** Text-only hidden states [B, T, D] (no visual slots), for code that wants a plain TokenModule. */
  forward(ctx: Ctx, ids: Tensor, padMask: Tensor): Tensor {
    return this.lm.forward(ctx, ids, padMask);
  }

  /** Adds the embedding graph's inputs (four, seven with perception) (symbolic batch and text length) and returns the embeddings. */
  buildEmbedGraph(ctx: Ctx): Tensor {
    const g = ctx.g;
    const [h, w] = this.cfg.featureGrid;
    const features = g.input(EMBED_INPUTS.features, ctx.dtype, ['batch', this.cfg.featureChannels, h, w]);
    const hasImage = g.input(EMBED_INPUTS.hasImage, ctx.dtype, ['batch']);
    const ids = g.input(EMBED_INPUTS.ids, 'int64', ['batch', 'seq']);
    const mask = g.input(EMBED_INPUTS.mask, ctx.dtype, ['batch', 'seq']);
    if (!this.cfg.perception) return this.embed(ctx, features, hasImage, ids, mask);
    const p = this.perceptionSlots;
    const perception: PerceptionTensors = {
      ids: g.input(EMBED_INPUTS.perceptionIds, 'int64', ['batch', p]),
      features: g.input(EMBED_INPUTS.perceptionFeatures, ctx.dtype, ['batch', p, SLOT_FEATURES]),
      mask: g.input(EMBED_INPUTS.perceptionMask, ctx.dtype, ['batch', p]),
    };
    return this.embed(ctx, features, hasImage, ids, mask, perception);
  }
}
