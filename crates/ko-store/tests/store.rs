//! The store against real SQLite files.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_store::{Connection, Db, StoreError, audit, clusters, credentials, hosts, migrations, projects, versions};

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ko.db");
    (dir, path)
}

fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn migrates_an_empty_file_to_the_newest_schema() {
    let (_dir, path) = temp_db();
    let db = Db::open(&path).unwrap();
    let (version, mode, names, sizes) = db
        .read(|c| {
            let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            let sizes: Vec<String> = c
                .prepare("SELECT name FROM vm_sizes ORDER BY cpu")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok::<_, StoreError>((migrations::version(c)?, mode, tables(c), sizes))
        })
        .await
        .unwrap();
    assert_eq!(version, migrations::latest());
    assert_eq!(mode, "wal");
    for t in [
        "projects",
        "users",
        "project_members",
        "project_resources",
        "credentials",
        "hosts",
        "clusters",
        "cluster_nodes",
        "cluster_members",
        "tasks",
        "task_phases",
        "task_steps",
        "task_step_hosts",
        "task_log_lines",
        "settings",
        "repositories",
        "ntp_servers",
        "message_channels",
        "trusted_bundle_keys",
        "regions",
        "zones",
        "plans",
        "plan_zones",
        "ip_pools",
        "ip_addresses",
        "vm_sizes",
        "templates",
        "kubernetes_versions",
        "backup_accounts",
        "backup_strategies",
        "backup_files",
        "audit_log",
    ] {
        assert!(names.iter().any(|n| n == t), "table {t} missing from {names:?}");
    }
    assert_eq!(sizes, ["small", "medium", "large", "xlarge", "2xlarge", "4xlarge"]);
    let projects = db.read(projects::list).await.unwrap();
    assert_eq!(projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["default"]);
}

#[tokio::test]
async fn migrates_from_the_previous_version_keeping_data() {
    let (_dir, path) = temp_db();
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate(&mut conn, migrations::latest() - 1).unwrap();
        assert_eq!(migrations::version(&conn).unwrap(), migrations::latest() - 1);
        conn.execute("INSERT INTO projects (name) VALUES ('before-upgrade')", []).unwrap();
    }
    let db = Db::open(&path).unwrap();
    let names: Vec<String> = db.read(projects::list).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["before-upgrade", "default"]);
    assert_eq!(db.read(migrations::version).await.unwrap(), migrations::latest());
}

#[test]
fn a_failed_migration_leaves_the_previous_version() {
    let (_dir, path) = temp_db();
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate(&mut conn, 1).unwrap();
        // the seed migration inserts 'small'; a row already there makes it fail half-way
        conn.execute("INSERT INTO vm_sizes (name, cpu, memory_gib, disk_gib) VALUES ('small', 1, 1, 1)", []).unwrap();
    }
    let err = Db::open(&path).err().expect("migration must fail");
    assert!(matches!(err, StoreError::Migration { version: 2, .. }), "{err}");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(migrations::version(&conn).unwrap(), 1);
    let projects: i64 = conn.query_row("SELECT count(*) FROM projects", [], |r| r.get(0)).unwrap();
    assert_eq!(projects, 0, "the seed's first statements were rolled back");
}

#[test]
fn refuses_a_database_from_a_newer_build() {
    let (_dir, path) = temp_db();
    drop(Db::open(&path).unwrap());
    let newer = migrations::latest() + 1;
    Connection::open(&path).unwrap().pragma_update(None, "user_version", newer).unwrap();
    let err = Db::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::NewerSchema { found, .. } if found == newer), "{err}");
    assert!(err.to_string().contains("upgrade the app"));
    let conn = Connection::open(&path).unwrap();
    assert_eq!(migrations::version(&conn).unwrap(), newer, "nothing changed");
}

fn credential(name: &str) -> credentials::Credential {
    credentials::Credential {
        id: 0,
        name: name.into(),
        kind: credentials::CredentialKind::Password,
        username: "root".into(),
        key_algorithm: None,
        key_fingerprint: None,
        has_passphrase: false,
        has_sudo_password: false,
        agent_socket: None,
        keychain_ref: format!("ref-{name}"),
        created_at: String::new(),
    }
}

