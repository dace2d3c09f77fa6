// Where a library's data lives: an explicit folder, else $TROVE_DATA, else the platform's
// user-data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.TROVE_DATA) return env.TROVE_DATA;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'trove');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'trove');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'trove');
}

export function dbFile(dataDir: string): string {
  return join(dataDir, 'trove.db');
}

export function thumbsDir(dataDir: string): string {
  return join(dataDir, 'thumbs');
}
