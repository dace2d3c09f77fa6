// Personal fine-tuning on this machine (issue 11's benchmark): prints
//   (a) wall time of a whole fine-tune of 30 labelled pairs with the default settings on 2
//       threads (budget 3 min), split into its phases;
//   (b) peak RSS of fine-tune steps at batch 256 in GradCache chunks of 16 against batch 16
//       in one piece (the chunk is the batch: no GradCache), each in a process of its own
//       (target: within 1.5x); both batches mix the person's pairs and replay pairs 1:7, so
//       their rows (and sequence lengths) are alike: what differs is the batch alone;
//   (c) Find latency while a fine-tune runs (the engine's worker process, lowest priority,
//       held off while the user searches) against idle, on the same library;
//   (d) the GradCache chunk picked from a memory budget (main/ml/tune/memory.ts) and the peak
//       RSS of steps at batch 256 in that chunk, against the budget.
// The pairs and photos are test/support/tuning-fixture.ts's (real photos, made-up words).
//   npx tsx test/bench/tune-bench.ts [--json] [--skip a,b,c,d] [--rss-steps N] [--finds N]
// On a shared machine the wall figures are pessimistic: the load average is printed with them.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { findModelDir } from '../../main/engine/model-loader';
import { loadImageRef } from '../../main/engine/tuning/image-refs';
import { TroveEngine } from '../../main/engine/service';
import { loadModel } from '../../main/ml/models';
import type { TunePhase } from '../../main/ml/tune/fine-tune';
import { fineTune } from '../../main/ml/tune/fine-tune';
import { parseMmebTrainJsonl } from '../../main/ml/tune/pairs';
import { chunkForMemory, stepMemoryMiB } from '../../main/ml/tune/memory';
import { readVlm2vecPackage } from '../../main/ml/models/vlm2vec/package-read';
import { DEFAULT_TUNE_SETTINGS } from '../../main/ml/tune/settings';
import { tempDir } from '../support/tmp';
import { conceptSplits, TUNING_PHOTOS } from '../support/tuning-fixture';
import { cpuSeconds, machineInfo, median, r1 } from './bench-util';

const BASE = findModelDir()!;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/** 30 pairs: 18 photos of "blicket", 12 of "dax" (image paths absolute). */
function thirtyPairs(): ReturnType<typeof parseMmebTrainJsonl> {
  const [birds, food] = conceptSplits();
  const rows = [...birds!.labelled, ...birds!.unlabelled.slice(0, 2)].map((p) => ({ qry: 'blicket', pos_image_path: p })).concat(food!.labelled.map((p) => ({ qry: 'dax', pos_image_path: p })));
  const jsonl = rows.map((r) => JSON.stringify({ ...r, task: 'retrieval_text_to_image' })).join('\n');
  const pairs = parseMmebTrainJsonl(jsonl, TUNING_PHOTOS);
  if (pairs.length !== 30) throw new Error(`expected 30 pairs, made ${pairs.length}`);
  return pairs;
}

async function wallOfDefaults(dir: string) {
  const phases: Partial<Record<TunePhase, number>> = {};
  const cpu: Partial<Record<TunePhase, number>> = {};
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const r = await fineTune({
    base: BASE,
    pairs: thirtyPairs(),
    loadImage: loadImageRef,
    out: join(dir, 'out'),
    work: join(dir, 'work-defaults'),
    onProgress: (p) => {
      phases[p.phase] ??= (performance.now() - t0) / 1000;
      cpu[p.phase] ??= cpuSeconds() - cpu0;
    },
  });
  const total = (performance.now() - t0) / 1000;
  const cpuTotal = cpuSeconds() - cpu0;
  const at = (p: TunePhase) => phases[p] ?? total;
  return {
    settings: r.settings,
    totalSec: r1(total),
    phasesSec: { prepare: r1(at('scoring-before')), scoreBefore: r1(at('training') - at('scoring-before')), train: r1(at('scoring-after') - at('training')), scoreAfter: r1(at('writing') - at('scoring-after')), write: r1(total - at('writing')) },
    secPerStep: r1((at('scoring-after') - at('training')) / r.settings.steps),
    // what the run would take with both cores to itself: its CPU seconds over its 2 threads
    cpuSec: { total: r1(cpuTotal), train: r1((cpu['scoring-after'] ?? cpuTotal) - (cpu.training ?? 0)) },
    idleWallEstimateSec: r1(cpuTotal / r.settings.threads),
    budgetSec: 180,
    heldOutP1: { before: r.before.heldOut?.p1 ?? null, after: r.after?.heldOut?.p1 ?? null },
    probe: { before: r.before.probe?.overall ?? null, after: r.after?.probe?.overall ?? null },
    loadAvg: loadavg().map(r1),
  };
}

