// Data files that ship with Trove (native-models/places, native-models/lexicon) are found
// walking up from the code that needs them, so the same lookup works from main/ (tests,
// tsx) and dist/main/ (the built app and CLI), and are read once, on first use.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The first `<ancestor>/<relativePath>` that exists, walking up from `from`; null when none does. */
export function findInstalled(relativePath: string, from: string = __dirname): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export interface InstalledData<T> {
  /** the installation's file (walking up from `from`), or null */
  find(from?: string): string | null;
  /** reads a file of this kind; a missing or bad file is an error that says what to do */
  load(file: string): T;
  /** the installation's data, loaded on first call and kept */
  shared(): T;
}

/** One data file of the installation: where it lives, how to read it, which recipe rebuilds it. */
export function installedData<T>(o: {
  /** e.g. 'native-models/places/places.bin.gz' */
  path: string;
  /** what it is, for messages ('gazetteer') */
  what: string;
  /** the command that rebuilds it */
  rebuild: string;
  error: new (message: string) => Error;
  read: (bytes: Buffer, file: string) => T;
}): InstalledData<T> {
  let kept: T | null = null;
  const advice = `Reinstall Trove, or rebuild it with \`${o.rebuild}\`.`;
  const load = (file: string) => {
    if (!existsSync(file)) throw new o.error(`No ${o.what} at ${file}. ${advice}`);
    return o.read(readFileSync(file), file);
  };
  return {
    find: (from = __dirname) => findInstalled(o.path, from),
    load,
    shared: () => {
      if (kept === null) {
        const file = findInstalled(o.path);
        if (!file) throw new o.error(`No ${o.what} installed: expected ${o.path} in the Trove installation. ${advice}`);
        kept = load(file);
      }
      return kept;
    },
  };
}
