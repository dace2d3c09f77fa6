// Small JSON files beside the library (settings, the app's own config): written to a temp
// file and renamed, so a crash or a full disk leaves the old file or the new one, never half.
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw err;
  }
}
