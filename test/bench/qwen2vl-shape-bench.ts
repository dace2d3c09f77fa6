// npm run bench:embed -- --model-shape qwen2-vl-2b [--providers cpu,webgpu] [--threads N] [--json]
//
// What the real VLM2Vec-Qwen2VL-2B costs, without its weights: graphs with Qwen2-VL-2B's real
// dimensions (main/ml/models/qwen2-vl/graphs.ts QWEN2_VL_2B: text H 1536, 12/2 heads, MLP
// 8960; vision width 1280, 16 heads, MLP 5120, PatchMerger 5120 -> 1536) and random weights,
// run through the qwen2-vl family loader exactly as a user's export runs (preprocessing,
// three sessions, merge, positions, pooling).
// The full model would need ~7 GB of float32 weights; this machine runs depth-reduced
// copies instead and extrapolates per layer: three folders, (text layers, vision blocks) =
// (1, 1), (2, 1), (1, 2); per-layer time = the difference, the rest is the fixed part; the
// 2B figure = fixed + 28 text layers + 32 vision blocks. The token table keeps 16,384 of the
// 151,936 rows (a Gather: its cost does not depend on the rows; the special tokens move into them). The prompt tokenizer is the
// tests' byte-level one, so the text lengths are set in tokens: image = 256 visual tokens (a
// 448x448 photo, the library cap) + "Represent the given image." (26 tokens; ~6 with Qwen2's
// BPE); query = 12 tokens, batch 16. The vision encoder leaves out the 2-D rotary embedding
// (element-wise, a small share).
// Figures are per provider present (probeProviders: CUDA/TensorRT/WebGPU/DirectML/CoreML when
// onnxruntime can start them, and the CPU). On a shared 2-core CPU they are rough: few runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOnnx } from '../../main/ml/graph/onnx-file';
import type { RgbImage } from '../../main/ml/models/embedding-model';
import { loadModel } from '../../main/ml/models/index';
import { probeProviders } from '../../main/ml/models/qwen2-vl/add-model';
import type { Qwen2VlDims } from '../../main/ml/models/qwen2-vl/graphs';
import { embedTokensGraph, QWEN2_VL_2B, randomWeights, textModelGraph, visionEncoderGraph } from '../../main/ml/models/qwen2-vl/graphs';
import { QWEN2_SPECIAL_TOKENS, QWEN2_VL_PREPROCESSOR, tinyConfigJson, tinyTokenizerJson } from '../support/qwen2vl-tiny';
import { machineInfo, median, r3 } from './bench-util';

const SHAPES: Record<string, Qwen2VlDims> = { 'qwen2-vl-2b': QWEN2_VL_2B };
const TOKEN_ROWS = 16384;

interface Args {
  shape: string;
  providers: string[] | null;
  threads: number;
  reps: number;
  json: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = { shape: '', providers: null, threads: 2, reps: 2, json: argv.includes('--json') };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--model-shape') a.shape = v ?? '';
    if (argv[i] === '--providers') a.providers = (v ?? 'cpu').split(',');
    if (argv[i] === '--threads') a.threads = Number(v);
    if (argv[i] === '--reps') a.reps = Number(v);
  }
  if (!SHAPES[a.shape]) throw new Error(`--model-shape must be one of ${Object.keys(SHAPES).join(', ')}, got "${a.shape}"`);
  return a;
}

function writeShape(dir: string, d: Qwen2VlDims): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const w = randomWeights({ ...d, vocab: TOKEN_ROWS }, 7, 0.02);
  const small = { ...d, vocab: TOKEN_ROWS };
  // Qwen2's special tokens moved into the kept rows, config and tokenizer alike
  const moved = QWEN2_SPECIAL_TOKENS.map(([t, id]): [string, number] => [t, id - 151643 + TOKEN_ROWS - 32]);
  const id = (t: string) => moved.find(([n]) => n === t)![1];
  const config = { ...tinyConfigJson(small), image_token_id: id('<|image_pad|>'), video_token_id: id('<|video_pad|>'), vision_start_token_id: id('<|vision_start|>'), vision_end_token_id: id('<|vision_end|>') };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...QWEN2_VL_PREPROCESSOR, max_pixels: 448 * 448 }));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(moved)));
  writeOnnx(join(dir, 'onnx', 'vision_encoder.onnx'), visionEncoderGraph(small, w, { externalData: 'vision_encoder.onnx_data' }));
  writeOnnx(join(dir, 'onnx', 'embed_tokens.onnx'), embedTokensGraph(small, w, { externalData: 'embed_tokens.onnx_data' }));
  writeOnnx(join(dir, 'onnx', 'text_model.onnx'), textModelGraph(small, w, { externalData: 'text_model.onnx_data' }));
}

function photo(k: number): RgbImage {
  const [w, h] = [640, 480];
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([(i % w) + k * 30, (i / w) * 0.5, (i * 7) % 251], i * 3);
  return { width: w, height: h, data };
}