/** In a child process: a few fine-tune steps at this batch and chunk; prints its peak RSS. */
async function rssChild(batch: number, chunk: number, steps: number, dir: string): Promise<void> {
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let trainStart = 0;
  await fineTune({
    base: BASE,
    pairs: thirtyPairs(),
    loadImage: loadImageRef,
    out: join(dir, `out-${batch}-${chunk}`),
    work: join(dir, `work-${batch}-${chunk}`),
    settings: { batch, chunk, steps, warmup: 0, userPerBatch: batch / 8 },
    onProgress: (p) => {
      if (p.phase === 'training' && !trainStart) trainStart = performance.now();
    },
  });
  process.stdout.write(JSON.stringify({ batch, chunk, steps, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), rssAtStartMiB: Math.round(before / 1024), wallSec: r1((performance.now() - t0) / 1000) }) + '\n');
}

function rssOf(batch: number, chunk: number, steps: number, dir: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--rss-child', String(batch), String(chunk), String(steps), dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`rss child (batch ${batch}, chunk ${chunk}) failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as { batch: number; chunk: number; steps: number; peakRssMiB: number; wallSec: number };
}

async function findLatency(dir: string, finds: number) {
  const dataDir = join(dir, 'find-data');
  mkdirSync(dataDir, { recursive: true });
  const engine = new TroveEngine({ dataDir, model: await loadModel(BASE, { threads: 2, providers: ['cpu'] }), loaded: { dir: BASE, providers: ['cpu'], threads: 2 }, ownsModel: true, perception: false });
  try {
    await engine.addSource({ path: TUNING_PHOTOS });
    await engine.startIndexing({});
    await engine.waitForIndexing();
    const words = ['a bird on a branch', 'fruit on a table', 'a street with houses', 'blicket', 'dax', 'the sea at sunset', 'a dog', 'trees in a forest'];
    const timeFinds = async (): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < finds; i++) {
        const t = performance.now();
        await engine.find({ text: words[i % words.length]!, k: 24, filters: {}, sort: 'relevance' });
        ms.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 100)); // a person types between searches
      }
      return ms;
    };
    await timeFinds(); // warm caches
    const idle = await timeFinds();
    const [birds] = conceptSplits();
    const ids = new Map((await engine.find({ text: 'x', k: 200, filters: {}, sort: 'relevance' })).results.map((r) => [r.path, r.id]));
    await engine.addPairs({ task: 'retrieval_text_to_image', query: { text: 'blicket' }, targets: birds!.labelled.map((p) => ({ itemId: ids.get(join(TUNING_PHOTOS, p))!, label: 1 as const })), origin: 'these-are' });
    const events: { done: number }[] = [];
    engine.onEvent((e) => {
      if (e.type === 'progress' && e.progress.kind === 'tune') events.push(e.progress);
    });
    await engine.startTuning({ settings: { steps: 1000 } });
    // measure while it trains (its steps, not its set-up)
    for (let t = 0; !events.some((e) => e.done >= 1); t++) {
      if (t > 3000) throw new Error('the fine-tune made no step in 5 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const stepsBefore = Math.max(...events.map((e) => e.done));
    const during = await timeFinds();
    const stepsDuring = Math.max(...events.map((e) => e.done)) - stepsBefore;
    await engine.cancelTuning({});
    await engine.tuningJobs.waitForTuning();
    const stat = (xs: number[]) => ({ medianMs: r1(median(xs)), p95Ms: r1([...xs].sort((a, b) => a - b)[Math.floor(0.95 * (xs.length - 1))]!), maxMs: r1(Math.max(...xs)) });
    return { finds, idle: stat(idle), duringTraining: stat(during), trainingStepsDuringFinds: stepsDuring, loadAvg: loadavg().map(r1) };
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--rss-child') return rssChild(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), process.argv[6]!);
  const json = process.argv.includes('--json');
  const skip = new Set((arg('skip') ?? '').split(',').filter(Boolean));
  const rssSteps = Number(arg('rss-steps') ?? 2);
  const finds = Number(arg('finds') ?? 24);
  const tmp = tempDir('trove-tune-bench-');
  const say = (s: string) => !json && console.log(s);
  const out: Record<string, unknown> = { machine: machineInfo(), model: BASE, defaults: DEFAULT_TUNE_SETTINGS };
  try {
    if (!skip.has('a')) {
      say('(a) 30 pairs, default settings, 2 threads ...');
      const a = await wallOfDefaults(tmp.path);
      out.wall = a;
      say(`    total ${a.totalSec} s (budget ${a.budgetSec} s): prepare ${a.phasesSec.prepare} s, score before ${a.phasesSec.scoreBefore} s, train ${a.phasesSec.train} s (${a.secPerStep} s/step x ${a.settings.steps}), score after ${a.phasesSec.scoreAfter} s, write ${a.phasesSec.write} s; load ${a.loadAvg.join(' ')}`);
      say(`    CPU ${a.cpuSec.total} s (training ${a.cpuSec.train} s): about ${a.idleWallEstimateSec} s of wall on 2 idle cores`);
      say(`    held-out P@1 ${a.heldOutP1.before} -> ${a.heldOutP1.after}; probe ${a.probe.before} -> ${a.probe.after}`);
    }
    if (!skip.has('b')) {
      say(`(b) peak RSS, ${rssSteps} steps each, own process ...`);
      const gc = rssOf(256, 16, rssSteps, tmp.path);
      const plain = rssOf(16, 16, rssSteps, tmp.path);
      const ratio = gc.peakRssMiB / plain.peakRssMiB;
      out.rss = { gradCache: gc, withoutGradCache: plain, ratio: Math.round(ratio * 100) / 100, target: 1.5 };
      say(`    batch 256 in chunks of 16: ${gc.peakRssMiB} MiB; batch 16 in one piece: ${plain.peakRssMiB} MiB; ratio ${ratio.toFixed(2)} (target <= 1.5)`);
    }
    if (!skip.has('c')) {
      say(`(c) Find latency, ${finds} finds idle and while a fine-tune trains ...`);
      const c = await findLatency(tmp.path, finds);
      out.find = c;
      say(`    idle: median ${c.idle.medianMs} ms, p95 ${c.idle.p95Ms} ms; during training: median ${c.duringTraining.medianMs} ms, p95 ${c.duringTraining.p95Ms} ms (${c.trainingStepsDuringFinds} steps trained meanwhile); load ${c.loadAvg.join(' ')}`);
    }
    if (!skip.has('d')) {
      say(`(d) the chunk from a memory budget, batch 256, ${rssSteps} steps each, own process ...`);
      const cfg = (await readVlm2vecPackage(BASE)).model.cfg;
      const rows = [512, 1024, 2048].map((budgetMiB) => {
        const chunk = chunkForMemory(cfg, budgetMiB);
        const r = rssOf(256, chunk, rssSteps, tmp.path);
        say(`    budget ${budgetMiB} MiB: chunk ${chunk} (expected ${Math.round(stepMemoryMiB(cfg, chunk))} MiB), peak RSS ${r.peakRssMiB} MiB (${((100 * r.peakRssMiB) / budgetMiB).toFixed(0)}% of the budget)`);
        return { budgetMiB, chunk, expectedMiB: Math.round(stepMemoryMiB(cfg, chunk)), peakRssMiB: r.peakRssMiB };
      });
      out.memoryBudget = rows;
    }
  } finally {
    (out.machine as { loadAvgAtEnd: number[] }).loadAvgAtEnd = loadavg().map(r1);
    tmp.cleanup();
  }
  if (json) console.log(JSON.stringify(out));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
