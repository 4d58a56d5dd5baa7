//! Roles, audit, accounts and credentials against a real SQLite file and the real OS keychain.

use ko_api::{
    Actor, Api, ApiError, AuditFilter, CredentialAuth, KeychainState, NewCredential, NewUserRequest, Sensitive,
};
use ko_secrets::testing::keychain_or_skip;

struct Fixture {
    _dir: tempfile::TempDir,
    api: Api,
    admin: Actor,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&dir.path().join("data")).unwrap();
    let admin = api.local_actor().await.unwrap();
    Fixture { _dir: dir, api, admin }
}

fn pw(s: &str) -> Sensitive<String> {
    Sensitive::new(s.to_string())
}

impl Fixture {
    async fn user(&self, name: &str) -> Actor {
        let req =
            NewUserRequest { name: name.into(), email: String::new(), admin: false, password: pw("password-123") };
        self.api.user_add(&self.admin, req).await.unwrap();
        self.api.actor_named(name).await.unwrap()
    }

    async fn audit(&self) -> Vec<ko_api::AuditEntry> {
        self.api.audit_list(&self.admin, AuditFilter { limit: 1000, ..Default::default() }).await.unwrap()
    }
}

#[tokio::test]
async fn the_os_account_is_a_system_admin_and_status_reports_the_store() {
    let f = fixture().await;
    let again = f.api.local_actor().await.unwrap();
    assert_eq!(again, f.admin, "created once");
    let s = f.api.status(&f.admin).await.unwrap();
    assert_eq!(s.schema_version, ko_store::migrations::latest());
    assert_eq!(s.counts.projects, 1);
    assert_eq!(s.counts.users, 1);
    assert_eq!(s.counts.enabled_versions, 2);
    assert!(s.database.ends_with("ko.db") && s.database.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.api.data_dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data dir is private");
    }
}

#[tokio::test]
async fn roles_are_enforced_and_refusals_are_audited() {
    let f = fixture().await;
    f.api.project_add(&f.admin, "p1", "first").await.unwrap();
    f.api.project_add(&f.admin, "p2", "").await.unwrap();
    let alice = f.user("alice").await;
    let bob = f.user("bob").await;
    let carol = f.user("carol").await;
    f.api.member_add(&f.admin, "p1", "alice", "project_admin").await.unwrap();
    f.api.member_add(&f.admin, "p1", "bob", "cluster_admin").await.unwrap();

    // project admin: sees own project and versions, manages nothing system-wide
    let names: Vec<_> = f.api.project_list(&alice).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["p1"]);
    assert_eq!(f.api.project_show(&alice, "p1").await.unwrap().members.len(), 2);
    assert!(matches!(f.api.project_show(&alice, "p2").await, Err(ApiError::Forbidden { .. })));
    assert_eq!(f.api.version_list(&alice).await.unwrap().len(), 2);
    let e = f.api.project_add(&alice, "p3", "").await.unwrap_err();
    assert_eq!(e.code(), "forbidden");
    assert!(e.to_string().contains("system administrator"), "{e}");
    assert!(matches!(f.api.version_set_enabled(&alice, "v1.34.1", false).await, Err(ApiError::Forbidden { .. })));
    assert!(matches!(f.api.user_list(&alice).await, Err(ApiError::Forbidden { .. })));

    // cluster admin: no versions, no projects, but the system log
    assert!(matches!(f.api.version_list(&bob).await, Err(ApiError::Forbidden { .. })));
    assert!(f.api.project_list(&bob).await.unwrap().is_empty());
    assert!(f.api.audit_list(&bob, AuditFilter { limit: 5, ..Default::default() }).await.is_ok());

    // no role: nothing but the log
    assert!(matches!(f.api.credential_list(&carol).await, Err(ApiError::Forbidden { .. })));

    let denied: Vec<_> = f.audit().await.into_iter().filter(|e| e.result == "denied").collect();
    assert_eq!(denied.len(), 2, "{denied:#?}");
    assert!(denied.iter().any(|e| e.actor == "alice" && e.action == "project.add" && e.target == "p3"));
    assert!(denied.iter().any(|e| e.actor == "alice" && e.action == "version.disable"));

    // a deactivated user can do nothing
    f.api.user_set_active(&f.admin, "alice", false).await.unwrap();
    assert!(matches!(f.api.version_list(&alice).await, Err(ApiError::Forbidden { .. })));
    assert!(f.api.actor_named("alice").await.is_err());
}

