import { messageOf } from '../../base/errors';
// Turns file-system and decoder errors into reasons a user understands.

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'the file was deleted or moved before Trove could read it';
    case 'EACCES':
    case 'EPERM':
      return 'Trove is not allowed to read this file (permission denied); check its permissions';
    case 'ELOOP':
      return 'this is a link that loops back on itself; Trove skipped it';
    case 'EISDIR':
      return 'this is a folder, not a file';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open right now; Trove will retry on the next scan';
    case 'EIO':
      return 'the disk reported a read error for this file';
    default:
      return `the file could not be read (${messageOf(err)})`;
  }
}

/** An error whose message is already a user-facing reason. */
export class UnreadableFile extends Error {}

export function reasonOf(err: unknown): string {
  if (err instanceof UnreadableFile) return err.message;
  if ((err as NodeJS.ErrnoException | undefined)?.code) return describeFsError(err);
  return `unexpected problem while reading this file: ${messageOf(err)}`;
}
