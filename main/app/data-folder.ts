// The data folder the Electron app uses, chosen by the user and remembered in
// <userData>/trove-app.json. $TROVE_DATA wins (then the folder cannot be changed from the UI);
// else the saved choice; else the platform default. Pure logic: tests import it without Electron.
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { writeJsonAtomic } from '../engine/store/json-file';
import { messageOf } from '../base/errors';

export const APP_CONFIG_FILE = 'trove-app.json';

export interface AppConfig {
  /** the data folder the user chose, absolute */
  dataDir?: string;
}

export function appConfigFile(userDataDir: string): string {
  return join(userDataDir, APP_CONFIG_FILE);
}

/** The saved config; anything missing, corrupt or odd yields {} (the defaults). */
export function readAppConfig(file: string, log: (line: string) => void = () => undefined): AppConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`app config ${file} is unreadable (${messageOf(err)}); using the defaults`);
    return {};
  }
  const dataDir = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).dataDir : undefined;
  if (typeof dataDir === 'string' && dataDir.length > 0 && dataDir.length <= 4096 && isAbsolute(dataDir) && !dataDir.includes('\0')) return { dataDir };
  if (dataDir !== undefined) log(`app config ${file}: dataDir is not an absolute folder path; using the default`);
  return {};
}

/** Atomic write: a crash leaves the old file or the new one. */
export function writeAppConfig(file: string, config: AppConfig): void {
  writeJsonAtomic(file, config);
}

/** Which folder to use and whether the UI may change it. */
export function resolveDataDir(env: NodeJS.ProcessEnv, config: AppConfig, fallback: string): { dataDir: string; changeable: boolean } {
  if (env.TROVE_DATA) return { dataDir: env.TROVE_DATA, changeable: false };
  return { dataDir: config.dataDir ?? fallback, changeable: true };
}

/**
 * Checks a folder picked in the dialog: absolute, a folder (created when missing), writable.
 * Returns the folder to use, or a message that says what to do.
 */
export function checkDataFolder(picked: string): { ok: true; dataDir: string } | { ok: false; message: string } {
  if (!isAbsolute(picked)) return { ok: false, message: `${picked} is not a full folder path. Pick a folder with the dialog.` };
  const dir = resolve(picked);
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) return { ok: false, message: `${dir} is a file. Pick a folder.` };
    const probe = join(dir, `.trove-write-test-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    return { ok: false, message: `Trove cannot write to ${dir} (${messageOf(err)}). Pick a folder you can write to.` };
  }
  return { ok: true, dataDir: dir };
}
