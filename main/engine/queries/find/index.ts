// Find: an image query ranks photos by the embedding; a text query is understood and
// ranked by every signal (findFused), unless the engine was asked for the embedding alone
// (the baseline of `trove eval --search`). The query image's perception evidence (a model
// that reads it) is a library photo's stored evidence, or what `evidence` computes.
import type { ParsedRequestOf, ResponseOf } from '../../../contract/api';
import { queryEvidence, type QueryEvidence } from '../../embedding/evidence';
import type { Generality } from '../../lexicon/generality';
import type { Lexicon } from '../../lexicon/lexicon';
import type { ItemRow } from '../../store/items';
import type { TagWords } from '../../text-index/documents';
import { labelFilter } from '../labels';
import { queryImage } from '../query-image';
import { search, type SearchDeps } from '../search';
import { coverageOf, placesOf } from './context';
import { findFused, mergeFilters } from './find';
import { understand } from './understand';

export interface FindRequestDeps extends SearchDeps {
  ranking: 'fused' | 'embedding';
  lexicon: () => Lexicon | null;
  tagWords: () => TagWords;
  generality: () => Generality | null;
  itemById: (id: number) => ItemRow;
  /** evidence for query images (default: the stored evidence of library photos only) */
  evidence?: QueryEvidence;
}

export async function find(deps: FindRequestDeps, req: ParsedRequestOf<'find'>): Promise<ResponseOf<'find'>> {
  const query = await queryImage(deps.model, req, deps.itemById, deps.evidence ?? queryEvidence(deps.db));
  const onlyItems = labelFilter(deps.db, req.filters.label);
  if (query || !req.text || deps.ranking === 'embedding') return search(deps, { text: req.text, ...query, k: req.k, filters: req.filters, sort: req.sort, onlyItems });
  const lexicon = deps.lexicon();
  const { plan, parsed } = understand(req.text, {
    now: new Date(),
    ignore: req.ignore ?? [],
    lexicon,
    places: placesOf(deps.db),
    coverage: lexicon ? coverageOf(deps.db, lexicon) : undefined,
  });
  plan.filters = mergeFilters(req.filters, onlyItems, plan.filters);
  const res = await findFused({ ...deps, tagWords: deps.tagWords(), generality: deps.generality() }, { plan, k: req.k, sort: req.sort });
  return { ...res, parsed };
}
