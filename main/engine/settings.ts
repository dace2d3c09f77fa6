// Settings persisted per library in <dataDir>/settings.json: the model package folder, the
// execution providers to try (best first) and the inference threads. Written atomically
// (temp file + rename); a missing or corrupt file means defaults (a corrupt one is logged,
// never fatal). Also: which model packages are installed (native-models/ of the
// installation and <dataDir>/models/).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ProviderName, type ModelPackageInfo } from '../contract/api';
import { defaultProviders } from '../ml/runtime/session';
import { writeJsonAtomic } from './store/json-file';
import { messageOf } from '../base/errors';

export const SETTINGS_FILE = 'settings.json';

export const SavedSettings = z
  .object({
    modelDir: z.string().min(1).nullable().optional(),
    providers: z.array(ProviderName).min(1).optional(),
    threads: z.number().int().min(1).max(64).optional(),
  })
  .strip();
export type SavedSettings = z.infer<typeof SavedSettings>;

export function settingsFile(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE);
}

/** The saved settings, or {} (defaults) when the file is missing or unreadable. */
export function readSettings(dataDir: string, log: (line: string) => void = () => undefined): SavedSettings {
  const file = settingsFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`settings: could not read ${file} (${messageOf(err)}); using the defaults`);
    return {};
  }
  try {
    const parsed = SavedSettings.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    log(`settings: ${file} is not valid (${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}); using the defaults`);
  } catch (err) {
    log(`settings: ${file} is corrupt (${messageOf(err)}); using the defaults`);
  }
  return {};
}

/** Writes the settings atomically: a crash leaves either the old file or the new one. */
export function writeSettings(dataDir: string, s: SavedSettings): void {
  writeJsonAtomic(settingsFile(dataDir), s);
}

/** Threads when none are saved: all cores but one, 1..64 (ORT's own default would take all). */
export function defaultThreads(cores: number = availableParallelism()): number {
  return Math.min(64, Math.max(1, cores - 1));
}

export function effectiveProviders(s: SavedSettings, platform: string = process.platform): ProviderName[] {
  return s.providers ?? defaultProviders(platform);
}

/** The folders searched for model packages: native-models/ walking up from `from`, then <dataDir>/models. */
export function modelRoots(dataDir: string, from: string = __dirname): string[] {
  const roots: string[] = [];
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'native-models');
    if (existsSync(candidate)) {
      roots.push(candidate);
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  roots.push(join(dataDir, 'models'));
  return roots;
}

const ManifestHead = z.object({ id: z.string().min(1), version: z.string().min(1), family: z.string().min(1) });

/** Every <root>/<name>/manifest.json with an id, version and family (the full check happens at load). */
export function findModelPackages(roots: string[]): ModelPackageInfo[] {
  const out: ModelPackageInfo[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    let names: string[];
    try {
      names = readdirSync(root).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = resolve(root, name);
      if (seen.has(dir)) continue;
      try {
        const head = ManifestHead.safeParse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
        if (!head.success) continue;
        seen.add(dir);
        out.push({ dir, id: head.data.id, version: head.data.version, family: head.data.family });
      } catch {
        // not a package folder
      }
    }
  }
  return out;
}
