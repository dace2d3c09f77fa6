// Where `trove eval` finds what the recipes build: the `.trove-build/` folder next to
// the installation (found walking up from this file, as the model loader finds
// native-models/; works from main/ and dist/main/), or $TROVE_BUILD_DIR.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const BUILD_DIR_NAME = '.trove-build';

/** The build folder: $TROVE_BUILD_DIR when set (whether or not it exists), else the first `.trove-build/` walking up, else null. */
export function findBuildDir(env: NodeJS.ProcessEnv = process.env, from = __dirname): string | null {
  if (env.TROVE_BUILD_DIR) return resolve(env.TROVE_BUILD_DIR);
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, BUILD_DIR_NAME);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
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

/** The frozen vision trunk (`<build>/trunk/trunk.onnx`), or a MissingBuildError saying how to build it. */
export function trunkOnnxPath(env: NodeJS.ProcessEnv = process.env, from = __dirname): string {
  const build = findBuildDir(env, from);
  const file = build ? join(build, 'trunk', 'trunk.onnx') : null;
  if (file && existsSync(file)) return file;
  throw new MissingBuildError(
    `the trunk+bow baseline needs the vision trunk, expected at ${file ?? `${BUILD_DIR_NAME}/trunk/trunk.onnx in the Trove installation`}. ` +
      'Build it with `npx tsx native-models/recipes/vision-trunk.ts`, or point --trunk at a trunk.onnx.',
  );
}
