// Data for train-nano.ts: MMEB-train rows from build-data.ts's train/*.jsonl, tokenized once,
// the frozen trunk's feature maps of every training image computed once into a cache file,
// and a deterministic batch source that mixes the four task families in every batch.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { sha256 } from '../../main/base/hash';
import { decodeModelInput } from '../../main/engine/library/images';
import type { PerceptionEvidence, RgbImage } from '../../main/ml/models/embedding-model';
import { inputTokens, padTokens, rgbToPlanar, slotFeeds } from '../../main/ml/models/vlm2vec/family';
import type { Vlm2vecConfig } from '../../main/ml/models/vlm2vec/model';
import type { Vlm2vecBatch, Vlm2vecRows } from '../../main/ml/models/vlm2vec/train';
import type { PromptTokenizer } from '../../main/ml/models/vlm2vec/tokenizer';
import { promptText } from '../../main/ml/models/vlm2vec/tokenizer';
import type { Session } from '../../main/ml/runtime/session';
import { withoutInstruction } from './lib/instructions';
import { Rng, hash32 } from './lib/rng';

export type Family = 'classification' | 'vqa' | 'retrieval' | 'grounding';
export const FAMILIES: Family[] = ['classification', 'vqa', 'retrieval', 'grounding'];

export function familyOf(set: string): Family {
  if (set.startsWith('cls-')) return 'classification';
  if (set.startsWith('vqa-')) return 'vqa';
  if (set.startsWith('ret-')) return 'retrieval';
  if (set.startsWith('grounding')) return 'grounding';
  throw new Error(`train-nano: no task family for set ${set}`);
}

interface RawRow {
  qry: string;
  qry_image_path: string;
  pos_text: string;
  pos_image_path: string;
  neg_text?: string;
  neg_image_path?: string;
}

export interface Side {
  tokens: number[];
  /** index into the feature cache, -1 without an image */
  image: number;
  /** identity of the side (text + image), to keep duplicates out of one batch */
  key: string;
  /** what the perception models saw in its image (models with perception tokens; absent: not known) */
  evidence?: PerceptionEvidence;
}

export interface Pair {
  set: string;
  query: Side;
  target: Side;
  /** the row's hard negative (neg_text / neg_image_path), when it has one */
  negative?: Side;
}

export interface TrainData {
  pairs: Pair[];
  /** pair indices per family, per set */
  byFamily: Map<Family, number[][]>;
  /** image paths relative to the data folder, in cache order */
  images: string[];
  sets: { name: string; family: Family; rows: number }[];
}

/**
 * The tokenizer's training text: the prompt text (image marker removed, as the model sees
 * it) of every qry, pos_text and neg_text in DIR/train/*.jsonl, files in name order. Only
 * train/: the eval sets (and anything else) never reach the vocabulary.
 */
export function trainingTexts(dataDir: string): string[] {
  const dir = join(dataDir, 'train');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  if (!files.length) throw new Error(`No training data in ${dir}: run npx tsx native-models/recipes/build-data.ts first.`);
  const out: string[] = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as RawRow;
      for (const t of [r.qry, r.pos_text, r.neg_text ?? '']) {
        const p = promptText('', t);
        if (p) out.push(p);
      }
    }
  }
  return out;
}

/** How a model with perception tokens gets its evidence (train-nano.ts --perception). */
export interface PerceptionData {
  /** the model's config (its perception part decides the tokens: the read-text segment) */
  config: Vlm2vecConfig;
  /** the evidence of an image (path relative to the data folder), when it was computed */
  evidenceOf(imagePath: string): PerceptionEvidence | undefined;
  /** extra pairs whose image sides are evidence alone (lib/evidence-pairs.ts), by set */
  extra?: { set: string; query: { text: string; evidence?: PerceptionEvidence }; target: { text: string; evidence?: PerceptionEvidence } }[];
}

/**
 * Reads DIR/train/*.jsonl (at most `limit` rows per set), tokenizing both sides once.
 * `instructions: false` (an ablation) takes each side's instruction out of its text.
 * `perception`: sides with an image carry its evidence (and the read text in their tokens),
 * and the extra pairs join as sets of their own.
 */
