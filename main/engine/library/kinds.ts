// Which files Trove reads, by extension.
import { extname } from 'node:path';
import type { ItemKind } from '../../contract/api';

const imageExts = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tiff', '.tif', '.avif', '.heic', '.heif']);
const noteExts = new Set(['.md', '.txt']);

export function kindOf(path: string): ItemKind | null {
  const ext = extname(path).toLowerCase();
  if (imageExts.has(ext)) return 'image';
  if (noteExts.has(ext)) return 'note';
  return null;
}

/** Hidden and system files Trove never indexes. */
export function isIgnoredName(name: string): boolean {
  if (name.startsWith('.')) return true; // dot-files and dot-folders (.git, .DS_Store, ._x)
  const lower = name.toLowerCase();
  return lower === 'thumbs.db' || lower === 'desktop.ini' || lower === '$recycle.bin' || lower === 'system volume information' || name.endsWith('~');
}
