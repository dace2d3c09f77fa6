// `trove`: the command line over the same engine the app uses.
import type { JobProgress } from '../contract/api';
import type { EmbeddingModel } from '../ml/models/embedding-model';
import { defaultDataDir } from '../engine/data-dir';
import { EngineError } from '../engine/errors';
import { flagInt, flagString, parseArgs, UsageError, type ParsedArgs } from './args';
import { loadDefaultModel, loadLibraryModel, NoModelError } from '../engine/model-loader';
import { ProgressPrinter } from './progress-bar';
import { cmdServe } from './serve/command';
import { cmdEval } from './eval/command';
import { cmdTrain } from './train-command';
import { engineOpener, type EngineExtras, type WithEngine } from './engine-opener';
import { cmdSearch } from './search-command';
import { cmdModel } from './model-command';
import { cmdEmbed } from './embed-command';
import { messageOf } from '../base/errors';

export interface CliDeps {
  loadModel?: () => Promise<EmbeddingModel>;
  /** more options for every engine the commands open (test harnesses: no perception models) */
  engine?: EngineExtras;
  stdout?: { write(s: string): unknown; isTTY?: boolean };
  stderr?: { write(s: string): unknown };
  env?: NodeJS.ProcessEnv;
}

export const HELP = `Trove: search your own photos and notes, on your own machine.

Usage: trove [--data DIR] <command> [options]

Commands:
  add <folder>              add a folder of photos and notes to the library
  index                     read and embed new and changed files (progress bar;
                            Ctrl-C stops cleanly, running it again resumes)
  search "<text>"           find photos and notes matching the text; dates ("summer
                            2019"), places in the library ("in Lisbon"), "quoted
                            text" and kind words ("photos", "notes") are understood
      --image PATH          search with an image (optionally with text)
      --k N                 how many results (default 10)
      --kind image|note     only photos or only notes
      --from DATE --to DATE only items taken in this range (YYYY, YYYY-MM or
                            YYYY-MM-DD, inclusive)
      --place NAME          only photos taken at this place (city, region or country)
      --sort relevance|date order of the results
      --json                one JSON document on stdout: results (path, score,
                            why), parsed (what was understood), strong
  status [--json]           what is in the library, what is pending
  errors [--json]           files Trove could not read, and why
      --limit N             at most N (default 500)
  serve [--port N]          serve the UI and API on http://127.0.0.1 (prints a URL
                            with this launch's access token; Ctrl-C stops)
  eval --suite mini-mmeb    Precision@1 on Trove's mini-MMEB suite (built by
                            \`npx tsx native-models/recipes/build-data.ts\`)
  eval --mmeb DIR           ... or on any MMEB-format folder (parquet/jsonl)
      --images DIR          where the folder's image paths are relative to
      --model DIR           a model package folder (default: the installed model)
      --baselines           also run the random and trunk+bow baselines
      --trunk FILE          the vision trunk for trunk+bow (default: the model
                            package's trunk.onnx, else .trove-build/trunk/trunk.onnx)
      --limit N             only the first N rows of each dataset
      --json                one JSON document on stdout
  eval --search DIR         search quality on a library with labelled queries:
                            DIR/library (photos, notes) + DIR/queries.json
                            ([{kind, query, relevant: [paths in library/]}]);
                            indexes the library, runs each query through Find
                            (top 50) and prints per query kind and overall:
                            MRR (mean 1/rank of the first relevant result),
                            Success@5 (a relevant result in the top 5) and
                            R-precision@10 (precision of the top R, R = min(10,
                            number relevant)), next to a random ranking (exact
                            expectation) and the embedding alone
      --data DIR            keep the index there (a rerun resumes; default: a
                            temporary folder)
      --model DIR, --json   as above
  model add DIR             add a Qwen2-VL embedding export (VLM2Vec, GME; see
                            native-models/recipes/export-qwen2vl.py): checks its
                            files, graphs and a test embedding, writes Trove's
                            manifest (SHA-256s) to the library's model store; the
                            files stay in DIR. Pick it in Settings afterwards
      --max-pixels N        photo-library cap on pixels per image (default
                            200704 = 448x448, 256 visual tokens)
      --id ID               the model's id in Trove (default: the folder's name)
      --json                one JSON document on stdout
  model list [--json]       the installed model packages (* = the library's)
  embed                     one embedding, in the model's own prompt format
      --text STRING         the text, verbatim (instruction included)
      --image FILE          an image (with or without --text)
      --model DIR           a package or export folder (default: the library's)
      --json                {"model","dim","embedding":[...]}
  train --pairs FILE.jsonl  fine-tune a model on labelled pairs (MMEB-train JSONL:
                            qry, qry_image_path, pos_text, pos_image_path, optional
                            neg_text, neg_image_path; paths relative to the file) and
                            write it as a new model version; prints its folder and
                            held-out and forgetting scores before and after
      --model DIR           the package to tune (default: the library's model)
      --out DIR             where the new version goes (default: the library's
                            model store, <data>/models)
      --steps N             optimisation steps (default 30)
      --scope S             lora (default), last-layers or full
      --batch N, --chunk N  pairs per step (default 64, replay included),
                            GradCache chunk (default 16)
      --lr X, --threads N   learning rate, onnxruntime threads
      --held-out X          share of each phrase's pairs held out (default 0.25)
      --distractors DIR     photos no phrase means, for the held-out score
      --json                one JSON document on stdout
                            (Ctrl-C stops with a checkpoint; the same command
                            resumes)

Options:
  --data DIR                the library's data folder (else $TROVE_DATA, else
                            ${defaultDataDir()})
  -h, --help                this help
`;

