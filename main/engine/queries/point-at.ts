// Point at: shortlist photos with Find (text -> image), then ground the caption in each
// shortlisted photo (ground.ts) and rank the photos by their best region. A model that reads
// perception evidence gets each photo's stored evidence (what its passes saw; none yet: the
// pixels alone, as no detector runs on 50 photos per query).
import { promises as fsp } from 'node:fs';
import { messageOf } from '../../base/errors';
import type { Box, PointAtRequest, SearchResponse, SearchResult } from '../../contract/api';
import { storedEvidence } from '../embedding/evidence';
import { decodeIntermediate, modelInputFrom, probeImage } from '../library/images';
import { getItem } from '../store/items';
import { regionsOfItem } from '../store/perception';
import { emptyGrounding, groundInImage, rankGrounded } from './ground';
import { search, type SearchDeps } from './search';

/** Photos shortlisted by Find before their regions are compared (at most) */
const GROUNDING_SHORTLIST = 50;
/** each photo is decoded once with this shorter side (never enlarged) and cropped from it */
const GROUNDING_DECODE_SIDE = 512;

export interface PointAtDeps extends SearchDeps {
  isClosed: () => boolean;
  log: (line: string) => void;
}

export async function pointAt(deps: PointAtDeps, req: Required<Pick<PointAtRequest, 'caption' | 'k' | 'filters'>>, onlyItems?: ReadonlySet<number>): Promise<SearchResponse> {
  const { db, model } = deps;
  const size = model.imageSize!;
  if (req.filters.kinds?.length && !req.filters.kinds.includes('image')) return emptyGrounding(model, req.caption);
  const shortlist = await search(deps, {
    text: req.caption,
    k: Math.min(GROUNDING_SHORTLIST, Math.max(2 * req.k, 10)),
    filters: { ...req.filters, kinds: ['image'] },
    sort: 'relevance',
    onlyItems,
  });
  const grounded: (SearchResult & { box: Box })[] = [];
  let instruction = '';
  for (const r of shortlist.results) {
    if (deps.isClosed()) break;
    const it = getItem(db, r.id);
    if (!it || it.kind !== 'image') continue;
    try {
      const buf = await fsp.readFile(it.path);
      const img = await decodeIntermediate(buf, GROUNDING_DECODE_SIDE);
      const full = await modelInputFrom(img, size);
      // the stored size is after EXIF rotation, as the viewer shows the photo
      const displayed = it.width && it.height ? { width: it.width, height: it.height } : await probeImage(buf);
      const detected = regionsOfItem(db, it.id).map((r) => ({ x: r.x, y: r.y, width: r.w, height: r.h }));
      const perception = model.perception ? storedEvidence(db, it.id, it.hash) : undefined;
      const g = await groundInImage(model, img, displayed, req.caption, full, detected, perception);
      instruction ||= g.instruction;
      grounded.push({ ...r, score: g.score, box: g.box });
    } catch (err) {
      deps.log(`point at: skipped ${it.path}: ${messageOf(err)}`);
    }
  }
  if (!grounded.length) return emptyGrounding(model, req.caption);
  return { results: rankGrounded(grounded, req.k), instruction };
}
