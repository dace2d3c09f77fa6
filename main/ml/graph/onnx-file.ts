// Writing a serialised model (and its external-data side file) to disk.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../base/durable-write';
import type { OnnxModel } from './onnx-writer';

/**
 * Writes `path` and, when the model has external data, its side file next to it (at the
 * `location` given to toOnnx). Each file is written durably (the side file first), so a
 * reader never sees half a model. Returns the paths written.
 */
export function writeOnnx(path: string, m: OnnxModel): string[] {
  mkdirSync(dirname(path), { recursive: true });
  const files: [string, Uint8Array][] = [];
  if (m.externalData && m.externalLocation) files.push([join(dirname(path), m.externalLocation), m.externalData]);
  files.push([path, m.model]);
  for (const [p, bytes] of files) writeFileAtomic(p, bytes);
  return files.map(([p]) => p);
}
