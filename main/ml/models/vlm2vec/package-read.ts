// Reads a vlm2vec package back into a trainable model: the config, the tokenizer and the
// weights, which live only inside model.onnx (the package carries no checkpoint). What
// fine-tuning a package starts from, whichever package it is (the shipped one, or a version
// a user tuned before).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnxInitializers } from '../../graph/onnx-read';
import type { ModelManifest } from '../manifest';
import { ModelPackageError, readModelPackage } from '../model-package';
import { Vlm2vecModel } from './model';
import type { Vlm2vecPackageConfig } from './package';
import { VLM2VEC_CONFIG_VERSION, VLM2VEC_FAMILY } from './package';
import { PromptTokenizer } from './tokenizer';

export interface Vlm2vecPackageContents {
  dir: string;
  manifest: ModelManifest;
  packageConfig: Vlm2vecPackageConfig;
  /** the model with the package's weights loaded */
  model: Vlm2vecModel;
  tokenizerJson: Record<string, unknown>;
  tokenizer: PromptTokenizer;
  /** the frozen trunk graph's file */
  trunkPath: string;
}

/** Reads (and, by default, verifies) the package in `dir` and loads its weights into a Vlm2vecModel. */
export async function readVlm2vecPackage(dir: string, { verify = true } = {}): Promise<Vlm2vecPackageContents> {
  const pkg = await readModelPackage(dir, { verify });
  const m = pkg.manifest;
  if (m.family !== VLM2VEC_FAMILY) throw new ModelPackageError(`${dir} holds a ${m.family} model; only vlm2vec packages can be read for training.`);
  const embedFile = m.graphs.embed;
  const trunkFile = m.graphs.trunk;
  if (!embedFile || !trunkFile) throw new ModelPackageError(`The vlm2vec model ${m.id} must name an "embed" and a "trunk" graph in its manifest. Reinstall the model package.`);
  const packageConfig = JSON.parse(readFileSync(join(dir, 'vlm2vec.json'), 'utf8')) as Vlm2vecPackageConfig;
  if ((packageConfig.configVersion ?? 1) > VLM2VEC_CONFIG_VERSION) throw new ModelPackageError(`The vlm2vec model ${m.id} needs a newer Trove (vlm2vec.json version ${String(packageConfig.configVersion)}).`);
  const model = new Vlm2vecModel(packageConfig.config);
  const weights = readOnnxInitializers(readFileSync(join(dir, embedFile)));
  const state = new Map<string, Float32Array>();
  for (const p of model.parameters()) {
    const w = weights.get(p.name);
    if (!w) throw new ModelPackageError(`${join(dir, embedFile)} has no weights for ${p.name}: it was not written by Trove's vlm2vec package writer, so it cannot be fine-tuned.`);
    state.set(p.name, w.data);
  }
  model.loadStateDict(state);
  const tokenizerJson = JSON.parse(readFileSync(join(dir, m.tokenizer), 'utf8')) as Record<string, unknown>;
  return { dir, manifest: m, packageConfig, model, tokenizerJson, tokenizer: new PromptTokenizer(tokenizerJson), trunkPath: join(dir, trunkFile) };
}
