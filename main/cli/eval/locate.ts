// Where `trove eval` finds what the recipes build: the `.trove-build/` folder next to
// the installation (found walking up from this file, as the model loader finds
// native-models/; works from main/ and dist/main/), or $TROVE_BUILD_DIR; and the vision
// trunk, which a model package may already ship.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256File } from '../../base/hash';
import { findInstalled } from '../../engine/installed';
import { filesDirOf, ModelPackageError, readModelPackage } from '../../ml/models/model-package';

export const BUILD_DIR_NAME = '.trove-build';

/** The build folder: $TROVE_BUILD_DIR when set (whether or not it exists), else the first `.trove-build/` walking up, else null. */
export function findBuildDir(env: NodeJS.ProcessEnv = process.env, from = __dirname): string | null {
  return env.TROVE_BUILD_DIR ? resolve(env.TROVE_BUILD_DIR) : findInstalled(BUILD_DIR_NAME, from);
}

export class MissingBuildError extends Error {}

/** The mini-MMEB suite folder (`<build>/data/eval` with its suite.json), or a MissingBuildError saying how to build it. */
export function miniMmebDir(env: NodeJS.ProcessEnv = process.env, from = __dirname): string {
  const build = findBuildDir(env, from);
  const dir = build ? join(build, 'data', 'eval') : null;
  if (dir && existsSync(join(dir, 'suite.json'))) return dir;
  throw new MissingBuildError(
    `Trove's mini-MMEB suite is not built: expected ${dir ? join(dir, 'suite.json') : `${BUILD_DIR_NAME}/data/eval/suite.json in the Trove installation`}` +
      (env.TROVE_BUILD_DIR ? ' ($TROVE_BUILD_DIR)' : '') +
      '. Build it with `npx tsx native-models/recipes/build-data.ts` (in the Trove source folder), or evaluate any MMEB-format folder with `trove eval --mmeb DIR`.',
  );
}

/**
 * The trunk a model package ships (its manifest's `graphs.trunk`), checked against the
 * manifest's SHA-256; null when the folder holds no package or its package has no trunk.
 */
export async function packageTrunkPath(dir: string): Promise<string | null> {
  if (!existsSync(join(dir, 'manifest.json'))) return null;
  const pkg = await readModelPackage(dir, { verify: false });
  const name = pkg.manifest.graphs.trunk;
  if (name === undefined) return null;
  const file = join(filesDirOf(pkg), name);
  if (!existsSync(file)) throw new ModelPackageError(`The model package ${pkg.manifest.id} (${dir}) is missing ${name}. Reinstall the model package, or point --trunk at a trunk.onnx.`);
  const actual = await sha256File(file);
  if (actual !== pkg.manifest.files[name]) {
    throw new ModelPackageError(`The trunk ${file} of the model package ${pkg.manifest.id} is damaged (SHA-256 ${actual.slice(0, 12)}..., expected ${pkg.manifest.files[name]!.slice(0, 12)}...). Reinstall the model package.`);
  }
  return file;
}

/**
 * The frozen vision trunk: the first of `packageDirs` whose model package ships one (the
 * default vlm2vec-nano does), else the recipe's build (`<build>/trunk/trunk.onnx`), else a
 * MissingBuildError saying how to get one.
 */
export async function trunkOnnxPath(packageDirs: readonly string[], env: NodeJS.ProcessEnv = process.env, from = __dirname): Promise<string> {
  for (const dir of packageDirs) {
    const file = await packageTrunkPath(dir);
    if (file) return file;
  }
  const build = findBuildDir(env, from);
  const file = build ? join(build, 'trunk', 'trunk.onnx') : null;
  if (file && existsSync(file)) return file;
  const looked = packageDirs.length ? `no trunk in the model package${packageDirs.length > 1 ? 's' : ''} ${packageDirs.join(', ')}, and ` : '';
  throw new MissingBuildError(
    `the trunk+bow baseline needs the vision trunk: ${looked}none at ${file ?? `${BUILD_DIR_NAME}/trunk/trunk.onnx in the Trove installation`}. ` +
      'Build it with `npx tsx native-models/recipes/vision-trunk.ts`, or point --trunk at a trunk.onnx.',
  );
}
