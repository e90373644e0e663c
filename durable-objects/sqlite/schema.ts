// The SQLite schema of a NamespaceStore, versioned; migrations run once per object on start.
export const SCHEMA_VERSION = 1;

/** Migration n brings the schema from version n to n+1. */
export const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE IF NOT EXISTS meta (
       id INTEGER PRIMARY KEY CHECK (id = 1),
       schema_version INTEGER NOT NULL,
       revision INTEGER NOT NULL,
       compacted INTEGER NOT NULL
     )`,
    `CREATE TABLE IF NOT EXISTS objects (
       resource TEXT NOT NULL,
       name TEXT NOT NULL,
       revision INTEGER NOT NULL,
       value TEXT NOT NULL,
       PRIMARY KEY (resource, name)
     ) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS events (
       revision INTEGER PRIMARY KEY,
       type TEXT NOT NULL,
       resource TEXT NOT NULL,
       name TEXT NOT NULL,
       value TEXT NOT NULL,
       prev TEXT,
       ts INTEGER NOT NULL
     )`,
    `CREATE INDEX IF NOT EXISTS events_by_key ON events (resource, name, revision)`,
    `CREATE INDEX IF NOT EXISTS events_by_ts ON events (ts)`,
    `INSERT OR IGNORE INTO meta (id, schema_version, revision, compacted) VALUES (1, 1, 0, 0)`,
  ],
];
