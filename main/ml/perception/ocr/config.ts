// The settings an OCR package carries in its manifest's "config", with PaddleOCR's
// defaults where Trove keeps them and the reason where it does not.
import { z } from 'zod';

export const OcrConfig = z.object({
  /** the keys file: one character per line, class i + 1 of the recognizer */
  keys: z.string().min(1),
  detection: z
    .object({
      /** the first, cheap look at the whole photo: the detector's longer side in pixels. No text here = no further work. */
      gateSide: z.number().int().min(64).default(512),
      /** the detector's longer side when it looks for the lines themselves (photos of any size are scaled to it) */
      side: z.number().int().min(64).default(960),
      /** mean and std per BGR channel of the detector's normalisation */
      mean: z.array(z.number()).length(3).default([0.485, 0.456, 0.406]),
      std: z.array(z.number()).length(3).default([0.229, 0.224, 0.225]),
      threshold: z.number().min(0).max(1).default(0.3),
      boxThreshold: z.number().min(0).max(1).default(0.6),
      unclipRatio: z.number().positive().default(1.5),
      minSize: z.number().min(0).default(3),
      maxCandidates: z.number().int().positive().default(1000),
    })
    .prefault({}),
  recognition: z
    .object({
      height: z.number().int().positive().default(48),
      /** the widest line image in pixels; longer lines are squeezed to it */
      maxWidth: z.number().int().positive().default(1600),
      batch: z.number().int().positive().default(8),
      /** lines whose mean character confidence is below this are dropped */
      minScore: z.number().min(0).max(1).default(0.5),
      /** 'latin': decode only Latin characters and common marks (Trove reads English); 'all': the full charset */
      charset: z.enum(['latin', 'all']).default('latin'),
      useSpaceChar: z.boolean().default(true),
      /**
       * a word gap where the space class reaches this probability between two characters
       * (ctc.ts textWithSpaces); 1 = greedy decoding's spaces only
       */
      spaceThreshold: z.number().min(0).max(1).default(0.02),
    })
    .prefault({}),
  orientation: z
    .object({
      /** the classifier's input width (its height is the recognizer's) */
      width: z.number().int().positive().default(192),
      /** a line is turned round when the classifier says 180 with at least this probability */
      threshold: z.number().min(0).max(1).default(0.9),
    })
    .prefault({}),
});
export type OcrConfig = z.infer<typeof OcrConfig>;
