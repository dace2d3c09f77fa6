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
];
