// The chips of one parse: ids from their spans, and the spans the user removed (ignored),
// which no part of the parser may take again.
import type { Token } from './tokens';
import type { ChipKind, QueryChip } from './types';

const EFFECT: Record<ChipKind, QueryChip['effect']> = { date: 'filter', place: 'filter', kind: 'filter', phrase: 'filter', object: 'boost' };

export const chipId = (kind: ChipKind, span: [number, number]) => `${kind}:${span[0]}-${span[1]}`;

/** [start, end) of a chip id, or null when it is not one. */
export function spanOfChipId(id: string): [number, number] | null {
  const m = /^(date|place|kind|phrase|object):(\d+)-(\d+)$/.exec(id);
  return m && Number(m[2]) < Number(m[3]) ? [Number(m[2]), Number(m[3])] : null;
}

export class ChipStore {
  private readonly chips: QueryChip[] = [];
  private readonly ignored: [number, number][];
  private readonly ignoredIds: Set<string>;

  constructor(ignore: readonly string[]) {
    this.ignoredIds = new Set(ignore);
    this.ignored = ignore.map(spanOfChipId).filter((s): s is [number, number] => s !== null);
  }

  /** A token inside a removed chip's span: plain text. */
  isIgnored(t: Token): boolean {
    return this.ignored.some(([a, b]) => t.start < b && t.end > a);
  }

  /**
   * Adds a chip unless the user removed it or it overlaps a removed one (objects excepted:
   * an object chip only adds expansions, so removing a place around it does not hide it).
   * Returns whether it was added.
   */
  offer(kind: ChipKind, span: [number, number], label: string): boolean {
    const id = chipId(kind, span);
    if (this.ignoredIds.has(id)) return false;
    if (kind !== 'object' && this.ignored.some(([a, b]) => span[0] < b && span[1] > a)) return false;
    this.chips.push({ id, kind, label, effect: EFFECT[kind], span });
    return true;
  }

  list(): QueryChip[] {
    return [...this.chips].sort((a, b) => a.span[0] - b.span[0] || a.span[1] - b.span[1]);
  }
}
