// A perception pass: what Trove learns about a photo after embedding it (objects, labels,
// faces, text, colours, place). Each pass has a version (its model package and its own
// code); a photo's pass is done again only when that version or the photo's content changes.
import type { RgbImage } from '../../ml/models/embedding-model';
import type { PassResult } from '../store/perception';
import type { ItemRow } from '../store/items';

export type PassName = 'labels' | 'objects' | 'faces' | 'text' | 'colours' | 'places';

export interface Pass {
  readonly name: PassName;
  /** what the user sees while it runs, e.g. "reading text in photos" */
  readonly label: string;
  /** changes whenever the pass would give other results (model package id@version, code revision) */
  readonly version: string;
  /** false for passes that need only the item's row (places from GPS) */
  readonly needsPixels: boolean;
  /**
   * learns from one photo: `image` is the photo decoded once for every pass (null when
   * needsPixels is false); `earlier` holds what the passes before it found in this photo
   * during this run (a pass may skip work they make pointless)
   */
  run(item: ItemRow, image: RgbImage | null, earlier: ReadonlyMap<PassName, PassResult>): Promise<PassResult>;
}

/** Longer side of the one decode every pass reads (text in 12 MP photos of receipts stays legible). */
export const PERCEPTION_DECODE_SIDE = 1600;
