// `trove eval`: Precision@1 of a model (and, with --baselines, of two model-free
// baselines) on Trove's mini-MMEB suite or any MMEB-format folder.
//
//   trove eval --suite mini-mmeb [--model DIR] [--baselines] [--limit N] [--json]
//   trove eval --mmeb DIR [--images DIR] [--model DIR] [--baselines] [--limit N] [--json]
//   trove eval --search DIR [--data DIR] [--model DIR] [--json]   (search-eval.ts)
//
// --json prints ONE document on stdout. Without --baselines it is the model's scores:
//   {"model","datasets":[{"name","metaTask","split","n","p1"}],"metaTasks":{...},"ind","ood","overall"}
// With --baselines it is {"suite":{"dir","limit"},"runs":[<that document per run>]}, the
// model's run first (when a model is installed or given), then "random", then "trunk+bow".
// Every score is a fraction in [0, 1]; aggregates are unweighted means of datasets' P@1
// (null when they cover no dataset); a dataset with no rows has p1 null.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chanceP1, evalImageLoader, EvalImageError, evaluate, formatRunsTable, modelEncoder, readSuite, type EvalEncoder, type EvalSuite, type SuiteScores } from '../../ml/eval';
import { randomBaseline, RANDOM_BASELINE_NAME, TrunkFeatures, trunkBowBaseline, TRUNK_BOW_BASELINE_NAME } from '../../ml/eval/baselines';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { ModelPackageError } from '../../ml/models/model-package';
// the models index registers every family this build can run (the vlm2vec family) with the loader
import { loadModel as loadModelPackage } from '../../ml/models';
import { findModelDir, loadDefaultModel, NoModelError } from '../../engine/model-loader';
import { decodeModelInput } from '../../engine/library/images';
import { flagInt, flagString, UsageError, type ParsedArgs } from '../args';
import { MissingBuildError, miniMmebDir, trunkOnnxPath } from './locate';
import { cancelOnCtrlC } from './ctrl-c';
import { evalEvidence, type EvalEvidence } from './evidence';
import type { EvalCommandDeps } from './deps';
import { cmdEvalSearch } from './search-eval';

export type { EvalCommandDeps } from './deps';

export const EVAL_SUITES = ['mini-mmeb'] as const;

/** Eval images through the engine's decoder: scored on the pixels indexing feeds the model. */
const decodeEvalImage = evalImageLoader(decodeModelInput);


class EvalCancelled extends Error {}

interface Run {
  name: string;
  encoder: EvalEncoder;
  /** embeddings (or trunk images) made so far, for the progress line */
  count(): number;
  /** what count() counts */
  unit: string;
}

/** Wraps every method so a cancelled run stops at the next embedding call. */
function cancellable(e: EvalEncoder, check: () => void): EvalEncoder {
  return {
    embedQuery: (s, c) => (check(), e.embedQuery(s, c)),
    embedTarget: (s, c) => (check(), e.embedTarget(s, c)),
    ...(e.embedQueries ? { embedQueries: (s, c) => (check(), e.embedQueries!(s, c)) } : {}),
    ...(e.embedTargets ? { embedTargets: (s, c) => (check(), e.embedTargets!(s, c)) } : {}),
  };
}

/** Counts single calls (the random baseline has no batched form). */
function counting(e: EvalEncoder): { encoder: EvalEncoder; count(): number } {
  let n = 0;
  return {
    encoder: {
      embedQuery: (s, c) => (n++, e.embedQuery(s, c)),
      embedTarget: (s, c) => (n++, e.embedTarget(s, c)),
    },
    count: () => n,
  };
}

