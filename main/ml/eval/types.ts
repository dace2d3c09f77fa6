// The MMEB evaluation format, as Trove reads it: a suite is a set of datasets, each a
// list of rows; a row is one query and its candidate targets, THE CORRECT TARGET FIRST
// (candidate 0), as in TIGER-Lab/MMEB-eval. Model-independent: nothing here knows how
// anything is embedded.

export const META_TASKS = ['classification', 'vqa', 'retrieval', 'grounding'] as const;
export type MetaTask = (typeof META_TASKS)[number];

export const SPLITS = ['IND', 'OOD'] as const;
export type Split = (typeof SPLITS)[number];

/** One side of a pair (query or candidate target) after image-token handling. */
export interface EvalSide {
  /** the text with image tokens such as `<|image_1|>` removed and whitespace tidied */
  text: string;
  /** the image path as written in the file (relative to the image root), or null */
  imagePath: string | null;
  /** `imagePath` resolved against the suite's image root, or null */
  image: string | null;
}

export interface EvalRow {
  query: EvalSide;
  /** candidate targets; candidates[0] is the correct one */
  candidates: EvalSide[];
}

export interface EvalDataset {
  name: string;
  metaTask: MetaTask;
  split: Split;
  /** the file(s) the rows came from */
  files: string[];
  rows: EvalRow[];
}

export interface EvalSuite {
  /** the suite folder */
  dir: string;
  /** where relative image paths are resolved */
  imageRoot: string;
  /** 'suite.json' when the folder named its datasets, 'mmeb-default' otherwise */
  mapping: 'suite.json' | 'mmeb-default';
  datasets: EvalDataset[];
  /** dataset files found but not evaluated, with the reason */
  skipped: { name: string; reason: string }[];
  /** per dataset: data problems that did not stop the read (e.g. token/path disagreements) */
  issues: Record<string, string[]>;
}

/** Precision@1 of one dataset. `p1` is a fraction in [0, 1]. */
export interface DatasetScore {
  name: string;
  metaTask: MetaTask;
  split: Split;
  n: number;
  p1: number;
}

/**
 * The scores of one model on one suite. Every aggregate is a fraction in [0, 1], the
 * unweighted mean of the per-dataset P@1 it covers (as MMEB reports), or null when it
 * covers no dataset.
 */
export interface SuiteScores {
  model: string;
  datasets: DatasetScore[];
  metaTasks: Record<MetaTask, number | null>;
  ind: number | null;
  ood: number | null;
  overall: number | null;
}
