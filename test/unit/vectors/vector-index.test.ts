import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync, copyFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exactSearch } from '../../../main/engine/vectors/exact-search';
import { IndexLoadError, metaPathFor } from '../../../main/engine/vectors/index-file';
import { openConsistentIndex } from '../../../main/engine/vectors/open-consistent';
import { VectorIndex } from '../../../main/engine/vectors/vector-index';
import { clusteredVectors, gaussian, recallAtK, rng, row } from '../../bench/clustered-vectors';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'trove-vectors-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}
function cos(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d / (Math.hypot(...a) * Math.hypot(...b));
}

/** A small index of random 8-d vectors with ids 1..n, and the vectors by id. */
function small(n: number, seed = 1, capacity?: number) {
  const g = gaussian(rng(seed));
  const ix = VectorIndex.create({ dim: 8, capacity });
  const vecs = new Map<number, Float32Array>();
  for (let id = 1; id <= n; id++) {
    const v = Float32Array.from({ length: 8 }, () => g());
    vecs.set(id, v);
    ix.add(id, v);
  }
  return { ix, vecs, g };
}

/** In-memory StoredEmbeddings for openConsistentIndex. */
function storeOf(vecs: Map<number, Float32Array>) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    ids: () => [...vecs.keys()],
    *vectors(ids: number[]): Iterable<[number, Float32Array]> {
      for (const id of ids) {
        reads++;
        const v = vecs.get(id);
        if (v) yield [id, v];
      }
    },
  };
}

