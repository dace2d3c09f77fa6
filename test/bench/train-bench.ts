// bench:train — Trove's trainer vs the same model hand-written in tfjs (wasm backend), and the
// trainer's peak memory with and without GradCache.
//
//   npm run -s bench:train [-- --json] [-- --quick]     (-s: no npm banner before the JSON)
//
// Model: 4-layer pre-norm transformer encoder (RMSNorm, rotary causal attention, SwiGLU),
// d = 256, 4 heads, MLP 704, vocab 8000, sequence 96; last-token pool, L2 normalise,
// InfoNCE (tau 0.02) over in-batch negatives; both sides of every pair through the model.
// Every configuration runs in its own child process (`--child ...`), which reports its own
// process.resourceUsage().maxRSS, so the figures do not bleed into each other. ORT and tfjs
// both get 2 threads (intraOpNumThreads 2; tfjs-wasm setThreadsCount(2), which Node may ignore).
//
// Throughput is pairs (query + target = 2 sequences) per second over timed steps after one
// warm-up step. tfjs is timed at a smaller batch (its per-pair cost is flat in the batch:
// the work is matmuls over batch x sequence rows; InfoNCE's B^2 term is negligible) because
// one step at batch 256 takes minutes.
import { spawnSync } from 'node:child_process';
import type * as TF from '@tensorflow/tfjs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { Transformer } from '../../main/ml/nn/transformer';
import type { TransformerConfig } from '../../main/ml/nn/transformer';
import { MASK_VALUE, rotaryTables } from '../../main/ml/nn/attention';
import { FullBatchStep } from '../../main/ml/train/encoder';
import { Rng } from '../../main/ml/random';
import type { ContrastiveTokens, TokenRows } from '../../main/ml/train/token-rows';
import { Trainer } from '../../main/ml/train/trainer';
import type { ContrastiveSource } from '../../main/ml/train/trainer';

const ROOT = join(__dirname, '..', '..');
const TAU = 0.02;
const THREADS = 2;

interface Sizes {
  cfg: TransformerConfig;
  seq: number;
  chunk: number;
  /** the throughput batch */
  batch: number;
  /** the peak-RSS batches */
  memBatches: number[];
  tfjsBatch: number;
  timedSteps: number;
}

const FULL: Sizes = {
  cfg: { vocab: 8000, dim: 256, heads: 4, layers: 4, mlpHidden: 704, maxSeq: 96 },
  seq: 96,
  chunk: 16,
  batch: 256,
  memBatches: [64, 256, 1024],
  tfjsBatch: 16,
  timedSteps: 2,
};
const QUICK: Sizes = {
  cfg: { vocab: 1000, dim: 64, heads: 2, layers: 2, mlpHidden: 176, maxSeq: 32 },
  seq: 32,
  chunk: 8,
  batch: 32,
  memBatches: [16, 32, 64],
  tfjsBatch: 8,
  timedSteps: 2,
};

/** Random right-padded token rows (lengths between 3/4 and all of `seq`), a pure function of (seed, index). */
function randomSource(vocab: number, seq: number, seed = 1): ContrastiveSource {
  return {
    batch(index, size): ContrastiveTokens {
      const rng = new Rng((seed * 1000003 + index) >>> 0);
      const rows = (): TokenRows => {
        const ids = new BigInt64Array(size * seq);
        const mask = new Float32Array(size * seq);
        for (let r = 0; r < size; r++) {
          const len = seq - Math.floor(rng.uniform() * (seq / 4));
          for (let t = 0; t < len; t++) {
            ids[r * seq + t] = BigInt(1 + Math.floor(rng.uniform() * (vocab - 1)));
            mask[r * seq + t] = 1;
          }
        }
        return { ids, mask, seq };
      };
      return { queries: rows(), targets: rows() };
    },
  };
}

const maxRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in KiB

