// A model package is a folder: manifest.json, ONNX graph(s), tokenizer.json. This is the
// manifest's schema; the runtime loads any package whose family it knows.
import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const RelativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'a path inside the package');

export const TaskInstructions = z.object({ query: z.string(), target: z.string() });

/** Where a fine-tuned package came from (main/ml/tune). */
export const ModelLineage = z.object({
  base: z.object({ id: z.string(), version: z.string(), manifestSha256: Sha256 }),
  /** the labelled pairs trained on: how many, and the SHA-256 of their canonical form */
  pairs: z.object({ count: z.number().int().nonnegative(), heldOut: z.number().int().nonnegative(), sha256: Sha256 }),
  /** the fine-tune settings, as run */
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** ISO time the package was written */
  createdAt: z.string(),
});
export type ModelLineage = z.infer<typeof ModelLineage>;

export const ModelManifest = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  version: z.string().min(1),
  family: z.string().min(1),
  dim: z.number().int().positive(),
  pooling: z.enum(['last_token', 'mean']),
  normalize: z.boolean(),
  preprocessing: z.object({
    image: z
      .object({
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        /** per channel, on 0..1 pixel values */
        mean: z.tuple([z.number(), z.number(), z.number()]),
        std: z.tuple([z.number(), z.number(), z.number()]),
      })
      .nullable(),
    maxTextTokens: z.number().int().positive(),
  }),
  tokenizer: RelativeFile,
  instructions: z.object({
    retrieval_text_to_image: TaskInstructions,
    retrieval_image_to_image: TaskInstructions,
    retrieval_text_to_text: TaskInstructions,
    classification: TaskInstructions,
    vqa: TaskInstructions,
    grounding: TaskInstructions,
  }),
  /**
   * the absolute folder `files` and `graphs` are relative to, when not the package's own
   * folder (a model added from the user's export folder, which stays where it is)
   */
  filesDir: z.string().min(1).optional(),
  /** every file of the package but the manifest, with its SHA-256 */
  files: z.record(RelativeFile, Sha256),
  /** the graph(s), by role, e.g. { "embed": "model.onnx" } */
  graphs: z.record(z.string(), RelativeFile),
  licence: z.string().min(1),
  provenance: z.string().min(1),
  /** measured scores, e.g. mini-MMEB Precision@1 per meta-task */
  scores: z.record(z.string(), z.number()).default({}),
  /** the anchor set (replay pairs and a probe slice for fine-tuning; main/ml/models/vlm2vec/anchor.ts), when the package has one */
  anchor: RelativeFile.optional(),
  /** a fine-tuned version: what it was tuned from, on which pairs, with which settings */
  lineage: ModelLineage.optional(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;
