// The contract's personal fine-tuning part (DESIGN.md "Teaches Trove"): labelled pairs, the
// fine-tune job, its before/after scores, and adopting or rolling back a tuned model version.
// api.ts lists the methods; the schemas live here so that part reads as one piece.
import { z } from 'zod';

const Id = z.number().int().positive();

/** The instruction task a pair is phrased in (as Find, Ask, Sort into labels and Point at phrase their inputs). */
export const TuningTask = z.enum(['retrieval_text_to_image', 'retrieval_image_to_image', 'retrieval_text_to_text', 'classification', 'vqa', 'grounding']);
export type TuningTask = z.infer<typeof TuningTask>;

export const PairOrigin = z.enum(['thumbs', 'these-are', 'ask', 'point-at', 'import', 'manual']);
export type PairOrigin = z.infer<typeof PairOrigin>;

const phrase = z.string().trim().min(1).max(2000);
const unit = z.number().min(0).max(1);

/** One target of a query: a library item, an answer text (Ask), or a region of a photo (Point at); right (1) or wrong (-1). */
export const PairTarget = z
  .object({
    itemId: Id.optional(),
    text: phrase.optional(),
    /** Point at: [x, y, width, height] in fractions of the photo */
    box: z.tuple([unit, unit, unit, unit]).optional(),
    label: z.union([z.literal(1), z.literal(-1)]),
  })
  .strict()
  .refine((t) => t.itemId !== undefined || t.text !== undefined, { message: 'A target needs an item or a text.' })
  .refine((t) => t.box === undefined || t.itemId !== undefined, { message: 'A box needs the photo (itemId) it is in.' });
export type PairTarget = z.input<typeof PairTarget>;

export const AddPairsRequest = z
  .object({
    task: TuningTask,
    /** the words (a phrase, a question, a caption) and/or the photo the query is about */
    query: z
      .object({ text: phrase.optional(), itemId: Id.optional() })
      .strict()
      .refine((q) => q.text !== undefined || q.itemId !== undefined, { message: 'A query needs words or a photo.' }),
    targets: z.array(PairTarget).min(1).max(1000),
    origin: PairOrigin,
  })
  .strict();
export type AddPairsRequest = z.input<typeof AddPairsRequest>;

export const LabelledPairInfo = z.object({
  id: Id,
  task: TuningTask,
  queryText: z.string().nullable(),
  queryItem: Id.nullable(),
  queryFile: z.string().nullable(),
  targetText: z.string().nullable(),
  targetItem: Id.nullable(),
  targetFile: z.string().nullable(),
  targetBox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  label: z.union([z.literal(1), z.literal(-1)]),
  origin: z.string(),
  createdAt: z.number(),
});
export type LabelledPairInfo = z.infer<typeof LabelledPairInfo>;

/** The pairs, and per query how many right and wrong targets it has. */
export const PairList = z.object({
  pairs: z.array(LabelledPairInfo),
  queries: z.array(
    z.object({
      task: TuningTask,
      queryText: z.string().nullable(),
      queryItem: Id.nullable(),
      positives: z.number().int().nonnegative(),
      negatives: z.number().int().nonnegative(),
    }),
  ),
});
export type PairList = z.infer<typeof PairList>;

export const RemovePairsRequest = z.object({ ids: z.array(Id).min(1).max(10_000) }).strict();
/** MMEB-train JSONL on the engine's machine (qry, qry_image_path, pos_text, pos_image_path, optional neg_text, neg_image_path, task) */
export const ImportPairsRequest = z.object({ path: z.string().min(1).max(4096) }).strict();

export const TuneScope = z.enum(['lora', 'last-layers', 'full']);

