// Reads a model package folder and proves it is intact before anything runs it.
import { existsSync, readFileSync } from 'node:fs';
import { sha256File } from '../../base/hash';
import { join } from 'node:path';
import { ModelManifest } from './manifest';
import { messageOf } from '../../base/errors';

export interface ModelPackage {
  dir: string;
  manifest: ModelManifest;
}

export class ModelPackageError extends Error {}

export async function readModelPackage(dir: string, { verify = true } = {}): Promise<ModelPackage> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new ModelPackageError(`No model package in ${dir}: manifest.json is missing. Point Trove at a folder that holds a model package.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new ModelPackageError(`The model manifest ${manifestPath} is not valid JSON (${messageOf(e)}). Reinstall the model package.`);
  }
  const parsed = ModelManifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ModelPackageError(`The model manifest ${manifestPath} is invalid at "${first.path.join('.')}": ${first.message}. Reinstall the model package.`);
  }
  const manifest = parsed.data;
  for (const file of [manifest.tokenizer, ...Object.values(manifest.graphs)]) {
    if (!(file in manifest.files)) throw new ModelPackageError(`The model manifest lists ${file} but gives no SHA-256 for it. Reinstall the model package.`);
  }
  if (verify) await verifyFiles(dir, manifest);
  return { dir, manifest };
}

/** Where a package's files are: its own folder, or the folder its manifest names. */
export function filesDirOf(pkg: ModelPackage): string {
  return pkg.manifest.filesDir ?? pkg.dir;
}

async function verifyFiles(dir: string, manifest: ModelManifest): Promise<void> {
  const root = manifest.filesDir ?? dir;
  for (const [file, expected] of Object.entries(manifest.files)) {
    const path = join(root, file);
    if (!existsSync(path)) {
      throw new ModelPackageError(
        manifest.filesDir
          ? `The model ${manifest.id} was added from ${root}, which no longer has ${file}. Put the export folder back, or add it again with \`trove model add DIR\`.`
          : `The model package ${manifest.id} is missing ${file}. Reinstall the model package.`,
      );
    }
    const actual = await sha256File(path);
    if (actual !== expected) {
      throw new ModelPackageError(`The model file ${file} of ${manifest.id} is damaged (SHA-256 ${actual.slice(0, 12)}..., expected ${expected.slice(0, 12)}...). Reinstall the model package.`);
    }
  }
}