export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err.write(`trove: ${messageOf(e)}\nRun \`trove --help\` for usage.\n`);
    return 2;
  }
  if (args.flags.has('help') || args.command === null || args.command === 'help') {
    out.write(HELP);
    return args.command === null && !args.flags.has('help') ? 2 : 0;
  }
  const dataDir = flagString(args, 'data') ?? defaultDataDir(deps.env ?? process.env);
  const loadModel = deps.loadModel ?? loadDefaultModel;
  const open = engineOpener(deps.engine);
  const commands: Record<string, (() => Promise<number>) | undefined> = {
    add: () => cmdAdd(args, dataDir, out, open),
    index: () => cmdIndex(dataDir, loadModel, out, err, open),
    search: () => cmdSearch(args, { dataDir, loadModel, out, withEngine: open }),
    status: () => cmdStatus(args, dataDir, out, open),
    errors: () => cmdErrors(args, dataDir, out, open),
    eval: () => cmdEval(args, { loadModel: deps.loadModel, out, err, env: deps.env, engine: deps.engine }),
    model: () => cmdModel(args, { dataDir, out, err }),
    embed: () => cmdEmbed(args, { loadModel: deps.loadModel ?? (async () => (await loadLibraryModel(dataDir)).model), out }),
    train: () => cmdTrain(args, { dataDir, out, err, env: deps.env }),
    serve: () => cmdServe({ dataDir, port: args.flags.get('port'), positional: args.positional, loadModel, out, err, env: deps.env, engine: deps.engine }),
  };
  const run = commands[args.command];
  if (!run) {
    err.write(`trove: unknown command "${args.command}". Commands: ${Object.keys(commands).join(', ')}. Run \`trove --help\` for usage.\n`);
    return 2;
  }
  try {
    return await run();
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`trove: ${e.message}\nRun \`trove --help\` for usage.\n`);
      return 2;
    }
    if (e instanceof NoModelError || e instanceof EngineError) {
      err.write(`trove: ${e.message}\n`);
      return e instanceof NoModelError || (e instanceof EngineError && e.code === 'unavailable') ? 3 : 1;
    }
    err.write(`trove: ${messageOf(e)}\n`);
    return 1;
  }
}

async function cmdAdd(args: ParsedArgs, dataDir: string, out: NonNullable<CliDeps['stdout']>, withEngine: WithEngine): Promise<number> {
  const folder = args.positional[0];
  if (!folder) throw new UsageError('add needs a folder: trove add <folder>');
  return withEngine(dataDir, null, async (e) => {
    const src = await e.addSource({ path: folder });
    out.write(`Added ${src.path} (source ${src.id}). Run \`trove index\` to index it.\n`);
    return 0;
  });
}