export async function cmdEval(args: ParsedArgs, deps: EvalCommandDeps): Promise<number> {
  const { out, err } = deps;
  const env = deps.env ?? process.env;
  if (args.flags.has('search')) return cmdEvalSearch(args, deps);
  if (args.positional.length) throw new UsageError(`eval takes no positional arguments (got "${args.positional.join(' ')}"); use --suite mini-mmeb or --mmeb DIR`);
  const suiteName = flagString(args, 'suite');
  const mmeb = flagString(args, 'mmeb');
  if (args.flags.has('suite') && suiteName === undefined) throw new UsageError('--suite needs a name: --suite mini-mmeb');
  if ((suiteName === undefined) === (mmeb === undefined)) throw new UsageError('eval needs exactly one of --suite mini-mmeb, --mmeb DIR or --search DIR');
  if (suiteName !== undefined && !(EVAL_SUITES as readonly string[]).includes(suiteName)) {
    throw new UsageError(`unknown suite "${suiteName}"; known: ${EVAL_SUITES.join(', ')} (or evaluate an MMEB-format folder with --mmeb DIR)`);
  }
  const images = flagString(args, 'images');
  const modelDir = flagString(args, 'model');
  const trunkFlag = flagString(args, 'trunk');
  const limit = flagInt(args, 'limit', 1, 1_000_000);
  const json = args.flags.has('json');
  const baselines = args.flags.has('baselines');
  if (trunkFlag !== undefined && !baselines) throw new UsageError('--trunk is only used with --baselines');

  // 1. the suite
  let dir: string;
  try {
    dir = mmeb !== undefined ? resolve(mmeb) : miniMmebDir(env);
  } catch (e) {
    if (e instanceof MissingBuildError) return fail(err, e.message, 3);
    throw e;
  }
  if (mmeb !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) return fail(err, `--mmeb ${mmeb}: no such folder`, 3);
  if (images !== undefined && !(existsSync(images) && statSync(images).isDirectory())) return fail(err, `--images ${images}: no such folder`, 3);
  const suite: EvalSuite = await readSuite(dir, { ...(images !== undefined ? { imageRoot: resolve(images) } : {}), ...(limit !== undefined ? { limitRows: limit } : {}) });
  for (const s of suite.skipped) err.write(`trove: note: skipped ${s.name} (${s.reason})\n`);
  for (const [name, iss] of Object.entries(suite.issues)) for (const i of iss) err.write(`trove: note: ${name}: ${i}\n`);
  if (suite.datasets.length === 0) {
    return fail(err, `no MMEB datasets to evaluate in ${dir}: expected <name>.parquet / <name>.jsonl files (MMEB dataset names, or listed in a suite.json)`, 3);
  }

  // 2. what runs: the model unless --baselines finds none installed; the baselines
  let trunkPath: string | null = null;
  if (baselines) {
    try {
      // the trunk is the model-free baseline's, not the model's: any package that ships it will do
      const packageDirs = [...new Set([modelDir !== undefined ? resolve(modelDir) : null, findModelDir(env)].filter((d): d is string => d !== null))];
      trunkPath = trunkFlag !== undefined ? resolve(trunkFlag) : await trunkOnnxPath(packageDirs, env);
    } catch (e) {
      if (e instanceof MissingBuildError || e instanceof ModelPackageError) return fail(err, e.message, 3);
      throw e;
    }
    if (!existsSync(trunkPath)) return fail(err, `--trunk ${trunkFlag}: no such file`, 3);
    if (trunkFlag === undefined) err.write(`trove: note: the trunk+bow baseline uses the vision trunk ${trunkPath}\n`);
  }
  let model: EmbeddingModel | null = null;
  let trunk: TrunkFeatures | null = null;
  let evidence: EvalEvidence | null = null;
  const ctrlC = cancelOnCtrlC(err);
  const check = () => {
    if (ctrlC.pressed) throw new EvalCancelled();
  };
  const tty = err.isTTY === true;
  const status = { run: '', runIndex: 0, runs: 0, dataset: '', datasetIndex: 0, datasets: suite.datasets.length, phase: '', count: () => 0, unit: '' };
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    err.write(`\r\x1b[2K[${status.runIndex}/${status.runs} ${status.run}] ${status.datasetIndex}/${status.datasets} ${status.dataset}: ${status.phase} (${status.count()} ${status.unit})`);
  };
  try {
    if (modelDir !== undefined) {
      model = await loadModelPackage(resolve(modelDir));
    } else {
      try {
        model = await (deps.loadModel ?? loadDefaultModel)();
      } catch (e) {
        if (!(e instanceof NoModelError)) throw e;
        if (!baselines) throw new NoModelError(`${e.message} (\`trove eval --baselines\` runs the model-free baselines without one; --model DIR evaluates a model package folder.)`);
        err.write('trove: note: no embedding model is installed; running the baselines only.\n');
      }
    }
    const runs: Run[] = [];
    if (model) {
      let n = 0;
      if (model.perception) {
        evidence = evalEvidence(model.perception, env);
        for (const m of evidence.mismatches) err.write(`trove: note: ${model.id} was trained with other perception packages (${m}); its scores may differ from its model card\n`);
      }
      const ev = evidence;
      const enc = modelEncoder(model, { loadImage: decodeEvalImage, ...(ev ? { perceive: (p: string) => ev.perceive(p) } : {}), checkCancelled: check, onEmbedded: (k) => ((n = k), draw()) });
      runs.push({ name: `${model.id}@${model.version}`, encoder: enc, count: () => n, unit: 'embedded' });
    }
    if (baselines) {
      const r = counting(randomBaseline());
      runs.push({ name: RANDOM_BASELINE_NAME, encoder: r.encoder, count: r.count, unit: 'embedded' });
      trunk = await TrunkFeatures.open(trunkPath!);
      const tb = trunkBowBaseline({ trunk, loadImage: decodeEvalImage, checkCancelled: check, onImages: () => draw() });
      runs.push({ name: TRUNK_BOW_BASELINE_NAME, encoder: tb, count: () => tb.imagesEmbedded, unit: 'images through the trunk' });
    }
    status.runs = runs.length;

    // 3. evaluate, one run after the other
    const results: SuiteScores[] = [];
    for (const [i, r] of runs.entries()) {
      const first = suite.datasets[0]!.name;
      Object.assign(status, { run: r.name, runIndex: i + 1, count: r.count, unit: r.unit, dataset: first, datasetIndex: 1, phase: 'embedding queries' });
      draw(true);
      results.push(
        await evaluate(suite, cancellable(r.encoder, check), {
          model: r.name,
          batchSize: 32,
          onProgress: (p) => {
            const next = suite.datasets[p.datasetIndex + 1];
            if (p.phase === 'scored' && next) Object.assign(status, { dataset: next.name, datasetIndex: p.datasetIndex + 2, phase: 'embedding queries' });
            else Object.assign(status, { dataset: p.dataset, datasetIndex: p.datasetIndex + 1, phase: { queries: 'embedding targets', targets: 'scoring', scored: 'done' }[p.phase] });
            draw(p.phase === 'scored');
          },
        }),
      );
    }
    if (tty) err.write('\r\x1b[2K');

    // 4. report
    if (json) {
      const doc = baselines ? { suite: { dir: suite.dir, limit: limit ?? null }, runs: results } : results[0]!;
      out.write(JSON.stringify(doc) + '\n');
      return 0;
    }
    const chance = new Map(suite.datasets.map((d) => [d.name, chanceP1(d.rows.map((r) => r.candidates.length))]));
    out.write(`Suite: ${suite.dir}${limit !== undefined ? ` (first ${limit} rows per dataset)` : ''}\n`);
    out.write(formatRunsTable(results, chance) + '\n');
    return 0;
  } catch (e) {
    if (tty) err.write('\r\x1b[2K');
    if (e instanceof EvalCancelled) {
      err.write('trove: evaluation cancelled; nothing was scored in full.\n');
      return 130;
    }
    if (e instanceof EvalImageError) return fail(err, e.message, 1);
    throw e;
  } finally {
    ctrlC.remove();
    if (evidence) {
      const c = evidence.counts();
      err.write(`trove: note: perception evidence of ${c.computed + c.cached + c.withoutText} images: ${c.computed} perceived now, ${c.cached} from the evidence cache${c.withoutText ? `, ${c.withoutText} from the cache without the text reader's lines (perceive-images.ts left the reader out there)` : ''}\n`);
      await evidence.close();
    }
    await trunk?.release();
    await model?.dispose();
  }
}

function fail(err: { write(s: string): unknown }, message: string, code: number): number {
  err.write(`trove: ${message}\n`);
  return code;
}
