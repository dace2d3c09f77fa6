// Settings: persistence in <dataDir>/settings.json (atomic, corrupt file = defaults + a
// warning), validation (model packages from the list only, known providers, 1..64 threads),
// model reloads through the loader seam (a failing load keeps the old model running), and a
// model of another version re-embedding the library with progress.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineEvent, methods, Settings } from '../../../main/contract/api';
import { TroveEngine, type EngineOptions } from '../../../main/engine/service';
import { defaultThreads, findModelPackages, readSettings, settingsFile, writeSettings } from '../../../main/engine/settings';
import type { EmbeddingModel } from '../../../main/ml/models/embedding-model';
import type { LoadOptions } from '../../../main/ml/models/loader';
import { HashedTestEmbedder } from '../../doubles/hashed-embedder';
import { generateLibrary } from '../../fixtures/library';
import { tempDir } from '../../support/tmp';

let dir: ReturnType<typeof tempDir>;
let data: string;
let roots: string[];
let loads: { dir: string; options: LoadOptions }[];
const engines: TroveEngine[] = [];

function addPackage(root: string, name: string, manifest: Record<string, unknown>): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'manifest.json'), JSON.stringify(manifest));
  return d;
}

/** The loader seam: a HashedTestEmbedder of the package's version; family 'broken' fails to load. */
async function fakeLoad(d: string, options: LoadOptions): Promise<EmbeddingModel> {
  loads.push({ dir: d, options });
  const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { version: string; family: string };
  if (m.family === 'broken') throw new Error('the graph file model.onnx is truncated');
  const model = new HashedTestEmbedder({ version: m.version });
  const running = options.providers?.includes('cpu') ? 'cpu' : (options.providers?.[0] ?? 'cpu');
  Object.defineProperty(model, 'provider', { value: { name: running, tried: (options.providers ?? []).filter((p) => p !== 'cpu').map((name) => ({ name, reason: `${name} is not available in this build` })) } });
  return model;
}

const open = (model: EmbeddingModel | null, extra: Partial<EngineOptions> = {}) => {
  const e = new TroveEngine({ dataDir: data, model, batchSize: 8, modelRoots: roots, loadModel: fakeLoad, perception: false, ...extra });
  engines.push(e);
  return e;
};

let v1: string;
let v2: string;
let broken: string;

beforeEach(() => {
  dir = tempDir();
  data = join(dir.path, 'data');
  roots = [join(dir.path, 'install', 'native-models'), join(data, 'models')];
  loads = [];
  v1 = addPackage(roots[0]!, 'hashed-v1', { id: 'hashed-test-embedder', version: '1', family: 'test-double' });
  v2 = addPackage(roots[1]!, 'hashed-v2', { id: 'hashed-test-embedder', version: '2', family: 'test-double' });
  broken = addPackage(roots[1]!, 'broken', { id: 'broken', version: '1', family: 'broken' });
  mkdirSync(join(roots[1]!, 'not-a-package'), { recursive: true });
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  dir.cleanup();
});

