// Deterministic generator of random and malformed API messages.
import { uniformSource } from '../../../main/ml/random';
export const rng = uniformSource;

const WEIRD_STRINGS = ['', ' ', '\u0000', '../../etc/passwd', '__proto__', 'constructor', '🙂'.repeat(50), 'x'.repeat(3000), '<script>alert(1)</script>', '1e309', 'NaN'];
const WEIRD_NUMBERS = [0, -1, 1.5, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 1001, 10_001, 3];
const KEYS = ['text', 'imageItemId', 'imageBase64', 'k', 'filters', 'sort', 'path', 'id', 'limit', 'kinds', 'sourceIds', 'dateFrom', 'label', 'itemId', 'question', 'options', 'labels', 'caption', 'modelDir', 'providers', 'threads', '__proto__', 'constructor', 'extra'];

export function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return WEIRD_NUMBERS[Math.floor(r() * WEIRD_NUMBERS.length)];
    case 3: return Math.floor(r() * 2000) - 500;
    case 4: return WEIRD_STRINGS[Math.floor(r() * WEIRD_STRINGS.length)];
    case 5: return r().toString(36).slice(2);
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        Object.defineProperty(o, KEYS[Math.floor(r() * KEYS.length)]!, { value: randomValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

/** Valid-looking requests per method, to be mutated. */
export const VALID: Record<string, unknown> = {
  status: {},
  listSources: {},
  addSource: { path: '/photos' },
  removeSource: { id: 1 },
  startIndexing: {},
  pauseIndexing: {},
  resumeIndexing: {},
  cancelIndexing: {},
  listErrors: { limit: 10 },
  getItem: { id: 1 },
  find: { text: 'a dog', k: 10, filters: { kinds: ['image'] }, sort: 'relevance' },
  ask: { itemId: 1, question: 'what colour is the car?', options: ['red', 'blue'], k: 5 },
  sortIntoLabels: { labels: ['receipts', 'pets', 'landscapes'] },
  cancelLabels: {},
  listLabels: {},
  pointAt: { caption: 'the red car', k: 10, filters: { kinds: ['image'] } },
  getSettings: {},
  updateSettings: { modelDir: '/models/a', providers: ['cuda', 'cpu'], threads: 4 },
};

/** A malformed variant of a valid request: wrong types, unknown keys, out-of-range values, non-objects. */
export function mutate(r: () => number, valid: unknown): unknown {
  const base = (valid === undefined ? {} : JSON.parse(JSON.stringify(valid))) as Record<string, unknown>;
  const keys = Object.keys(base);
  switch (Math.floor(r() * 6)) {
    case 0: return randomValue(r, 3); // not an object at all (scalars/null)
    case 1: return [base];
    case 2: base[`extra_${Math.floor(r() * 1000)}`] = randomValue(r); return base;
    case 3: {
      if (!keys.length) return { bogus: 1 };
      const k = keys[Math.floor(r() * keys.length)]!;
      base[k] = [null, 'str', -5, 1.25, {}, [], true, 1e9][Math.floor(r() * 8)];
      return base;
    }
    case 4: {
      if (!keys.length) return { [KEYS[Math.floor(r() * KEYS.length)]!]: randomValue(r) };
      const k = keys[Math.floor(r() * keys.length)]!;
      delete base[k];
      base[k + 'X'] = 1;
      return base;
    }
    default: return { ...base, filters: { kinds: ['video'], nope: true } };
  }
}
