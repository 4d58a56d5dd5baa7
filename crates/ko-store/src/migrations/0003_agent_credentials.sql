-- Version 3: credentials may also be "use the ssh-agent" (no secret but an optional sudo password).
-- SQLite cannot change a CHECK constraint in place: rebuild the table (foreign keys are off while
-- migrations run and are checked before the transaction commits).

CREATE TABLE credentials_v3 (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('password', 'private_key', 'agent')),
    username          TEXT NOT NULL,
    key_algorithm     TEXT,
    key_fingerprint   TEXT,
    has_passphrase    INTEGER NOT NULL DEFAULT 0 CHECK (has_passphrase IN (0, 1)),
    has_sudo_password INTEGER NOT NULL DEFAULT 0 CHECK (has_sudo_password IN (0, 1)),
    agent_socket      TEXT,
    keychain_ref      TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((kind = 'private_key') = (key_fingerprint IS NOT NULL))
);
INSERT INTO credentials_v3 (id, name, kind, username, key_algorithm, key_fingerprint, has_passphrase,
                            has_sudo_password, keychain_ref, created_at)
    SELECT id, name, kind, username, key_algorithm, key_fingerprint, has_passphrase, has_sudo_password,
           keychain_ref, created_at FROM credentials;
DROP TABLE credentials;
ALTER TABLE credentials_v3 RENAME TO credentials;
