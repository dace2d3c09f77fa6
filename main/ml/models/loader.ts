// Model families behind one loader (as transformers.js does): the engine asks for a
// package folder and gets an EmbeddingModel, whatever the family.
import type { EmbeddingModel } from './embedding-model';
import type { ModelPackage } from './model-package';
import { ModelPackageError, readModelPackage } from './model-package';

export interface LoadOptions {
  /** execution providers to try, best first; the runtime appends 'cpu' */
  providers?: string[];
  threads?: number;
}

export type FamilyLoader = (pkg: ModelPackage, options: LoadOptions) => Promise<EmbeddingModel>;

const families = new Map<string, FamilyLoader>();

export function registerModelFamily(family: string, loader: FamilyLoader): void {
  families.set(family, loader);
}

export function knownModelFamilies(): string[] {
  return [...families.keys()];
}

export async function loadModel(dir: string, options: LoadOptions = {}): Promise<EmbeddingModel> {
  const pkg = await readModelPackage(dir);
  const loader = families.get(pkg.manifest.family);
  if (!loader) {
    throw new ModelPackageError(
      `The model ${pkg.manifest.id} is of family "${pkg.manifest.family}", which this version of Trove cannot run (it knows: ${knownModelFamilies().join(', ') || 'none'}). Update Trove or pick another model.`,
    );
  }
  return loader(pkg, options);
}
