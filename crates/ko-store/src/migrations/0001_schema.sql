-- KubeOperator Desktop schema, version 1: the whole reference system's model.
-- Timestamps are UTC text in RFC 3339 with milliseconds. Secret material never lives here: rows
-- that need a secret hold a `keychain_ref`, the key of an OS keychain entry.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Users: `is_admin` marks a system administrator. `source` 'os' is the local OS account the
-- desktop app acts as; 'local' users log in to `koctl serve` with an argon2 password hash.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    source        TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'ldap', 'os')),
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    language      TEXT CHECK (language IN ('zh-CN', 'en')),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('project_admin', 'cluster_admin')),
    PRIMARY KEY (project_id, user_id)
);

-- Hosts, plans and backup accounts granted to a project.
CREATE TABLE project_resources (
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('host', 'plan', 'backup_account')),
    resource_id   INTEGER NOT NULL,
    PRIMARY KEY (project_id, resource_kind, resource_id)
);

-- SSH credentials: metadata only; the password / private key / passphrase / sudo password sit in
-- the OS keychain under `keychain_ref`.
CREATE TABLE credentials (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('password', 'private_key')),
    username          TEXT NOT NULL,
    key_algorithm     TEXT,
    key_fingerprint   TEXT,
    has_passphrase    INTEGER NOT NULL DEFAULT 0 CHECK (has_passphrase IN (0, 1)),
    has_sudo_password INTEGER NOT NULL DEFAULT 0 CHECK (has_sudo_password IN (0, 1)),
    keychain_ref      TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((kind = 'private_key') = (key_fingerprint IS NOT NULL))
);

-- IaaS (auto mode).
CREATE TABLE regions (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    provider     TEXT NOT NULL CHECK (provider IN ('vsphere', 'openstack', 'fusioncompute')),
    datacenter   TEXT NOT NULL DEFAULT '',
    config       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    keychain_ref TEXT UNIQUE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE ip_pools (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    subnet      TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    dns         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(dns)),
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    provider   TEXT NOT NULL CHECK (provider IN ('vsphere', 'openstack', 'fusioncompute')),
    kind       TEXT NOT NULL CHECK (kind IN ('default', 'custom', 'existing')),
    config     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE zones (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    region_id     INTEGER NOT NULL REFERENCES regions (id) ON DELETE RESTRICT,
    ip_pool_id    INTEGER REFERENCES ip_pools (id) ON DELETE RESTRICT,
    template_id   INTEGER REFERENCES templates (id) ON DELETE RESTRICT,
    credential_id INTEGER REFERENCES credentials (id) ON DELETE RESTRICT,
    config        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    status        TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'initializing', 'failed')),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE ip_addresses (
    id        INTEGER PRIMARY KEY,
    pool_id   INTEGER NOT NULL REFERENCES ip_pools (id) ON DELETE CASCADE,
    address   TEXT NOT NULL,
    status    TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'used', 'locked', 'reachable')),
    host_id   INTEGER REFERENCES hosts (id) ON DELETE SET NULL,
    synced_at TEXT,
    UNIQUE (pool_id, address)
);

CREATE TABLE vm_sizes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    cpu        INTEGER NOT NULL CHECK (cpu > 0),
    memory_gib INTEGER NOT NULL CHECK (memory_gib > 0),
    disk_gib   INTEGER NOT NULL CHECK (disk_gib > 0),
    builtin    INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
);

