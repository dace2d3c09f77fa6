import { sep } from 'node:path';

/**
 * Is `child` equal to `root` or inside it? Both must be absolute and already resolved
 * (realpath): this compares strings, so `..` segments or links would fool it.
 */
export function isInside(root: string, child: string, separator: string = sep): boolean {
  const prefix = root.endsWith(separator) ? root : root + separator;
  return child === root || child.startsWith(prefix);
}
