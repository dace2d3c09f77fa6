// Execution-provider fallback, session options, external data, ONNX structure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession, defaultProviders } from '../../../main/ml/runtime/session';
import { PbWriter } from '../../../main/ml/graph/onnx-proto';
import { writeOnnx } from '../../../main/ml/graph/onnx-file';
import { missingProviderReason } from '../../../main/ml/runtime/provider-libraries';

const dir = mkdtempSync(join(tmpdir(), 'trove-ml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function model(): { g: Graph; y: ReturnType<typeof o.add> } {
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', 64]);
  const w = g.param('layer/weight', [64, 32], Float32Array.from({ length: 64 * 32 }, (_v, i) => Math.sin(i)));
  const b = g.param('layer/bias', [32], Float32Array.from({ length: 32 }, (_v, i) => i / 32));
  const y = g.scope('layer', () => o.add(o.matmul(x, w), b));
  return { g, y };
}

const x = Float32Array.from({ length: 2 * 64 }, (_v, i) => Math.cos(i));

describe('runtime', () => {
  it("asking for ['cuda','cpu'] here gets cpu and records why cuda failed", async () => {
    const { g, y } = model();
    const s = await createSession(toOnnx(g, { outputs: { y } }).model, { providers: ['cuda', 'cpu'], intraOpNumThreads: 1, allowSpinning: false });
    expect(s.report.provider).toBe('cpu');
    expect(s.report.tried.map((t) => t.name)).toEqual(['cuda']);
    expect(s.report.tried[0].reason.length).toBeGreaterThan(0);
    const out = await s.run({ x: { dtype: 'float32', data: x, dims: [2, 64] } });
    expect(out.y.dims).toEqual([2, 32]);
    await s.release();
  });

  it('catches a provider that onnxruntime refuses (it throws) and goes on down the list', async () => {
    const { g, y } = model();
    const s = await createSession(toOnnx(g, { outputs: { y } }).model, { providers: ['no-such-provider', 'cpu'], intraOpNumThreads: 1 });
    expect(s.report.provider).toBe('cpu');
    expect(s.report.tried).toHaveLength(1);
    expect(s.report.tried[0]).toMatchObject({ name: 'no-such-provider' });
    expect(s.report.tried[0].reason).not.toMatch(/not installed/); // ORT's own error, caught
    await s.release();
  });

  it('names a CUDA/TensorRT provider library that is not installed, without asking onnxruntime', () => {
    expect(missingProviderReason('cuda', 'linux', 'x64', () => false)).toMatch(/not installed.*libonnxruntime_providers_cuda\.so.*--onnxruntime-node-install=cuda12/);
    expect(missingProviderReason('cuda', 'linux', 'x64', () => true)).toBeNull();
    expect(missingProviderReason('tensorrt', 'win32', 'x64', () => false)).toMatch(/onnxruntime_providers_tensorrt\.dll/);
    expect(missingProviderReason('cpu', 'linux', 'x64', () => false)).toBeNull();
    expect(missingProviderReason('dml', 'win32', 'x64', () => false)).toBeNull();
  });

  it('appends cpu to a list without it, and has a per-platform default order', async () => {
    expect(defaultProviders('linux')).toEqual(['cuda', 'cpu']);
    expect(defaultProviders('win32')).toEqual(['dml', 'cpu']);
    expect(defaultProviders('darwin')).toEqual(['coreml', 'cpu']);
    const { g, y } = model();
    const s = await createSession(toOnnx(g, { outputs: { y } }).model, { providers: ['tensorrt'] });
    expect(s.report.provider).toBe('cpu');
    expect(s.report.tried[0].name).toBe('tensorrt');
    await s.release();
  });

  it('writes weights to an external-data side file that ORT loads (same result as inline)', async () => {
    const { g, y } = model();
    const inline = toOnnx(g, { outputs: { y } });
    const ext = toOnnx(g, { outputs: { y }, externalData: { location: 'model.onnx.data', minBytes: 100 } });
    expect(ext.externalData).toBeDefined();
    expect(ext.externalData!.byteLength).toBeGreaterThanOrEqual(64 * 32 * 4 + 32 * 4);
    expect(ext.model.byteLength).toBeLessThan(inline.model.byteLength / 4);
    expect(writeOnnx(join(dir, 'model.onnx'), ext)).toEqual([join(dir, 'model.onnx.data'), join(dir, 'model.onnx')]);
    const s1 = await createSession(inline.model, { providers: ['cpu'] });
    const s2 = await createSession(join(dir, 'model.onnx'), { providers: ['cpu'] });
    const feeds = { x: { dtype: 'float32' as const, data: x, dims: [2, 64] } };
    const a = (await s1.run(feeds)).y.data as Float32Array;
    const b = (await s2.run(feeds)).y.data as Float32Array;
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(readFileSync(join(dir, 'model.onnx')).includes(Buffer.from('model.onnx.data'))).toBe(true);
    await s1.release();
    await s2.release();
  });

  it('names nodes by layer and keeps symbolic dims on inputs', () => {
    const { g, y } = model();
    expect(g.nodes.map((n) => n.name)).toEqual(['layer/MatMul', 'layer/Add']);
    const m = toOnnx(g, { outputs: { y } });
    const bytes = Buffer.from(m.model);
    expect(bytes.includes(Buffer.from('layer/MatMul'))).toBe(true);
    expect(bytes.includes(Buffer.from('batch'))).toBe(true);
  });

  it('encodes protobuf varints like the reference encoder', () => {
    const w = new PbWriter();
    w.varint(1).varint(300).varint(-1);
    expect(Array.from(w.finish())).toEqual([1, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });
});

describe('toOnnx checks', () => {
  it('rejects an output name that is another tensor of the graph', () => {
    const { g, y } = model();
    expect(() => toOnnx(g, { outputs: { x: y } })).toThrow(/already the name/);
    expect(() => toOnnx(g, { outputs: { 'layer/weight': y } })).toThrow(/already the name/);
    expect(toOnnx(g, { outputs: { y, y2: y } }).outputNames).toEqual(['y', 'y2']);
  });
});
