-- Clusters the app did not create (provider 'import') are reached through what the user gave:
-- the API server's URL, its CA and the kind of credential (the credential itself is in the
-- secret store, never here). Every cluster's last health probe is kept for the overview.
CREATE TABLE cluster_api (
    cluster_id      INTEGER PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    server          TEXT NOT NULL,
    ca_pem          TEXT,
    tls_server_name TEXT,
    credential_kind TEXT NOT NULL CHECK (credential_kind IN ('token', 'client_certificate')),
    username        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cluster_health (
    cluster_id  INTEGER PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    checked_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    reachable   INTEGER NOT NULL CHECK (reachable IN (0, 1)),
    healthy     INTEGER NOT NULL CHECK (healthy IN (0, 1)),
    report      TEXT NOT NULL CHECK (json_valid(report)),
    last_ok_at  TEXT
);
