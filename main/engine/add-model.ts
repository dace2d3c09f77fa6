// Settings' "Add model...": a folder with a model export (VLM2Vec / GME on Qwen2-VL) is
// checked (files, graphs, a test embedding) and given a manifest in the library's model
// store, where Settings then lists it. The export's files stay where they are.
import { join } from 'node:path';
import { messageOf } from '../base/errors';
import type { AddedModel } from '../contract/api';
import { addExportModel } from '../ml/models/qwen2-vl/add-model';
import { QWEN2_VL_NOT_TRAINABLE } from '../ml/models/qwen2-vl/family';
import { EngineError } from './errors';

export async function addModelFolder(dataDir: string, dir: string, log: (line: string) => void): Promise<AddedModel> {
  let added: Awaited<ReturnType<typeof addExportModel>>;
  try {
    added = await addExportModel(dir, join(dataDir, 'models'), { log });
  } catch (err) {
    throw new EngineError('invalid', `${dir} could not be added as a model: ${messageOf(err).replace(/[.\s]+$/, '')}. Pick the folder of a Qwen2-VL embedding export (config.json, tokenizer.json, onnx/).`);
  }
  const m = added.manifest;
  return {
    model: { dir: added.dir, id: m.id, version: m.version, family: m.family },
    bytes: added.bytes,
    dim: m.dim,
    preset: added.preset,
    providers: added.providers,
    trainable: false,
    trainingReason: QWEN2_VL_NOT_TRAINABLE,
  };
}
