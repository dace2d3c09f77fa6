// Which model version the library's items count as embedded with. The active version is the
// one the host loads (settings.json); items.embedded_version says, per item, that its
// vectors of that version are there. A switch between versions whose vectors are already
// stored (an adoption after its background embedding, a rollback, or any switch back and
// forth in Settings) must not re-embed them: before the slot takes the new model, every
// item whose vectors of the new version are valid (made from its current content, complete)
// is marked as embedded with it, in one transaction. What is not valid stays pending and is
// indexed as usual. At start the same marking for the loaded version undoes a switch that
// was cut short after this transaction but before settings.json named the new version, so
// the library is never half-switched.
import type { Db } from '../store/db';
import { adoptValidEmbeddings, snapshotVersionHashes } from '../store/tuning';

/** Before switching from `from` to `to`: remember what `from` was made from, take `to`'s valid vectors. Returns the items taken. */
export function prepareSwitch(db: Db, from: number | null, to: number): number {
  return db.transaction(() => {
    if (from !== null && from !== to) snapshotVersionHashes(db, from);
    return adoptValidEmbeddings(db, to);
  })();
}

/** At start: the items count as embedded with the loaded version wherever its vectors are valid. */
export function syncToLoadedVersion(db: Db, version: number | null): number {
  return version === null ? 0 : db.transaction(() => adoptValidEmbeddings(db, version))();
}
