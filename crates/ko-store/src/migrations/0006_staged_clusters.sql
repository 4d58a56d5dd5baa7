-- A cluster may be 'staged': deployed up to a chosen phase (`cluster create --until`), waiting for
-- `cluster deploy`. SQLite cannot change a CHECK constraint, so the table is rebuilt (foreign keys
-- are off while migrations run; the other tables keep referring to `clusters` by name).
CREATE TABLE clusters_new (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    project_id     INTEGER NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    provider       TEXT NOT NULL CHECK (provider IN ('manual', 'plan', 'import')),
    plan_id        INTEGER REFERENCES plans (id) ON DELETE RESTRICT,
    version        TEXT NOT NULL,
    arch           TEXT NOT NULL CHECK (arch IN ('amd64', 'arm64', 'mixed')),
    spec           TEXT NOT NULL CHECK (json_valid(spec)),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'initializing', 'staged', 'running', 'failed', 'upgrading',
                                     'scaling', 'terminating', 'lost', 'not_ready')),
    status_message TEXT NOT NULL DEFAULT '',
    api_endpoint   TEXT,
    keychain_ref   TEXT UNIQUE,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO clusters_new SELECT * FROM clusters;
DROP TABLE clusters;
ALTER TABLE clusters_new RENAME TO clusters;
