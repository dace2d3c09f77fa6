// The typed parts of a perception package (its kind's config, its JSON files, a graph's
// session), with errors that name the package, the place and what to do.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ModelPackageError } from '../models/model-package';
import { createSession } from '../runtime/session';
import type { Session } from '../runtime/session';
import type { PerceptionPackage } from './package';
import type { PerceptionLoadOptions } from './types';
import { messageOf } from '../../base/errors';

const where = (e: z.ZodError): string => `at "${e.issues[0]!.path.join('.')}": ${e.issues[0]!.message}`;

/** The manifest's `config`, parsed by the kind's schema. */
export function packageConfig<S extends z.ZodTypeAny>(pkg: PerceptionPackage, schema: S): z.infer<S> {
  const parsed = schema.safeParse(pkg.manifest.config);
  if (!parsed.success) throw new ModelPackageError(`The ${pkg.manifest.kind} config of ${pkg.manifest.id} is invalid ${where(parsed.error)}. Reinstall the package.`);
  return parsed.data as z.infer<S>;
}

/** A JSON file of the package (which the manifest must list with its SHA-256), parsed by `schema`. */
export function packageJson<S extends z.ZodTypeAny>(pkg: PerceptionPackage, file: string, schema: S): z.infer<S> {
  const { id } = pkg.manifest;
  if (!(file in pkg.manifest.files)) throw new ModelPackageError(`The manifest of ${id} names the file ${file} but gives no SHA-256 for it. Reinstall the package.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(pkg.path(file), 'utf8'));
  } catch (e) {
    throw new ModelPackageError(`The file ${file} of ${id} is not valid JSON (${messageOf(e)}). Reinstall the package.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ModelPackageError(`The file ${file} of ${id} is invalid ${where(parsed.error)}. Reinstall the package.`);
  return parsed.data as z.infer<S>;
}

/** A session on the graph of role `role` (e.g. 'model'), which must have the `input` and `output` the config names. */
export async function packageSession(pkg: PerceptionPackage, role: string, io: { input: string; output: string }, options: PerceptionLoadOptions): Promise<Session> {
  const { id, kind } = pkg.manifest;
  const file = pkg.manifest.graphs[role];
  if (!file) throw new ModelPackageError(`The ${kind} package ${id} names no "${role}" graph. Reinstall the package.`);
  const session = await createSession(pkg.path(file), {
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  });
  if (!session.inputNames.includes(io.input) || !session.outputNames.includes(io.output)) {
    await session.release();
    throw new ModelPackageError(`The graph of ${id} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; its config wants ${io.input} -> ${io.output}. Reinstall the package.`);
  }
  return session;
}
