import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindOf, isIgnoredName } from '../../../main/engine/library/kinds';
import { scanFolder } from '../../../main/engine/library/scan';
import { tempDir } from '../../support/tmp';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
  const r = dir.path;
  mkdirSync(join(r, 'photos', 'sub'), { recursive: true });
  mkdirSync(join(r, '.git'), { recursive: true });
  mkdirSync(join(r, 'photos', '.thumbnails'), { recursive: true });
  for (const f of ['photos/a.jpg', 'photos/B.JPEG', 'photos/sub/c.png', 'photos/sub/d.webp', 'notes.md', 'todo.txt', 'Ünïcode name with spaces.md']) {
    writeFileSync(join(r, f), 'x');
  }
  for (const f of ['.hidden.jpg', '.git/x.jpg', 'photos/.thumbnails/t.jpg', 'Thumbs.db', 'desktop.ini', 'photos/skip.pdf', 'backup.md~']) {
    writeFileSync(join(r, f), 'x');
  }
  symlinkSync(r, join(r, 'photos', 'sub', 'loop')); // a folder link back to the root
  symlinkSync(join(r, 'photos'), join(r, 'photos-again')); // a second link to a folder already scanned
  symlinkSync(join(r, 'nowhere.jpg'), join(r, 'dangling.jpg'));
  symlinkSync(join(r, 'self.jpg'), join(r, 'self.jpg')); // ELOOP
});
afterAll(() => dir.cleanup());

describe('scanFolder', () => {
  it('finds photos and notes, skipping hidden/system files, dot-folders and other kinds', async () => {
    const { files } = await scanFolder(dir.path);
    const rel = files.map((f) => f.path.slice(dir.path.length + 1)).sort();
    expect(rel).toEqual(['notes.md', 'photos/B.JPEG', 'photos/a.jpg', 'photos/sub/c.png', 'photos/sub/d.webp', 'todo.txt', 'Ünïcode name with spaces.md'].sort());
    expect(files.find((f) => f.path.endsWith('a.jpg'))).toMatchObject({ kind: 'image', size: 1 });
    expect(files.find((f) => f.path.endsWith('todo.txt'))?.kind).toBe('note');
  });

  it('terminates on link loops and reports them, with dangling and self links', async () => {
    const { files, problems } = await scanFolder(dir.path);
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    const byName = (n: string) => problems.find((p) => p.path.endsWith(n));
    expect(byName('loop')?.reason).toMatch(/link loop/);
    expect(byName('photos-again')?.reason).toMatch(/already scans/);
    expect(byName('dangling.jpg')?.reason).toMatch(/does not exist/);
    expect(byName('self.jpg')?.reason).toMatch(/loops back/);
  });

  it('classifies kinds and ignorable names', () => {
    expect(kindOf('/a/b.TIFF')).toBe('image');
    expect(kindOf('/a/b.avif')).toBe('image');
    expect(kindOf('/a/b.heic')).toBe('image');
    expect(kindOf('/a/b.md')).toBe('note');
    expect(kindOf('/a/b.docx')).toBeNull();
    expect(isIgnoredName('.DS_Store')).toBe(true);
    expect(isIgnoredName('photo.jpg')).toBe(false);
  });
});
