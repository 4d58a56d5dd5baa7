//! Clusters and their nodes.

use crate::Result;
pub use ko_core::ClusterStatus;
use rusqlite::Connection;
use serde::Serialize;

/// How many objects of each kind the store holds (for `koctl status` and the overview).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Projects.
    pub projects: i64,
    /// Users.
    pub users: i64,
    /// Credentials.
    pub credentials: i64,
    /// Hosts.
    pub hosts: i64,
    /// Clusters.
    pub clusters: i64,
    /// Tasks pending or running.
    pub active_tasks: i64,
    /// Enabled Kubernetes versions.
    pub enabled_versions: i64,
    /// Audit log entries.
    pub audit_entries: i64,
}

/// Counts every kind of object in one read.
pub fn counts(conn: &Connection) -> Result<Counts> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM users), (SELECT count(*) FROM credentials),
                (SELECT count(*) FROM hosts), (SELECT count(*) FROM clusters),
                (SELECT count(*) FROM tasks WHERE status IN ('pending', 'running')),
                (SELECT count(*) FROM kubernetes_versions WHERE enabled = 1), (SELECT count(*) FROM audit_log)",
        [],
        |r| {
            Ok(Counts {
                projects: r.get(0)?,
                users: r.get(1)?,
                credentials: r.get(2)?,
                hosts: r.get(3)?,
                clusters: r.get(4)?,
                active_tasks: r.get(5)?,
                enabled_versions: r.get(6)?,
                audit_entries: r.get(7)?,
            })
        },
    )?)
}

/// Project id of the cluster `id`, for authorisation.
pub fn project_of(conn: &Connection, id: i64) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT project_id FROM clusters WHERE id = ?1", [id], |r| r.get(0)).optional()?)
}

/// Names of the deployment plans.
pub fn plan_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM plans ORDER BY name")?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// A cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Cluster {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Project name.
    pub project: String,
    /// Project id.
    pub project_id: i64,
    /// `manual`, `plan`, `import`.
    pub provider: String,
    /// Kubernetes version.
    pub version: String,
    /// `amd64`, `arm64`, `mixed`.
    pub arch: String,
    /// The cluster file (JSON of ko-core's `ClusterSpec`).
    pub spec: String,
    /// Where it is.
    pub status: ClusterStatus,
    /// Why the status is what it is.
    pub status_message: String,
    /// Created.
    pub created_at: String,
}

/// A cluster node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Node {
    /// Node name (the host's name).
    pub name: String,
    /// Host name.
    pub host: String,
    /// Roles.
    pub master: bool,
    /// etcd member.
    pub etcd: bool,
    /// Worker.
    pub worker: bool,
    /// Status.
    pub status: String,
}

/// A cluster to register.
#[derive(Debug, Clone)]
pub struct NewCluster<'a> {
    /// Name.
    pub name: &'a str,
    /// Project id.
    pub project_id: i64,
    /// Provider.
    pub provider: &'a str,
    /// Version.
    pub version: &'a str,
    /// Arch.
    pub arch: &'a str,
    /// The spec as JSON.
    pub spec: &'a str,
}

/// Registers a cluster (status `pending`) and its nodes `(host name, master, etcd, worker)`.
pub fn insert(conn: &Connection, c: &NewCluster<'_>, nodes: &[(String, bool, bool, bool)]) -> Result<i64> {
    conn.execute(
        "INSERT INTO clusters (name, project_id, provider, version, arch, spec) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![c.name, c.project_id, c.provider, c.version, c.arch, c.spec],
    )?;
    let id = conn.last_insert_rowid();
    for node in nodes {
        insert_node(conn, id, node)?;
    }
    Ok(id)
}

fn insert_node(
    conn: &Connection,
    cluster: i64,
    (host, master, etcd, worker): &(String, bool, bool, bool),
) -> Result<()> {
    conn.execute(
        "INSERT INTO cluster_nodes (cluster_id, name, host_id, is_master, is_etcd, is_worker)
         VALUES (?1, ?2, (SELECT id FROM hosts WHERE name = ?2), ?3, ?4, ?5)",
        rusqlite::params![cluster, host, master, etcd, worker],
    )?;
    Ok(())
}

/// Records that a cluster now runs Kubernetes `version` (after an upgrade), with its spec.
pub fn set_version(conn: &Connection, id: i64, version: &str, spec: &str) -> Result<()> {
    conn.execute("UPDATE clusters SET version = ?2, spec = ?3 WHERE id = ?1", rusqlite::params![id, version, spec])?;
    Ok(())
}

/// The cluster host `host` is a node of, if any.
pub fn cluster_of_host(conn: &Connection, host: &str) -> Result<Option<String>> {
    let mut st = conn.prepare(
        "SELECT c.name FROM cluster_nodes n JOIN clusters c ON c.id = n.cluster_id WHERE n.name = ?1 LIMIT 1",
    )?;
    let mut rows = st.query_map([host], |r| r.get(0))?;
    Ok(rows.next().transpose()?)
}