async function cmdIndex(
  dataDir: string,
  loadModel: () => Promise<EmbeddingModel>,
  out: NonNullable<CliDeps['stdout']>,
  err: NonNullable<CliDeps['stderr']>,
  withEngine: WithEngine,
): Promise<number> {
  const model = await loadModel();
  return withEngine(dataDir, model, async (e) => {
    const printer = new ProgressPrinter(out);
    e.onEvent((ev) => {
      if (ev.type === 'progress') printer.update(ev.progress);
    });
    let interrupted = false;
    const onSigint = () => {
      if (interrupted) {
        // a second Ctrl-C: stop now; everything committed so far is kept (crash-safe)
        err.write('trove: stopped immediately; run `trove index` to resume.\n');
        process.exit(130);
      }
      interrupted = true;
      err.write('\ntrove: stopping after the current batch (run `trove index` again to resume)...\n');
      void e.cancelIndexing({});
    };
    process.on('SIGINT', onSigint);
    try {
      const sources = await e.listSources();
      if (!sources.length) {
        err.write('trove: the library has no folders yet. Add one with `trove add <folder>`, then run `trove index`.\n');
        return 1;
      }
      await e.startIndexing({});
      const final: JobProgress | null = await e.waitForIndexing();
      printer.finish();
      const st = await e.status();
      if (!final || final.state === 'done') {
        out.write(`Indexed: ${st.embedded} items embedded, ${st.pending} pending, ${st.errors} could not be read${st.errors ? ' (see `trove errors`)' : ''}.\n`);
        return 0;
      }
      if (final.state === 'cancelled') {
        out.write(`Stopped: ${final.done} items done this run, ${st.pending} still pending. Run \`trove index\` to resume.\n`);
        return 130;
      }
      err.write(`trove: ${final.message ?? 'indexing failed'}. Run \`trove index\` again to resume; if it keeps failing, see \`trove errors\`.\n`);
      return 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}

async function cmdStatus(args: ParsedArgs, dataDir: string, out: NonNullable<CliDeps['stdout']>, withEngine: WithEngine): Promise<number> {
  return withEngine(dataDir, null, async (e) => {
    const st = await e.status();
    const sources = await e.listSources();
    if (args.flags.has('json')) {
      out.write(JSON.stringify({ ...st, sourceList: sources }) + '\n');
      return 0;
    }
    out.write(`Library: ${st.dataDir}\n`);
    out.write(`Folders: ${st.sources}\n`);
    for (const s of sources) out.write(`  [${s.id}] ${s.path} (${s.itemCount} items)\n`);
    out.write(`Items: ${st.items.image} photos, ${st.items.note} notes; ${st.embedded} embedded, ${st.pending} waiting for \`trove index\`\n`);
    if (st.job) out.write(`Last indexing: ${st.job.state}, ${st.job.done}/${st.job.total}${st.job.message ? ` (${st.job.message})` : ''}\n`);
    out.write(`Could not read: ${st.errors}${st.errors ? ' (see `trove errors`)' : ''}\n`);
    if (st.passes.length) {
      const line = st.passes.map((p) => `${p.pass} ${p.done}/${st.items.image}${p.errors ? ` (${p.errors} failed)` : ''}`).join(', ');
      out.write(`Perception passes (photos seen): ${line}\n`);
    }
    return 0;
  });
}

async function cmdErrors(args: ParsedArgs, dataDir: string, out: NonNullable<CliDeps['stdout']>, withEngine: WithEngine): Promise<number> {
  const limit = flagInt(args, 'limit', 1, 10_000) ?? 500;
  return withEngine(dataDir, null, async (e) => {
    const errors = await e.listErrors({ limit });
    if (args.flags.has('json')) {
      out.write(JSON.stringify({ errors }) + '\n');
      return 0;
    }
    if (!errors.length) out.write('No errors: every file was read.\n');
    for (const x of errors) out.write(`${x.path}\n    ${x.reason}\n`);
    return 0;
  });
}