describe('settings', () => {
  it('reports the package in use, the packages found, the provider, threads and the data folder', async () => {
    const e = open(new HashedTestEmbedder({ version: '1' }));
    const s = Settings.parse(await e.getSettings({}));
    expect(s.modelDir).toBe(v1);
    expect(s.availableModels.map((m) => m.dir)).toEqual([v1, broken, v2]);
    expect(s.availableModels[0]).toEqual({ dir: v1, id: 'hashed-test-embedder', version: '1', family: 'test-double' });
    expect(s.provider.running).toBe('cpu');
    expect(s.provider.preferred.at(-1)).toBe('cpu');
    expect(s.threads).toBe(defaultThreads());
    expect(s.dataDir).toBe(data);
    expect(s.dataDirChangeable).toBe(false);
    await expect(open(null, { dataDirChangeable: true }).getSettings({})).resolves.toMatchObject({ modelDir: null, dataDirChangeable: true, provider: { running: null, tried: [] } });
  });

  it('saves providers and threads in settings.json (atomically), reloads the model with them, and a new engine reads them', async () => {
    const e = open(new HashedTestEmbedder({ version: '1' }));
    const s = await e.updateSettings({ providers: ['cuda', 'cpu'], threads: 3 });
    expect(s.threads).toBe(3);
    expect(s.provider.preferred).toEqual(['cuda', 'cpu']);
    expect(s.provider.running).toBe('cpu');
    expect(s.provider.tried).toEqual([{ name: 'cuda', reason: 'cuda is not available in this build' }]);
    expect(loads).toEqual([{ dir: v1, options: { providers: ['cuda', 'cpu'], threads: 3 } }]);
    expect(JSON.parse(readFileSync(settingsFile(data), 'utf8'))).toEqual({ providers: ['cuda', 'cpu'], threads: 3 });
    expect(readdirSync(data).filter((f) => f.includes('.tmp'))).toEqual([]);
    // same values again: nothing to reload
    await e.updateSettings({ threads: 3 });
    expect(loads).toHaveLength(1);
    await e.close();

    // a host that loads the model its own way: the engine applies settings.json at start
    const again = open(new HashedTestEmbedder({ version: '1' }));
    await again.settingsIdle();
    expect(loads.at(-1)).toEqual({ dir: v1, options: { providers: ['cuda', 'cpu'], threads: 3 } });
    expect(await again.getSettings({})).toMatchObject({ threads: 3, provider: { preferred: ['cuda', 'cpu'] } });
    // a host that says how it loaded the model: nothing to do
    loads = [];
    const told = open(new HashedTestEmbedder({ version: '1' }), { loaded: { dir: v1, providers: ['cuda', 'cpu'], threads: 3 } });
    await told.settingsIdle();
    expect(loads).toEqual([]);
  });

  it('a corrupt or invalid settings.json means the defaults and a logged warning, never a crash', async () => {
    mkdirSync(data, { recursive: true });
    const lines: string[] = [];
    writeFileSync(settingsFile(data), '{"threads": 4, "provid');
    const e = open(new HashedTestEmbedder({ version: '1' }), { log: (l) => lines.push(l) });
    await e.settingsIdle();
    expect((await e.getSettings({})).threads).toBe(defaultThreads());
    expect(lines.join('\n')).toMatch(/settings\.json is corrupt .*using the defaults/);
    expect(loads).toEqual([]);

    writeFileSync(settingsFile(data), JSON.stringify({ threads: 1000, providers: ['gpu'] }));
    const warned: string[] = [];
    expect(readSettings(data, (l) => warned.push(l))).toEqual({});
    expect(warned.join('\n')).toMatch(/is not valid \(.*threads.*\); using the defaults/);
    // saving over a corrupt file works
    await e.updateSettings({ threads: 2 });
    expect(readSettings(data)).toEqual({ threads: 2 });
  });

  it('refuses a model folder that is not one of the installed packages', async () => {
    const e = open(new HashedTestEmbedder({ version: '1' }));
    for (const bad of [dir.path, join(roots[1]!, 'not-a-package'), '/etc', '../hashed-v1', `${v1}/`]) {
      await expect(e.updateSettings({ modelDir: bad })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/is not one of the installed model packages .* Pick one from the list/) });
    }
    expect(loads).toEqual([]);
    expect(readSettings(data)).toEqual({});
  });

  it('the contract accepts only known providers (once each), 1..64 whole threads and no other keys', () => {
    const req = methods.updateSettings.request;
    expect(req.safeParse({ providers: ['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'], threads: 64 }).success).toBe(true);
    expect(req.safeParse({}).success).toBe(true);
    for (const bad of [{ providers: ['gpu'] }, { providers: [] }, { providers: ['cpu', 'cpu'] }, { providers: 'cuda' }, { threads: 0 }, { threads: 65 }, { threads: 1.5 }, { threads: '4' }, { modelDir: '' }, { dataDir: '/tmp' }, { modelDir: 1 }]) {
      expect(req.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('a model that fails to load leaves the old one running, saves nothing, and says what to do', async () => {
    const e = open(new HashedTestEmbedder({ version: '1' }));
    await expect(e.updateSettings({ modelDir: broken, threads: 2 })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/could not be loaded .*model\.onnx is truncated\. The previous model \(hashed-test-embedder 1\) keeps running; nothing was changed\. Pick another model package/),
    });
    const s = await e.getSettings({});
    expect(s.modelDir).toBe(v1);
    expect(s.threads).toBe(defaultThreads());
    expect((await e.status()).model).toMatchObject({ id: 'hashed-test-embedder', version: '1' });
    expect(readSettings(data)).toEqual({});
    await expect(e.find({ text: 'anything', k: 5, filters: {}, sort: 'relevance' })).resolves.toMatchObject({ results: [] });
  });

  it('a model of another version re-embeds the library with progress, into its own index', async () => {
    const lib = join(dir.path, 'lib');
    await generateLibrary(lib, { images: 12, notes: 3 });
    const first = new HashedTestEmbedder({ version: '1' });
    const e = open(first);
    await e.addSource({ path: lib });
    await e.startIndexing({});
    await e.waitForIndexing();
    expect((await e.status()).embedded).toBe(15);

    const events: EngineEvent[] = [];
    e.onEvent((ev) => events.push(EngineEvent.parse(ev)));
    const s = await e.updateSettings({ modelDir: v2 });
    expect(s.modelDir).toBe(v2);
    expect(readSettings(data)).toMatchObject({ modelDir: v2 });
    const done = await e.waitForIndexing();
    expect(done).toMatchObject({ state: 'done', done: 15, total: 15 });
    expect(events.some((ev) => ev.type === 'progress' && ev.progress.state === 'running')).toBe(true);
    const st = await e.status();
    expect(st.model).toMatchObject({ version: '2' });
    expect(st.embedded).toBe(15);
    expect(st.pending).toBe(0);
    expect(e.vectorIds()).toHaveLength(15);
    const hit = await e.find({ text: 'sourdough', k: 3, filters: { kinds: ['note'] }, sort: 'relevance' });
    expect(hit.results.length).toBeGreaterThan(0);
  });

  it('a change during indexing stops the run, swaps the model and carries on; the engine releases only the models it loaded', async () => {
    const lib = join(dir.path, 'lib');
    await generateLibrary(lib, { images: 24, notes: 2 });
    const hostModel = new HashedTestEmbedder({ version: '1', delayMs: 40 });
    let hostDisposed = 0;
    hostModel.dispose = async () => void hostDisposed++;
    const e = open(hostModel);
    await e.addSource({ path: lib });
    await e.startIndexing({});
    const s = await e.updateSettings({ threads: 2 });
    expect(s.threads).toBe(2);
    expect(hostDisposed).toBe(0); // the host's model: the host releases it
    // the run stopped for the swap was started again on the new model
    expect((await e.waitForIndexing())?.state).toBe('done');
    const st = await e.status();
    expect(st.pending).toBe(0);
    expect(st.embedded).toBe(26);

    const loadedByEngine = loads.length;
    expect(loadedByEngine).toBe(1);
    await e.updateSettings({ threads: 3 });
    expect(loads).toHaveLength(2);
    expect((await e.status()).pending).toBe(0); // same version: nothing to embed again
  });

  it('findModelPackages skips folders without a readable manifest and missing roots', () => {
    writeFileSync(join(roots[1]!, 'not-a-package', 'manifest.json'), '{ nope');
    expect(findModelPackages([...roots, join(dir.path, 'missing')]).map((p) => p.id)).toEqual(['hashed-test-embedder', 'broken', 'hashed-test-embedder']);
    writeSettings(data, { threads: 5 });
    expect(readSettings(data)).toEqual({ threads: 5 });
  });
});
