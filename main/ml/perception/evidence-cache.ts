// A file of perception evidence per image content: running the classifier, the detector and
// the text reader costs far more than embedding (about a second of CPU per image here), so
// the training recipes and `trove eval` compute each image's evidence once and keep it.
// One JSON line per image, keyed by the SHA-256 of the image file and the versions of the
// models that made it; appended as it is computed, so a killed run keeps what it did.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PerceptionEvidence, PerceptionKind } from '../models/embedding-model';

interface Line {
  sha256: string;
  models: string;
  evidence: PerceptionEvidence;
}

/** The key of the models that made some evidence: `kind=id@version` per kind, in kind order. */
export function evidenceModelsKey(versions: Partial<Record<PerceptionKind, string>>): string {
  return (['labels', 'objects', 'text'] as const)
    .filter((k) => versions[k])
    .map((k) => `${k}=${versions[k]}`)
    .join(';');
}

export class EvidenceCache {
  private readonly entries = new Map<string, PerceptionEvidence>();

  private constructor(
    readonly path: string,
    readonly models: string,
  ) {}

  /** Opens (or starts) the cache file; lines made by other model versions are ignored. */
  static open(path: string, models: string): EvidenceCache {
    const c = new EvidenceCache(path, models);
    if (existsSync(path)) {
      for (const raw of readFileSync(path, 'utf8').split('\n')) {
        if (!raw.trim()) continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          continue; // a line cut short by a kill
        }
        if (line.models === models) c.entries.set(line.sha256, line.evidence);
      }
    } else mkdirSync(dirname(path), { recursive: true });
    return c;
  }

  get size(): number {
    return this.entries.size;
  }

  get(sha256: string): PerceptionEvidence | undefined {
    return this.entries.get(sha256);
  }

  put(sha256: string, evidence: PerceptionEvidence): void {
    if (this.entries.has(sha256)) return;
    this.entries.set(sha256, evidence);
    appendFileSync(this.path, JSON.stringify({ sha256, models: this.models, evidence } satisfies Line) + '\n');
  }
}
