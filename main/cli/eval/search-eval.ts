// `trove eval --search DIR`: indexes DIR/library with the engine exactly as `trove add` +
// `trove index` do, runs every query of DIR/queries.json through Find (the path `trove
// search --json` takes, top SEARCH_K), and scores the rankings (main/ml/eval/search-metrics)
// next to two baselines measured in the same run: a random ranking (exact expectation)
// and the engine constructed with `ranking: 'embedding'` (the embedding alone).
//
//   trove eval --search DIR [--data DIR] [--model DIR] [--json]
//
// Without --data the index lives in a temporary folder, removed afterwards; with it, the
// folder is kept and a rerun resumes (only new or changed files are embedded again).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { EmbeddingModel } from '../../ml/models/embedding-model';
import { loadModel as loadModelPackage } from '../../ml/models';
import { aggregateBy, expectedRandomScores, scoreRanking, type Aggregate, type QueryScores } from '../../ml/eval/search-metrics';
import { readSearchSet, SEARCH_QUERY_KINDS, SearchSetError, type SearchQuery, type SearchSet } from '../../ml/eval/search-set';
import { loadDefaultModel } from '../../engine/model-loader';
import { TroveEngine } from '../../engine/service';
import { flagString, UsageError, type ParsedArgs } from '../args';
import { ProgressPrinter } from '../progress-bar';
import type { EvalCommandDeps } from './deps';
import { cancelOnCtrlC } from './ctrl-c';
import { formatSearchTable } from './search-table';

/** how many results each query asks Find for (metrics see only these) */
export const SEARCH_K = 50;

/** the engine's rankings that run, in table order after "random" */
const RANKINGS = ['embedding', 'fused'] as const;
type Ranking = (typeof RANKINGS)[number];

/** flags of the other eval modes, refused here so a mixed-up command says so */
const OTHER_MODE_FLAGS = ['suite', 'mmeb', 'images', 'baselines', 'trunk', 'limit'];

class Cancelled extends Error {}

export interface SearchQueryResult {
  kind: SearchQuery['kind'];
  query: string;
  relevant: number;
  random: Omit<QueryScores, 'firstRelevantRank'>;
  embedding: QueryScores;
  fused: QueryScores;
}

