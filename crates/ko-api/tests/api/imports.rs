//! Importing clusters and probing their health, against a stand-in API server (HTTPS, the real
//! wire format; a real kube-apiserver cannot run here), a real SQLite file and the OS keychain.

use ko_api::{Actor, Api, ClusterStatus, ImportForm, ImportSource, NewUserRequest, Sensitive};
use ko_kube_standin::{Identity, Options, StandIn};
use ko_secrets::testing::keychain_or_skip;

struct Fixture {
    _dir: tempfile::TempDir,
    api: Api,
    admin: Actor,
    standin: StandIn,
    /// A cluster name of this process's own (the keychain is shared with other tests).
    name: String,
}

async fn fixture(test: &str) -> Option<Fixture> {
    keychain_or_skip(test)?;
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&dir.path().join("data")).unwrap();
    let admin = api.local_actor().await.unwrap();
    let standin = StandIn::start(Options::default()).unwrap();
    let name = format!("imp-{}-{}", std::process::id(), test.len());
    Some(Fixture { _dir: dir, api, admin, standin, name })
}

impl Fixture {
    fn form(&self, source: ImportSource) -> ImportForm {
        ImportForm { name: self.name.clone(), project: None, source }
    }

    fn kubeconfig(&self, text: String) -> ImportForm {
        self.form(ImportSource::Kubeconfig { kubeconfig: Sensitive::new(text), context: None })
    }

    fn secret(&self) -> Option<String> {
        ko_secrets::SecretStore::os_keychain()
            .find(&format!("cluster-api/{}", self.name))
            .unwrap()
            .map(|s| s.expose().clone())
    }

    /// The bytes of every file in the data dir (the database and its journal).
    fn data_dir_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for e in std::fs::read_dir(self.api.data_dir()).unwrap().flatten() {
            if e.path().is_file() {
                all.extend(std::fs::read(e.path()).unwrap());
            }
        }
        all
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn an_imported_cluster_is_checked_first_and_its_token_lives_only_in_the_keychain() {
    let Some(f) = fixture("an_imported_cluster_is_checked_first_and_its_token_lives_only_in_the_keychain").await else {
        return;
    };
    let token = "s3cret-import-token-4711";
    let standin = StandIn::start(Options { token: token.into(), ..Options::default() }).unwrap();
    let imported = f.api.cluster_import(&f.admin, f.kubeconfig(standin.kubeconfig("x"))).await.unwrap();
    assert_eq!(imported.version, "v1.34.2");
    assert_eq!(imported.user, "kubernetes-admin");
    let roles: Vec<(&str, &str)> = imported.nodes.iter().map(|n| (n.name.as_str(), n.roles[0].as_str())).collect();
    assert_eq!(roles, [("m1", "control-plane"), ("w1", "worker"), ("w2", "worker")]);
    let c = &imported.cluster;
    assert_eq!(
        (c.provider.as_str(), c.status, c.version.as_str(), c.arch.as_str()),
        ("import", ClusterStatus::Running, "v1.34.2", "amd64")
    );

    let detail = f.api.cluster_show(&f.admin, &f.name).await.unwrap();
    assert!(detail.imported);
    let health = detail.health.expect("probed at import");
    assert!(health.reachable && health.healthy, "{health:?}");
    assert!(health.serving_cert.is_some_and(|c| (360..=365).contains(&c.days_left)));

    assert!(f.secret().is_some_and(|s| s.contains(token)), "the token is in the keychain");
    assert!(!contains(&f.data_dir_bytes(), token), "the token is not in the data dir");
    let kubeconfig = f.api.cluster_kubeconfig(&f.admin, &f.name).await.unwrap();
    assert!(kubeconfig.expose().contains(token) && kubeconfig.expose().contains(&standin.url()));

    // an imported cluster runs no deployment operation
    let e = f.api.cluster_backup(&f.admin, &f.name).await.err().expect("refused");
    assert_eq!(e.code(), "cluster.imported", "{e}");
    assert!(e.to_string().contains("leaves the cluster itself untouched"), "{e}");
    let again = f.api.cluster_import(&f.admin, f.kubeconfig(standin.kubeconfig("x"))).await.unwrap_err();
    assert_eq!(again.code(), "already_exists");

    // deleting it from the app takes its credential along
    f.api.cluster_delete(&f.admin, &f.name).await.unwrap();
    assert_eq!(f.secret(), None);
}

#[tokio::test]
async fn a_bad_import_says_what_is_wrong_and_stores_nothing() {
    let Some(mut f) = fixture("a_bad_import_says_what_is_wrong_and_stores_nothing").await else { return };
    let good = f.standin.kubeconfig("x");
    let other_ca = Identity::generate(30).unwrap().ca_pem;
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let cases = [
        (good.replace(f.standin.token(), "expired-token"), "k8s.unauthorized"),
        (good.replace(&b64(f.standin.ca_pem()), &b64(&other_ca)), "k8s.tls_untrusted"),
        ("apiVersion: v1\nkind: Config\nclusters: [".to_string(), "k8s.kubeconfig_malformed"),
        (
            good.replace("certificate-authority-data:", "insecure-skip-tls-verify: true\n    x:"),
            "k8s.kubeconfig_unsupported",
        ),
    ];
    for (text, code) in cases {
        let e = f.api.cluster_import(&f.admin, f.kubeconfig(text)).await.unwrap_err();
        assert_eq!(e.code(), code, "{e}");
    }
    let token_form = |server: String, ca: Option<String>| {
        f.form(ImportSource::Token { server, ca_pem: ca, token: Sensitive::new(f.standin.token().into()) })
    };
    let e =
        f.api.cluster_import(&f.admin, token_form(f.standin.url().replace("https", "http"), None)).await.unwrap_err();
    assert_eq!(e.code(), "k8s.bad_server");
    let e = f
        .api
        .cluster_import(&f.admin, token_form(f.standin.url(), Some("not a certificate".into())))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "k8s.bad_certificate", "{e}");
    f.standin.stop();
    let e = f.api.cluster_import(&f.admin, f.kubeconfig(good)).await.unwrap_err();
    assert_eq!(e.code(), "k8s.unreachable");
    assert!(e.to_string().contains(&f.standin.url()), "{e}");

