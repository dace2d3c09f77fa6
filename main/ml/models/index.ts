// The model families this build of Trove can run: importing this module registers them with
// the loader, so `loadModel(dir)` from here always knows every family.
import './vlm2vec/family';
import './qwen2-vl/family';

export { loadModel, knownModelFamilies, readPackageOrFolder, registerModelFamily } from './loader';
export type { LoadOptions } from './loader';