export async function cmdEvalSearch(args: ParsedArgs, deps: EvalCommandDeps): Promise<number> {
  const { out, err } = deps;
  if (args.positional.length) throw new UsageError(`eval --search takes no positional arguments (got "${args.positional.join(' ')}")`);
  const dirFlag = flagString(args, 'search');
  if (dirFlag === undefined) throw new UsageError('--search needs a folder: trove eval --search DIR (DIR/library + DIR/queries.json)');
  const other = OTHER_MODE_FLAGS.filter((f) => args.flags.has(f));
  if (other.length) throw new UsageError(`--search does not take ${other.map((f) => `--${f}`).join(', ')}: it runs its own baselines (random, embedding only)`);
  const dataFlag = flagString(args, 'data');
  const modelDir = flagString(args, 'model');
  const json = args.flags.has('json');

  let set: SearchSet;
  try {
    set = readSearchSet(dirFlag);
  } catch (e) {
    if (e instanceof SearchSetError) {
      err.write(`trove: ${e.message}\n`);
      return 3;
    }
    throw e;
  }

  const model: EmbeddingModel = modelDir !== undefined ? await loadModelPackage(resolve(modelDir)) : await (deps.loadModel ?? loadDefaultModel)();
  const dataDir = dataFlag !== undefined ? resolve(dataFlag) : mkdtempSync(join(tmpdir(), 'trove-eval-search-'));
  let engine: TroveEngine | null = null;
  const ctrlC = cancelOnCtrlC(err, () => void engine?.cancelIndexing({}));
  try {
    // 1. index the library with the default engine, as `trove add` + `trove index` do
    engine = new TroveEngine({ dataDir, model, applySavedSettings: false, ...deps.engine });
    const items = await indexLibrary(engine, set.library, err);
    if (ctrlC.pressed) throw new Cancelled();

    // 2. every query through Find, once per ranking; the engines share the data folder
    const libraryReal = realpathSync(set.library);
    const ranked: Record<Ranking, string[][]> = { embedding: [], fused: [] };
    for (const ranking of ['fused', 'embedding'] as const) {
      if (ranking !== 'fused') {
        await engine.close();
        engine = new TroveEngine({ dataDir, model, ranking, applySavedSettings: false, ...deps.engine });
      }
      for (const q of set.queries) {
        if (ctrlC.pressed) throw new Cancelled();
        const res = await engine.find({ text: q.query, k: SEARCH_K, filters: {}, sort: 'relevance' });
        ranked[ranking].push(res.results.map((r) => relative(libraryReal, r.path).split(sep).join('/')));
      }
    }

    // 3. score
    const results: SearchQueryResult[] = set.queries.map((q, i) => {
      const relevant = new Set(q.relevant);
      return {
        kind: q.kind,
        query: q.query,
        relevant: relevant.size,
        random: expectedRandomScores(Math.max(items, relevant.size), relevant.size, SEARCH_K),
        embedding: scoreRanking(ranked.embedding[i]!, relevant),
        fused: scoreRanking(ranked.fused[i]!, relevant),
      };
    });
    const kinds = SEARCH_QUERY_KINDS.filter((k) => results.some((r) => r.kind === k));
    const aggregates = Object.fromEntries(
      (['random', ...RANKINGS] as const).map((run) => {
        const a = aggregateBy(results, (r) => r.kind, (r) => r[run]);
        return [run, { overall: a.overall, byKind: Object.fromEntries(kinds.map((k) => [k, a.byGroup[k]!])) }];
      }),
    ) as Record<'random' | Ranking, { overall: Aggregate; byKind: Record<string, Aggregate> }>;

    // 4. report
    const modelName = `${model.id}@${model.version}`;
    if (json) {
      out.write(JSON.stringify({ set: set.dir, model: modelName, k: SEARCH_K, items, runs: ['random', ...RANKINGS], queries: results, aggregates }) + '\n');
      return 0;
    }
    out.write(`Search evaluation: ${set.dir}\n`);
    out.write(`${results.length} queries over ${items} indexed items; model ${modelName}; Find's top ${SEARCH_K} per query.\n`);
    out.write('random = the exact expectation of a random ranking; embedding = the embedding alone; fused = Trove\'s default ranking.\n');
    out.write(`MRR = mean of 1/rank of the first relevant result (0 if none in the top ${SEARCH_K}); Success@5 = share of queries with a relevant result in the top 5;\n`);
    out.write('R-precision@10 = precision of the top R results, R = min(10, number of relevant items).\n\n');
    out.write(formatSearchTable((['random', ...RANKINGS] as const).map((name) => ({ name, ...aggregates[name] })), kinds) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof Cancelled) {
      err.write(`trove: evaluation cancelled; nothing was scored.${dataFlag !== undefined ? ' Rerun with the same --data to resume indexing.' : ''}\n`);
      return 130;
    }
    throw e;
  } finally {
    ctrlC.remove();
    await engine?.close();
    await model.dispose();
    if (dataFlag === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Adds the library (once) and indexes it to the end; returns how many items are embedded. */
async function indexLibrary(engine: TroveEngine, library: string, err: EvalCommandDeps['err']): Promise<number> {
  await engine.addSource({ path: library });
  const printer = new ProgressPrinter(err);
  const stop = engine.onEvent((ev) => {
    if (ev.type === 'progress' && err.isTTY) printer.update(ev.progress);
  });
  try {
    await engine.startIndexing({});
    const final = await engine.waitForIndexing();
    if (err.isTTY) printer.finish();
    if (final && final.state === 'cancelled') return 0;
    if (final && final.state !== 'done') throw new Error(`indexing the library failed: ${final.message ?? final.state}`);
  } finally {
    stop();
  }
  const st = await engine.status();
  if (st.errors) err.write(`trove: note: ${st.errors} file(s) in the library could not be read (\`trove --data DIR errors\` lists them with --data)\n`);
  if (st.pending) throw new Error(`indexing left ${st.pending} item(s) pending`);
  return st.embedded;
}
