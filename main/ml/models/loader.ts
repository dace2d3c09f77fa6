// Model families behind one loader (as transformers.js does): the engine asks for a
// package folder and gets an EmbeddingModel, whatever the family.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingModel } from './embedding-model';
import type { ModelPackage } from './model-package';
import { ModelPackageError, readModelPackage } from './model-package';

export interface LoadOptions {
  /** execution providers to try, best first; the runtime appends 'cpu' */
  providers?: string[];
  threads?: number;
}

export type FamilyLoader = (pkg: ModelPackage, options: LoadOptions) => Promise<EmbeddingModel>;

/** Reads a folder that has no manifest.json but is this family's own format (a Qwen2-VL export), or says null. */
export type FolderReader = (dir: string) => ModelPackage | null;

const families = new Map<string, FamilyLoader>();
const folderReaders: FolderReader[] = [];

export function registerModelFamily(family: string, loader: FamilyLoader, o: { fromFolder?: FolderReader } = {}): void {
  families.set(family, loader);
  if (o.fromFolder) folderReaders.push(o.fromFolder);
}

export function knownModelFamilies(): string[] {
  return [...families.keys()];
}

/**
 * The package in `dir`: its manifest.json (SHA-256s verified), or, for a folder without one,
 * what a family's folder reader makes of it (files as they are, nothing to verify against).
 */
export async function readPackageOrFolder(dir: string): Promise<ModelPackage> {
  if (!existsSync(join(dir, 'manifest.json'))) {
    for (const read of folderReaders) {
      const pkg = read(dir);
      if (pkg) return pkg;
    }
  }
  return readModelPackage(dir);
}

export async function loadModel(dir: string, options: LoadOptions = {}): Promise<EmbeddingModel> {
  const pkg = await readPackageOrFolder(dir);
  const loader = families.get(pkg.manifest.family);
  if (!loader) {
    throw new ModelPackageError(
      `The model ${pkg.manifest.id} is of family "${pkg.manifest.family}", which this version of Trove cannot run (it knows: ${knownModelFamilies().join(', ') || 'none'}). Update Trove or pick another model.`,
    );
  }
  return loader(pkg, options);
}
