// `trove train --pairs FILE.jsonl`: fine-tunes a model package on labelled pairs (MMEB-train
// JSONL) with Trove's trainer and writes the result as a new package version.
//
//   trove train --pairs FILE.jsonl [--model DIR] [--out DIR] [--steps N] [--json]
//       [--scope lora|last-layers|full] [--batch N] [--chunk N] [--lr X] [--threads N]
//       [--held-out X] [--distractors DIR] [--work DIR]
//
// --model: the package to tune (default: the library's model, else the installed default).
// --out: where the new version's folder goes (default: the library's model store,
// <data>/models/, where Settings and `trove eval --model` find it). Checkpoints go to a
// work folder named by the inputs (default <data>/tuning/cli-<key>), so running the same
// command again after Ctrl-C or a crash resumes. --distractors DIR: photos (not of any
// query) that each held-out positive must outrank in the before/after score.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { sha256 } from '../base/hash';
import { messageOf } from '../base/errors';
import { findModelDir, NoModelError } from '../engine/model-loader';
import { loadImageRef } from '../engine/tuning/image-refs';
import { readSettings } from '../engine/settings';
import type { TaskName } from '../ml/models/embedding-model';
import type { FineTuneResult, TuneProgress } from '../ml/tune/fine-tune';
import { fineTune } from '../ml/tune/fine-tune';
import type { LabelledPair, PairSide } from '../ml/tune/pairs';
import { pairsSha256, PairsFileError, parseMmebTrainJsonl } from '../ml/tune/pairs';
import type { TuneScope } from '../ml/tune/scope';
import { TUNE_SCOPES } from '../ml/tune/scope';
import type { TuneSettings } from '../ml/tune/settings';
import { flagInt, flagString, UsageError, type ParsedArgs } from './args';
import { cancelOnCtrlC } from './eval/ctrl-c';

export interface TrainCommandDeps {
  dataDir: string;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

const IMAGE_EXTS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

function flagNumber(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${v}"`);
  return n;
}

/** The settings the command line asks for (the rest are fine-tune defaults). */
function settingsOf(args: ParsedArgs): Partial<TuneSettings> {
  const scope = flagString(args, 'scope');
  if (scope !== undefined && !TUNE_SCOPES.includes(scope as TuneScope)) throw new UsageError(`--scope must be one of ${TUNE_SCOPES.join(', ')}, got "${scope}"`);
  const s: Partial<TuneSettings> = {
    steps: flagInt(args, 'steps', 1, 100_000),
    batch: flagInt(args, 'batch', 2, 4096),
    chunk: flagInt(args, 'chunk', 1, 4096),
    threads: flagInt(args, 'threads', 1, 64),
    lr: flagNumber(args, 'lr', 0, 0.1),
    heldOutShare: flagNumber(args, 'held-out', 0, 0.9),
    scope: scope as TuneScope | undefined,
  };
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
}

/**
 * Photos a held-out positive must outrank, phrased as the file's own image targets are (MMEB
 * rows carry their instruction: the most common text next to a positive image is reused).
 */
function distractorsFrom(dir: string, pairs: readonly LabelledPair[]): { task: TaskName | null; side: PairSide }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--distractors ${dir}: no such folder`);
  const withImage = pairs.filter((p) => p.positive.image);
  if (!withImage.length) throw new UsageError('--distractors: the pairs have no image targets for photos to compete with');
  const texts = new Map<string, number>();
  for (const p of withImage) texts.set(p.positive.text ?? '', (texts.get(p.positive.text ?? '') ?? 0) + 1);
  const text = [...texts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const task = withImage[0]!.task;
  return readdirSync(dir)
    .filter((f) => IMAGE_EXTS.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => ({ task, side: { image: resolve(dir, f), ...(text ? { text } : {}) } }));
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(1)}%`);

