// Small JSON files beside the library (settings, the app's own config), readable by their
// owner only and written durably: a crash or a full disk leaves the old file or the new one.
import { writeFileAtomic } from '../../base/durable-write';

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
}
