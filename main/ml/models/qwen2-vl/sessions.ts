// The three onnxruntime sessions of a Qwen2-VL export: which dtype variant runs on which
// provider, the interface each graph must have, and float16 feeds/outputs where a variant
// takes them.
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { float16ToFloat32, float32ToFloat16 } from '../../graph/float16';
import { createSession, defaultProviders, type Session, type SessionOptions } from '../../runtime/session';
import { missingProviderReason } from '../../runtime/provider-libraries';
import { ModelPackageError } from '../model-package';
import type { GraphRole, GraphVariant } from './export-folder';
import { pickVariant } from './export-folder';

/** Each graph's inputs and outputs, as the transformers.js exporter and export-qwen2vl.py name them. */
export const GRAPH_IO: Record<GraphRole, { inputs: string[][]; outputs: string[] }> = {
  vision_encoder: { inputs: [['pixel_values'], ['grid_thw', 'image_grid_thw']], outputs: ['image_features'] },
  embed_tokens: { inputs: [['input_ids']], outputs: ['inputs_embeds'] },
  text_model: { inputs: [['inputs_embeds'], ['attention_mask'], ['position_ids']], outputs: ['last_hidden_state'] },
};

export interface GraphSession {
  role: GraphRole;
  variant: GraphVariant;
  session: Session;
  /** the name each expected input has in this graph (grid_thw or image_grid_thw) */
  inputName: Record<string, string>;
  inputType: Record<string, string>;
}

/** Checks a loaded graph against GRAPH_IO; returns the names to feed. */
export function checkGraph(role: GraphRole, file: string, s: Session): Pick<GraphSession, 'inputName' | 'inputType'> {
  const io = GRAPH_IO[role];
  const inputName: Record<string, string> = {};
  for (const names of io.inputs) {
    const found = names.find((n) => s.inputNames.includes(n));
    if (!found) {
      throw new ModelPackageError(`${file} is not a Qwen2-VL ${role} graph: it has no input ${names.join(' or ')} (its inputs: ${s.inputNames.join(', ')}).`);
    }
    inputName[names[0]!] = found;
  }
  const extra = s.inputNames.filter((n) => !io.inputs.flat().includes(n));
  if (extra.length) {
    const kv = extra.some((n) => n.startsWith('past_key_values'));
    throw new ModelPackageError(
      kv
        ? `${file} takes a KV cache (${extra[0]}, ...): it is a generation decoder, not the text_model an embedding needs (inputs_embeds, attention_mask, position_ids -> last_hidden_state). Export it with native-models/recipes/export-qwen2vl.py.`
        : `${file} (${role}) has inputs Trove does not know how to feed: ${extra.join(', ')}.`,
    );
  }
  for (const o of io.outputs) {
    if (!s.outputNames.includes(o)) throw new ModelPackageError(`${file} is not a Qwen2-VL ${role} graph: it has no output ${o} (its outputs: ${s.outputNames.join(', ')}).`);
  }
  const inputType: Record<string, string> = {};
  for (const m of s.session.inputMetadata) if (m.isTensor) inputType[m.name] = m.type;
  return { inputName, inputType };
}

export interface LoadedSessions {
  graphs: Record<GraphRole, GraphSession>;
  provider: { name: string; tried: { name: string; reason: string }[] };
}

/**
 * Loads the three graphs. The provider is settled on the smallest graph (embed_tokens): the
 * first in the list that starts with its preferred variant; the other two graphs then load
 * their own preferred variant for that provider.
 */
export async function loadSessions(root: string, variants: readonly GraphVariant[], providers: readonly string[] | undefined, threads: number | undefined): Promise<LoadedSessions> {
  const list = [...(providers ?? defaultProviders())];
  if (!list.includes('cpu')) list.push('cpu');
  const base: SessionOptions = threads ? { intraOpNumThreads: threads } : {};
  const tried: { name: string; reason: string }[] = [];
  const open = async (role: GraphRole, provider: string): Promise<GraphSession> => {
    const variant = pickVariant(variants, role, provider);
    if (!variant) throw new ModelPackageError(`the export has no ${role} graph`);
    const session = await createSession(join(root, variant.file), { ...base, providers: [provider] });
    try {
      return { role, variant, session, ...checkGraph(role, variant.file, session) };
    } catch (e) {
      await session.release();
      throw e;
    }
  };
  let embed: GraphSession | null = null;
  let provider = 'cpu';
  for (const p of list) {
    const missing = missingProviderReason(p);
    if (missing) {
      tried.push({ name: p, reason: missing });
      continue;
    }
    const s = await open('embed_tokens', p);
    if (s.session.report.provider === p) {
      embed = s;
      provider = p;
      break;
    }
    tried.push(...s.session.report.tried.filter((t) => t.name === p));
    await s.session.release();
  }
  if (!embed) throw new Error(`no execution provider could load the model (${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})`);
  const loaded: GraphSession[] = [embed];
  try {
    const vision = await open('vision_encoder', provider);
    loaded.push(vision);
    const text = await open('text_model', provider);
    loaded.push(text);
    // a graph may still fall back to the CPU (an op the provider lacks): the text model dominates the cost, so it names the provider
    return { graphs: { embed_tokens: embed, vision_encoder: vision, text_model: text }, provider: { name: text.session.report.provider, tried: [...tried, ...text.session.report.tried] } };
  } catch (e) {
    for (const g of loaded) await g.session.release();
    throw e;
  }
}

/** A float32 host array fed as the graph's input type (float32 or float16). */
export function floatFeed(g: GraphSession, input: string, data: Float32Array, dims: readonly number[]): ort.Tensor {
  const name = g.inputName[input] ?? input;
  if (g.inputType[name] === 'float16') return new ort.Tensor('float16', float32ToFloat16(data), dims);
  return new ort.Tensor('float32', data, dims);
}

/** An output as float32, whatever float type the graph returns. */
export function floatOutput(t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') {
    const d = t.data as unknown;
    return d instanceof Uint16Array ? float16ToFloat32(d) : Float32Array.from(d as ArrayLike<number>);
  }
  throw new Error(`expected a float output, got ${t.type}`);
}
