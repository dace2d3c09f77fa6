// The perception evidence a model that reads it (EmbeddingModel.perception) gets with a
// photo: for a library photo, what the passes stored for its current content (the values
// the models gave, so no model runs again); for an image that is not in the library (a
// dropped image), or a photo the passes have not reached yet, the passes' models run on it
// once (main/ml/perception/evidence.ts `perceive`, on the passes' decode).
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, PerceptionKind } from '../../ml/models/embedding-model';
import type { EvidenceModels } from '../../ml/perception/evidence';
import { EVIDENCE_DECODE_SIDE, perceive } from '../../ml/perception/evidence';
import { decodeForPerception } from '../library/images';
import type { Db } from '../store/db';
import { passRunsOn, regionsOfItem, tagsOfItem, textOfItem } from '../store/perception';

/** The pass that stores each kind of evidence (main/engine/passes). */
export const EVIDENCE_PASSES: Record<PerceptionKind, string> = { objects: 'objects', labels: 'labels', text: 'text' };

const EVIDENCE_PASS_NAMES = Object.values(EVIDENCE_PASSES);

/** A WordNet noun synset id: the ImageNet classifier's labels have one, the species models' do not. */
const WNID = /^n\d{8}$/;

/** Which evidence passes have run on the photo's content `hash` (done or failed), at which version. */
export function evidencePassRuns(db: Db, itemId: number, hash: string): Map<string, { version: string; state: 'done' | 'error' }> {
  return passRunsOn(db, itemId, hash, EVIDENCE_PASS_NAMES);
}

/**
 * The evidence the passes stored for the photo's content `hash`, or undefined when none of
 * the evidence passes has run on it yet. A pass that failed or has not run gives nothing of
 * its kind (as an image where it found nothing).
 */
export function storedEvidence(db: Db, itemId: number, hash: string | null): PerceptionEvidence | undefined {
  if (!hash) return undefined;
  const runs = evidencePassRuns(db, itemId, hash);
  if (!runs.size) return undefined;
  const done = (kind: PerceptionKind) => runs.get(EVIDENCE_PASSES[kind])?.state === 'done';
  return {
    objects: done('objects') ? regionsOfItem(db, itemId, EVIDENCE_PASSES.objects).map((r) => ({ label: r.label, score: r.score, box: { x: r.x, y: r.y, width: r.w, height: r.h } })) : [],
    // the labels pass also stores species (no WordNet id): they are not the classifier's labels
    labels: done('labels')
      ? tagsOfItem(db, itemId)
          .filter((t) => t.pass === EVIDENCE_PASSES.labels && t.ref !== null && WNID.test(t.ref))
          .map((t) => ({ label: t.tag, score: t.score, wnid: t.ref! }))
      : [],
    text: done('text') ? textOfItem(db, itemId).map((l) => ({ text: l.text, box: { x: l.x, y: l.y, width: l.w, height: l.h } })) : [],
  };
}

/** `input` with `perception` when the model reads evidence and there is some; otherwise `input` as it is. */
export function withEvidence(model: EmbeddingModel, input: EmbedInput, perception: PerceptionEvidence | undefined): EmbedInput {
  return model.perception && perception ? { ...input, perception } : input;
}

/** The model of EvidenceModels that makes each kind of evidence. */
const EVIDENCE_MODEL: Record<PerceptionKind, keyof EvidenceModels> = { labels: 'classifier', objects: 'detector', text: 'reader' };

/** Evidence for the images of queries (Ask, Find by image, Point at, Sort into labels). */
export interface QueryEvidence {
  /** what the passes stored for a library photo (undefined: they have not run on its content) */
  stored(item: { id: number; hash: string | null }): PerceptionEvidence | undefined;
  /**
   * a library photo's evidence: what its passes stored, else computed from its bytes (when
   * the evidence models are at hand; else undefined: the model reads the pixels alone)
   */
  ofPhoto(item: { id: number; hash: string | null }, bytes: Buffer, kinds: readonly PerceptionKind[]): Promise<PerceptionEvidence | undefined>;
  /** an image that is not in the library, computed by the passes' models (undefined without them) */
  ofBytes(bytes: Buffer, kinds: readonly PerceptionKind[]): Promise<PerceptionEvidence | undefined>;
}

/**
 * Query evidence over the library `db`; `models` gives the passes' loaded models (the
 * engine's Enrichment.evidenceModels). Without it only stored evidence is used.
 */
export function queryEvidence(db: Db, models?: () => Promise<EvidenceModels>): QueryEvidence {
  const ofBytes = async (bytes: Buffer, kinds: readonly PerceptionKind[]) => {
    const m = models ? await models() : {};
    // no model of any kind asked for (none installed): not known, which is not "nothing found"
    if (!kinds.some((k) => m[EVIDENCE_MODEL[k]])) return undefined;
    return perceive(m, await decodeForPerception(bytes, EVIDENCE_DECODE_SIDE), kinds);
  };
  const stored = (item: { id: number; hash: string | null }) => storedEvidence(db, item.id, item.hash);
  return { stored, ofBytes, ofPhoto: async (item, bytes, kinds) => stored(item) ?? (await ofBytes(bytes, kinds)) };
}