#[tokio::test]
async fn constraints_are_enforced_and_recognisable() {
    let db = Db::open_in_memory().unwrap();
    let cred = db.write(|tx| credentials::insert(tx, &credential("c1"))).await.unwrap();
    let dup = db.write(|tx| credentials::insert(tx, &credential("c1"))).await.unwrap_err();
    assert!(dup.is_unique_violation(), "{dup}");
    db.write(move |tx| {
        hosts::insert(
            tx,
            &ko_store::hosts::NewHost {
                name: "h1",
                address: "10.0.0.1",
                port: 22,
                credential_id: cred.id,
                jump_host_id: None,
            },
        )
    })
    .await
    .unwrap();
    let users = db.read(move |c| credentials::users_of(c, cred.id)).await.unwrap();
    assert_eq!(users, ["host h1"]);
    let in_use = db.write(move |tx| credentials::delete(tx, cred.id)).await.unwrap_err();
    assert!(in_use.is_foreign_key_violation(), "{in_use:?}");
    // a key credential must carry its fingerprint
    let mut key = credential("k1");
    key.kind = credentials::CredentialKind::PrivateKey;
    let err = db.write(move |tx| credentials::insert(tx, &key)).await.unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
}

#[tokio::test]
async fn a_staged_cluster_has_nodes_part_way_and_only_a_failed_one_failed_nodes() {
    let db = Db::open_in_memory().unwrap();
    let cred = db.write(|tx| credentials::insert(tx, &credential("c1"))).await.unwrap();
    let id = db
        .write(move |tx| {
            let host = hosts::NewHost {
                name: "h1",
                address: "10.0.0.1",
                port: 22,
                credential_id: cred.id,
                jump_host_id: None,
            };
            hosts::insert(tx, &host)?;
            let project = projects::get_by_name(tx, "default")?.expect("the default project").id;
            let new = clusters::NewCluster {
                name: "c",
                project_id: project,
                provider: "manual",
                version: "v1.34.1",
                arch: "amd64",
                spec: "{}",
            };
            clusters::insert(tx, &new, &[("h1".into(), true, true, false)])
        })
        .await
        .unwrap();
    for (status, nodes) in [
        (clusters::ClusterStatus::Initializing, "initializing"),
        (clusters::ClusterStatus::Staged, "initializing"),
        (clusters::ClusterStatus::Failed, "failed"),
        (clusters::ClusterStatus::Running, "running"),
        // a lost API server says nothing of the nodes: they keep what they were
        (clusters::ClusterStatus::Lost, "running"),
    ] {
        db.write(move |tx| clusters::set_status(tx, id, status, "")).await.unwrap();
        let got = db.read(move |c| clusters::nodes(c, id)).await.unwrap();
        assert_eq!(got[0].status, nodes, "nodes of a {status:?} cluster");
    }
    let c = db.read(|c| clusters::get(c, "c")).await.unwrap().unwrap();
    assert_eq!(c.status, clusters::ClusterStatus::Lost);

    // the health record keeps when the API server last answered
    use ko_store::cluster_api::{health, record_health};
    db.write(move |tx| record_health(tx, id, true, true, "{}")).await.unwrap();
    let ok = db.read(move |c| health(c, id)).await.unwrap().unwrap();
    assert!(ok.reachable && ok.last_ok_at.is_some());
    db.write(move |tx| record_health(tx, id, false, false, r#"{"error":"refused"}"#)).await.unwrap();
    let lost = db.read(move |c| health(c, id)).await.unwrap().unwrap();
    assert_eq!(
        (lost.reachable, lost.last_ok_at.as_deref(), lost.report.as_str()),
        (false, ok.last_ok_at.as_deref(), r#"{"error":"refused"}"#)
    );
    assert!(db.write(move |tx| record_health(tx, id, true, true, "not json")).await.is_err(), "reports are JSON");
}

#[tokio::test]
async fn a_failing_write_rolls_back_everything_it_did() {
    let db = Db::open_in_memory().unwrap();
    let err = db
        .write(|tx| {
            projects::insert(tx, "half", "")?;
            projects::insert(tx, "half", "")
        })
        .await
        .unwrap_err();
    assert!(err.is_unique_violation());
    assert!(db.read(|c| projects::get_by_name(c, "half")).await.unwrap().is_none());
}

#[tokio::test]
async fn versions_sort_newest_first_and_toggle() {
    let db = Db::open_in_memory().unwrap();
    db.write(|tx| {
        tx.execute("INSERT INTO kubernetes_versions (version) VALUES ('v1.9.0'), ('v1.10.2')", [])?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
    let all = db.read(versions::list).await.unwrap();
    let names: Vec<_> = all.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(names[names.len() - 2..], ["v1.10.2", "v1.9.0"]);
    assert!(db.write(|tx| versions::set_enabled(tx, "v1.9.0", false)).await.unwrap());
    assert!(!db.write(|tx| versions::set_enabled(tx, "v9.9.9", false)).await.unwrap());
    let v = db.read(versions::list).await.unwrap();
    assert!(!v.iter().find(|v| v.version == "v1.9.0").unwrap().enabled);
}

#[tokio::test]
async fn audit_filters_by_actor_and_action_prefix() {
    let db = Db::open_in_memory().unwrap();
    db.write(|tx| {
        audit::append(tx, "alice", "credential.add", "c1", "ok", "")?;
        audit::append(tx, "bob", "credential.rm", "c1", "denied", "forbidden")?;
        audit::append(tx, "alice", "project.add", "p1", "ok", "")?;
        audit::append(tx, "alice", "credentialXadd", "x", "ok", "")
    })
    .await
    .unwrap();
    let f = |actor: Option<&str>, prefix: Option<&str>| audit::AuditFilter {
        actor: actor.map(Into::into),
        action_prefix: prefix.map(Into::into),
        limit: 10,
    };
    let got = db.read(move |c| audit::list(c, &f(Some("alice"), Some("credential.")))).await.unwrap();
    assert_eq!(got.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["credential.add"]);
    let all = db.read(move |c| audit::list(c, &f(None, None))).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all[0].id > all[3].id, "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_run_beside_writes_on_a_file() {
    let (_dir, path) = temp_db();
    let db = Db::open(&path).unwrap();
    let mut handles = Vec::new();
    for i in 0..20 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            db.write(move |tx| projects::insert(tx, &format!("p{i}"), "")).await.unwrap();
            db.read(projects::list).await.unwrap().len()
        }));
    }
    for h in handles {
        assert!(h.await.unwrap() >= 2);
    }
    assert_eq!(db.read(projects::list).await.unwrap().len(), 21);
}

#[test]
fn task_kinds_and_statuses_keep_their_stored_names_and_an_unknown_one_is_an_error() {
    use ko_store::tasks::{self, TaskKind, TaskStatus};
    let (_dir, path) = temp_db();
    let mut conn = Connection::open(&path).unwrap();
    migrations::migrate(&mut conn, migrations::latest()).unwrap();
    // what earlier releases wrote, as text
    conn.execute(
        "INSERT INTO tasks (kind, title, params, status) VALUES ('cluster.add_workers', 't', '{}', 'interrupted')",
        [],
    )
    .unwrap();
    let t = tasks::get(&conn, 1).unwrap().unwrap();
    assert_eq!((t.kind, t.status), (TaskKind::AddWorkers, TaskStatus::Interrupted));
    let id = tasks::create(&conn, &tasks::Operation::RenewCerts, "r", None, None).unwrap();
    tasks::finish(&conn, id, TaskStatus::Cancelled, None).unwrap();
    let (kind, status): (String, String) =
        conn.query_row("SELECT kind, status FROM tasks WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((kind.as_str(), status.as_str()), ("cluster.renew_certs", "cancelled"));
    // a kind this release does not know is said, never guessed
    conn.execute("UPDATE tasks SET kind = 'cluster.frobnicate' WHERE id = 1", []).unwrap();
    let err = tasks::get(&conn, 1).unwrap_err();
    assert!(err.to_string().contains("'cluster.frobnicate' is not a TaskKind this release knows"), "{err}");
    assert!(matches!(&err, StoreError::UnknownName(u) if u.code == "task.kind_unknown"), "{err:?}");
}

#[test]
fn a_credential_of_a_kind_this_release_does_not_know_is_an_error_with_its_code() {
    let (_dir, path) = temp_db();
    let mut conn = Connection::open(&path).unwrap();
    migrations::migrate(&mut conn, migrations::latest()).unwrap();
    credentials::insert(&conn, &credential("c1")).unwrap();
    // a damaged file, or one a newer release wrote: the schema's CHECK bypassed
    conn.pragma_update(None, "ignore_check_constraints", true).unwrap();
    conn.execute("UPDATE credentials SET kind = 'kerberos'", []).unwrap();
    let err = credentials::get_by_name(&conn, "c1").unwrap_err();
    let StoreError::UnknownName(u) = &err else { panic!("{err:?}") };
    assert_eq!((u.code, u.value.as_str()), ("credential.kind_unknown", "kerberos"));
    assert!(err.to_string().contains("it knows password, private_key, agent"), "{err}");
}

/// A database as the release before typed operations left it (schema 6): each task's parameters
/// in the old shape, exactly as that release wrote them (`TaskParams` serialised).
#[test]
fn a_database_of_the_previous_release_gets_its_task_parameters_as_operations() {
    use ko_core::Stage;
    use ko_store::tasks::{self, Operation};
    let (_dir, path) = temp_db();
    let legacy = [
        (
            "cluster.create",
            r#"{"playbooks":["precheck","bundle","base","runtime","loadbalancer","etcd"],"bundle":"k-1.35","backup":null}"#,
        ),
        (
            "cluster.deploy",
            r#"{"playbooks":["kubernetes","control-plane","join","network","addons","post"],"bundle":"k-1.35","backup":null}"#,
        ),
        ("cluster.backup", r#"{"playbooks":["backup"],"bundle":null,"backup":"etcd-c1-20261201-101010-001.db"}"#),
        ("cluster.restore", r#"{"playbooks":["restore"],"bundle":null,"backup":"etcd-c1-20261201-101010-001.db"}"#),
        ("cluster.reset", r#"{"playbooks":["reset"],"bundle":null,"backup":null}"#),
        ("cluster.renew_certs", r#"{"playbooks":["renew-certs","certs"],"bundle":null,"backup":null}"#),
        (
            "cluster.add_workers",
            r#"{"playbooks":["precheck","bundle","base","runtime","loadbalancer"],"bundle":"k-1.35","backup":null,"nodes":["h5","h6"]}"#,
        ),
        (
            "cluster.remove_worker",
            r#"{"playbooks":["remove-node","reset"],"bundle":null,"backup":null,"nodes":["h5"],"down":["h5"],"leaving":true}"#,
        ),
        (
            "cluster.add_masters",
            r#"{"playbooks":["precheck","bundle","base","runtime","loadbalancer","etcd-leave","etcd","kubernetes","control-plane","join","post"],"bundle":"k-1.35","backup":null,"nodes":["h4"],"down":["h1"],"whole_cluster":["loadbalancer","control-plane"]}"#,
        ),
        (
            "cluster.remove_master",
            r#"{"playbooks":["remove-node","etcd-leave","loadbalancer","control-plane","reset"],"bundle":null,"backup":null,"nodes":["h1"],"leaving":true,"whole_cluster":["loadbalancer","control-plane"]}"#,
        ),
        (
            "cluster.upgrade",
            r#"{"playbooks":["backup","bundle","upgrade"],"bundle":"k-1.36","backup":"etcd-c1-20261202-000000-000.db","version":"v1.36.0","batch":2}"#,
        ),
        ("cluster.certs", r#"{"playbooks":["frobnicate"],"bundle":null,"backup":null}"#),
    ];
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate(&mut conn, 6).unwrap();
        for (kind, params) in legacy {
            conn.execute("INSERT INTO tasks (kind, title, params) VALUES (?1, 't', ?2)", [kind, params]).unwrap();
        }
    }
    let mut conn = Connection::open(&path).unwrap();
    migrations::migrate(&mut conn, migrations::latest()).unwrap();
    let ops: Vec<_> = (1..=legacy.len() as i64).map(|id| tasks::get(&conn, id).unwrap().unwrap().operation()).collect();
    let expected = [
        Operation::Create { bundle: "k-1.35".into(), until: Some(Stage::Etcd) },
        Operation::Deploy { bundle: Some("k-1.35".into()), after: Stage::Etcd, until: None },
        Operation::Backup { file: "etcd-c1-20261201-101010-001.db".into() },
        Operation::Restore { file: "etcd-c1-20261201-101010-001.db".into() },
        Operation::Reset,
        Operation::RenewCerts,
        Operation::AddWorkers {
            bundle: Some("k-1.35".into()),
            nodes: vec!["h5".into(), "h6".into()],
            staged_at: Some(Stage::LoadBalancer),
        },
        Operation::RemoveWorker { node: "h5".into(), down: true, staged_at: None },
        Operation::AddMasters {
            bundle: Some("k-1.35".into()),
            nodes: vec!["h4".into()],
            down: vec!["h1".into()],
            staged_at: None,
        },
        Operation::RemoveMaster { node: "h1".into(), down: false, staged_at: None },
        Operation::Upgrade {
            bundle: "k-1.36".into(),
            version: "v1.36.0".into(),
            batch: 2,
            backup: "etcd-c1-20261202-000000-000.db".into(),
        },
    ];
    for ((op, want), (kind, params)) in ops.iter().zip(&expected).zip(legacy) {
        let op = op.as_ref().unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(op, want, "{kind}");
        // the same stages run as the old release would have run
        let old: serde_json::Value = serde_json::from_str(params).unwrap();
        let stages: Vec<&str> = op.stages().iter().map(|s| s.as_str()).collect();
        assert_eq!(serde_json::json!(stages), old["playbooks"], "{kind}");
        assert_eq!(op.kind().as_str(), kind);
    }
    // a row it cannot read stays as it was, and says so when read
    let unreadable = tasks::get(&conn, legacy.len() as i64).unwrap().unwrap();
    assert_eq!(unreadable.params, legacy[legacy.len() - 1].1);
    assert!(unreadable.operation().unwrap_err().to_string().contains("cannot read"));
}
