// Reads an MMEB-format folder: one dataset per `<name>.parquet` (TIGER-Lab/MMEB-eval
// columns qry_text, qry_img_path, tgt_text[], tgt_img_path[]), per `<name>.jsonl` with
// the same fields, or per `<name>/` folder of parquet shards (the Hugging Face layout,
// e.g. `ImageNet-1K/test-00000-of-00001.parquet`). An optional `suite.json` names each
// dataset's meta-task and split; without it the 36 MMEB names are used.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { mmebDatasetInfo } from './mmeb-datasets';
import { parseSide } from './image-token';
import type { EvalDataset, EvalRow, EvalSuite, MetaTask, Split } from './types';
import { META_TASKS, SPLITS } from './types';
import { messageOf } from '../../base/errors';

export const SuiteJsonSchema = z.object({
  name: z.string().optional(),
  /** image paths are relative to this folder (relative to the suite folder); default: the suite folder */
  imageRoot: z.string().optional(),
  datasets: z.array(
    z.object({
      name: z.string().min(1),
      metaTask: z.enum(META_TASKS),
      split: z.enum(SPLITS),
      /** file or folder, relative to the suite folder; default: found by name */
      file: z.string().optional(),
      description: z.string().optional(),
    }),
  ),
});
export type SuiteJson = z.infer<typeof SuiteJsonSchema>;

export interface ReadSuiteOptions {
  /** overrides suite.json's imageRoot; default: the suite folder */
  imageRoot?: string;
  /** only these datasets */
  only?: string[];
  /** read at most this many rows per dataset (the first ones) */
  limitRows?: number;
}

/** A raw MMEB-eval row as stored in the files. */
export interface RawEvalRow {
  qry_text?: unknown;
  qry_img_path?: unknown;
  tgt_text?: unknown;
  tgt_img_path?: unknown;
}

interface Found {
  name: string;
  files: string[];
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Dataset files in a folder, by dataset name. */
async function findDatasets(dir: string): Promise<Map<string, Found>> {
  const out = new Map<string, Found>();
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isFile() && (e.name.endsWith('.parquet') || e.name.endsWith('.jsonl'))) {
      const name = basename(e.name, extname(e.name));
      const prev = out.get(name);
      if (prev) throw new Error(`dataset ${name} has two files: ${prev.files[0]} and ${p}`);
      out.set(name, { name, files: [p] });
    } else if (e.isDirectory()) {
      const shards = (await readdir(p)).filter((f) => f.endsWith('.parquet') || f.endsWith('.jsonl')).sort();
      if (shards.length > 0 && !out.has(e.name)) out.set(e.name, { name: e.name, files: shards.map((f) => join(p, f)) });
    }
  }
  return out;
}

async function filesAt(p: string): Promise<string[]> {
  if (await isDir(p)) {
    return (await readdir(p))
      .filter((f) => f.endsWith('.parquet') || f.endsWith('.jsonl'))
      .sort()
      .map((f) => join(p, f));
  }
  return [p];
}

/** Raw rows of one parquet file. */
export async function readParquetRows(file: string, limit?: number): Promise<RawEvalRow[]> {
  const { parquetReadObjects, asyncBufferFromFile } = await import('hyparquet');
  const buf = await asyncBufferFromFile(file);
  const rows = await parquetReadObjects({
    file: buf,
    columns: ['qry_text', 'qry_img_path', 'tgt_text', 'tgt_img_path'],
    ...(limit !== undefined ? { rowEnd: limit } : {}),
  });
  return rows as RawEvalRow[];
}

