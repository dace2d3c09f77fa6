// Adding a user's Qwen2-VL export to a library's model store (`trove model add DIR`, and
// what Settings' "Add model..." needs): the folder is checked (files, configs, tokenizer,
// each graph's inputs and outputs), loaded, asked for test embeddings, hashed, and Trove's
// manifest is written to <store>/<id>/manifest.json naming the export folder as filesDir
// (the export stays where it is: it is gigabytes). The store's packages are what Settings
// lists and the engine can switch to.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Graph } from '../../graph/graph';
import * as o from '../../autodiff/ops';
import { toOnnx } from '../../graph/onnx-writer';
import { createSession } from '../../runtime/session';
import { missingProviderReason } from '../../runtime/provider-libraries';
import type { RgbImage } from '../embedding-model';
import type { LoadOptions } from '../loader';
import type { ModelManifest } from '../manifest';
import { ModelPackageError } from '../model-package';
import { checkExportFolder, pickVariant } from './export-folder';
import type { GraphRole, GraphVariant } from './export-folder';
import { loadQwen2Vl } from './family';
import { describeExport, manifestWithHashes, readTroveEmbedding } from './package';
import { messageOf } from '../../../base/errors';

/** The providers worth asking about on each platform, best first (README "GPU support"). */
export const PLATFORM_PROVIDERS: Record<string, string[]> = {
  linux: ['cuda', 'tensorrt', 'webgpu', 'cpu'],
  win32: ['dml', 'webgpu', 'cpu'],
  darwin: ['coreml', 'webgpu', 'cpu'],
};

export interface ProviderAvailability {
  name: string;
  available: boolean;
  /** why not, when not */
  reason?: string;
}

/** Which execution providers this onnxruntime can start here, tried on a one-node graph. */
export async function probeProviders(platform: string = process.platform): Promise<ProviderAvailability[]> {
  const g = new Graph({ name: 'probe' });
  const x = g.input('x', 'float32', [1]);
  const model = toOnnx(g, { outputs: { y: o.add(x, 1) } }).model;
  const out: ProviderAvailability[] = [];
  for (const name of PLATFORM_PROVIDERS[platform] ?? ['cpu']) {
    const missing = missingProviderReason(name);
    if (missing) {
      out.push({ name, available: false, reason: missing });
      continue;
    }
    try {
      const s = await createSession(model, { providers: [name] });
      const ok = s.report.provider === name;
      out.push(ok ? { name, available: true } : { name, available: false, reason: s.report.tried.find((t) => t.name === name)?.reason ?? 'fell back to the CPU' });
      await s.release();
    } catch (e) {
      out.push({ name, available: false, reason: messageOf(e) });
    }
  }
  return out;
}

export interface AddOptions extends LoadOptions {
  /** the photo-library cap on max_pixels */
  maxPixels?: number;
  /** the id in Trove (default: trove_embedding.json's, else the folder's name) */
  id?: string;
  /** progress lines (hashing gigabytes takes a while) */
  log?: (line: string) => void;
}

export interface AddedModel {
  manifest: ModelManifest;
  /** the package folder in the store */
  dir: string;
  /** the export folder the files stay in */
  filesDir: string;
  bytes: number;
  preset: string;
  imageTokens: number;
  /** the variant each provider would run, per graph */
  variants: Record<string, Record<GraphRole, string>>;
  providers: ProviderAvailability[];
  /** what the test embedding ran on */
  ranOn: { name: string; tried: { name: string; reason: string }[] };
}

/** A test image that is not a multiple of 28 (so the resize runs): 70 x 50 gradients. */
function testImage(): RgbImage {
  const [w, h] = [70, 50];
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([(i % w) * 3, Math.floor(i / w) * 5, 128], i * 3);
  return { width: w, height: h, data };
}

export async function addExportModel(exportDir: string, store: string, opts: AddOptions = {}): Promise<AddedModel> {
  const root = resolve(exportDir);
  const log = opts.log ?? (() => undefined);
  if (existsSync(join(root, 'manifest.json'))) {
    throw new ModelPackageError(`${root} is already a Trove model package (it has manifest.json): copy the folder into ${store} and pick it in Settings, or point $TROVE_MODEL_DIR at it.`);
  }
  const variants = checkExportFolder(root);
  const described = describeExport(root, { maxPixels: opts.maxPixels });
  if (opts.id) {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(opts.id)) throw new ModelPackageError(`--id "${opts.id}" is not a model id: use lower-case letters, digits, '.', '_' and '-'.`);
    described.manifest.id = opts.id;
  }
  const target = join(store, described.manifest.id);
  const existing = join(target, 'manifest.json');
  if (existsSync(existing)) {
    const prev = JSON.parse(readFileSync(existing, 'utf8')) as Partial<ModelManifest>;
    if (prev.filesDir !== root) {
      throw new ModelPackageError(`The store already has a model "${described.manifest.id}" (from ${prev.filesDir ?? target}). Give this one another id with --id NAME.`);
    }
  }
  log(`checking ${root}: loading the graphs`);
  const model = await loadQwen2Vl(described, opts);
  let ranOn: AddedModel['ranOn'];
  try {
    ranOn = model.provider;
    log(`test embeddings on ${ranOn.name}`);
    const [t, i] = await model.embed([
      { instruction: 'Find me an everyday image that matches the given caption: a red kite', text: '' },
      { image: testImage(), instruction: 'Represent the given image.', text: '' },
    ]);
    for (const [what, e] of [
      ['text', t],
      ['image', i],
    ] as const) {
      const norm = Math.sqrt(e!.reduce((s, x) => s + x * x, 0));
      if (e!.length !== model.dim || !e!.every(Number.isFinite) || Math.abs(norm - 1) > 1e-3) {
        throw new ModelPackageError(`The test ${what} embedding is not a unit vector of ${model.dim} finite values (length ${e!.length}, norm ${norm}): the graphs do not fit together.`);
      }
    }
    if (t!.every((x, k) => Math.abs(x - i![k]!) < 1e-6)) throw new ModelPackageError('A text and an image gave the same embedding: the export ignores its inputs.');
  } finally {
    await model.dispose();
  }
  log('hashing the files (SHA-256)');
  const manifest = await manifestWithHashes(described, variants, (f, b) => log(`  ${f} (${(b / 2 ** 20).toFixed(1)} MB)`));
  mkdirSync(target, { recursive: true });
  writeFileSync(existing, JSON.stringify(manifest, null, 2) + '\n');
  const providers = await probeProviders();
  const byProvider: AddedModel['variants'] = {};
  for (const p of providers.filter((x) => x.available)) byProvider[p.name] = variantsFor(variants, p.name);
  const img = manifest.preprocessing.image!;
  return {
    manifest,
    dir: target,
    filesDir: root,
    bytes: Object.keys(manifest.files).reduce((s, f) => s + statSync(join(root, f)).size, 0),
    preset: readTroveEmbedding(root).preset,
    imageTokens: (img.width / 28) * (img.height / 28),
    variants: byProvider,
    providers,
    ranOn,
  };
}

function variantsFor(variants: readonly GraphVariant[], provider: string): Record<GraphRole, string> {
  const pick = (r: GraphRole) => pickVariant(variants, r, provider)?.dtype ?? 'none';
  return { vision_encoder: pick('vision_encoder'), embed_tokens: pick('embed_tokens'), text_model: pick('text_model') };
}

