// The Electron app's data-folder choice: trove-app.json in userData (atomic, odd content =
// defaults), $TROVE_DATA winning (then not changeable), and the check of a picked folder
// (an unwritable one is checked in a child process in which file modes hold, root or not).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appConfigFile, checkDataFolder, readAppConfig, resolveDataDir, writeAppConfig } from '../../../main/app/data-folder';
import { honouringFileModes } from '../../support/file-modes';
import { repoRoot } from '../../support/spawn-cli';
import { tempDir } from '../../support/tmp';

/** checkDataFolder in a child process in which file modes hold, root or not (support/file-modes.ts). */
function checkDataFolderHonouringModes(folder: string): unknown {
  const code = `const { checkDataFolder } = require('./main/app/data-folder'); process.stdout.write(JSON.stringify(checkDataFolder(process.argv[1])));`;
  const { command, args } = honouringFileModes(process.execPath, ['--import', 'tsx', '-e', code, folder]);
  return JSON.parse(execFileSync(command, args, { cwd: repoRoot, encoding: 'utf8' })) as unknown;
}

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

describe('data folder (Electron shell)', () => {
  it('remembers the chosen folder in trove-app.json, written atomically', () => {
    const file = appConfigFile(dir.path);
    expect(file).toBe(join(dir.path, 'trove-app.json'));
    expect(readAppConfig(file)).toEqual({});
    writeAppConfig(file, { dataDir: '/srv/trove' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ dataDir: '/srv/trove' });
    expect(readdirSync(dir.path)).toEqual(['trove-app.json']);
    expect(readAppConfig(file)).toEqual({ dataDir: '/srv/trove' });
  });

  it('a corrupt file or an odd value means the default folder, with a warning', () => {
    const file = appConfigFile(dir.path);
    const lines: string[] = [];
    for (const text of ['{"dataDir": "/x', '[]', 'null', '{"dataDir": "relative/path"}', '{"dataDir": 7}', '{"dataDir": ""}']) {
      writeFileSync(file, text);
      expect(readAppConfig(file, (l) => lines.push(l)), text).toEqual({});
    }
    expect(lines.join('\n')).toMatch(/unreadable .*using the defaults/);
    expect(lines.join('\n')).toMatch(/not an absolute folder path/);
  });

  it('$TROVE_DATA wins and cannot be changed from the UI; else the saved choice; else the default', () => {
    expect(resolveDataDir({ TROVE_DATA: '/env' }, { dataDir: '/saved' }, '/default')).toEqual({ dataDir: '/env', changeable: false });
    expect(resolveDataDir({}, { dataDir: '/saved' }, '/default')).toEqual({ dataDir: '/saved', changeable: true });
    expect(resolveDataDir({}, {}, '/default')).toEqual({ dataDir: '/default', changeable: true });
  });

  it('checks a picked folder: absolute, a folder (created when missing), writable', () => {
    expect(checkDataFolder('relative')).toMatchObject({ ok: false, message: expect.stringMatching(/not a full folder path/) });
    const fresh = join(dir.path, 'new', 'library');
    expect(checkDataFolder(fresh)).toEqual({ ok: true, dataDir: fresh });
    expect(readdirSync(fresh)).toEqual([]); // the write probe is gone
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'x');
    expect(checkDataFolder(file)).toMatchObject({ ok: false });
  });

  it('refuses a folder it cannot write to, also when the tests run as root', () => {
    const locked = join(dir.path, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      expect(checkDataFolderHonouringModes(locked)).toMatchObject({ ok: false, message: expect.stringMatching(/Trove cannot write to .*locked \(EACCES.*\)\. Pick a folder you can write to/) });
      expect(readdirSync(locked)).toEqual([]);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
