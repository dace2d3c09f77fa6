// Bad input: every broken file becomes an error row with a reason a person can act on (or
// is indexed, where it is actually valid); the rest of the library is indexed; nothing crashes.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemError } from '../../main/contract/api';
import { Catalog } from '../../main/engine/embedding/catalog';
import { IndexJob } from '../../main/engine/embedding/pipeline';
import { VectorStore } from '../../main/engine/embedding/vector-store';
import { describeFsError } from '../../main/engine/library/fs-errors';
import { reconcileSource } from '../../main/engine/library/reconcile';
import { TroveEngine } from '../../main/engine/service';
import { openDb } from '../../main/engine/store/db';
import { listErrors } from '../../main/engine/store/errors';
import { ensureModelVersion, insertJob } from '../../main/engine/store/jobs';
import { insertSource } from '../../main/engine/store/sources';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { noteText, writeImage } from '../fixtures/library';
import { runCliProcess } from '../support/spawn-cli';
import { tempDir } from '../support/tmp';

let dir: ReturnType<typeof tempDir>;
let lib: string;
let engine: TroveEngine;
let errors: ItemError[];
const reasonFor = (name: string) => errors.find((e) => e.path.endsWith(name))?.reason;

/** A valid PNG header whose IHDR declares width x height (with a correct CRC), plus a tiny IDAT. */
function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

beforeAll(async () => {
  dir = tempDir();
  lib = join(dir.path, 'lib');
  mkdirSync(join(lib, 'Fotos 2024'), { recursive: true });
  // the healthy part of the library
  for (let i = 0; i < 6; i++) await writeImage(join(lib, `good${i}.jpg`), i);
  writeFileSync(join(lib, 'good.md'), noteText(1));
  // non-ASCII names with spaces: valid, must be indexed
  await writeImage(join(lib, 'Fotos 2024', 'Été à Paris — 東京 1.png'), 42);
  writeFileSync(join(lib, 'Notizen über Käse.md'), 'Käse ist gut. Emmentaler und Gruyère.');
  // valid UTF-16 notes (with BOM, LE and BE)
  writeFileSync(join(lib, 'utf16le.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('piano practice in UTF-16', 'utf16le')]));
  const be = Buffer.from('garden tomatoes in UTF-16BE', 'utf16le');
  for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
  writeFileSync(join(lib, 'utf16be.txt'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
  // the bad part
  await writeImage(join(lib, 'truncated.jpg'), 7, 256);
  const full = readFileSync(join(lib, 'truncated.jpg'));
  truncateSync(join(lib, 'truncated.jpg'), Math.floor(full.length / 2));
  writeFileSync(join(lib, 'empty.jpg'), '');
  writeFileSync(join(lib, 'huge.png'), pngDeclaring(30000, 30000));
  writeFileSync(join(lib, 'really-text.jpg'), 'This is not a JPEG, it is a shopping list: milk, eggs.\n');
  writeFileSync(join(lib, 'photo.heic'), Buffer.from('....ftypheic....'));
  // not UTF-8, and control characters rule out every legacy encoding
  writeFileSync(join(lib, 'bad-utf8.md'), Buffer.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0xc3, 0x28, 0x01, 0x02, 0x0a]));
  writeFileSync(join(lib, 'bad-utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ok', 'utf16le'), Buffer.from([0x00, 0xd8, 0x41, 0x00])]));
  writeFileSync(join(lib, 'big-note.md'), Buffer.alloc(50 * 1024 * 1024, 'a'));
  symlinkSync(lib, join(lib, 'Fotos 2024', 'loop'));
  execFileSync('mkfifo', [join(lib, 'pipe.jpg')]); // a named pipe called .jpg: must not hang the scan

  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model: new HashedTestEmbedder(), perception: false });
  await engine.addSource({ path: lib });
  await engine.startIndexing({});
  const final = await engine.waitForIndexing();
  expect(final?.state).toBe('done');
  errors = await engine.listErrors({ limit: 500 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  dir.cleanup();
});

