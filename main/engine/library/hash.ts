// Content hashes: sha256, hex. Moved or renamed files keep their embeddings by hash.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function hashBuffer(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