#[tokio::test]
async fn every_mutation_leaves_an_audit_entry_with_its_result() {
    let f = fixture().await;
    let before = f.audit().await.len();
    f.api.project_add(&f.admin, "p1", "").await.unwrap();
    f.api.project_add(&f.admin, "p1", "").await.unwrap_err();
    f.api.version_set_enabled(&f.admin, "v1.34.1", false).await.unwrap();
    f.api.version_set_enabled(&f.admin, "v0.0.0", true).await.unwrap_err();
    f.api.ntp_add(&f.admin, "ntp1", "ntp.example.com").await.unwrap();
    f.api.ntp_set_enabled(&f.admin, "ntp1", false).await.unwrap();
    f.api.ntp_rm(&f.admin, "ntp1").await.unwrap();
    f.api.project_rm(&f.admin, "p1").await.unwrap();
    let entries = f.audit().await;
    assert_eq!(entries.len() - before, 8);
    let got: Vec<_> =
        entries[..8].iter().rev().map(|e| (e.action.as_str(), e.target.as_str(), e.result.as_str())).collect();
    assert_eq!(
        got,
        [
            ("project.add", "p1", "ok"),
            ("project.add", "p1", "failed"),
            ("version.disable", "v1.34.1", "ok"),
            ("version.enable", "v0.0.0", "failed"),
            ("setting.ntp.add", "ntp1", "ok"),
            ("setting.ntp.disable", "ntp1", "ok"),
            ("setting.ntp.rm", "ntp1", "ok"),
            ("project.rm", "p1", "ok"),
        ]
    );
    assert!(entries[6].detail.contains("already_exists"), "{}", entries[6].detail);
    assert!(entries.iter().all(|e| e.actor == f.admin.name));
}

#[tokio::test]
async fn the_wizard_starts_from_the_cluster_files_defaults() {
    let f = fixture().await;
    let d = f.api.cluster_defaults(&f.admin).await.unwrap();
    assert_eq!(d.spec, ko_core::ClusterSpec::blank());
    assert_eq!(d.network_modes["calico"], ["ipip", "bgp"]);
    assert_eq!(d.network_modes.len(), ko_core::NetworkPlugin::ALL.len());
}

#[tokio::test]
async fn the_last_admin_stays() {
    let f = fixture().await;
    let e = f.api.user_rm(&f.admin, &f.admin.name).await.unwrap_err();
    assert_eq!(e.code(), "user.self_removal");
    let e = f.api.user_set_active(&f.admin, &f.admin.name, false).await.unwrap_err();
    assert!(e.to_string().contains("last active system administrator"), "{e}");
    assert_eq!(e.code(), "user.last_admin");
    let req =
        NewUserRequest { name: "root2".into(), email: "r@x.io".into(), admin: true, password: pw("password-123") };
    f.api.user_add(&f.admin, req).await.unwrap();
    f.api.user_set_active(&f.admin, &f.admin.name, false).await.unwrap();
}

#[tokio::test]
async fn login_checks_the_argon2_hash() {
    let f = fixture().await;
    f.user("dave").await;
    assert_eq!(f.api.login("dave", pw("password-123")).await.unwrap().name, "dave");
    assert!(matches!(f.api.login("dave", pw("password-124")).await, Err(ApiError::LoginFailed)));
    assert!(matches!(f.api.login("nobody", pw("password-123")).await, Err(ApiError::LoginFailed)));
    f.api.user_set_password(&f.admin, "dave", pw("another-secret")).await.unwrap();
    assert!(f.api.login("dave", pw("another-secret")).await.is_ok());
    assert!(
        matches!(f.api.login(&f.admin.name, pw("")).await, Err(ApiError::LoginFailed)),
        "OS account has no password"
    );
}

#[tokio::test]
async fn credentials_live_in_the_keychain_and_go_with_their_row() {
    let Some(keychain) = keychain_or_skip("credentials_live_in_the_keychain_and_go_with_their_row") else { return };
    let f = fixture().await;
    let new = NewCredential {
        name: "root-pw".into(),
        username: "root".into(),
        auth: CredentialAuth::Password(pw("s3cret-login")),
        sudo_password: Some(pw("s3cret-sudo")),
    };
    let c = f.api.credential_add(&f.admin, new.clone()).await.unwrap();
    assert_eq!((c.kind.as_str(), c.has_sudo_password, c.key_fingerprint.as_deref()), ("password", true, None));
    let dup = f.api.credential_add(&f.admin, new).await.unwrap_err();
    assert_eq!(dup.code(), "already_exists");

    let detail = f.api.credential_show(&f.admin, "root-pw").await.unwrap();
    assert_eq!(detail.keychain, KeychainState::Present);
    let entry = keychain.get(&c.keychain_ref).unwrap();
    let secret = ko_secrets::CredentialSecret::from_entry(&c.keychain_ref, &entry).unwrap();
    assert_eq!(secret.password.as_ref().map(|s| s.expose().as_str()), Some("s3cret-login"));
    assert_eq!(secret.sudo_password.as_ref().map(|s| s.expose().as_str()), Some("s3cret-sudo"));

    f.api.credential_rm(&f.admin, "root-pw").await.unwrap();
    assert!(matches!(keychain.get(&c.keychain_ref), Err(ko_secrets::SecretError::Missing(_))));
    assert_eq!(f.api.credential_rm(&f.admin, "root-pw").await.unwrap_err().code(), "not_found");
}

