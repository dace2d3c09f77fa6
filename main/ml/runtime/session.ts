// onnxruntime-node sessions with per-platform execution-provider fallback.
//
// onnxruntime-node THROWS when asked for a provider its build lacks (e.g. 'cuda' without
// the CUDA download) instead of falling back, so we try the list one provider at a time,
// record why each failed, and end with 'cpu'.
import * as ort from 'onnxruntime-node';
import type { DType, TensorData } from '../graph/graph';
import { missingProviderReason } from './provider-libraries';
import { messageOf } from '../../base/errors';

export type ProviderName = 'cuda' | 'tensorrt' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

export interface ProviderReport {
  /** the provider the session runs on */
  provider: string;
  /** providers tried before it, with the reason each was not used */
  tried: { name: string; reason: string }[];
}

/**
 * Default order per platform. WebGPU is bundled in the Linux/Windows Node builds but its
 * Dawn device in plain Node is not reliable enough to be a silent default; ask for it
 * explicitly (`providers: ['webgpu', 'cpu']`). TensorRT is not defaulted either: it
 * builds engines on first run (minutes) and needs static shapes to shine.
 */
export function defaultProviders(platform: string = process.platform): ProviderName[] {
  switch (platform) {
    case 'win32':
      return ['dml', 'cpu'];
    case 'darwin':
      return ['coreml', 'cpu'];
    case 'linux':
      return ['cuda', 'cpu'];
    default:
      return ['cpu'];
  }
}

export interface SessionOptions {
  /** providers to try in order; 'cpu' is appended when missing. Default: defaultProviders() */
  providers?: readonly string[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /** false sets session.intra_op.allow_spinning = '0' (polite under CPU contention). Default false. */
  allowSpinning?: boolean;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

export interface Session {
  readonly session: ort.InferenceSession;
  readonly report: ProviderReport;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph; feeds are ort.Tensors or {dtype, data, dims}. */
  run(feeds: Record<string, ort.Tensor | HostTensor>, outputs?: readonly string[]): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

export interface HostTensor {
  dtype: DType;
  data: TensorData;
  dims: readonly number[];
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = { float32: 'float32', float64: 'float64', int64: 'int64', int32: 'int32', bool: 'bool', uint8: 'uint8' };

export function toOrt(t: ort.Tensor | HostTensor): ort.Tensor {
  if (!('dtype' in t)) return t;
  return new ort.Tensor(ORT_TYPE[t.dtype], t.data as never, t.dims);
}

export function hostTensor(dtype: DType, data: TensorData, dims: readonly number[]): HostTensor {
  return { dtype, data, dims };
}

function sessionOptions(o: SessionOptions, provider: string): ort.InferenceSession.SessionOptions {
  const so: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: o.graphOptimizationLevel ?? 'all',
    logSeverityLevel: o.logSeverityLevel ?? 3,
  };
  if (o.intraOpNumThreads !== undefined) so.intraOpNumThreads = o.intraOpNumThreads;
  if (o.interOpNumThreads !== undefined) so.interOpNumThreads = o.interOpNumThreads;
  // The Node binding flattens `extra` into config keys: session.intra_op.allow_spinning.
  if (!o.allowSpinning) so.extra = { session: { intra_op: { allow_spinning: '0' } } };
  return so;
}

/**
 * Creates a session from ONNX bytes or a file path (a path is needed when the model keeps
 * its weights in an external-data side file: ORT resolves `location` next to the model).
 */
export async function createSession(model: Uint8Array | string, opts: SessionOptions = {}): Promise<Session> {
  const list = [...(opts.providers ?? defaultProviders())];
  if (!list.includes('cpu')) list.push('cpu');
  const tried: { name: string; reason: string }[] = [];
  for (const provider of list) {
    const missing = missingProviderReason(provider);
    if (missing) {
      tried.push({ name: provider, reason: missing });
      continue;
    }
    try {
      const so = sessionOptions(opts, provider);
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, so) : await ort.InferenceSession.create(model, so);
      const report: ProviderReport = { provider, tried };
      return wrap(session, report);
    } catch (e) {
      tried.push({ name: provider, reason: messageOf(e) });
    }
  }
  const last = tried[tried.length - 1];
  throw new Error(`no execution provider could load the model; last error (${last?.name}): ${last?.reason}`);
}

function wrap(session: ort.InferenceSession, report: ProviderReport): Session {
  return {
    session,
    report,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, outputs) {
      const f: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) f[k] = toOrt(v);
      const res = outputs ? await session.run(f, outputs as string[]) : await session.run(f);
      return res as Record<string, ort.Tensor>;
    },
    release: () => session.release(),
  };
}
