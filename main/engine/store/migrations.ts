// The database schema as an ordered list of migrations. Never edit a migration that has
// shipped: append a new one. `version` is stored in the `migrations` table.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'library, items, chunks, embeddings, jobs, errors',
    sql: `
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  added_at INTEGER NOT NULL
);
CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY,
  model_id TEXT NOT NULL,
  version TEXT NOT NULL,
  family TEXT NOT NULL,
  dim INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (model_id, version)
);
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  path TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('image', 'note')),
  size INTEGER NOT NULL,
  mtime REAL NOT NULL,
  hash TEXT,
  taken_at INTEGER,
  camera_make TEXT,
  camera_model TEXT,
  gps_lat REAL,
  gps_lon REAL,
  width INTEGER,
  height INTEGER,
  orientation INTEGER,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'error')),
  embedded_version INTEGER REFERENCES model_versions(id) ON DELETE SET NULL,
  added_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX items_source ON items(source_id);
CREATE INDEX items_state ON items(state);
CREATE INDEX items_hash ON items(hash);
CREATE TABLE chunks (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  text TEXT NOT NULL,
  UNIQUE (item_id, idx)
);
-- AUTOINCREMENT: embedding ids are HNSW labels and must never be reused, or a stale
-- index file could pass for a consistent one.
CREATE TABLE embeddings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  chunk_id INTEGER REFERENCES chunks(id) ON DELETE CASCADE,
  model_version INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  vector BLOB NOT NULL
);
CREATE UNIQUE INDEX embeddings_unique ON embeddings(model_version, item_id, ifnull(chunk_id, 0));
CREATE INDEX embeddings_item ON embeddings(item_id);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE TABLE errors (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'label sets and item labels (Sort into labels)',
    sql: `
CREATE TABLE label_sets (
  id INTEGER PRIMARY KEY,
  labels TEXT NOT NULL,
  model_version INTEGER REFERENCES model_versions(id) ON DELETE SET NULL,
  instruction TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE item_labels (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  label_set INTEGER NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (label_set, item_id)
);
CREATE INDEX item_labels_label ON item_labels(label_set, label);
`,
  },
  {
    version: 3,
    name: 'perception passes (tags, regions, text in photos) and the full-text index',
    sql: `
-- One row per photo and pass that ran: a pass is due again when its version or the
-- photo's content (hash) changes. state 'error' keeps the reason; the other passes of the
-- photo keep their rows.
CREATE TABLE item_passes (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  pass TEXT NOT NULL,
  version TEXT NOT NULL,
  hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('done', 'error')),
  error TEXT,
  at INTEGER NOT NULL,
  PRIMARY KEY (item_id, pass)
);
-- What a pass saw: labels, objects (with counts), faces, colours, place names.
CREATE TABLE item_tags (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  pass TEXT NOT NULL,
  tag TEXT NOT NULL,
  score REAL NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  ref TEXT
);
CREATE INDEX item_tags_item ON item_tags(item_id, pass);
CREATE INDEX item_tags_tag ON item_tags(tag);
-- Boxes (fractions of the EXIF-rotated photo): detected objects and faces.
CREATE TABLE item_regions (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  pass TEXT NOT NULL,
  label TEXT NOT NULL,
  score REAL NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  w REAL NOT NULL,
  h REAL NOT NULL
);
CREATE INDEX item_regions_item ON item_regions(item_id, pass);
-- Lines of text read in a photo (OCR), top to bottom.
CREATE TABLE item_text (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  text TEXT NOT NULL,
  score REAL NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  w REAL NOT NULL,
  h REAL NOT NULL,
  PRIMARY KEY (item_id, line)
);
-- The full-text index: one document per photo, one per note chunk. search_docs maps an
-- FTS rowid to its item and chunk (FTS5 cannot cascade or index its own columns).
CREATE TABLE search_docs (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  chunk_id INTEGER
);
CREATE INDEX search_docs_item ON search_docs(item_id);
-- '_' joins the words of a multi-word tag into one token ("hot_dog"), so "dog" does not match it.
CREATE VIRTUAL TABLE search_text USING fts5(
  name, folder, body, tags, place,
  tokenize = "porter unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE TRIGGER search_docs_gone AFTER DELETE ON search_docs BEGIN
  DELETE FROM search_text WHERE rowid = old.id;
END;
`,
  },
  {
    version: 4,
    name: 'personal fine-tuning: labelled pairs, tuning runs, model adoptions, per-version content hashes',
    sql: `
-- What a person taught: a query (a phrase, a photo, or both, under a task) and an item (or
-- an answer text, or a region of a photo) that answers it (label 1) or does not (-1).
-- Imported pairs may name files outside the library (query_file, target_file).
CREATE TABLE tuning_pairs (
  id INTEGER PRIMARY KEY,
  task TEXT NOT NULL,
  query_text TEXT,
  query_item INTEGER REFERENCES items(id) ON DELETE CASCADE,
  query_file TEXT,
  target_text TEXT,
  target_item INTEGER REFERENCES items(id) ON DELETE CASCADE,
  target_file TEXT,
  -- Point at: the region, JSON [x, y, width, height] in fractions of the photo
  target_box TEXT,
  label INTEGER NOT NULL CHECK (label IN (1, -1)),
  origin TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  CHECK (query_text IS NOT NULL OR query_item IS NOT NULL OR query_file IS NOT NULL),
  CHECK (target_text IS NOT NULL OR target_item IS NOT NULL OR target_file IS NOT NULL)
);
-- one label per (query, target): a thumbs down after a thumbs up replaces it
CREATE UNIQUE INDEX tuning_pairs_unique ON tuning_pairs(task, ifnull(query_text, ''), ifnull(query_item, 0), ifnull(query_file, ''),
  ifnull(target_text, ''), ifnull(target_item, 0), ifnull(target_file, ''), ifnull(target_box, ''));
CREATE INDEX tuning_pairs_target ON tuning_pairs(target_item);
CREATE INDEX tuning_pairs_query ON tuning_pairs(query_item);
-- A fine-tune job: runs in its own process; a run left 'running' by a dead process resumes
-- from the checkpoint in work_dir.
CREATE TABLE tuning_runs (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
  base_dir TEXT NOT NULL,
  spec_file TEXT NOT NULL,
  work_dir TEXT NOT NULL,
  pairs INTEGER NOT NULL,
  step INTEGER NOT NULL DEFAULT 0,
  steps INTEGER NOT NULL,
  phase TEXT,
  losses TEXT NOT NULL DEFAULT '[]',
  result TEXT,
  package_dir TEXT,
  message TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
);
-- Making a model version the active one: the library is embedded with it in the background
-- (state 'embedding'), then the switch happens at once ('switching' -> 'active').
CREATE TABLE model_adoptions (
  id INTEGER PRIMARY KEY,
  from_dir TEXT,
  to_dir TEXT NOT NULL,
  to_version INTEGER REFERENCES model_versions(id) ON DELETE SET NULL,
  state TEXT NOT NULL CHECK (state IN ('embedding', 'switching', 'active', 'rolled-back', 'cancelled', 'failed', 'superseded')),
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
);
-- The content each model version's embeddings of an item were made from: a version's
-- embeddings are valid for an item only while its content is still this.
CREATE TABLE item_version_hashes (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  model_version INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  PRIMARY KEY (item_id, model_version)
);
`,
  },
];