#[tokio::test]
async fn a_credential_in_use_cannot_be_removed() {
    let Some(_) = keychain_or_skip("a_credential_in_use_cannot_be_removed") else { return };
    let f = fixture().await;
    let new = NewCredential {
        name: "ops".into(),
        username: "ops".into(),
        auth: CredentialAuth::Password(pw("pw")),
        sudo_password: None,
    };
    let c = f.api.credential_add(&f.admin, new).await.unwrap();
    let db = ko_store::Db::open(&f.api.data_dir().join(ko_api::DATABASE_FILE)).unwrap();
    db.write(move |tx| {
        ko_store::hosts::insert(
            tx,
            &ko_store::hosts::NewHost {
                name: "node-1",
                address: "10.0.0.1",
                port: 22,
                credential_id: c.id,
                jump_host_id: None,
            },
        )
    })
    .await
    .unwrap();
    let e = f.api.credential_rm(&f.admin, "ops").await.unwrap_err();
    assert_eq!(e.code(), "in_use");
    assert!(e.to_string().contains("host node-1"), "{e}");
    assert_eq!(f.api.credential_show(&f.admin, "ops").await.unwrap().keychain, KeychainState::Present);
    f.api.credential_rm(&f.admin, "ops").await.unwrap_err();
}

#[tokio::test]
async fn bad_credentials_are_refused_before_anything_is_stored() {
    let f = fixture().await;
    let base = |auth| NewCredential { name: "k".into(), username: "root".into(), auth, sudo_password: None };
    let cases = [
        (NewCredential { name: "bad name".into(), ..base(CredentialAuth::Password(pw("x"))) }, "name.invalid"),
        (
            NewCredential { username: "ro ot".into(), ..base(CredentialAuth::Password(pw("x"))) },
            "credential.username_invalid",
        ),
        (base(CredentialAuth::Password(pw(""))), "credential.secret_empty"),
        (base(CredentialAuth::PrivateKey { key: pw("not a key"), passphrase: None }), "credential.key_unreadable"),
    ];
    for (new, code) in cases {
        let e = f.api.credential_add(&f.admin, new).await.unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        assert!(e.is_input_error());
    }
    assert!(f.api.credential_list(&f.admin).await.unwrap().is_empty());
}

#[tokio::test]
async fn cluster_files_are_checked_against_the_registry() {
    let f = fixture().await;
    let file = "name: demo\nversion: v1.34.1\nnodes:\n  - { host: node-1, roles: [master, etcd, worker] }\n";
    let v = f.api.cluster_validate(&f.admin, file).await.unwrap();
    assert_eq!(v.problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["node.unknown_host"]);

    let db = ko_store::Db::open(&f.api.data_dir().join(ko_api::DATABASE_FILE)).unwrap();
    db.write(|tx| {
        tx.execute(
            "INSERT INTO credentials (name, kind, username, keychain_ref) VALUES ('c', 'password', 'root', 'x')",
            [],
        )?;
        ko_store::hosts::insert(
            tx,
            &ko_store::hosts::NewHost {
                name: "node-1",
                address: "10.244.3.4",
                port: 22,
                credential_id: tx.last_insert_rowid(),
                jump_host_id: None,
            },
        )
    })
    .await
    .unwrap();
    let v = f.api.cluster_validate(&f.admin, file).await.unwrap();
    assert_eq!(v.problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["network.overlaps_host"]);
    f.api.version_set_enabled(&f.admin, "v1.34.1", false).await.unwrap();
    let fixed = file.replace("nodes:", "network: { pod_cidr: 10.100.0.0/16 }\nnodes:");
    let v = f.api.cluster_validate(&f.admin, &fixed).await.unwrap();
    assert_eq!(v.problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["version.disabled"]);
    f.api.version_set_enabled(&f.admin, "v1.34.1", true).await.unwrap();
    assert!(f.api.cluster_validate(&f.admin, &fixed).await.unwrap().is_valid());

    // a project admin of another project may validate but not create in 'default'
    f.api.project_add(&f.admin, "p1", "").await.unwrap();
    f.user("erin").await;
    f.api.member_add(&f.admin, "p1", "erin", "project_admin").await.unwrap();
    let erin = f.api.actor_named("erin").await.unwrap();
    let v = f.api.cluster_validate(&erin, &fixed).await.unwrap();
    assert_eq!(v.problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["project.forbidden"]);
    assert!(
        f.api
            .cluster_validate(&erin, &fixed.replace("name: demo", "name: demo\nproject: p1"))
            .await
            .unwrap()
            .is_valid()
    );
}