    assert!(f.api.cluster_list(&f.admin).await.unwrap().is_empty(), "nothing registered");
    assert_eq!(f.secret(), None, "nothing in the keychain");
    let audit = f.api.audit_list(&f.admin, ko_api::AuditFilter { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(audit.iter().filter(|e| e.action == "cluster.import").all(|e| e.result == "failed"));
}

#[tokio::test]
async fn a_cluster_whose_api_server_stops_answering_is_lost_until_it_answers() {
    let Some(mut f) = fixture("a_cluster_whose_api_server_stops_answering_is_lost_until_it_answers").await else {
        return;
    };
    f.api.cluster_import(&f.admin, f.kubeconfig(f.standin.kubeconfig("x"))).await.unwrap();
    f.standin.set_check_failing("etcd", true);
    let h = f.api.cluster_health(&f.admin, &f.name).await.unwrap();
    assert!(h.reachable && !h.healthy);
    let etcd = h.report.as_ref().and_then(|r| r.checks.iter().find(|c| c.name == "etcd")).unwrap();
    assert!(!etcd.ok);
    let board = f.api.health_summary(&f.admin).await.unwrap();
    let mine = board.iter().find(|s| s.cluster == f.name).unwrap();
    assert!(mine.problem.as_deref().is_some_and(|p| p.starts_with("etcd: ")), "{:?}", mine.problem);
    assert_eq!(
        f.api.cluster_show(&f.admin, &f.name).await.unwrap().cluster.status,
        ClusterStatus::Running,
        "unhealthy is not lost"
    );

    f.standin.stop();
    f.api.probe_all_clusters().await.unwrap();
    let detail = f.api.cluster_show(&f.admin, &f.name).await.unwrap();
    assert_eq!(detail.cluster.status, ClusterStatus::Lost);
    assert!(detail.cluster.status_message.contains("cannot reach the API server"), "{}", detail.cluster.status_message);
    let h = detail.health.unwrap();
    assert!(!h.reachable && h.error.as_ref().is_some_and(|e| e.code == "k8s.unreachable"));
    assert!(h.last_ok_at.is_some(), "it answered before");
    // the overview's board: the lost cluster first, with why
    let board = f.api.health_summary(&f.admin).await.unwrap();
    let mine = board.iter().position(|s| s.cluster == f.name).unwrap();
    assert_eq!(board[mine].status, ClusterStatus::Lost);
    assert!(board[..mine].iter().all(|s| s.status == ClusterStatus::Lost), "lost clusters come first");
    assert!(board[mine].health.as_ref().is_some_and(|h| !h.reachable));
    assert!(board[mine].problem.as_deref().is_some_and(|p| p.contains("cannot reach the API server")));

    f.standin.resume().unwrap();
    f.standin.set_check_failing("etcd", false);
    f.api.probe_all_clusters().await.unwrap();
    let detail = f.api.cluster_show(&f.admin, &f.name).await.unwrap();
    assert_eq!((detail.cluster.status, detail.cluster.status_message.as_str()), (ClusterStatus::Running, ""));
    assert!(detail.health.unwrap().healthy);
    let filter = ko_api::AuditFilter { actor: Some("health-monitor".into()), limit: 1000, ..Default::default() };
    let actions: Vec<String> =
        f.api.audit_list(&f.admin, filter).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["cluster.recovered", "cluster.lost"], "newest first");
    f.api.cluster_delete(&f.admin, &f.name).await.unwrap();
}

#[tokio::test]
async fn only_the_machines_own_user_may_import_from_a_file_on_it() {
    let Some(f) = fixture("only_the_machines_own_user_may_import_from_a_file_on_it").await else { return };
    let file = f.api.data_dir().join("standin.kubeconfig");
    std::fs::write(&file, f.standin.kubeconfig("x")).unwrap();
    let req = NewUserRequest {
        name: "web".into(),
        email: String::new(),
        admin: true,
        password: Sensitive::new("password-123".into()),
    };
    f.api.user_add(&f.admin, req).await.unwrap();
    let web = f.api.actor_named("web").await.unwrap();
    let local = || ImportSource::LocalKubeconfig { path: Some(file.display().to_string()), context: None };
    let e = f.api.cluster_import(&web, f.form(local())).await.unwrap_err();
    assert_eq!(e.code(), "forbidden", "a server's files are not for its web users: {e}");
    let e = f.api.local_kubeconfig_contexts(&web, None).await.unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let contexts = f.api.local_kubeconfig_contexts(&f.admin, Some(&file.display().to_string())).await.unwrap();
    assert_eq!(contexts.current.as_deref(), Some("x"));
    let imported = f.api.cluster_import(&f.admin, f.form(local())).await.unwrap();
    assert_eq!(imported.nodes.len(), 3);
    f.api.cluster_delete(&f.admin, &f.name).await.unwrap();
}