function report(r: FineTuneResult): string {
  const lines = [`New model version: ${r.dir}`, `  ${r.manifest?.id} ${r.manifest?.version}; ${r.trainPairs} pairs trained on, ${r.heldOutPairs} held out; ${r.step} steps${r.resumedFrom ? ` (resumed from step ${r.resumedFrom})` : ''}`];
  const b = r.before;
  const a = r.after;
  if (b.heldOut) lines.push(`  held-out P@1:          ${pct(b.heldOut.p1)} -> ${pct(a?.heldOut?.p1)} (each held-out positive against ${b.heldOut.distractors} distractors)`, `  held-out R-precision:  ${pct(b.heldOut.rPrecision)} -> ${pct(a?.heldOut?.rPrecision)}`);
  else lines.push('  held-out: none (too few pairs to hold any out)');
  if (b.probe) lines.push(`  probe slice of mini-MMEB (forgetting): ${pct(b.probe.overall)} -> ${pct(a?.probe?.overall)}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push(`Score it on a suite: trove eval --mmeb DIR --model ${r.dir}`);
  return lines.join('\n') + '\n';
}

export async function cmdTrain(args: ParsedArgs, d: TrainCommandDeps): Promise<number> {
  if (args.positional.length) throw new UsageError(`train takes no positional arguments (got "${args.positional.join(' ')}"); use --pairs FILE.jsonl`);
  const pairsFile = flagString(args, 'pairs');
  if (!pairsFile) throw new UsageError('train needs the labelled pairs: trove train --pairs FILE.jsonl');
  if (!existsSync(pairsFile)) throw new UsageError(`--pairs ${pairsFile}: no such file`);
  const json = args.flags.has('json');
  const settings = settingsOf(args);
  let pairs: LabelledPair[];
  try {
    pairs = parseMmebTrainJsonl(readFileSync(pairsFile, 'utf8'), resolve(pairsFile, '..'), pairsFile);
  } catch (e) {
    if (e instanceof PairsFileError) throw new UsageError(e.message);
    throw e;
  }
  const modelFlag = flagString(args, 'model');
  const model = resolve(modelFlag ?? readSettings(d.dataDir).modelDir ?? findModelDir(d.env) ?? '');
  if (!existsSync(join(model, 'manifest.json'))) {
    if (modelFlag) throw new UsageError(`--model ${modelFlag}: no model package there (no manifest.json)`);
    throw new NoModelError('No model package to fine-tune: give one with --model DIR.');
  }
  const out = resolve(flagString(args, 'out') ?? join(d.dataDir, 'models'));
  const distractorsDir = flagString(args, 'distractors');
  const distractors = distractorsDir ? distractorsFrom(distractorsDir, pairs) : [];
  const key = sha256(JSON.stringify({ model, pairs: pairsSha256(pairs), settings, distractors })).slice(0, 16);
  const work = resolve(flagString(args, 'work') ?? join(d.dataDir, 'tuning', `cli-${key}`));

  const tty = d.err.isTTY === true;
  let lastLine = 0;
  const show = (p: TuneProgress): void => {
    const now = Date.now();
    if (p.phase === 'training' && now - lastLine < (tty ? 200 : 5000) && p.step !== p.steps) return;
    lastLine = now;
    const what = p.phase === 'training' ? `step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)}${p.etaSec !== null ? `  eta ${Math.ceil(p.etaSec)} s` : ''}` : p.phase.replace('-', ' ');
    d.err.write(tty ? `\r\x1b[2Ktraining ${what}` : `trove: ${what} (${p.elapsedSec.toFixed(0)} s)\n`);
  };
  const ctl = new AbortController();
  const ctrlC = cancelOnCtrlC(d.err, () => ctl.abort(), 'the fine-tune (its checkpoint is kept)');
  let r: FineTuneResult;
  try {
    r = await fineTune({ base: model, pairs, distractors, loadImage: loadImageRef, out, work, settings, signal: ctl.signal, onProgress: show });
  } catch (e) {
    if (tty) d.err.write('\r\x1b[2K');
    d.err.write(`trove: ${messageOf(e)}\n`);
    return 1;
  } finally {
    ctrlC.remove();
  }
  if (tty) d.err.write('\r\x1b[2K');
  if (r.cancelled) {
    d.err.write(`trove: stopped at step ${r.step}; run the same command again to resume from its last checkpoint (${work}).\n`);
    return 130;
  }
  if (json) {
    d.out.write(JSON.stringify({ dir: r.dir, id: r.manifest?.id, version: r.manifest?.version, trainPairs: r.trainPairs, heldOutPairs: r.heldOutPairs, steps: r.step, resumedFrom: r.resumedFrom, settings: r.settings, before: r.before, after: r.after, losses: r.losses, notes: r.notes }) + '\n');
  } else d.out.write(report(r));
  return 0;
}
