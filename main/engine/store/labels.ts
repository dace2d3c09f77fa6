// Typed access to `label_sets` and `item_labels` (Sort into labels). One label set is
// current (the newest); a new set replaces the old one, and its rows go with it.
import type { Db } from './db';

export interface LabelSetRow {
  id: number;
  labels: string[];
  modelVersion: number | null;
  instruction: string;
  createdAt: number;
}

export function insertLabelSet(db: Db, s: { labels: string[]; modelVersion: number; instruction: string }, now = Date.now()): number {
  return db.transaction(() => {
    // a new set replaces the old one (item_labels cascade)
    db.prepare('DELETE FROM label_sets').run();
    return Number(
      db
        .prepare('INSERT INTO label_sets (labels, model_version, instruction, created_at) VALUES (?, ?, ?, ?)')
        .run(JSON.stringify(s.labels), s.modelVersion, s.instruction, now).lastInsertRowid,
    );
  })();
}

export function currentLabelSet(db: Db): LabelSetRow | null {
  const row = db.prepare('SELECT id, labels, model_version AS modelVersion, instruction, created_at AS createdAt FROM label_sets ORDER BY id DESC LIMIT 1').get() as
    | { id: number; labels: string; modelVersion: number | null; instruction: string; createdAt: number }
    | undefined;
  if (!row) return null;
  return { ...row, labels: JSON.parse(row.labels) as string[] };
}

export function setItemLabel(db: Db, labelSet: number, itemId: number, label: string, score: number): void {
  db.prepare(
    'INSERT INTO item_labels (item_id, label_set, label, score) VALUES (?, ?, ?, ?) ON CONFLICT (label_set, item_id) DO UPDATE SET label = excluded.label, score = excluded.score',
  ).run(itemId, labelSet, label, score);
}

/** Photos per label in a set (every label of the set, zero counts included). */
export function labelCounts(db: Db, set: LabelSetRow): { label: string; count: number }[] {
  const rows = db.prepare('SELECT label, count(*) AS n FROM item_labels WHERE label_set = ? GROUP BY label').all(set.id) as { label: string; n: number }[];
  const by = new Map(rows.map((r) => [r.label, r.n]));
  return set.labels.map((label) => ({ label, count: by.get(label) ?? 0 }));
}

export function itemsWithLabel(db: Db, labelSet: number, label: string): Set<number> {
  return new Set(
    (db.prepare('SELECT item_id AS id FROM item_labels WHERE label_set = ? AND label = ?').all(labelSet, label) as { id: number }[]).map((r) => r.id),
  );
}

export function labelOfItem(db: Db, labelSet: number, itemId: number): { label: string; score: number } | null {
  return (db.prepare('SELECT label, score FROM item_labels WHERE label_set = ? AND item_id = ?').get(labelSet, itemId) as { label: string; score: number } | undefined) ?? null;
}