/// Replaces a cluster's spec and brings its node rows in line with `nodes` (nodes added or
/// removed by a Day-2 operation); rows of nodes that stay are kept as they are.
pub fn set_nodes(conn: &Connection, id: i64, spec: &str, nodes: &[(String, bool, bool, bool)]) -> Result<()> {
    conn.execute("UPDATE clusters SET spec = ?2 WHERE id = ?1", rusqlite::params![id, spec])?;
    let existing: Vec<String> = self::nodes(conn, id)?.into_iter().map(|n| n.host).collect();
    for gone in existing.iter().filter(|h| !nodes.iter().any(|n| &n.0 == *h)) {
        conn.execute("DELETE FROM cluster_nodes WHERE cluster_id = ?1 AND name = ?2", rusqlite::params![id, gone])?;
    }
    for node in nodes.iter().filter(|n| !existing.contains(&n.0)) {
        insert_node(conn, id, node)?;
    }
    Ok(())
}

const CLUSTER_COLUMNS: &str = "c.id, c.name, p.name, p.id, c.provider, c.version, c.arch, c.spec, c.status,
     c.status_message, c.created_at FROM clusters c JOIN projects p ON p.id = c.project_id";

fn cluster_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cluster> {
    Ok(Cluster {
        id: r.get(0)?,
        name: r.get(1)?,
        project: r.get(2)?,
        project_id: r.get(3)?,
        provider: r.get(4)?,
        version: r.get(5)?,
        arch: r.get(6)?,
        spec: r.get(7)?,
        status: r.get(8)?,
        status_message: r.get(9)?,
        created_at: r.get(10)?,
    })
}

/// The cluster named `name`.
pub fn get(conn: &Connection, name: &str) -> Result<Option<Cluster>> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row(&format!("SELECT {CLUSTER_COLUMNS} WHERE c.name = ?1"), [name], cluster_row).optional()?)
}

/// Every cluster, by name.
pub fn list(conn: &Connection) -> Result<Vec<Cluster>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {CLUSTER_COLUMNS} ORDER BY c.name"))?;
    Ok(stmt.query_map([], cluster_row)?.collect::<rusqlite::Result<_>>()?)
}

/// The nodes of cluster `id`, in the order they were registered.
pub fn nodes(conn: &Connection, id: i64) -> Result<Vec<Node>> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.name, h.name, n.is_master, n.is_etcd, n.is_worker, n.status FROM cluster_nodes n
         JOIN hosts h ON h.id = n.host_id WHERE n.cluster_id = ?1 ORDER BY n.id",
    )?;
    Ok(stmt
        .query_map([id], |r| {
            Ok(Node {
                name: r.get(0)?,
                host: r.get(1)?,
                master: r.get(2)?,
                etcd: r.get(3)?,
                worker: r.get(4)?,
                status: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Sets the status of cluster `id` and of its nodes.
pub fn set_status(conn: &Connection, id: i64, status: ClusterStatus, message: &str) -> Result<()> {
    conn.execute(
        "UPDATE clusters SET status = ?2, status_message = ?3, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        rusqlite::params![id, status, message],
    )?;
    let node_status = match status {
        ClusterStatus::Pending | ClusterStatus::Initializing | ClusterStatus::Running => status.as_str(),
        // deployed up to a stage, nothing failed: the nodes are part way
        ClusterStatus::Staged => "initializing",
        ClusterStatus::Failed => "failed",
        // the API server does not answer; what the nodes do is unknown, their rows stay
        ClusterStatus::Lost => return Ok(()),
    };
    conn.execute("UPDATE cluster_nodes SET status = ?2 WHERE cluster_id = ?1", rusqlite::params![id, node_status])?;
    Ok(())
}

/// Deletes cluster `id` (its nodes, backups' rows and members go with it; its tasks stay, unlinked).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM clusters WHERE id = ?1", [id])?;
    Ok(())
}

/// A backup file of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BackupFile {
    /// Row id.
    pub id: i64,
    /// Name (unique in the cluster).
    pub name: String,
    /// Where it is (a path on this machine).
    pub location: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 (hex).
    pub sha256: String,
    /// The task that made it.
    pub task_id: Option<i64>,
    /// When.
    pub created_at: String,
}

/// Records a backup file of cluster `cluster`.
pub fn add_backup(
    conn: &Connection,
    cluster: i64,
    task: Option<i64>,
    name: &str,
    location: &str,
    size: i64,
    sha256: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO backup_files (cluster_id, task_id, name, location, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![cluster, task, name, location, size, sha256],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Backup files of cluster `cluster`, newest first.
pub fn backups(conn: &Connection, cluster: i64) -> Result<Vec<BackupFile>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, location, size, sha256, task_id, created_at FROM backup_files WHERE cluster_id = ?1
         ORDER BY id DESC",
    )?;
    Ok(stmt
        .query_map([cluster], |r| {
            Ok(BackupFile {
                id: r.get(0)?,
                name: r.get(1)?,
                location: r.get(2)?,
                size: r.get(3)?,
                sha256: r.get(4)?,
                task_id: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