describe('VectorIndex basics', () => {
  it('finds the nearest vectors with cosine scores, best first', () => {
    const { ix, vecs } = small(200);
    expect(ix.size).toBe(200);
    expect(ix.dim).toBe(8);
    const q = vecs.get(42)!;
    const res = ix.search(q, 5);
    expect(res).toHaveLength(5);
    expect(res[0].id).toBe(42);
    expect(res[0].score).toBeCloseTo(1, 5);
    for (const n of res) expect(n.score).toBeCloseTo(cos(q, vecs.get(n.id)!), 5);
    for (let i = 1; i < res.length; i++) expect(res[i].score).toBeLessThanOrEqual(res[i - 1].score);
  });

  it('scores are cosine, independent of vector length', () => {
    const ix = VectorIndex.create({ dim: 3 });
    ix.add(1, Float32Array.from([10, 0, 0]));
    ix.add(2, Float32Array.from([0, 0.1, 0]));
    ix.add(3, Float32Array.from([-3, 0, 0]));
    const res = ix.search(Float32Array.from([2, 1, 0]), 3);
    expect(res.map((n) => n.id)).toEqual([1, 2, 3]);
    expect(res[0].score).toBeCloseTo(2 / Math.sqrt(5), 5);
    expect(res[1].score).toBeCloseTo(1 / Math.sqrt(5), 5);
    expect(res[2].score).toBeCloseTo(-2 / Math.sqrt(5), 5);
  });

  it('an empty index returns nothing; k beyond size returns every live vector', () => {
    const ix = VectorIndex.create({ dim: 8 });
    expect(ix.size).toBe(0);
    expect(ix.search(new Float32Array(8).fill(1), 10)).toEqual([]);
    const { ix: ix2 } = small(7);
    expect(ix2.search(new Float32Array(8).fill(1), 100)).toHaveLength(7);
    expect(ix2.search(new Float32Array(8).fill(1), 0)).toEqual([]);
  });

  it('removed ids are never returned; remove of an absent id is false', () => {
    const { ix, vecs } = small(100);
    for (let id = 1; id <= 100; id += 2) expect(ix.remove(id)).toBe(true);
    expect(ix.remove(1)).toBe(false);
    expect(ix.remove(12345)).toBe(false);
    expect(ix.size).toBe(50);
    expect(ix.has(1)).toBe(false);
    expect(ix.has(2)).toBe(true);
    expect(ix.liveIds()).toEqual(Array.from({ length: 50 }, (_, i) => 2 * (i + 1)));
    for (const id of [1, 3, 51]) {
      const res = ix.search(vecs.get(id)!, 100);
      expect(res).toHaveLength(50);
      for (const n of res) expect(n.id % 2).toBe(0);
    }
  });

  it('upsert replaces the vector of an existing id without growing', () => {
    const { ix } = small(50);
    const v = unit([1, 1, 1, 1, 1, 1, 1, 1]);
    ix.add(7, v);
    expect(ix.size).toBe(50);
    const res = ix.search(v, 50);
    expect(res[0]).toMatchObject({ id: 7 });
    expect(res[0].score).toBeCloseTo(1, 5);
    expect(res.filter((n) => n.id === 7)).toHaveLength(1);
  });

  it('re-adding a removed id brings it back with its new vector', () => {
    const { ix } = small(50);
    ix.remove(9);
    const v = unit([1, -1, 1, -1, 1, -1, 1, -1]);
    ix.add(9, v);
    expect(ix.has(9)).toBe(true);
    expect(ix.size).toBe(50);
    const res = ix.search(v, 50);
    expect(res[0].id).toBe(9);
    expect(res.filter((n) => n.id === 9)).toHaveLength(1);
  });

  it('grows past its initial capacity', () => {
    const { ix, vecs } = small(3000, 2, 16);
    expect(ix.size).toBe(3000);
    expect(ix.capacity).toBeGreaterThanOrEqual(3000);
    expect(ix.search(vecs.get(2999)!, 1)[0].id).toBe(2999);
  });

  it('reuses the slots of deleted vectors instead of growing forever', () => {
    const { ix, g } = small(1000);
    const cap = ix.capacity;
    for (let round = 0; round < 5; round++) {
      for (let id = 1 + round * 1000; id <= (round + 1) * 1000; id++) ix.remove(id);
      for (let id = 1 + (round + 1) * 1000; id <= (round + 2) * 1000; id++) ix.add(id, Float32Array.from({ length: 8 }, () => g()));
      expect(ix.size).toBe(1000);
    }
    expect(ix.capacity).toBe(cap);
    const res = ix.search(new Float32Array(8).fill(1), 1000);
    expect(res).toHaveLength(1000);
    for (const n of res) expect(n.id).toBeGreaterThan(5000);
    // ids whose slot was reused can be added again
    ix.add(3, unit([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(ix.search(unit([1, 2, 3, 4, 5, 6, 7, 8]), 1)[0].id).toBe(3);
  });

  it('rejects wrong dimensions, bad ids and non-finite values', () => {
    const ix = VectorIndex.create({ dim: 4 });
    expect(() => ix.add(1, new Float32Array(5))).toThrow(RangeError);
    expect(() => ix.add(-1, new Float32Array(4))).toThrow(RangeError);
    expect(() => ix.add(1.5, new Float32Array(4))).toThrow(RangeError);
    expect(() => ix.add(2 ** 32, new Float32Array(4))).toThrow(RangeError);
    expect(() => ix.add(1, Float32Array.from([1, NaN, 0, 0]))).toThrow(RangeError);
    ix.add(1, Float32Array.from([1, 0, 0, 0]));
    expect(() => ix.search(new Float32Array(3), 1)).toThrow(RangeError);
    expect(() => VectorIndex.create({ dim: 0 })).toThrow(RangeError);
  });

  it('matches a brute-force model through a random sequence of adds, upserts, removes and reloads', () => {
    const rand = rng(99);
    const g = gaussian(rand);
    const dir = tempDir();
    let ix = VectorIndex.create({ dim: 6, capacity: 16 });
    const model = new Map<number, Float32Array>();
    for (let step = 0; step < 1500; step++) {
      const id = Math.floor(rand() * 120);
      const r = rand();
      if (r < 0.6) {
        const v = Float32Array.from({ length: 6 }, () => g());
        ix.add(id, v);
        model.set(id, v);
      } else if (r < 0.95) {
        expect(ix.remove(id)).toBe(model.delete(id));
      } else {
        ix.save(join(dir, 'ix.hnsw'));
        ix = VectorIndex.load(join(dir, 'ix.hnsw'), 6);
      }
      if (step % 50 === 0) {
        expect(ix.size).toBe(model.size);
        expect(ix.liveIds()).toEqual([...model.keys()].sort((a, b) => a - b));
        const q = Float32Array.from({ length: 6 }, () => g());
        const res = ix.search(q, model.size, undefined, 200);
        expect(res.map((n) => n.id).sort((a, b) => a - b)).toEqual(ix.liveIds());
        for (const n of res) expect(n.score).toBeCloseTo(cos(q, model.get(n.id)!), 4);
      }
    }
  });
});

describe('VectorIndex filter', () => {
  it('returns only ids the filter allows', () => {
    const { ix, vecs } = small(500);
    const res = ix.search(vecs.get(10)!, 10, (id) => id % 5 === 0);
    expect(res).toHaveLength(10);
    for (const n of res) expect(n.id % 5).toBe(0);
    expect(res[0].id).toBe(10);
  });

  it('a very selective filter still yields min(k, allowed) results, exactly ranked', () => {
    const { ix, vecs } = small(2000);
    const allowed = new Set([3, 777, 1500, 1999]);
    const q = vecs.get(5)!;
    const res = ix.search(q, 10, (id) => allowed.has(id));
    expect(res.map((n) => n.id).sort((a, b) => a - b)).toEqual([3, 777, 1500, 1999]);
    const want = [...allowed].sort((a, b) => cos(q, vecs.get(b)!) - cos(q, vecs.get(a)!));
    expect(res.map((n) => n.id)).toEqual(want);
    expect(ix.search(q, 10, () => false)).toEqual([]);
  });

  it('deleted ids are not offered to the filter result even if it allows them', () => {
    const { ix, vecs } = small(300);
    ix.remove(10);
    const res = ix.search(vecs.get(10)!, 5, (id) => id === 10 || id === 11);
    expect(res.map((n) => n.id)).toEqual([11]);
  });

  it('an exception thrown by the filter reaches the caller', () => {
    const { ix, vecs } = small(100);
    expect(() =>
      ix.search(vecs.get(1)!, 5, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ix.search(vecs.get(1)!, 1)[0].id).toBe(1); // still usable
  });
});

describe('VectorIndex persistence', () => {
  it('round-trips through save and load, deletions included', () => {
    const { ix, vecs } = small(400);
    for (let id = 1; id <= 400; id += 3) ix.remove(id);
    const file = join(tempDir(), 'sub', 'ix.hnsw');
    ix.save(file);
    expect(existsSync(metaPathFor(file))).toBe(true);
    const back = VectorIndex.load(file, 8);
    expect(back.size).toBe(ix.size);
    expect(back.liveIds()).toEqual(ix.liveIds());
    for (const id of [2, 3, 200, 400]) {
      expect(back.search(vecs.get(id)!, 10)).toEqual(ix.search(vecs.get(id)!, 10));
    }
    expect(back.has(1)).toBe(false);
    // still writable after a load: upsert, re-add a removed id, add new
    back.add(1, vecs.get(1)!);
    back.add(1000, unit([1, 0, 0, 0, 0, 0, 0, 0]));
    expect(back.search(vecs.get(1)!, 1)[0].id).toBe(1);
    expect(back.size).toBe(ix.size + 2);
    // nothing but the index and its sidecar is left behind
    expect(readdirSync(join(file, '..')).sort()).toEqual(['ix.hnsw', 'ix.hnsw.meta.json']);
  });

  it('saves and loads an empty index', () => {
    const file = join(tempDir(), 'empty.hnsw');
    VectorIndex.create({ dim: 8 }).save(file);
    const back = VectorIndex.load(file, 8);
    expect(back.size).toBe(0);
    expect(back.search(new Float32Array(8).fill(1), 3)).toEqual([]);
  });

  it('overwrites an earlier save', () => {
    const file = join(tempDir(), 'ix.hnsw');
    const { ix } = small(50);
    ix.save(file);
    ix.remove(1);
    ix.save(file);
    expect(VectorIndex.load(file, 8).size).toBe(49);
  });

  describe('refuses anything that is not exactly what was saved', () => {
    function saved() {
      const { ix } = small(300);
      const file = join(tempDir(), 'ix.hnsw');
      ix.save(file);
      return { ix, file };
    }
    const cases: [string, (file: string) => void, RegExp][] = [
      ['missing index', (f) => rmSync(f), /missing/],
      ['missing sidecar', (f) => rmSync(metaPathFor(f)), /missing/],
      ['truncated index', (f) => truncateSync(f, statSync(f).size - 100), /bytes/],
      ['empty index', (f) => truncateSync(f, 0), /bytes/],
      [
        'flipped byte',
        (f) => {
          const b = readFileSync(f);
          b[Math.floor(b.length / 2)] ^= 0xff;
          writeFileSync(f, b);
        },
        /checksum/,
      ],
      ['torn sidecar', (f) => writeFileSync(metaPathFor(f), readFileSync(metaPathFor(f), 'utf8').slice(0, 40)), /JSON/],
      ['unknown sidecar', (f) => writeFileSync(metaPathFor(f), '{"format":"other"}'), /format/],
      [
        'sidecar lying about ids',
        (f) => {
          const m = JSON.parse(readFileSync(metaPathFor(f), 'utf8'));
          m.deleted = [5];
          m.count -= 1;
          writeFileSync(metaPathFor(f), JSON.stringify(m));
        },
        /ids|sidecar/,
      ],
    ];
    for (const [name, damage, message] of cases) {
      it(name, () => {
        const { file } = saved();
        damage(file);
        expect(() => VectorIndex.load(file, 8)).toThrow(IndexLoadError);
        expect(() => VectorIndex.load(file, 8)).toThrow(message);
      });
    }

    it('another dim', () => {
      const { file } = saved();
      expect(() => VectorIndex.load(file, 16)).toThrow(/8-d.*16/);
    });

    it('a save torn between its two renames (new index, old sidecar)', () => {
      const { ix, file } = saved();
      const oldMeta = readFileSync(metaPathFor(file));
      ix.remove(2);
      ix.save(file);
      writeFileSync(metaPathFor(file), oldMeta); // as if killed before the sidecar's rename
      expect(() => VectorIndex.load(file, 8)).toThrow(IndexLoadError);
    });

    it('a save killed mid-write leaves the previous save loadable', () => {
      const { ix, file } = saved();
      // what a killed writeIndexSync leaves: a partial temp file beside the good pair
      writeFileSync(`${file}.tmp-999-dead`, Buffer.alloc(1000, 7));
      writeFileSync(`${metaPathFor(file)}.tmp-999-dead`, '{"form');
      expect(VectorIndex.load(file, 8).liveIds()).toEqual(ix.liveIds());
    });
  });
});

describe('openConsistentIndex', () => {
  function fixture(n = 300) {
    const d = clusteredVectors({ count: n, dim: 16, clusters: 8, seed: 5 });
    const vecs = new Map<number, Float32Array>();
    for (let i = 0; i < n; i++) vecs.set(100 + i, row(d.points, 16, i).slice());
    return { vecs, file: join(tempDir(), 'model-v1.hnsw') };
  }

  it('builds and saves the index when the file is missing, then reuses it', () => {
    const { vecs, file } = fixture();
    const first = openConsistentIndex(file, 16, storeOf(vecs));
    expect(first.rebuilt).toBe(true);
    expect(first.reason).toMatch(/missing/);
    expect(first.index.liveIds()).toEqual([...vecs.keys()]);
    const store = storeOf(vecs);
    const second = openConsistentIndex(file, 16, store);
    expect(second.rebuilt).toBe(false);
    expect(second.reason).toBeUndefined();
    expect(store.reads).toBe(0); // no vectors read when the file agrees
    expect(second.index.search(vecs.get(150)!, 5)).toEqual(first.index.search(vecs.get(150)!, 5));
  });

  it('repairs a stale but intact file in place when ids were added or removed', () => {
    const { vecs, file } = fixture();
    openConsistentIndex(file, 16, storeOf(vecs));
    vecs.set(9999, unit(Array.from({ length: 16 }, (_, i) => i)));
    const store = storeOf(vecs);
    const added = openConsistentIndex(file, 16, store);
    expect(added.rebuilt).toBe(true);
    expect(added.reason).toMatch(/ids differ.*repaired/);
    expect(added.repaired).toEqual({ added: 1, removed: 0 });
    expect(store.reads).toBe(1); // only the missing vector was read
    expect(added.index.has(9999)).toBe(true);
    expect(added.index.search(vecs.get(9999)!, 1)[0].id).toBe(9999);
    expect(openConsistentIndex(file, 16, storeOf(vecs)).rebuilt).toBe(false); // the repair was saved

    vecs.delete(100);
    vecs.delete(101);
    const removed = openConsistentIndex(file, 16, storeOf(vecs));
    expect(removed.rebuilt).toBe(true);
    expect(removed.repaired).toEqual({ added: 0, removed: 2 });
    expect(removed.index.has(100)).toBe(false);
    expect(removed.index.liveIds()).toEqual([...vecs.keys()].sort((a, b) => a - b));
    expect(removed.index.search(vecs.get(102)!, vecs.size).map((n) => n.id)).not.toContain(100);

    // same count, different ids: the digest catches it
    vecs.delete(102);
    vecs.set(10_000, unit(Array.from({ length: 16 }, (_, i) => 16 - i)));
    const swapped = openConsistentIndex(file, 16, storeOf(vecs));
    expect(swapped.rebuilt).toBe(true);
    expect(swapped.repaired).toEqual({ added: 1, removed: 1 });
    expect(swapped.index.has(10_000)).toBe(true);
    expect(swapped.index.has(102)).toBe(false);
    expect(VectorIndex.load(file, 16).liveIds()).toEqual(swapped.index.liveIds());
  });

  it('rebuilds from scratch when most of the store is new', () => {
    const { vecs, file } = fixture(100);
    openConsistentIndex(file, 16, storeOf(vecs));
    const g = gaussian(rng(8));
    for (let i = 0; i < 300; i++) vecs.set(5000 + i, Float32Array.from({ length: 16 }, () => g()));
    const store = storeOf(vecs);
    const res = openConsistentIndex(file, 16, store);
    expect(res.rebuilt).toBe(true);
    expect(res.repaired).toBeUndefined();
    expect(res.reason).toMatch(/ids differ/);
    expect(store.reads).toBe(400);
    expect(res.index.liveIds()).toEqual([...vecs.keys()].sort((a, b) => a - b));
  });

  it('says so when stored ids have no vector', () => {
    const { vecs, file } = fixture(50);
    const store = { ids: () => [...vecs.keys(), 77_777], vectors: (ids: number[]) => storeOf(vecs).vectors(ids) };
    const res = openConsistentIndex(file, 16, store);
    expect(res.rebuilt).toBe(true);
    expect(res.reason).toMatch(/1 stored ids had no vector/);
    expect(res.index.size).toBe(50);
  });

  it('rebuilds a corrupt or truncated file, saying why', () => {
    const { vecs, file } = fixture();
    openConsistentIndex(file, 16, storeOf(vecs));
    const b = readFileSync(file);
    b[b.length - 7] ^= 0x55;
    writeFileSync(file, b);
    const corrupt = openConsistentIndex(file, 16, storeOf(vecs));
    expect(corrupt.rebuilt).toBe(true);
    expect(corrupt.reason).toMatch(/checksum/);
    expect(corrupt.index.size).toBe(vecs.size);
    truncateSync(file, 1000);
    const truncated = openConsistentIndex(file, 16, storeOf(vecs));
    expect(truncated.rebuilt).toBe(true);
    expect(truncated.reason).toMatch(/bytes/);
    expect(openConsistentIndex(file, 16, storeOf(vecs)).rebuilt).toBe(false);
  });

  it('rebuilds when the file holds garbage from elsewhere', () => {
    const { vecs, file } = fixture();
    openConsistentIndex(file, 16, storeOf(vecs));
    const other = fixture(50);
    openConsistentIndex(other.file, 16, storeOf(other.vecs));
    copyFileSync(other.file, file); // another index's file beside this one's sidecar
    const res = openConsistentIndex(file, 16, storeOf(vecs));
    expect(res.rebuilt).toBe(true);
    expect(res.index.size).toBe(vecs.size);
  });

  it('rebuilds when the file is for another dimension', () => {
    const { vecs, file } = fixture();
    openConsistentIndex(file, 16, storeOf(vecs));
    const wider = new Map([...vecs].map(([id, v]) => [id, Float32Array.from({ length: 32 }, (_, i) => v[i % 16])]));
    const res = openConsistentIndex(file, 32, storeOf(wider));
    expect(res.rebuilt).toBe(true);
    expect(res.reason).toMatch(/16-d.*32/);
    expect(res.index.dim).toBe(32);
  });

  it('an empty store gives an empty index', () => {
    const file = join(tempDir(), 'empty.hnsw');
    const res = openConsistentIndex(file, 16, storeOf(new Map()));
    expect(res.index.size).toBe(0);
    expect(openConsistentIndex(file, 16, storeOf(new Map())).rebuilt).toBe(false);
  });
});

describe('recall', () => {
  it('recall@10 >= 0.95 against exact search on 5k clustered 64-d vectors', () => {
    const dim = 64;
    const n = 5000;
    const d = clusteredVectors({ count: n + 200, dim, clusters: 50, spread: 1, seed: 21 });
    const ix = VectorIndex.create({ dim, capacity: n });
    for (let i = 0; i < n; i++) ix.add(i, row(d.points, dim, i));
    const base = d.points.subarray(0, n * dim);
    const approx = [];
    const exact = [];
    for (let q = 0; q < 200; q++) {
      const query = row(d.points, dim, n + q); // held-out points from the same clusters
      approx.push(ix.search(query, 10));
      exact.push(exactSearch(base, dim, query, 10, { normalized: true }));
    }
    const recall = recallAtK(approx, exact, 10);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});

describe('killed mid-save', () => {
  it('a process killed at any point of a save never leaves a file that loads as valid but wrong', async () => {
    const { spawn } = await import('node:child_process');
    const script = join(__dirname, 'fixtures', 'save-loop.ts');
    const count = 4000;
    const all = Array.from({ length: count }, (_, i) => i);
    const odd = all.filter((i) => i % 2 === 1);
    const rand = rng(5);
    let loaded = 0;
    for (let trial = 0; trial < 3; trial++) {
      const file = join(tempDir(), 'ix.hnsw');
      const child = spawn(process.execPath, ['--import', 'tsx', script, file, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      let saves = 0;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          saves += b.toString().split('\n').filter((l) => l === 'saved').length;
          if (saves >= 2) resolve();
        });
        child.on('exit', (code) => reject(new Error(`save loop exited early (${code})`)));
      });
      await new Promise((r) => setTimeout(r, rand() * 150));
      child.kill('SIGKILL');
      await exited;
      try {
        const ids = VectorIndex.load(file, 32).liveIds();
        expect([all, odd]).toContainEqual(ids);
        loaded++;
      } catch (e) {
        expect(e).toBeInstanceOf(IndexLoadError);
      }
    }
    expect(loaded).toBeGreaterThan(0);
  }, 120_000);
});