CREATE TABLE plans (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    region_id      INTEGER NOT NULL REFERENCES regions (id) ON DELETE RESTRICT,
    deploy_mode    TEXT NOT NULL CHECK (deploy_mode IN ('single', 'multi')),
    master_count   INTEGER NOT NULL DEFAULT 1 CHECK (master_count IN (1, 3, 5)),
    master_size_id INTEGER NOT NULL REFERENCES vm_sizes (id) ON DELETE RESTRICT,
    worker_size_id INTEGER NOT NULL REFERENCES vm_sizes (id) ON DELETE RESTRICT,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE plan_zones (
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    zone_id INTEGER NOT NULL REFERENCES zones (id) ON DELETE RESTRICT,
    PRIMARY KEY (plan_id, zone_id)
);

-- Hosts: where the app connects, with which credential, through which jump host, and the SSH
-- host key pinned on first use. `facts` is the JSON gathered from the host.
CREATE TABLE hosts (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    address              TEXT NOT NULL,
    port                 INTEGER NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
    credential_id        INTEGER NOT NULL REFERENCES credentials (id) ON DELETE RESTRICT,
    jump_host_id         INTEGER REFERENCES hosts (id) ON DELETE RESTRICT,
    host_key_algorithm   TEXT,
    host_key             TEXT,
    host_key_fingerprint TEXT,
    arch                 TEXT CHECK (arch IN ('amd64', 'arm64')),
    facts                TEXT CHECK (facts IS NULL OR json_valid(facts)),
    facts_at             TEXT,
    status               TEXT NOT NULL DEFAULT 'new'
                         CHECK (status IN ('new', 'running', 'unreachable', 'failed', 'initializing')),
    status_message       TEXT NOT NULL DEFAULT '',
    zone_id              INTEGER REFERENCES zones (id) ON DELETE RESTRICT,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (address, port)
);

-- Kubernetes versions the app can deploy; brought by bundles, enabled or disabled by an admin.
CREATE TABLE kubernetes_versions (
    id         INTEGER PRIMARY KEY,
    version    TEXT NOT NULL UNIQUE,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    components TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(components)),
    source     TEXT NOT NULL DEFAULT 'catalog' CHECK (source IN ('catalog', 'bundle')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Clusters: `spec` is the whole cluster file (ko-core ClusterSpec) as JSON; the columns beside it
-- are copies for listing and filtering.
CREATE TABLE clusters (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    project_id     INTEGER NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    provider       TEXT NOT NULL CHECK (provider IN ('manual', 'plan', 'import')),
    plan_id        INTEGER REFERENCES plans (id) ON DELETE RESTRICT,
    version        TEXT NOT NULL,
    arch           TEXT NOT NULL CHECK (arch IN ('amd64', 'arm64', 'mixed')),
    spec           TEXT NOT NULL CHECK (json_valid(spec)),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'initializing', 'running', 'failed', 'upgrading',
                                     'scaling', 'terminating', 'lost', 'not_ready')),
    status_message TEXT NOT NULL DEFAULT '',
    api_endpoint   TEXT,
    keychain_ref   TEXT UNIQUE,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE cluster_nodes (
    id         INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    host_id    INTEGER NOT NULL UNIQUE REFERENCES hosts (id) ON DELETE RESTRICT,
    is_master  INTEGER NOT NULL DEFAULT 0 CHECK (is_master IN (0, 1)),
    is_etcd    INTEGER NOT NULL DEFAULT 0 CHECK (is_etcd IN (0, 1)),
    is_worker  INTEGER NOT NULL DEFAULT 0 CHECK (is_worker IN (0, 1)),
    zone       TEXT,
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'initializing', 'running', 'failed', 'terminating', 'not_ready')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (cluster_id, name),
    CHECK (is_master + is_etcd + is_worker > 0)
);

-- Cluster administrators are granted clusters one by one.
CREATE TABLE cluster_members (
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (cluster_id, user_id)
);

-- Tasks -> phases -> steps x hosts, with log lines: the journal that makes deployments resumable.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    cluster_id  INTEGER REFERENCES clusters (id) ON DELETE SET NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    params      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'ok', 'failed', 'cancelled', 'interrupted')),
    attempt     INTEGER NOT NULL DEFAULT 1,
    error       TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at  TEXT,
    finished_at TEXT
);
CREATE INDEX tasks_by_cluster ON tasks (cluster_id, id);
CREATE INDEX tasks_by_status ON tasks (status);