export function loadTrainData(dataDir: string, tok: PromptTokenizer, maxTextTokens: number, limit = Infinity, { instructions = true, perception }: { instructions?: boolean; perception?: PerceptionData } = {}): TrainData {
  const dir = join(dataDir, 'train');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  if (!files.length) throw new Error(`No training data in ${dir}: run npx tsx native-models/recipes/build-data.ts first.`);
  const images: string[] = [];
  const imageIndex = new Map<string, number>();
  const imageOf = (p: string): number => {
    if (!p) return -1;
    let i = imageIndex.get(p);
    if (i === undefined) {
      i = images.length;
      images.push(p);
      imageIndex.set(p, i);
    }
    return i;
  };
  const side = (raw: string, image: string, given?: PerceptionEvidence): Side => {
    const text = instructions ? raw : withoutInstruction(raw);
    const evidence = given ?? (perception && image ? perception.evidenceOf(image) : undefined);
    if (!perception) return { tokens: tok.encode('', text, maxTextTokens), image: imageOf(image), key: `${image}\u0000${text}` };
    const tokens = inputTokens(perception.config, tok, { instruction: '', text, perception: evidence });
    return { tokens, image: imageOf(image), key: `${image}\u0000${text}\u0000${evidence && !image ? JSON.stringify(evidence) : ''}`, ...(evidence ? { evidence } : {}) };
  };
  const pairs: Pair[] = [];
  const byFamily = new Map<Family, number[][]>(FAMILIES.map((f) => [f, []]));
  const sets: TrainData['sets'] = [];
  for (const f of files) {
    const name = basename(f, '.jsonl');
    const family = familyOf(name);
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim());
    const idx: number[] = [];
    for (const line of lines.slice(0, limit)) {
      const r = JSON.parse(line) as RawRow;
      idx.push(pairs.length);
      const hasNeg = Boolean(r.neg_text || r.neg_image_path);
      pairs.push({ set: name, query: side(r.qry, r.qry_image_path), target: side(r.pos_text, r.pos_image_path), ...(hasNeg ? { negative: side(r.neg_text ?? '', r.neg_image_path ?? '') } : {}) });
    }
    byFamily.get(family)?.push(idx);
    sets.push({ name, family, rows: idx.length });
  }
  const extra = new Map<string, number[]>();
  for (const e of perception?.extra ?? []) {
    const idx = extra.get(e.set) ?? [];
    if (idx.length >= limit) continue;
    if (!extra.has(e.set)) extra.set(e.set, idx);
    idx.push(pairs.length);
    pairs.push({ set: e.set, query: side(e.query.text, '', e.query.evidence), target: side(e.target.text, '', e.target.evidence) });
  }
  for (const [name, idx] of [...extra].sort((a, b) => a[0].localeCompare(b[0]))) {
    const family = familyOf(name);
    byFamily.get(family)?.push(idx);
    sets.push({ name, family, rows: idx.length });
  }
  return { pairs, byFamily, images, sets };
}

/** Decodes an image file to size x size RGB with the engine's own decoder (white behind alpha, cover + centre crop), so training sees the pixels indexing and eval feed the model. */
export async function decodeImage(path: string, size: number): Promise<RgbImage> {
  return decodeModelInput(await readFile(path), { width: size, height: size });
}

/**
 * Trunk feature maps of every image, cached in `cacheDir/features-<key>.f32` (float32, one
 * [C*H*W] block per image in `images` order). The key hashes the image list and the trunk,
 * so another data build or trunk gets its own file. Reads are random-access (no full load).
 */
export class FeatureCache {
  private constructor(
    readonly path: string,
    readonly featureSize: number,
    private readonly fd: number,
  ) {}

