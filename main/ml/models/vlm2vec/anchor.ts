// A vlm2vec package's anchor set: what fine-tuning on a user's machine needs from the
// recipe's data, which the app never has. Two parts:
//   - replay pairs: MMEB-train rows of every task family, mixed into each fine-tune batch so
//     that learning a person's words does not erase what the model knew (forgetting);
//   - a probe slice of mini-MMEB: a few rows of every eval set with a few candidates each,
//     scored before and after a fine-tune (a cheap forgetting alarm; `trove eval` is the
//     full measure).
// Images are stored as their frozen-trunk feature maps, already average-pooled by the
// model's visual pool (the graph pools anyway, so a pooled map expanded back to the full
// grid gives exactly the same visual tokens) in float16: 3.8 KB per image for nano instead
// of a JPEG plus a trunk run. Texts are stored as text (the prompt, instruction included)
// and tokenized with the package's own tokenizer when read.
//
//   anchor.json  { format, version, trunkSha256, features: {file, count, channels, grid,
//                  pool, dtype}, texts[], replay: [[qText, qImage, tText, tImage, set]],
//                  probe: [{name, metaTask, split, rows: [[qText, qImage, [[cText, cImage]...]]]}],
//                  provenance }   (image -1 = none; candidate 0 is the correct one)
//   anchor.bin   float16 little-endian, [count, channels, grid/pool...]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { float16ToFloat32, float32ToFloat16 } from '../../graph/float16';
import type { Vlm2vecConfig } from './model';
import { featureSize, visualPoolOf } from './model';
import { messageOf } from '../../../base/errors';

export const ANCHOR_FORMAT = 'trove-anchor-set';
export const ANCHOR_VERSION = 1;

const Index = z.number().int().min(-1);
const AnchorJson = z.object({
  format: z.literal(ANCHOR_FORMAT),
  version: z.literal(ANCHOR_VERSION),
  trunkSha256: z.string(),
  features: z.object({
    file: z.string(),
    count: z.number().int().nonnegative(),
    channels: z.number().int().positive(),
    /** the stored (pooled) grid */
    grid: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    pool: z.number().int().positive(),
    dtype: z.literal('float16'),
  }),
  texts: z.array(z.string()),
  replay: z.array(z.tuple([Index, Index, Index, Index, z.string()])),
  probe: z.array(
    z.object({
      name: z.string(),
      metaTask: z.enum(['classification', 'vqa', 'retrieval', 'grounding']),
      split: z.enum(['IND', 'OOD']),
      rows: z.array(z.tuple([Index, Index, z.array(z.tuple([Index, Index]))])),
    }),
  ),
  provenance: z.string(),
});
export type AnchorJson = z.infer<typeof AnchorJson>;

/** One side: a text (index into `texts`) and an optional image (index into the features; -1 none). */
export interface AnchorSide {
  text: number;
  image: number;
}

export interface AnchorPair {
  query: AnchorSide;
  target: AnchorSide;
  /** the training set it came from (e.g. cls-tuxpaint) */
  set: string;
}

export interface AnchorProbeSet {
  name: string;
  metaTask: 'classification' | 'vqa' | 'retrieval' | 'grounding';
  split: 'IND' | 'OOD';
  rows: { query: AnchorSide; candidates: AnchorSide[] }[];
}

export interface AnchorSet {
  trunkSha256: string;
  texts: string[];
  /** full-grid trunk feature maps, featureSize(cfg) values per image */
  features: Float32Array;
  imageCount: number;
  replay: AnchorPair[];
  probe: AnchorProbeSet[];
  provenance: string;
}

const side = (text: number, image: number): AnchorSide => ({ text, image });

/** Average-pools full feature maps [n, C, H, W] by `pool` -> [n, C, H/pool, W/pool]. */
export function poolFeatures(full: Float32Array, cfg: Vlm2vecConfig): Float32Array {
  const p = visualPoolOf(cfg);
  const c = cfg.featureChannels;
  const [h, w] = cfg.featureGrid;
  const n = full.length / featureSize(cfg);
  const out = new Float32Array((n * c * h * w) / (p * p));
  let o = 0;
  for (let i = 0; i < n * c; i++) {
    const base = i * h * w;
    for (let y = 0; y < h; y += p)
      for (let x = 0; x < w; x += p) {
        let s = 0;
        for (let dy = 0; dy < p; dy++) for (let dx = 0; dx < p; dx++) s += full[base + (y + dy) * w + x + dx];
        out[o++] = s / (p * p);
      }
  }
  return out;
}

