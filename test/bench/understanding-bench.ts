// npx tsx test/bench/understanding-bench.ts [--reps N] [--json]
//
// Figures, not a test: what the places, lexicon and query-understanding pieces cost.
//  load        each data file read and decoded once in a FRESH child process (so no cache
//              helps): the gazetteer (native-models/places/places.bin.gz) and the lexicon
//              (native-models/lexicon/lexicon.json.gz). Wall ms and this process's CPU ms
//              (user + system: less sensitive to other load on a shared machine), median of --reps.
//  placeOf     10,000 photo positions: 60% in ten cities' surroundings (up to ~30 km out),
//              40% anywhere on Earth between 60 S and 70 N (most of it sea): µs per lookup,
//              the mix and the city photos alone (--reps passes; the first fills the
//              gazetteer's per-cell memo of points far from towns).
//  expandLabel the 80 COCO classes and every noun synset under "animal" (~4k, as a
//              classifier's labels would be), each once (no memo hit): µs per label.
//  parseQuery  a mix of 20 queries with the lexicon, COCO coverage and 15 library places: ms per query.
import { execFileSync } from 'node:child_process';
import { cocoClasses } from '../../main/engine/lexicon/coco';
import { expandLabel, labelCoverage } from '../../main/engine/lexicon/expand';
import { defaultLexicon } from '../../main/engine/lexicon/lexicon';
import { defaultGazetteer } from '../../main/engine/places/gazetteer';
import { parseQuery } from '../../main/engine/queries/parse/parse';
import type { LibraryPlace } from '../../main/engine/queries/parse/types';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 5) || 5;
const json = args.includes('--json');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function loadInChild(what: 'gazetteer' | 'lexicon'): { wall: number; cpu: number } {
  const mod = what === 'gazetteer' ? '../../main/engine/places/gazetteer' : '../../main/engine/lexicon/lexicon';
  const fn = what === 'gazetteer' ? 'defaultGazetteer' : 'defaultLexicon';
  const code = `const m = require(${JSON.stringify(require.resolve(mod))}); const c0 = process.cpuUsage(); const t0 = performance.now(); m.${fn}(); const t = performance.now() - t0; const c = process.cpuUsage(c0); console.log(JSON.stringify({ wall: t, cpu: (c.user + c.system) / 1000 }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { wall: number; cpu: number };
}

function main(): void {
  const result: Record<string, unknown> = {};
  for (const what of ['gazetteer', 'lexicon'] as const) {
    const runs = Array.from({ length: reps }, () => loadInChild(what));
    result[`load_${what}`] = { wallMs: median(runs.map((r) => r.wall)), cpuMs: median(runs.map((r) => r.cpu)), reps };
  }

  const gaz = defaultGazetteer();
  const cities: [number, number][] = [[38.72, -9.14], [64.14, -21.94], [40.71, -74.0], [37.77, -122.42], [51.51, -0.13], [48.86, 2.35], [-33.87, 151.21], [35.01, 135.77], [52.37, 4.9], [41.39, 2.17]];
  let seed = 1;
  const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  const points = Array.from({ length: 10_000 }, (_, i) => {
    if (i % 5 < 3) {
      const [la, lo] = cities[i % cities.length]!;
      return [la + (rnd() - 0.5) * 0.5, lo + (rnd() - 0.5) * 0.5] as const;
    }
    return [rnd() * 130 - 60, rnd() * 360 - 180] as const;
  });
  const timeLookups = (pts: (readonly [number, number])[]) => {
    const runs: number[] = [];
    let named = 0;
    for (let r = 0; r < reps; r++) {
      named = 0;
      const t0 = performance.now();
      for (const [la, lo] of pts) if (gaz.placeOf(la, lo)) named++;
      runs.push(performance.now() - t0);
    }
    return { photos: pts.length, ms: median(runs), usPerLookup: (median(runs) * 1000) / pts.length, named };
  };
  result.placeOf_mixed = timeLookups(points);
  result.placeOf_cities = timeLookups(points.filter((_, i) => i % 5 < 3));
  const lex = defaultLexicon();
  const animal = lex.indexOf('n00015388')!;
  const labels: string[] = cocoClasses().map((c) => c.wnid);
  const queue = [animal];
  for (let k = 0; k < queue.length; k++) for (const h of lex.hyponyms(queue[k]!)) if (!queue.includes(h)) queue.push(h);
  labels.push(...queue.map((i) => lex.synset(i)!.id));
  const t1 = performance.now();
  let words = 0;
  for (const l of labels) words += expandLabel(lex, l).length;
  const labelMs = performance.now() - t1;
  result.expandLabel = { labels: labels.length, usPerLabel: (labelMs * 1000) / labels.length, meanWords: words / labels.length };

  const places: LibraryPlace[] = ['Lisbon', 'Porto', 'Reykjavík', 'New York City', 'San Francisco', 'London', 'Paris', 'Sydney', 'Kyoto', 'Amsterdam'].map((name) => ({ name, kind: 'city' as const, count: 10 }));
  places.push(...['Portugal', 'Iceland', 'United States', 'United Kingdom', 'France'].map((name) => ({ name, kind: 'country' as const, count: 10 })));
  const coverage = labelCoverage(lex, cocoClasses().map((c) => c.wnid));
  const queries = ['photos from Lisbon', 'pictures taken in Iceland', 'December 2022', 'summer 2019', 'last year', '"guest wifi"', 'puppy', 'birds', 'animals', 'people', 'receipts from 2021', 'what may I bring', 'Paris in the rain', 'show me photos of dogs on the beach in Lisbon last summer', 'my notes on sourdough', 'golden retriever puppies', 'from 2018 to 2020', 'screenshots of receipts', 'dec 25', 'birthday cake 2023'];
  const now = new Date();
  for (const q of queries) parseQuery(q, { now, places, lexicon: lex, coverage }); // warm-up
  const qRuns: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (const q of queries) parseQuery(q, { now, places, lexicon: lex, coverage });
    qRuns.push((performance.now() - t0) / queries.length);
  }
  result.parseQuery = { queries: queries.length, msPerQuery: median(qRuns) };

  if (json) console.log(JSON.stringify(result, null, 2));
  else for (const [k, v] of Object.entries(result)) console.log(k.padEnd(16), JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x)));
}

main();
