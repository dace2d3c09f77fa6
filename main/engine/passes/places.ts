// The places pass: the names of where a photo was taken, from its EXIF GPS, through the
// offline gazetteer (main/engine/places). No pixels needed.
import type { Gazetteer } from '../places/gazetteer';
import { placeNames } from '../places/gazetteer';
import type { TagRow } from '../store/perception';
import type { Pass } from './pass';

export function placesPass(gazetteer: Gazetteer, gazetteerVersion: string): Pass {
  return {
    name: 'places',
    label: 'naming places',
    version: `${gazetteerVersion}/r2`,
    needsPixels: false,
    async run(item) {
      if (item.gpsLat === null || item.gpsLon === null) return {};
      const place = gazetteer.placeOf(item.gpsLat, item.gpsLon);
      if (!place) return {};
      const named = placeNames(place);
      const tags: TagRow[] = named.map((n) => ({ tag: n.name, score: 1, count: 1, ref: n.kind }));
      // aliases (USA, Britain...) are searchable too, under the country
      const seen = new Set(named.map((n) => n.name));
      for (const alias of place.names) if (!seen.has(alias)) tags.push({ tag: alias, score: 1, count: 1, ref: 'alias' });
      return { tags };
    },
  };
}