/** The inverse layout of poolFeatures: every pooled value repeated over its pool x pool cell (the graph's pooling then gives it back exactly). */
export function expandFeatures(pooled: Float32Array, cfg: Vlm2vecConfig): Float32Array {
  const p = visualPoolOf(cfg);
  const c = cfg.featureChannels;
  const [h, w] = cfg.featureGrid;
  const ph = h / p;
  const pw = w / p;
  const n = pooled.length / (c * ph * pw);
  const out = new Float32Array(n * c * h * w);
  for (let i = 0; i < n * c; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out[i * h * w + y * w + x] = pooled[i * ph * pw + Math.floor(y / p) * pw + Math.floor(x / p)];
  return out;
}

export interface WriteAnchorOptions {
  /** anchor.json's path; the features go next to it as anchor.bin */
  path: string;
  cfg: Vlm2vecConfig;
  trunkSha256: string;
  texts: string[];
  /** full-grid trunk features of every image, in index order */
  features: Float32Array;
  replay: AnchorPair[];
  probe: AnchorProbeSet[];
  provenance: string;
}

/** Writes anchor.json + anchor.bin; returns the two file names (relative to the json's folder). */
export function writeAnchorSet(o: WriteAnchorOptions): string[] {
  const p = visualPoolOf(o.cfg);
  const [h, w] = o.cfg.featureGrid;
  const count = o.features.length / featureSize(o.cfg);
  if (!Number.isInteger(count)) throw new Error(`anchor: ${o.features.length} feature values is not a whole number of ${featureSize(o.cfg)}-value maps`);
  const binName = 'anchor.bin';
  const half = float32ToFloat16(poolFeatures(o.features, o.cfg));
  writeFileSync(join(dirname(o.path), binName), new Uint8Array(half.buffer, half.byteOffset, half.byteLength));
  const s = (x: AnchorSide): [number, number] => [x.text, x.image];
  const json: AnchorJson = {
    format: ANCHOR_FORMAT,
    version: ANCHOR_VERSION,
    trunkSha256: o.trunkSha256,
    features: { file: binName, count, channels: o.cfg.featureChannels, grid: [h / p, w / p], pool: p, dtype: 'float16' },
    texts: o.texts,
    replay: o.replay.map((r) => [...s(r.query), ...s(r.target), r.set]),
    probe: o.probe.map((d) => ({ name: d.name, metaTask: d.metaTask, split: d.split, rows: d.rows.map((r) => [...s(r.query), r.candidates.map(s)]) })),
    provenance: o.provenance,
  };
  writeFileSync(o.path, JSON.stringify(json) + '\n');
  return ['anchor.json', binName];
}

/** Reads an anchor set written for a model of config `cfg` (its features come back full-grid, float32). */
export function readAnchorSet(path: string, cfg: Vlm2vecConfig): AnchorSet {
  let parsed: AnchorJson;
  try {
    parsed = AnchorJson.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new Error(`The anchor set ${path} is not readable (${messageOf(e)}). Reinstall the model package.`);
  }
  const f = parsed.features;
  const [h, w] = cfg.featureGrid;
  if (f.channels !== cfg.featureChannels || f.pool !== visualPoolOf(cfg) || f.grid[0] * f.pool !== h || f.grid[1] * f.pool !== w) {
    throw new Error(`The anchor set ${path} was made for another model shape (${f.channels} channels, ${f.grid.join('x')} grid pooled by ${f.pool}).`);
  }
  const bytes = readFileSync(join(dirname(path), f.file));
  const values = f.count * f.channels * f.grid[0] * f.grid[1];
  if (bytes.byteLength !== values * 2) throw new Error(`The anchor features ${f.file} hold ${bytes.byteLength} bytes, expected ${values * 2}. Reinstall the model package.`);
  const copy = new Uint8Array(bytes);
  const features = expandFeatures(float16ToFloat32(new Uint16Array(copy.buffer, 0, values)), cfg);
  const checkSide = (t: number, i: number): AnchorSide => {
    if (t < 0 || t >= parsed.texts.length || i >= f.count) throw new Error(`The anchor set ${path} refers to a text or image it does not have. Reinstall the model package.`);
    return side(t, i);
  };
  return {
    trunkSha256: parsed.trunkSha256,
    texts: parsed.texts,
    features,
    imageCount: f.count,
    replay: parsed.replay.map(([qt, qi, tt, ti, set]) => ({ query: checkSide(qt, qi), target: checkSide(tt, ti), set })),
    probe: parsed.probe.map((d) => ({ name: d.name, metaTask: d.metaTask, split: d.split, rows: d.rows.map(([qt, qi, cands]) => ({ query: checkSide(qt, qi), candidates: cands.map(([ct, ci]) => checkSide(ct, ci)) })) })),
    provenance: parsed.provenance,
  };
}