/** Raw rows of one JSON-lines file (blank lines ignored). */
export async function readJsonlRows(file: string, limit?: number): Promise<RawEvalRow[]> {
  const text = await readFile(file, 'utf8');
  const out: RawEvalRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (limit !== undefined && out.length >= limit) break;
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as RawEvalRow);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${messageOf(e)})`);
    }
  }
  return out;
}

function asList(v: unknown): unknown[] | null {
  if (v == null) return null;
  if (Array.isArray(v)) return v;
  // hyparquet may hand back typed arrays or array-likes for some encodings
  if (typeof v === 'object' && Symbol.iterator in (v as object)) return Array.from(v as Iterable<unknown>);
  if (typeof v === 'string') return [v];
  return null;
}

/**
 * Turns raw rows into EvalRows. Throws on structural errors (no candidates, target
 * lists of different lengths); image token/path disagreements are collected in `issues`.
 */
export function toEvalRows(
  raw: RawEvalRow[],
  imageRoot: string,
  where: string,
): { rows: EvalRow[]; issues: string[] } {
  const issues = new Map<string, number>();
  const note = (i: string | null, what: string) => {
    if (i) issues.set(`${what}: ${i}`, (issues.get(`${what}: ${i}`) ?? 0) + 1);
  };
  const rows = raw.map((r, i): EvalRow => {
    const texts = asList(r.tgt_text);
    if (!texts || texts.length === 0) throw new Error(`${where} row ${i}: tgt_text has no candidates`);
    const paths = asList(r.tgt_img_path) ?? texts.map(() => '');
    if (paths.length !== texts.length) {
      throw new Error(`${where} row ${i}: tgt_text has ${texts.length} candidates but tgt_img_path ${paths.length}`);
    }
    const q = parseSide(r.qry_text, r.qry_img_path, imageRoot);
    note(q.issue, 'query');
    const candidates = texts.map((t, j) => {
      const c = parseSide(t, paths[j], imageRoot);
      note(c.issue, 'target');
      return c.side;
    });
    return { query: q.side, candidates };
  });
  return { rows, issues: [...issues].map(([k, n]) => `${k} (${n}x)`) };
}

async function readRaw(files: string[], limit?: number): Promise<RawEvalRow[]> {
  const out: RawEvalRow[] = [];
  for (const f of files) {
    const left = limit === undefined ? undefined : limit - out.length;
    if (left !== undefined && left <= 0) break;
    const rows = f.endsWith('.parquet') ? await readParquetRows(f, left) : await readJsonlRows(f, left);
    out.push(...rows);
  }
  return out;
}

/** Reads and validates `suite.json` in `dir`, or returns null when there is none. */
export async function readSuiteJson(dir: string): Promise<SuiteJson | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'suite.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const parsed = SuiteJsonSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dir, 'suite.json')}: ${parsed.error.message}`);
  return parsed.data;
}

/** Reads a whole MMEB-format folder. */
export async function readSuite(dirIn: string, opts: ReadSuiteOptions = {}): Promise<EvalSuite> {
  const dir = resolve(dirIn);
  const suiteJson = await readSuiteJson(dir);
  const imageRoot = resolve(dir, opts.imageRoot ?? suiteJson?.imageRoot ?? '.');
  const found = await findDatasets(dir);
  const skipped: { name: string; reason: string }[] = [];
  const plan: { name: string; metaTask: MetaTask; split: Split; files: string[] }[] = [];

  if (suiteJson) {
    const listed = new Set<string>();
    for (const d of suiteJson.datasets) {
      if (listed.has(d.name)) throw new Error(`suite.json names dataset ${d.name} twice`);
      listed.add(d.name);
      const files = d.file ? await filesAt(resolve(dir, d.file)) : found.get(d.name)?.files;
      if (!files || files.length === 0) throw new Error(`suite.json names dataset ${d.name}, but no file for it was found in ${dir}`);
      plan.push({ name: d.name, metaTask: d.metaTask, split: d.split, files });
    }
    for (const name of found.keys()) if (!listed.has(name)) skipped.push({ name, reason: 'not named in suite.json' });
  } else {
    for (const { name, files } of found.values()) {
      const info = mmebDatasetInfo(name);
      if (!info) skipped.push({ name, reason: 'not an MMEB dataset name and no suite.json' });
      else plan.push({ name, metaTask: info.metaTask, split: info.split, files });
    }
  }

  const datasets: EvalDataset[] = [];
  const issues: Record<string, string[]> = {};
  for (const p of plan) {
    if (opts.only && !opts.only.includes(p.name)) continue;
    const raw = await readRaw(p.files, opts.limitRows);
    const { rows, issues: iss } = toEvalRows(raw, imageRoot, p.name);
    if (iss.length) issues[p.name] = iss;
    datasets.push({ ...p, rows });
  }
  return { dir, imageRoot, mapping: suiteJson ? 'suite.json' : 'mmeb-default', datasets, skipped, issues };
}
