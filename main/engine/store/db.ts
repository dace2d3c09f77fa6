// Opens the library database: WAL, 16 KiB pages (embeddings are 2-4 KiB blobs), foreign
// keys, a busy timeout, and every pending migration applied in its own transaction.
import Database from 'better-sqlite3';
import { migrations as allMigrations, type Migration } from './migrations';

export type Db = Database.Database;

export function openDb(file: string, migrations: readonly Migration[] = allMigrations): Db {
  // Under `npm start` the engine host runs on Electron's ABI and needs the Electron build of
  // better-sqlite3 (scripts/electron-native.mjs); plain Node uses node_modules' own build.
  const nativeBinding = process.env.TROVE_SQLITE_BINDING || undefined;
  const db = new Database(file, nativeBinding ? { nativeBinding } : {});
  // page_size only takes effect on a new database, before WAL is switched on.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT max(version) AS v FROM migrations').get() as { v: number | null };
  return row.v ?? 0;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = schemaVersion(db);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
  }
}