/** What the person may choose; everything else (and anything left out) has a measured default. */
export const TuneSettingsRequest = z
  .object({
    steps: z.number().int().min(1).max(10_000).optional(),
    batch: z.number().int().min(2).max(1024).optional(),
    chunk: z.number().int().min(1).max(1024).optional(),
    /** the memory a step may take (MiB): the chunk is the largest that fits, unless `chunk` is given */
    memoryMiB: z.number().int().min(256).max(1 << 20).optional(),
    scope: TuneScope.optional(),
    loraRank: z.number().int().min(1).max(64).optional(),
    lastLayers: z.number().int().min(1).max(64).optional(),
    lr: z.number().min(0).max(0.1).optional(),
    heldOutShare: z.number().min(0).max(0.9).optional(),
    seed: z.number().int().min(0).max(2 ** 31).optional(),
    threads: z.number().int().min(1).max(64).optional(),
  })
  .strict();
export type TuneSettingsRequest = z.input<typeof TuneSettingsRequest>;

export const StartTuningRequest = z.object({ settings: TuneSettingsRequest.default({}) }).strict();

/** Precision@1 and friends as fractions in [0, 1]. */
export const TuneScores = z.object({
  heldOut: z.object({ n: z.number().int(), p1: z.number().nullable(), rPrecision: z.number().nullable(), distractors: z.number().int() }).nullable(),
  /** the model package's probe slice of mini-MMEB, overall P@1 (forgetting) */
  probe: z.number().nullable(),
});
export type TuneScores = z.infer<typeof TuneScores>;

export const TuningRun = z.object({
  id: Id,
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  /** preparing, scoring-before, training, scoring-after, writing */
  phase: z.string().nullable(),
  step: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  /** [step, loss] for every step trained so far */
  losses: z.array(z.tuple([z.number(), z.number()])),
  etaSeconds: z.number().nonnegative().nullable(),
  pairs: z.number().int().nonnegative(),
  trainPairs: z.number().int().nonnegative().nullable(),
  heldOutPairs: z.number().int().nonnegative().nullable(),
  before: TuneScores.nullable(),
  after: TuneScores.nullable(),
  /** the new model version's folder (when done) */
  packageDir: z.string().nullable(),
  version: z.string().nullable(),
  /** the step this run resumed from after a restart (0: none) */
  resumedFrom: z.number().int().nonnegative(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  message: z.string().optional(),
});
export type TuningRun = z.infer<typeof TuningRun>;

export const Adoption = z.object({
  id: Id,
  /** embedding: the library is being embedded with the new version (searches use the old one); active: switched */
  state: z.enum(['embedding', 'switching', 'active', 'rolled-back', 'cancelled', 'failed', 'superseded']),
  fromDir: z.string().nullable(),
  toDir: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().optional(),
});
export type Adoption = z.infer<typeof Adoption>;

/** A model version the library has (tuned ones with their lineage and scores). */
export const ModelVersionInfo = z.object({
  dir: z.string(),
  id: z.string(),
  version: z.string(),
  active: z.boolean(),
  /** tuned versions: what they were tuned from, on how many pairs */
  base: z.object({ id: z.string(), version: z.string() }).nullable(),
  pairs: z.number().int().nullable(),
  scores: z.record(z.string(), z.number()),
  createdAt: z.string().nullable(),
});
export type ModelVersionInfo = z.infer<typeof ModelVersionInfo>;

export const TuningStatus = z.object({
  /** whether the running model can be fine-tuned, and why not */
  trainable: z.boolean(),
  reason: z.string().optional(),
  pairs: z.object({ total: z.number().int(), positives: z.number().int(), negatives: z.number().int(), queries: z.number().int() }),
  /** the settings a run uses when none are given */
  defaults: z.object({ steps: z.number().int(), batch: z.number().int(), chunk: z.number().int(), memoryMiB: z.number().int(), scope: TuneScope, loraRank: z.number().int(), lastLayers: z.number().int(), lr: z.number(), heldOutShare: z.number() }),
  run: TuningRun.nullable(),
  adoption: Adoption.nullable(),
  versions: z.array(ModelVersionInfo),
  activeDir: z.string().nullable(),
  /** where rollback goes: the version active before the last adoption */
  rollbackTo: z.object({ dir: z.string(), version: z.string() }).nullable(),
});
export type TuningStatus = z.infer<typeof TuningStatus>;

export const AdoptRequest = z.object({ dir: z.string().min(1).max(4096) }).strict();