interface TroveChild {
  kind: 'trove';
  mode: 'gradcache' | 'full';
  batch: number;
  chunk: number | null;
  stepSecs: number[];
  examplesPerSec: number | null;
  loss0: number;
  maxRssMiB: number;
}

async function troveChild(sizes: Sizes, mode: 'gradcache' | 'full', batch: number, steps: number): Promise<TroveChild> {
  const model = new Transformer(sizes.cfg, 1);
  const stepSecs: number[] = [];
  let lastElapsed = 0;
  let loss0 = NaN;
  const trainer = await Trainer.create({
    module: model,
    source: randomSource(sizes.cfg.vocab, sizes.seq),
    batchSize: batch,
    chunkSize: sizes.chunk,
    gradCache: mode === 'gradcache',
    steps,
    lr: 1e-4,
    tau: TAU,
    session: { providers: ['cpu'], intraOpNumThreads: THREADS },
    onProgress: (p) => {
      stepSecs.push(p.elapsedSec - lastElapsed);
      lastElapsed = p.elapsedSec;
      if (p.step === 1) loss0 = p.loss;
    },
  });
  await trainer.run();
  await trainer.release();
  const timed = stepSecs.slice(1);
  const secs = timed.reduce((a, b) => a + b, 0);
  return {
    kind: 'trove',
    mode,
    batch,
    chunk: mode === 'gradcache' ? sizes.chunk : null,
    stepSecs: stepSecs.map((s) => +s.toFixed(3)),
    examplesPerSec: timed.length ? +((timed.length * batch) / secs).toFixed(2) : null,
    loss0,
    maxRssMiB: maxRssMiB(),
  };
}

interface TfjsChild {
  kind: 'tfjs';
  backend: string;
  threads: number | null;
  batch: number;
  stepSecs: number[];
  examplesPerSec: number;
  /** InfoNCE of the first batch from tfjs and from Trove's graph, same weights: the models agree */
  lossCheck: { tfjs: number; trove: number };
  maxRssMiB: number;
}

