// Training checkpoints: parameters, optimiser state and the trainer's own progress in one
// file, written durably (main/base/durable-write: temp file, fsync, rename) so a run killed
// mid-write resumes from the previous checkpoint, never from a torn one.
//
// Layout: "TROVECK1" | u32 header length | JSON header | float32 data (little endian).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../base/durable-write';
import type { AdamWState, Tensors } from './adamw';

const MAGIC = 'TROVECK1';

export interface Checkpoint<Extra = unknown> {
  params: Tensors;
  optimizer: AdamWState;
  /** the trainer's progress: step, RNG state, data cursor, loss history ... */
  extra: Extra;
}

interface Header {
  entries: { group: 'p' | 'm' | 'v'; name: string; offset: number; length: number }[];
  optimizerStep: number;
  extra: unknown;
}

export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  const groups: [Header['entries'][number]['group'], Tensors][] = [
    ['p', checkpoint.params],
    ['m', checkpoint.optimizer.m],
    ['v', checkpoint.optimizer.v],
  ];
  const entries: Header['entries'] = [];
  let offset = 0;
  for (const [group, tensors] of groups) {
    for (const [name, t] of tensors) {
      entries.push({ group, name, offset, length: t.length });
      offset += t.length * 4;
    }
  }
  const header = Buffer.from(JSON.stringify({ entries, optimizerStep: checkpoint.optimizer.step, extra: checkpoint.extra } satisfies Header));
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, MAGIC.length);

  const data = groups.flatMap(([, tensors]) => [...tensors.values()]).map((t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  writeFileAtomic(file, [prefix, header, ...data]);
}

export function loadCheckpoint<Extra = unknown>(file: string): Checkpoint<Extra> {
  const bytes = readFileSync(file);
  if (bytes.length < MAGIC.length + 4 || bytes.toString('ascii', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`${file} is not a Trove checkpoint (bad magic); delete it to start training afresh.`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, dataStart)) as Header;
  const out: Record<'p' | 'm' | 'v', Tensors> = { p: new Map(), m: new Map(), v: new Map() };
  for (const e of header.entries) {
    const start = dataStart + e.offset;
    if (start + e.length * 4 > bytes.length) throw new Error(`${file} is truncated (tensor ${e.name}); delete it to start afresh.`);
    const t = new Float32Array(e.length);
    Buffer.from(t.buffer).set(bytes.subarray(start, start + e.length * 4));
    out[e.group].set(e.name, t);
  }
  return { params: out.p, optimizer: { step: header.optimizerStep, m: out.m, v: out.v }, extra: header.extra as Extra };
}

