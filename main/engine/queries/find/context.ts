// What the query parser needs to know about this library: its places (only those parse
// as places) and what its labels cover (so "puppy" climbs to the "dog" the labels give).
import { labelCoverage, type Coverage } from '../../lexicon/expand';
import { cocoWnid } from '../../lexicon/coco';
import type { Lexicon } from '../../lexicon/lexicon';
import type { Db } from '../../store/db';
import { libraryLabels, libraryPlaces } from '../../store/perception';
import type { LibraryPlace, PlaceKind } from '../parse/types';

const PLACE_KINDS: Record<string, PlaceKind> = { city: 'city', region: 'region', country: 'country' };

export function placesOf(db: Db): LibraryPlace[] {
  return libraryPlaces(db).flatMap((p) => (PLACE_KINDS[p.kind] ? [{ name: p.name, kind: PLACE_KINDS[p.kind]!, count: p.count }] : []));
}

export function coverageOf(db: Db, lexicon: Lexicon): Coverage {
  const wnids = new Set<string>();
  for (const t of libraryLabels(db)) {
    if (t.pass === 'labels' && t.ref) wnids.add(t.ref);
    if (t.pass === 'objects') {
      const w = cocoWnid(t.tag);
      if (w) wnids.add(w);
    }
  }
  return labelCoverage(lexicon, wnids);
}