  static async open(o: { cacheDir: string; dataDir: string; images: string[]; trunk: Session; trunkSha: string; featureSize: number; size: number; batch?: number; log?: (s: string) => void }): Promise<FeatureCache> {
    mkdirSync(o.cacheDir, { recursive: true });
    // 'cover': the decoder's crop rule is part of the key, so features made with another rule are never reused
    const key = sha256(`${o.trunkSha}cover${o.images.join('\n')}`).slice(0, 16);
    const path = join(o.cacheDir, `features-${key}.f32`);
    if (!existsSync(path)) {
      const tmp = `${path}.tmp`;
      const out = openSync(tmp, 'w');
      const batch = o.batch ?? 16;
      const t0 = performance.now();
      for (let s = 0; s < o.images.length; s += batch) {
        const part = o.images.slice(s, s + batch);
        const px = new Float32Array(part.length * 3 * o.size * o.size);
        const decoded = await Promise.all(part.map((p) => decodeImage(join(o.dataDir, p), o.size)));
        decoded.forEach((im, i) => rgbToPlanar(im, px, i * 3 * o.size * o.size));
        const r = await o.trunk.run({ image: { dtype: 'float32', data: px, dims: [part.length, 3, o.size, o.size] } }, ['feature_map']);
        const f = r.feature_map.data as Float32Array;
        writeSync(out, new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
        const done = Math.min(o.images.length, s + batch);
        if (o.log && (done === o.images.length || Math.floor(done / 1000) !== Math.floor(s / 1000))) {
          const sec = (performance.now() - t0) / 1000;
          o.log(`features ${done}/${o.images.length} images, ${sec.toFixed(0)} s (${((1000 * sec) / done).toFixed(1)} ms/img)`);
        }
      }
      closeSync(out);
      renameSync(tmp, path);
      writeFileSync(`${path}.json`, JSON.stringify({ images: o.images.length, featureSize: o.featureSize, trunkSha: o.trunkSha }) + '\n');
    }
    return new FeatureCache(path, o.featureSize, openSync(path, 'r'));
  }

  read(image: number, into: Float32Array, offset: number): void {
    const bytes = this.featureSize * 4;
    const view = new Uint8Array(into.buffer, into.byteOffset + offset * 4, bytes);
    const n = readSync(this.fd, view, 0, bytes, image * bytes);
    if (n !== bytes) throw new Error(`${this.path}: short read for image ${image}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** How a batch is composed: each family's share of the slots, and how a set is chosen within its family. */
export interface BatchMix {
  /** relative slot counts per family (whole numbers; equal = 1 each) */
  familyWeights: Record<Family, number>;
  /** uniform: every set of a family equally often; sqrt: in proportion to sqrt(rows), so big sets are seen more without drowning small ones */
  sets: 'uniform' | 'sqrt';
}

export const EQUAL_MIX: BatchMix = { familyWeights: { classification: 1, vqa: 1, retrieval: 1, grounding: 1 }, sets: 'uniform' };

/** Whether a mix is the default one (run configs and provenance mention only other mixes). */
export const isEqualMix = (m: BatchMix): boolean => m.sets === EQUAL_MIX.sets && FAMILIES.every((f) => m.familyWeights[f] === EQUAL_MIX.familyWeights[f]);

/** `--mix` syntax: `cls=1,vqa=1,ret=2,grd=1[,sets=sqrt]`; families left out keep weight 1. */
export function parseBatchMix(spec: string): BatchMix {
  const short: Record<string, Family> = { cls: 'classification', vqa: 'vqa', ret: 'retrieval', grd: 'grounding' };
  const mix: BatchMix = { familyWeights: { ...EQUAL_MIX.familyWeights }, sets: 'uniform' };
  for (const part of spec.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (k === 'sets') {
      if (v !== 'uniform' && v !== 'sqrt') throw new Error(`--mix: sets=uniform|sqrt, got ${part}`);
      mix.sets = v;
    } else if (k in short && /^\d+$/.test(v ?? '')) mix.familyWeights[short[k]] = Number(v);
    else throw new Error(`--mix: expected cls|vqa|ret|grd=<whole number> or sets=uniform|sqrt, got "${part}"`);
  }
  if (FAMILIES.every((f) => mix.familyWeights[f] === 0)) throw new Error('--mix: every family has weight 0');
  return mix;
}

/**
 * Batch `index` of `size` pairs: slots cycle through the families by their weights (so the
 * mix holds in every batch, not just on average), each slot picks a set of its family
 * (uniformly or by sqrt(rows), see BatchMix), then a row. A pair whose query or target
 * already occurs in the batch is redrawn (duplicates would be false in-batch negatives:
 * e.g. two "T-shirt/top" targets); a family that yields nothing new in 200 draws
 * (classification has only a few dozen labels) leaves its slots to the others.
 * Deterministic in (seed, index).
 */
export function sampleBatch(data: TrainData, seed: number, index: number, size: number, mix: BatchMix = EQUAL_MIX): number[] {
  const rng = new Rng(hash32(`${seed}:${index}`));
  const live = (f: Family) => (data.byFamily.get(f) ?? []).some((s) => s.length);
  let cycle = FAMILIES.flatMap((f) => (live(f) ? Array<Family>(mix.familyWeights[f]).fill(f) : []));
  const pickSet = (fam: Family): number[] => {
    const sets = (data.byFamily.get(fam) ?? []).filter((s) => s.length);
    if (mix.sets === 'uniform') return sets[rng.int(0, sets.length - 1)];
    const w = sets.map((s) => Math.sqrt(s.length));
    let r = rng.next() * w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < sets.length; i++) if ((r -= w[i]) < 0) return sets[i];
    return sets[sets.length - 1];
  };
  const seenQ = new Set<string>();
  const seenT = new Set<string>();
  const out: number[] = [];
  for (let k = 0; out.length < size; k++) {
    if (!cycle.length) throw new Error(`train-nano: cannot draw ${size} distinct pairs (got ${out.length}); use a smaller --batch or more data`);
    const fam = cycle[k % cycle.length];
    let added = false;
    for (let tries = 0; tries < 200 && !added; tries++) {
      const set = pickSet(fam);
      const p = set[rng.int(0, set.length - 1)];
      const pair = data.pairs[p];
      if (seenQ.has(pair.query.key) || seenT.has(pair.target.key)) continue;
      seenQ.add(pair.query.key);
      seenT.add(pair.target.key);
      out.push(p);
      added = true;
    }
    if (!added) cycle = cycle.filter((f) => f !== fam);
  }
  return out;
}

function rowsOf(sides: Side[], cache: FeatureCache, config?: Vlm2vecConfig): Vlm2vecRows {
  const { ids, mask, seq } = padTokens(sides.map((s) => s.tokens));
  const features = new Float32Array(sides.length * cache.featureSize);
  const hasImage = new Float32Array(sides.length);
  sides.forEach((s, i) => {
    if (s.image < 0) return;
    cache.read(s.image, features, i * cache.featureSize);
    hasImage[i] = 1;
  });
  if (!config?.perception) return { ids, mask, seq, features, hasImage };
  const slots = slotFeeds(config, sides.map((s) => s.evidence));
  return { ids, mask, seq, features, hasImage, perceptionIds: slots.ids, perceptionFeatures: slots.features, perceptionMask: slots.mask };
}

/**
 * The batch's rows, ordered so that GradCache chunks are alike (image or not, then length):
 * less padding (~25% fewer token positions at batch 512, chunk 32). InfoNCE does not care
 * about the order of the pairs.
 */
/**
 * With `negatives`, the rows' hard negatives join the candidates, except one equal to any
 * positive of the batch or to an earlier negative (it would be a false negative / a tie).
 */
export function makeBatch(data: TrainData, cache: FeatureCache, pairIdx: number[], { negatives = false, config }: { negatives?: boolean; config?: Vlm2vecConfig } = {}): Vlm2vecBatch {
  const key = (p: Pair): number[] => [+(p.query.image >= 0), +(p.target.image >= 0), p.query.tokens.length + p.target.tokens.length];
  const ps = pairIdx
    .map((i) => data.pairs[i])
    .map((p) => ({ p, k: key(p) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2])
    .map((x) => x.p);
  const batch: Vlm2vecBatch = { queries: rowsOf(ps.map((p) => p.query), cache, config), targets: rowsOf(ps.map((p) => p.target), cache, config) };
  if (negatives) {
    const seen = new Set(ps.map((p) => p.target.key));
    const negs: Side[] = [];
    for (const p of ps) {
      if (!p.negative || seen.has(p.negative.key)) continue;
      seen.add(p.negative.key);
      negs.push(p.negative);
    }
    if (negs.length) batch.negatives = rowsOf(negs, cache, config);
  }
  return batch;
}