CREATE TABLE task_phases (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'ok', 'changed', 'skipped', 'failed', 'cancelled')),
    started_at  TEXT,
    finished_at TEXT,
    UNIQUE (task_id, seq)
);

CREATE TABLE task_steps (
    id          INTEGER PRIMARY KEY,
    phase_id    INTEGER NOT NULL REFERENCES task_phases (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'ok', 'changed', 'skipped', 'failed', 'cancelled')),
    started_at  TEXT,
    finished_at TEXT,
    UNIQUE (phase_id, seq)
);

CREATE TABLE task_step_hosts (
    id          INTEGER PRIMARY KEY,
    step_id     INTEGER NOT NULL REFERENCES task_steps (id) ON DELETE CASCADE,
    host_name   TEXT NOT NULL,
    host_id     INTEGER REFERENCES hosts (id) ON DELETE SET NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'ok', 'changed', 'skipped', 'failed', 'cancelled')),
    exit_code   INTEGER,
    message     TEXT NOT NULL DEFAULT '',
    attempt     INTEGER NOT NULL DEFAULT 1,
    started_at  TEXT,
    finished_at TEXT,
    UNIQUE (step_id, host_name)
);

CREATE TABLE task_log_lines (
    id           INTEGER PRIMARY KEY,
    task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    step_host_id INTEGER REFERENCES task_step_hosts (id) ON DELETE CASCADE,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    stream       TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr', 'info')),
    line         TEXT NOT NULL
);
CREATE INDEX task_log_lines_by_task ON task_log_lines (task_id, id);

-- Settings.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
);

-- Package repositories / registries per CPU architecture (an alternative to pushed bundles).
CREATE TABLE repositories (
    id            INTEGER PRIMARY KEY,
    arch          TEXT NOT NULL UNIQUE CHECK (arch IN ('amd64', 'arm64')),
    protocol      TEXT NOT NULL CHECK (protocol IN ('http', 'https')),
    hostname      TEXT NOT NULL,
    repo_port     INTEGER NOT NULL CHECK (repo_port BETWEEN 1 AND 65535),
    registry_port INTEGER CHECK (registry_port BETWEEN 1 AND 65535),
    username      TEXT,
    keychain_ref  TEXT UNIQUE,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE ntp_servers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    address    TEXT NOT NULL UNIQUE,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE message_channels (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'dingtalk', 'wecom', 'in_app')),
    config       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    keychain_ref TEXT UNIQUE,
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);

CREATE TABLE message_subscriptions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cluster_id INTEGER REFERENCES clusters (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES message_channels (id) ON DELETE CASCADE,
    event      TEXT NOT NULL,
    UNIQUE (user_id, cluster_id, channel_id, event)
);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cluster_id INTEGER REFERENCES clusters (id) ON DELETE SET NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    read       INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- ed25519 public keys whose bundle signatures are trusted.
CREATE TABLE trusted_bundle_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Backups.
CREATE TABLE backup_accounts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('s3', 'minio', 'sftp', 'oss', 'azure', 'local')),
    bucket       TEXT NOT NULL DEFAULT '',
    config       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    keychain_ref TEXT UNIQUE,
    status       TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'invalid')),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE backup_strategies (
    id         INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL UNIQUE REFERENCES clusters (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES backup_accounts (id) ON DELETE RESTRICT,
    cron       TEXT NOT NULL,
    keep       INTEGER NOT NULL CHECK (keep > 0),
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);

CREATE TABLE backup_files (
    id         INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES backup_accounts (id) ON DELETE SET NULL,
    task_id    INTEGER REFERENCES tasks (id) ON DELETE SET NULL,
    name       TEXT NOT NULL,
    location   TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    sha256     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (cluster_id, name)
);

-- Audit (system) log: who did what, when, and how it ended. Never holds secret values.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
