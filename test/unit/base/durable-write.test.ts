// main/base/durable-write: a failed write leaves the old file and no temp file behind.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempPathFor, writeFileAtomic } from '../../../main/base/durable-write';

const dir = mkdtempSync(join(tmpdir(), 'trove-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes strings as UTF-8 and byte parts in order, replacing the old content', () => {
    const f = join(dir, 'a.bin');
    writeFileAtomic(f, 'ünïcode');
    expect(readFileSync(f, 'utf8')).toBe('ünïcode');
    writeFileAtomic(f, [Uint8Array.of(1, 2), new Uint8Array(0), Buffer.from([3])]);
    expect([...readFileSync(f)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir).filter((n) => n.startsWith('a.bin'))).toEqual(['a.bin']); // no temp file left (other tests share the folder)
  });

  it('keeps the old file and removes its temp file when the write fails midway', () => {
    const f = join(dir, 'b.txt');
    writeFileSync(f, 'old');
    function* failing(): Generator<Uint8Array> {
      yield Buffer.from('half of the new ');
      throw new Error('disk full');
    }
    expect(() => writeFileAtomic(f, failing())).toThrow('disk full');
    expect(readFileSync(f, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.startsWith('b.txt'))).toEqual(['b.txt']);
  });

  it('keeps the target and removes the temp file when the rename fails', () => {
    const target = join(dir, 'is-a-folder');
    mkdirSync(join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, 'x')).toThrow();
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('is-a-folder.tmp-'))).toEqual([]);
  });

  it('creates new files with the mode asked for', () => {
    const f = join(dir, 'private.json');
    writeFileAtomic(f, '{}', { mode: 0o600 });
    if (process.platform !== 'win32') expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('names temp files beside the target, distinct per call', () => {
    const a = tempPathFor('/x/y.idx');
    expect(a.startsWith('/x/y.idx.tmp-')).toBe(true);
    expect(tempPathFor('/x/y.idx')).not.toBe(a);
  });
});
