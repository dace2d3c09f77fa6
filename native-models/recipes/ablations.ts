// vlm2vec-nano's ablations on the mini-MMEB suite, side by side in one table (a sibling of
// `trove eval`, sharing its encoder, image decoder and table). Each arm is a model package
// trained by train-nano.ts on the same data for the same number of steps, changing one thing:
//
//   reference             the shipped model's first phase (150 steps, with instructions, batch 512)
//   without instructions  train-nano.ts ... --no-instructions  (evaluated without them too)
//   batch 64              train-nano.ts ... --batch 64         (what GradCache's batch buys)
//
//   npx tsx native-models/recipes/ablations.ts [--suite DIR] [--limit N] [--json OUT]
//       [--arm "NAME=DIR"] [--arm "NAME=DIR:no-instructions"] ...
//
// Without --arm the three arms above are read from
// .trove-build/runs/{main,no-instructions,batch-64}/package (the commands that make them are in
// native-models/vlm2vec-nano/MODEL_CARD.md). An arm marked no-instructions sees every eval
// side with its instruction taken out, as it was trained. An arm's scores are kept in
// .trove-build/results/ keyed by its weights, the instructions switch and the suite, so a
// rerun evaluates only new arms.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chanceP1, evalImageLoader, evaluate, formatRunsTable, modelEncoder, readSuite, type EvalEncoder, type EvalSide, type SuiteScores } from '../../main/ml/eval';
import { loadModel } from '../../main/ml/models';
import { decodeModelInput } from '../../main/engine/library/images';
import { withoutInstruction } from './lib/instructions';
import { messageOf } from '../../main/base/errors';
import { sha256 } from '../../main/base/hash';

interface Arm {
  name: string;
  dir: string;
  instructions: boolean;
}

const DEFAULT_ARMS = [
  'with instructions, batch 512=.trove-build/runs/main/package',
  'without instructions=.trove-build/runs/no-instructions/package:no-instructions',
  'batch 64=.trove-build/runs/batch-64/package',
];

function parseArm(spec: string): Arm {
  const at = spec.indexOf('=');
  if (at <= 0) throw new Error(`--arm "${spec}": expected NAME=DIR or NAME=DIR:no-instructions`);
  const rest = spec.slice(at + 1);
  const noIns = rest.endsWith(':no-instructions');
  return { name: spec.slice(0, at), dir: resolve(noIns ? rest.slice(0, -':no-instructions'.length) : rest), instructions: !noIns };
}

/** The encoder an arm trained without instructions sees: every side's content only. */
function withoutInstructions(e: EvalEncoder): EvalEncoder {
  const strip = (s: EvalSide): EvalSide => ({ ...s, text: withoutInstruction(s.text) });
  return {
    embedQuery: (s, c) => e.embedQuery(strip(s), c),
    embedTarget: (s, c) => e.embedTarget(strip(s), c),
    ...(e.embedQueries ? { embedQueries: (s, c) => e.embedQueries!(s.map(strip), c) } : {}),
    ...(e.embedTargets ? { embedTargets: (s, c) => e.embedTargets!(s.map(strip), c) } : {}),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let suiteDir = '.trove-build/data/eval';
  let limit: number | undefined;
  let jsonOut: string | undefined;
  const armSpecs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--suite') suiteDir = argv[++i]!;
    else if (k === '--limit') limit = Number(argv[++i]);
    else if (k === '--json') jsonOut = argv[++i];
    else if (k === '--arm') armSpecs.push(argv[++i]!);
    else throw new Error(`unknown argument ${k} (see the header of native-models/recipes/ablations.ts)`);
  }
  const arms = (armSpecs.length ? armSpecs : DEFAULT_ARMS).map(parseArm);
  const missing = arms.filter((a) => !existsSync(resolve(a.dir, 'manifest.json')));
  if (missing.length) throw new Error(`no model package for ${missing.map((a) => `"${a.name}" (${a.dir})`).join(', ')}: train it first (native-models/vlm2vec-nano/MODEL_CARD.md, "Ablations")`);
  const suite = await readSuite(resolve(suiteDir), limit ? { limitRows: limit } : {});
  const results: SuiteScores[] = [];
  const cacheDir = resolve('.trove-build/results');
  mkdirSync(cacheDir, { recursive: true });
  for (const arm of arms) {
    const manifest = readFileSync(resolve(arm.dir, 'manifest.json'), 'utf8');
    const key = sha256(JSON.stringify([(JSON.parse(manifest) as { files: unknown }).files, arm.instructions, suite.dir, limit ?? null])).slice(0, 16);
    const cached = resolve(cacheDir, `ablation-${key}.json`);
    if (existsSync(cached)) {
      results.push({ ...(JSON.parse(readFileSync(cached, 'utf8')) as SuiteScores), model: arm.name });
      console.error(`${arm.name}: scores from ${cached}`);
      continue;
    }
    const t0 = performance.now();
    const model = await loadModel(arm.dir, { providers: ['cpu'] });
    try {
      const enc = modelEncoder(model, { loadImage: evalImageLoader(decodeModelInput) });
      const scores = await evaluate(suite, arm.instructions ? enc : withoutInstructions(enc), { model: arm.name, batchSize: 32 });
      writeFileSync(cached, JSON.stringify(scores) + '\n');
      results.push(scores);
    } finally {
      await model.dispose();
    }
    console.error(`${arm.name}: ${model.id}@${model.version}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const chance = new Map(suite.datasets.map((d) => [d.name, chanceP1(d.rows.map((r) => r.candidates.length))]));
  console.log(formatRunsTable(results, chance));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ suite: { dir: suite.dir, limit: limit ?? null }, arms: arms.map((a, i) => ({ ...a, dir: a.dir, scores: results[i] })) }, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(messageOf(e));
  process.exit(1);
});