async function tfjsChild(sizes: Sizes, batch: number, steps: number): Promise<TfjsChild> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
  wasm.setThreadsCount(THREADS);
  await tf.setBackend('wasm');
  await tf.ready();

  const { cfg, seq: T } = sizes;
  const model = new Transformer(cfg, 1);
  const D = cfg.dim;
  const H = cfg.heads;
  const hd = D / H;
  const vars = new Map(model.parameters().map((p) => [p.name, tf.variable(tf.tensor(p.data, [...p.shape]), true, p.name)]));
  const P = (n: string): TF.Variable => {
    const v = vars.get(n);
    if (!v) throw new Error(`no parameter ${n}`);
    return v;
  };
  const { cos, sin } = rotaryTables(cfg.maxSeq, hd);
  const cosT = tf.tensor(cos.slice(0, T * hd), [T, hd]);
  const sinT = tf.tensor(sin.slice(0, T * hd), [T, hd]);
  const causal: number[] = [];
  for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) causal.push(k > q ? MASK_VALUE : 0);
  const causalT = tf.tensor(causal, [T, T]);

  type TT = TF.Tensor;
  const rms = (x: TT, w: string): TT => tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), 1e-6))), P(w));
  const linear = (x: TT, n: string): TT => {
    const s = x.shape;
    const w = P(`${n}/weight`);
    return tf.reshape(tf.matMul(tf.reshape(x, [-1, s[s.length - 1]]) as TF.Tensor2D, w as TF.Tensor2D), [...s.slice(0, -1), w.shape[1] as number]);
  };
  const rope = (x: TT): TT => {
    const [x1, x2] = tf.split(x, 2, 3);
    return tf.add(tf.mul(x, cosT), tf.mul(tf.concat([tf.neg(x2), x1], 3), sinT));
  };
  /** embeddings -> pre-norm blocks -> norm -> last-token pool -> L2 normalise: [B, D] */
  const indices = (rows: TokenRows): TT => tf.tensor(Int32Array.from(rows.ids, Number), [rows.ids.length], 'int32');
  /** `idx`: the rows' ids as int32, made outside the gradient scope (the custom gradient reads it after the forward) */
  const embed = (rows: TokenRows, idx: TT): TT => {
    const B = rows.mask.length / T;
    const m = tf.tensor(rows.mask, [B, T]);
    const bias = tf.add(tf.reshape(tf.mul(tf.sub(1, m), MASK_VALUE), [B, 1, 1, T]), causalT);
    const split = (x: TT): TT => tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]);
    // tfjs-wasm has no UnsortedSegmentSum (gather's gradient): scatter-add the row gradients instead
    const lookup = tf.customGrad((...inputs) => {
      const table = inputs[0] as TT;
      return {
        value: tf.reshape(tf.gather(table, idx), [B, T, D]),
        gradFunc: (dy: TT) => tf.scatterND(tf.reshape(idx, [B * T, 1]), tf.reshape(dy, [B * T, D]), table.shape),
      };
    });
    let x: TT = lookup(P('embed/weight'));
    for (let l = 0; l < cfg.layers; l++) {
      const pre = `block${l}`;
      const h = rms(x, `${pre}/norm1/weight`);
      const q = rope(split(linear(h, `${pre}/attn/q`)));
      const k = rope(split(linear(h, `${pre}/attn/k`)));
      const v = split(linear(h, `${pre}/attn/v`));
      const scores = tf.add(tf.mul(tf.matMul(q as TF.Tensor4D, k as TF.Tensor4D, false, true), 1 / Math.sqrt(hd)), bias);
      const att = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores) as TF.Tensor4D, v as TF.Tensor4D), [0, 2, 1, 3]), [B, T, D]);
      x = tf.add(x, linear(att, `${pre}/attn/o`));
      const h2 = rms(x, `${pre}/norm2/weight`);
      const gate = linear(h2, `${pre}/mlp/gate`);
      x = tf.add(x, linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), linear(h2, `${pre}/mlp/up`)), `${pre}/mlp/down`));
    }
    x = rms(x, 'norm/weight');
    const next = tf.concat([tf.slice(m, [0, 1], [B, T - 1]), tf.zeros([B, 1])], 1);
    const w = tf.mul(m, tf.sub(1, next));
    const pooled = tf.sum(tf.mul(x, tf.reshape(w, [B, T, 1])), 1);
    return tf.div(pooled, tf.sqrt(tf.add(tf.sum(tf.mul(pooled, pooled), -1, true), 1e-12)));
  };
  const infoNce = (b: ContrastiveTokens, qIdx: TT, tIdx: TT): TF.Scalar => {
    const q = embed(b.queries, qIdx);
    const t = embed(b.targets, tIdx);
    const B = q.shape[0];
    const logits = tf.mul(tf.matMul(q as TF.Tensor2D, t as TF.Tensor2D, false, true), 1 / TAU);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.eye(B)), 1))) as TF.Scalar;
  };

  const source = randomSource(cfg.vocab, T);
  // the models agree: the first batch's loss through Trove's training graph, same weights
  const first = await source.batch(0, batch);
  const full = await FullBatchStep.create(model, { tau: TAU, session: { providers: ['cpu'], intraOpNumThreads: THREADS } });
  const troveLoss = (await full.step(first, 0)).loss;
  await full.release();

  const optimizer = tf.train.adam(1e-4);
  const stepSecs: number[] = [];
  let tfLoss0 = NaN;
  for (let s = 0; s < steps; s++) {
    const b = await source.batch(s, batch);
    const t0 = performance.now();
    const [qIdx, tIdx] = [indices(b.queries), indices(b.targets)];
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => infoNce(b, qIdx, tIdx));
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      return value;
    });
    const l = (await lossValue.data())[0];
    tf.dispose([lossValue, qIdx, tIdx]);
    stepSecs.push((performance.now() - t0) / 1000);
    if (s === 0) tfLoss0 = l;
  }
  const timed = stepSecs.slice(1);
  return {
    kind: 'tfjs',
    backend: tf.getBackend(),
    threads: typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : null,
    batch,
    stepSecs: stepSecs.map((s) => +s.toFixed(3)),
    examplesPerSec: +((timed.length * batch) / timed.reduce((a, b) => a + b, 0)).toFixed(3),
    lossCheck: { tfjs: tfLoss0, trove: troveLoss },
    maxRssMiB: maxRssMiB(),
  };
}

