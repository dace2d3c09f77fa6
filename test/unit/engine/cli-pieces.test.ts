// Small pure pieces of the CLI: argument parsing, model discovery, progress text, data folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flagInt, parseArgs, UsageError } from '../../../main/cli/args';
import { findModelDir } from '../../../main/engine/model-loader';
import { formatEta, progressBar, progressLine } from '../../../main/cli/progress-bar';
import { defaultDataDir } from '../../../main/engine/data-dir';
import { tempDir } from '../../support/tmp';

const dir = tempDir();
afterAll(() => dir.cleanup());

describe('cli pieces', () => {
  it('parses commands, valued flags and switches', () => {
    const a = parseArgs(['--data', '/d', 'search', 'bike', 'shop', '--k=5', '--json']);
    expect(a.command).toBe('search');
    expect(a.positional).toEqual(['bike', 'shop']);
    expect(a.flags.get('data')).toBe('/d');
    expect(flagInt(a, 'k', 1, 1000)).toBe(5);
    expect(a.flags.get('json')).toBe(true);
    expect(parseArgs(['search', '--', '--not-a-flag']).positional).toEqual(['--not-a-flag']);
    expect(() => parseArgs(['search', '--k'])).toThrow(UsageError);
    expect(() => parseArgs(['status', '--json=yes'])).toThrow(/does not take a value/);
    expect(() => flagInt(parseArgs(['x', '--k', '0']), 'k', 1, 10)).toThrow(/from 1 to 10/);
  });

  it('finds native-models/vlm2vec-nano walking up, or $TROVE_MODEL_DIR', () => {
    const pkg = join(dir.path, 'install', 'native-models', 'vlm2vec-nano');
    mkdirSync(pkg, { recursive: true });
    const deep = join(dir.path, 'install', 'dist', 'main', 'cli');
    mkdirSync(deep, { recursive: true });
    expect(findModelDir({}, deep)).toBeNull(); // no manifest yet
    writeFileSync(join(pkg, 'manifest.json'), '{}');
    expect(findModelDir({}, deep)).toBe(pkg);
    expect(findModelDir({ TROVE_MODEL_DIR: join(dir.path, 'nothing') }, deep)).toBeNull();
    expect(findModelDir({ TROVE_MODEL_DIR: pkg }, '/')).toBe(pkg);
  });

  it('formats progress', () => {
    const p = { jobId: 1, kind: 'index' as const, state: 'running' as const, done: 50, total: 200, rate: 12.5, etaSeconds: 3725 };
    expect(formatEta(null)).toBe('--:--');
    expect(formatEta(65)).toBe('1:05');
    expect(formatEta(3725)).toBe('1:02:05');
    expect(progressLine(p)).toBe('running: 50/200 items, 12.5/s, ETA 1:02:05');
    expect(progressBar(p, 10)).toBe('[###.......]  25% 50/200 12.5/s ETA 1:02:05');
    const passes = { ...p, phase: 'passes' as const, message: 'finding objects, reading text in photos' };
    expect(progressLine(passes)).toBe('running: finding objects, reading text in photos: 50/200 photos, 12.5/s, ETA 1:02:05');
    expect(progressBar(passes, 10)).toBe('recognising [###.......]  25% 50/200 12.5/s ETA 1:02:05');
  });

  it('picks the data folder: $TROVE_DATA, else the platform folder', () => {
    expect(defaultDataDir({ TROVE_DATA: '/x' }, 'linux', '/home/u')).toBe('/x');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/trove');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/trove');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toMatch(/Roaming[\\/]trove$/);
  });
});
