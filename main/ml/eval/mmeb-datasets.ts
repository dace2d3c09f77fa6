// The 36 MMEB datasets (VLM2Vec, Jiang et al., ICLR 2025, Table 1 / MMEB-eval) with
// their meta-task and split. 20 in-distribution (their training sets are in
// MMEB-train), 16 out-of-distribution. Used when a suite folder has no suite.json.
import type { MetaTask, Split } from './types';

export interface DatasetInfo {
  metaTask: MetaTask;
  split: Split;
}

const table: [MetaTask, Split, string[]][] = [
  ['classification', 'IND', ['ImageNet-1K', 'N24News', 'HatefulMemes', 'VOC2007', 'SUN397']],
  ['classification', 'OOD', ['Place365', 'ImageNet-A', 'ImageNet-R', 'ObjectNet', 'Country211']],
  ['vqa', 'IND', ['OK-VQA', 'A-OKVQA', 'DocVQA', 'InfographicsVQA', 'ChartQA', 'Visual7W']],
  ['vqa', 'OOD', ['ScienceQA', 'VizWiz', 'GQA', 'TextVQA']],
  [
    'retrieval',
    'IND',
    ['VisDial', 'CIRR', 'VisualNews_t2i', 'VisualNews_i2t', 'MSCOCO_t2i', 'MSCOCO_i2t', 'NIGHTS', 'WebQA'],
  ],
  ['retrieval', 'OOD', ['OVEN', 'FashionIQ', 'EDIS', 'Wiki-SS-NQ']],
  ['grounding', 'IND', ['MSCOCO']],
  ['grounding', 'OOD', ['Visual7W-Pointing', 'RefCOCO', 'RefCOCO-Matching']],
];

export const MMEB_DATASETS: ReadonlyMap<string, DatasetInfo> = new Map(
  table.flatMap(([metaTask, split, names]) => names.map((n): [string, DatasetInfo] => [n, { metaTask, split }])),
);

/** Looks a dataset up by its MMEB name; case and `-`/`_` differences are forgiven. */
export function mmebDatasetInfo(name: string): DatasetInfo | undefined {
  const exact = MMEB_DATASETS.get(name);
  if (exact) return exact;
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  for (const [k, v] of MMEB_DATASETS) if (norm(k) === norm(name)) return v;
  return undefined;
}