/** Runs one configuration in a fresh process; its last stdout line is the JSON result. */
function child<R>(args: string[], log: (s: string) => void): R | { error: string } {
  log(`  child: ${args.join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [__filename, '--child', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const out = JSON.parse(line) as R;
    log(`    ${((performance.now() - t0) / 1000).toFixed(1)} s: ${line}`);
    return out;
  } catch {
    const error = `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-5).join(' | ')}`;
    log(`    failed: ${error}`);
    return { error };
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const sizes = quick ? QUICK : FULL;
  const arg = (name: string): string => argv[argv.indexOf(name) + 1];

  if (argv.includes('--child')) {
    const out =
      argv.includes('tfjs')
        ? await tfjsChild(sizes, Number(arg('--batch')), Number(arg('--steps')))
        : await troveChild(sizes, arg('--mode') as 'gradcache' | 'full', Number(arg('--batch')), Number(arg('--steps')));
    process.stdout.write(`\n${JSON.stringify(out)}\n`);
    return;
  }

  const json = argv.includes('--json');
  const log = (s: string): void => {
    if (!json) console.log(s);
    else process.stderr.write(`${s}\n`);
  };
  const q = quick ? ['--quick'] : [];
  const started = performance.now();
  log(`bench:train${quick ? ' (quick)' : ''}: ${sizes.cfg.layers} layers, d=${sizes.cfg.dim}, seq ${sizes.seq}, vocab ${sizes.cfg.vocab}, ${THREADS} threads`);

  // throughput (batch `sizes.batch`, timed steps after a warm-up step) and peak RSS
  const runs: { mode: 'gradcache' | 'full'; batch: number; result: TroveChild | { error: string } | { skipped: string } }[] = [];
  // the throughput runs first and back to back (the machine's load drifts), then the memory runs
  const others = (mode: 'gradcache' | 'full') => sizes.memBatches.filter((b) => b !== sizes.batch).map((batch) => ({ mode, batch }));
  const plan = [{ mode: 'gradcache' as const, batch: sizes.batch }, 'tfjs' as const, { mode: 'full' as const, batch: sizes.batch }, ...others('gradcache'), ...others('full')];
  let tfjs: TfjsChild | { error: string } = { error: 'not run' };
  for (const item of plan) {
    if (item === 'tfjs') {
      tfjs = child<TfjsChild>([...q, 'tfjs', '--batch', String(sizes.tfjsBatch), '--steps', String(1 + sizes.timedSteps)], log);
      continue;
    }
    const { mode, batch } = item;
    const steps = batch === sizes.batch ? 1 + sizes.timedSteps : 1;
    if (mode === 'full' && batch > sizes.batch) {
      // without GradCache the activations grow with the batch: extrapolate before risking the machine
      const done = runs.filter((r) => r.mode === 'full' && 'maxRssMiB' in r.result).map((r) => r.result as TroveChild).sort((x, y) => x.batch - y.batch);
      if (done.length >= 2) {
        const [a, b] = done.slice(-2);
        const predicted = b.maxRssMiB + ((b.maxRssMiB - a.maxRssMiB) * (batch - b.batch)) / (b.batch - a.batch);
        const free = freemem() / 2 ** 20;
        if (predicted > 0.6 * free) {
          runs.push({ mode, batch, result: { skipped: `predicted peak RSS ${Math.round(predicted)} MiB (linear in the batch from ${a.batch} and ${b.batch}) > 60% of free memory (${Math.round(free)} MiB)` } });
          log(`  skipped full batch ${batch}: predicted ${Math.round(predicted)} MiB`);
          continue;
        }
      }
    }
    runs.push({ mode, batch, result: child<TroveChild>([...q, 'trove', '--mode', mode, '--batch', String(batch), '--steps', String(steps)], log) });
  }
  runs.sort((x, y) => (x.mode === y.mode ? x.batch - y.batch : x.mode === 'gradcache' ? -1 : 1));

  const at = (mode: 'gradcache' | 'full', batch: number): TroveChild | undefined => {
    const r = runs.find((x) => x.mode === mode && x.batch === batch)?.result;
    return r && 'kind' in r ? r : undefined;
  };
  const gc = at('gradcache', sizes.batch)?.examplesPerSec ?? null;
  const fb = at('full', sizes.batch)?.examplesPerSec ?? null;
  const tfEps = 'kind' in tfjs ? tfjs.examplesPerSec : null;
  const ratio = (x: number | null): number | null => (x && tfEps ? +(x / tfEps).toFixed(1) : null);
  const report = {
    bench: 'train',
    quick,
    model: { ...sizes.cfg, seq: sizes.seq, tau: TAU, params: new Transformer(sizes.cfg, 1).parameters().reduce((n, p) => n + p.data.length, 0) },
    threads: THREADS,
    throughput: {
      unit: 'pairs/s (query + target), timed steps after one warm-up step',
      batch: sizes.batch,
      trove: { gradCache: { chunk: sizes.chunk, examplesPerSec: gc }, fullBatch: { examplesPerSec: fb } },
      tfjs: 'kind' in tfjs ? { backend: tfjs.backend, threads: tfjs.threads, batch: tfjs.batch, examplesPerSec: tfEps, stepSecs: tfjs.stepSecs, lossCheck: tfjs.lossCheck } : tfjs,
      ratio: { gradCacheVsTfjs: ratio(gc), fullBatchVsTfjs: ratio(fb), goal: 30 },
    },
    peakRssMiB: Object.fromEntries(
      (['gradcache', 'full'] as const).map((mode) => [
        mode === 'gradcache' ? `gradCacheChunk${sizes.chunk}` : 'noGradCache',
        Object.fromEntries(runs.filter((r) => r.mode === mode).map((r) => [String(r.batch), 'kind' in r.result ? r.result.maxRssMiB : r.result])),
      ]),
    ),
    runs: runs.map((r) => ({ mode: r.mode, batch: r.batch, ...r.result })),
    wallSec: +((performance.now() - started) / 1000).toFixed(1),
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  log('');
  log(`throughput at batch ${sizes.batch} (pairs/s):`);
  log(`  Trove, GradCache chunk ${sizes.chunk}: ${gc ?? 'failed'}`);
  log(`  Trove, no GradCache (one graph):  ${fb ?? 'failed'}`);
  log(`  tfjs ${'kind' in tfjs ? `${tfjs.backend} (batch ${tfjs.batch})` : ''}:  ${tfEps ?? 'failed'}`);
  log(`  ratio Trove/tfjs: GradCache ${ratio(gc) ?? '-'}x, no GradCache ${ratio(fb) ?? '-'}x (goal >= 30x)`);
  if ('kind' in tfjs) log(`  same model check: first-batch InfoNCE tfjs ${tfjs.lossCheck.tfjs.toFixed(5)} vs Trove ${tfjs.lossCheck.trove.toFixed(5)}`);
  log('peak RSS (MiB), one process per configuration:');
  for (const [k, v] of Object.entries(report.peakRssMiB)) log(`  ${k}: ${Object.entries(v).map(([b, m]) => `batch ${b}: ${typeof m === 'number' ? m : JSON.stringify(m)}`).join(', ')}`);
  log(`wall ${report.wallSec} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