async function timeConfig(dir: string, provider: string, threads: number, reps: number) {
  const model = await loadModel(dir, { providers: [provider], threads });
  try {
    const image = { instruction: 'Represent the given image.', text: '' };
    const queries = Array.from({ length: 16 }, (_v, i) => ({ instruction: '', text: `query ${String(i).padStart(2, '0')} txt` })); // 12 bytes = 12 tokens
    await model.embed([{ ...image, image: photo(0) }]);
    const img: number[] = [];
    const txt: number[] = [];
    const imgCpu: number[] = [];
    const txtCpu: number[] = [];
    const cpu = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
    for (let r = 0; r < reps; r++) {
      let t = performance.now();
      let c = process.cpuUsage();
      await model.embed([{ ...image, image: photo(r + 1) }]);
      img.push((performance.now() - t) / 1000);
      imgCpu.push(cpu(process.cpuUsage(c)));
      t = performance.now();
      c = process.cpuUsage();
      await model.embed(queries);
      txt.push((performance.now() - t) / 1000 / queries.length);
      txtCpu.push(cpu(process.cpuUsage(c)) / queries.length);
    }
    return { image: median(img), text: median(txt), imageCpu: median(imgCpu), textCpu: median(txtCpu), ranOn: model.provider.name };
  } finally {
    await model.dispose();
  }
}

export async function shapeBench(argv: string[]): Promise<void> {
  const a = parse(argv);
  const d = SHAPES[a.shape]!;
  const log = (s: string) => process.stderr.write(`[bench:embed qwen2-vl] ${s}\n`);
  const work = mkdtempSync(join(tmpdir(), 'trove-qwen2vl-shape-'));
  const configs = { base: [1, 1], text2: [2, 1], vision2: [1, 2] } as const;
  try {
    for (const [name, [layers, depth]] of Object.entries(configs)) {
      log(`building ${name}: ${layers} text layer(s), ${depth} vision block(s) at 2B width`);
      const dir = join(work, name);
      writeShape(dir, { ...d, layers, vision: { ...d.vision, depth } });
    }
    const providers = a.providers ?? (await probeProviders()).filter((p) => p.available).map((p) => p.name);
    const results = [];
    for (const p of providers) {
      const t: Record<string, Awaited<ReturnType<typeof timeConfig>>> = {};
      for (const name of Object.keys(configs)) {
        log(`${p}: timing ${name}`);
        t[name] = await timeConfig(join(work, name), p, a.threads, a.reps);
      }
      const perLayer = { image: t.text2!.image - t.base!.image, text: t.text2!.text - t.base!.text };
      const perBlock = t.vision2!.image - t.base!.image;
      const fixed = { image: t.base!.image - perLayer.image - perBlock, text: t.base!.text - perLayer.text };
      const full = { image: fixed.image + d.layers * perLayer.image + d.vision.depth * perBlock, text: fixed.text + d.layers * perLayer.text };
      // the same on CPU-seconds of this process: what the work costs when the cores are not shared with other work
      const cpuOf = (k: 'imageCpu' | 'textCpu') => ({ base: t.base![k], layer: t.text2![k] - t.base![k], block: t.vision2![k] - t.base![k] });
      const ci = cpuOf('imageCpu');
      const ct = cpuOf('textCpu');
      const cpuSeconds = { image: r3(ci.base + (d.layers - 1) * ci.layer + (d.vision.depth - 1) * ci.block), text: r3(ct.base + (d.layers - 1) * ct.layer) };
      results.push({
        provider: p,
        ranOn: t.base!.ranOn,
        measured: t,
        secondsPerTextLayer: { image: r3(perLayer.image), query: r3(perLayer.text) },
        secondsPerVisionBlock: r3(perBlock),
        extrapolated: { secondsPerImage: r3(full.image), imagesPerSec: r3(1 / full.image), secondsPerText: r3(full.text), textsPerSec: r3(1 / full.text), cpuSecondsPerImage: cpuSeconds.image, cpuSecondsPerText: cpuSeconds.text },
      });
    }
    const doc = { shape: a.shape, machine: { ...machineInfo(), loadAvgAtEnd: loadavg() }, threads: a.threads, reps: a.reps, layers: d.layers, visionDepth: d.vision.depth, results };
    if (a.json) {
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      return;
    }
    const lines = [
      `Qwen2-VL-2B-shaped embedding (random weights, ${d.layers} text layers, ${d.vision.depth} vision blocks extrapolated from 1-2; ${a.threads} threads; ${doc.machine.cpus} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`,
    ];
    for (const r of results) {
      lines.push(`  ${r.provider}${r.ranOn !== r.provider ? ` (ran on ${r.ranOn})` : ''}: ${r.extrapolated.imagesPerSec} images/s (${r.extrapolated.secondsPerImage} s per 448x448 photo), ${r.extrapolated.textsPerSec} texts/s (12-token queries, batch 16)`);
      lines.push(`      CPU time: ${r.extrapolated.cpuSecondsPerImage} CPU-s per photo, ${r.extrapolated.cpuSecondsPerText} CPU-s per query`);
      if (r.provider === 'cpu') {
        lines.push(`      on ${a.threads} idle cores (CPU time / ${a.threads}; the wall figures above include waiting for cores other work holds): ~${r3(a.threads / r.extrapolated.cpuSecondsPerImage)} images/s, ~${r3(a.threads / r.extrapolated.cpuSecondsPerText)} texts/s`);
      }
      lines.push(`      per text layer: ${r.secondsPerTextLayer.image} s per image prompt (282 tokens), ${r.secondsPerTextLayer.query} s per query; per vision block: ${r.secondsPerVisionBlock} s (1024 patches)`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
