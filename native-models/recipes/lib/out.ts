// Output: MMEB-train rows as JSONL (one file per training set) and MMEB-eval datasets
// as parquet in the real MMEB-eval schema, with suite.json naming meta-task and split.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { writeMmebEvalParquet } from './mmeb-parquet';
import type { MmebEvalRow } from './mmeb-parquet';

export type Family = 'classification' | 'vqa' | 'retrieval' | 'grounding';

export interface TrainRow {
  qry: string;
  qry_image_path: string;
  pos_text: string;
  pos_image_path: string;
  neg_text: string;
  neg_image_path: string;
}

export interface TrainSetInfo {
  name: string;
  family: Family;
  source: string;
  file: string;
  rows: number;
}

export class TrainWriter {
  private streams = new Map<string, { ws: WriteStream; info: TrainSetInfo }>();
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  add(name: string, family: Family, source: string, row: Partial<TrainRow> & Pick<TrainRow, 'qry' | 'pos_text'>): void {
    let s = this.streams.get(name);
    if (!s) {
      const file = `train/${name}.jsonl`;
      s = { ws: createWriteStream(join(this.dir, `${name}.jsonl`)), info: { name, family, source, file, rows: 0 } };
      this.streams.set(name, s);
    }
    const full: TrainRow = { qry_image_path: '', pos_image_path: '', neg_text: '', neg_image_path: '', ...row };
    s.ws.write(JSON.stringify({ qry: full.qry, qry_image_path: full.qry_image_path, pos_text: full.pos_text, pos_image_path: full.pos_image_path, neg_text: full.neg_text, neg_image_path: full.neg_image_path }) + '\n');
    s.info.rows++;
  }
  async close(): Promise<TrainSetInfo[]> {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((res, rej) => s.ws.end((e?: Error | null) => (e ? rej(e) : res())))));
    return [...this.streams.values()].map((s) => s.info).sort((a, b) => a.name.localeCompare(b.name));
  }
}

export interface EvalSetInfo {
  name: string;
  metaTask: Family;
  split: 'IND' | 'OOD';
  description: string;
  source: string;
  rows: number;
  candidates: { min: number; max: number };
}

export class EvalWriter {
  readonly sets: EvalSetInfo[] = [];
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  async write(info: Omit<EvalSetInfo, 'rows' | 'candidates'>, rows: MmebEvalRow[]): Promise<void> {
    if (rows.length === 0) return;
    for (const [i, r] of rows.entries()) {
      const keys = r.tgt_text.map((t, j) => `${t}\u0000${r.tgt_img_path[j]}`);
      if (new Set(keys).size !== keys.length) throw new Error(`${info.name} row ${i}: duplicate candidates (would tie)`);
    }
    await writeMmebEvalParquet(join(this.dir, `${info.name}.parquet`), rows);
    const n = rows.map((r) => r.tgt_text.length);
    this.sets.push({ ...info, rows: rows.length, candidates: { min: Math.min(...n), max: Math.max(...n) } });
  }
  finish(name: string): void {
    const suite = {
      name,
      imageRoot: '..',
      datasets: this.sets.map((s) => ({ name: s.name, metaTask: s.metaTask, split: s.split, description: s.description })),
    };
    writeFileSync(join(this.dir, 'suite.json'), JSON.stringify(suite, null, 2) + '\n');
  }
}

/** Runs `fn` over items with at most `limit` in flight, keeping order of results. */
export async function mapPool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
