// A tiny in-memory TroveApi for the bridge/IPC tests. It re-validates every request it is
// handed against the contract and records violations, so a test can prove that nothing
// malformed ever reached the engine.
import { methods } from '../../../main/contract/api';
import type { EngineEvent, MethodName, TroveApi } from '../../../main/contract/api';

export interface FakeEngine {
  api: TroveApi;
  calls: { method: MethodName; request: unknown }[];
  violations: string[];
  emit(e: unknown): void;
  onEvent(l: (e: unknown) => void): () => void;
}

export function fakeEngine(): FakeEngine {
  const calls: FakeEngine['calls'] = [];
  const violations: string[] = [];
  const listeners = new Set<(e: unknown) => void>();
  const check = (method: MethodName, request: unknown) => {
    calls.push({ method, request });
    if (!methods[method].request.safeParse(request).success) violations.push(`${method}: ${JSON.stringify(request).slice(0, 200)}`);
  };
  const progress = { jobId: 1, kind: 'index' as const, state: 'running' as const, done: 1, total: 2, rate: 1, etaSeconds: 1 };
  const settings = {
    modelDir: '/models/a',
    availableModels: [{ dir: '/models/a', id: 'a', version: '1', family: 'vlm2vec' }],
    provider: { preferred: ['cuda', 'cpu'], running: 'cpu', tried: [{ name: 'cuda', reason: 'no CUDA here' }] },
    threads: 4,
    dataDir: '/tmp/x',
    dataDirChangeable: false,
    training: { trainable: true, reason: '' },
  };
  const tuning = {
    trainable: true,
    pairs: { total: 0, positives: 0, negatives: 0, queries: 0 },
    defaults: { steps: 30, batch: 64, chunk: 0, memoryMiB: 1024, scope: 'lora' as const, loraRank: 8, lastLayers: 2, lr: 0.001, heldOutShare: 0.25 },
    run: null,
    adoption: null,
    versions: [],
    activeDir: '/models/a',
    rollbackTo: null,
  };
  const api: TroveApi = {
    status: async (r) => (check('status', r), { dataDir: '/tmp/x', sources: 0, items: { image: 0, note: 0 }, embedded: 0, pending: 0, errors: 0, model: null, job: null, passes: [] }),
    listSources: async (r) => (check('listSources', r), []),
    addSource: async (r) => (check('addSource', r), { id: 1, path: r.path, addedAt: 1, itemCount: 0 }),
    removeSource: async (r) => {
      check('removeSource', r);
      if (r.id === 999) throw Object.assign(new Error('No folder with id 999.'), { code: 'not_found' });
      return { removed: 1 };
    },
    startIndexing: async (r) => (check('startIndexing', r), progress),
    pauseIndexing: async (r) => (check('pauseIndexing', r), { ok: true }),
    resumeIndexing: async (r) => (check('resumeIndexing', r), { ok: true }),
    cancelIndexing: async (r) => (check('cancelIndexing', r), { ok: true }),
    listErrors: async (r) => (check('listErrors', r), []),
    getItem: async (r) => {
      check('getItem', r);
      // a deliberately malformed response for id 13: the bridge must catch it
      if (r.id === 13) return { id: 13 } as never;
      throw Object.assign(new Error(`No item ${r.id}.`), { code: 'not_found' });
    },
    find: async (r) => (check('find', r), { results: [], instruction: 'Find: ' + (r.text ?? '') }),
    ask: async (r) => (check('ask', r), { itemId: r.itemId, answers: [{ text: 'yes', score: 0.5, fromOptions: false }], instruction: 'Ask: ' + r.question }),
    sortIntoLabels: async (r) => (check('sortIntoLabels', r), { ...progress, kind: 'label' as const }),
    cancelLabels: async (r) => (check('cancelLabels', r), { ok: true }),
    listLabels: async (r) => (check('listLabels', r), { id: null, labels: [], labelled: 0, createdAt: null, instruction: '' }),
    pointAt: async (r) => (check('pointAt', r), { results: [], instruction: 'Point at: ' + r.caption }),
    getSettings: async (r) => (check('getSettings', r), settings),
    updateSettings: async (r) => {
      check('updateSettings', r);
      if (r.modelDir !== undefined && !settings.availableModels.some((m) => m.dir === r.modelDir)) {
        throw Object.assign(new Error(`${r.modelDir} is not one of the installed model packages.`), { code: 'invalid' });
      }
      return { ...settings, modelDir: r.modelDir ?? settings.modelDir, threads: r.threads ?? settings.threads, provider: { ...settings.provider, preferred: r.providers ?? settings.provider.preferred } };
    },
    addModel: async (r) => {
      check('addModel', r);
      throw Object.assign(new Error(`${r.dir} could not be added as a model: config.json is missing.`), { code: 'invalid' });
    },
    listPairs: async (r) => (check('listPairs', r), { pairs: [], queries: [] }),
    addPairs: async (r) => (check('addPairs', r), { added: r.targets.length }),
    removePairs: async (r) => (check('removePairs', r), { removed: r.ids.length }),
    importPairs: async (r) => (check('importPairs', r), { added: 0 }),
    startTuning: async (r) => (check('startTuning', r), tuning),
    cancelTuning: async (r) => (check('cancelTuning', r), { ok: false }),
    tuningStatus: async (r) => (check('tuningStatus', r), tuning),
    adoptModel: async (r) => (check('adoptModel', r), tuning),
    cancelAdoption: async (r) => (check('cancelAdoption', r), { ok: false }),
    rollbackModel: async (r) => (check('rollbackModel', r), tuning),
  };
  return {
    api,
    calls,
    violations,
    emit: (e) => listeners.forEach((l) => l(e)),
    onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
}

export const sampleEvent: EngineEvent = { type: 'libraryChanged', added: 1, changed: 0, removed: 0 };