describe('bad input', () => {
  it('indexes the healthy files, including non-ASCII names and UTF-16 notes', async () => {
    const res = await engine.find({ text: 'x', k: 100, filters: {}, sort: 'relevance' });
    const names = res.results.map((r) => r.path.slice(lib.length + 1));
    for (const n of ['good0.jpg', 'good5.jpg', 'good.md', 'Fotos 2024/Été à Paris — 東京 1.png', 'Notizen über Käse.md', 'utf16le.txt', 'utf16be.txt']) {
      expect(names).toContain(n);
    }
    const piano = await engine.find({ text: 'piano practice', k: 1, filters: { kinds: ['note'] }, sort: 'relevance' });
    expect(piano.results[0]!.path).toMatch(/utf16le\.txt$/);
    expect(piano.results[0]!.chunk!.text).toBe('piano practice in UTF-16');
  });

  it('a truncated JPEG', () => {
    expect(reasonFor('truncated.jpg')).toMatch(/damaged or incomplete/);
  });

  it('a 0-byte file', () => {
    expect(reasonFor('empty.jpg')).toBe('the file is empty (0 bytes)');
  });

  it('a PNG declaring 30000x30000 is refused by the pixel limit, before decoding', () => {
    expect(reasonFor('huge.png')).toMatch(/too large .* 30000×30000 .* up to 100 megapixels/);
  });

  it('a .jpg that is really text', () => {
    expect(reasonFor('really-text.jpg')).toMatch(/not an image Trove can read/);
  });

  it('a HEIC photo that holds only the start of its header', () => {
    expect(reasonFor('photo.heic')).toMatch(/not an image Trove can read/);
  });

  it('a note no encoding reads, and invalid UTF-16 after a BOM', () => {
    expect(reasonFor('bad-utf8.md')).toMatch(/binary data, not text: tried UTF-8, .*windows-1252/);
    expect(reasonFor('bad-utf16.txt')).toMatch(/not valid UTF-16LE text/);
  });

  it('a 50 MB note is refused with the limit', () => {
    expect(reasonFor('big-note.md')).toMatch(/too large \(50\.0 MB\).*up to 10 MB/);
  });

  it('a symlink loop is reported once, and the scan terminates', () => {
    expect(reasonFor('loop')).toMatch(/link loop/);
    expect(errors.filter((e) => e.path.includes('loop')).length).toBe(1);
  });

  it('a named pipe is skipped, not read', () => {
    expect(reasonFor('pipe.jpg')).toBeUndefined();
  });

  it('counts: every file is either embedded or has an error row', async () => {
    const st = await engine.status();
    expect(st.pending).toBe(0);
    const bad = ['truncated.jpg', 'empty.jpg', 'huge.png', 'really-text.jpg', 'photo.heic', 'bad-utf8.md', 'bad-utf16.txt', 'big-note.md'];
    for (const b of bad) expect(reasonFor(b), b).toBeDefined();
    expect(st.items.image + st.items.note).toBe(st.embedded + bad.length);
    expect(st.errors).toBe(bad.length + 1); // + the loop
  });
});

describe('an unreadable (mode 000) file', () => {
  it('becomes a "permission denied" error row and the rest is indexed, also when the tests run as root', async () => {
    const d = tempDir();
    const folder = join(d.path, 'lib');
    const data = join(d.path, 'data');
    try {
      mkdirSync(folder);
      for (let i = 0; i < 3; i++) await writeImage(join(folder, `readable${i}.jpg`), i);
      await writeImage(join(folder, 'locked.jpg'), 9);
      chmodSync(join(folder, 'locked.jpg'), 0o000);
      const opened = () => new TroveEngine({ dataDir: data, model: new HashedTestEmbedder(), perception: false });
      const adding = opened();
      await adding.addSource({ path: folder });
      await adding.close();
      // the process that reads the files honours mode bits, root or not (support/file-modes.ts)
      const indexed = await runCliProcess(['--data', data, 'index'], {}, { honourFileModes: true });
      expect(indexed.code, indexed.stderr).toBe(0);
      const reading = opened();
      try {
        const rows = await reading.listErrors({ limit: 10 });
        expect(rows).toEqual([expect.objectContaining({ path: join(folder, 'locked.jpg'), reason: expect.stringMatching(/not allowed to read this file \(permission denied\)/) })]);
        expect((await reading.status()).embedded).toBe(3);
      } finally {
        await reading.close();
      }
    } finally {
      d.cleanup();
    }
  });

  it('says "permission denied" for EACCES', () => {
    expect(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' }))).toMatch(/not allowed to read this file \(permission denied\)/);
  });
});

describe('a file deleted between scan and decode', () => {
  it('becomes an error row, its item goes, and the rest is indexed', async () => {
    const d = tempDir();
    try {
      const folder = join(d.path, 'lib');
      mkdirSync(folder);
      for (let i = 0; i < 5; i++) await writeImage(join(folder, `p${i}.jpg`), i);
      const db = openDb(join(d.path, 'trove.db'));
      const model = new HashedTestEmbedder();
      const src = insertSource(db, folder);
      await reconcileSource(db, src); // the scan sees p2.jpg ...
      unlinkSync(join(folder, 'p2.jpg')); // ... which is deleted before it is read
      const mv = ensureModelVersion(db, { modelId: model.id, version: model.version, family: model.family, dim: model.dim });
      const vectors = new VectorStore(db, join(d.path, 'v.hnsw'), mv, model.dim);
      const job = new IndexJob({ db, model, modelVersion: mv, vectors, catalog: new Catalog(), thumbsDir: join(d.path, 'thumbs'), jobId: insertJob(db, 'index', 0), onProgress: () => undefined });
      const final = await job.run();
      expect(final.state).toBe('done');
      const paths = (db.prepare('SELECT path FROM items').all() as { path: string }[]).map((r) => r.path.split('/').pop()).sort();
      expect(paths).toEqual(['p0.jpg', 'p1.jpg', 'p3.jpg', 'p4.jpg']);
      expect(listErrors(db, 10)).toEqual([expect.objectContaining({ path: join(folder, 'p2.jpg'), reason: expect.stringMatching(/deleted or moved before Trove could read it/) })]);
      expect(vectors.index.size).toBe(4);
      db.close();
    } finally {
      d.cleanup();
    }
  });
});
