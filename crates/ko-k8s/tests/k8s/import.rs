use super::{access_of, standin};
use ko_k8s::{ClusterAccess, Credential, Error, KubeconfigOrigin, access_from_kubeconfig, kubeconfig_contexts, verify};
use ko_kube_standin::Identity;
use ko_secrets::Sensitive;

fn pasted(text: &str, context: Option<&str>) -> ko_k8s::Result<ClusterAccess> {
    access_from_kubeconfig(text, context, &KubeconfigOrigin::Pasted)
}

#[tokio::test]
async fn a_kubeconfig_verifies_and_says_version_user_and_the_nodes_with_their_roles() {
    let s = standin();
    let v = verify(&access_of(&s)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.version, "v1.34.2");
    assert_eq!(v.user, "kubernetes-admin");
    let nodes: Vec<(String, Vec<String>, bool)> =
        v.nodes.iter().map(|n| (n.name.clone(), n.roles.clone(), n.ready)).collect();
    assert_eq!(
        nodes,
        [
            ("m1".to_string(), vec!["control-plane".to_string()], true),
            ("w1".to_string(), vec!["worker".to_string()], true),
            ("w2".to_string(), vec!["worker".to_string()], true),
        ]
    );
    assert_eq!(v.nodes[0].kubelet_version, "v1.34.2");
    let requests = s.state().requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(
        requests.iter().any(|r| r.starts_with("POST /apis/authentication.k8s.io/v1/selfsubjectreviews")),
        "{requests:?}"
    );
}

#[tokio::test]
async fn a_url_ca_and_token_verify_like_the_kubeconfig_they_make() {
    let s = standin();
    let access = ClusterAccess::with_token(&s.url(), Some(s.ca_pem().to_string()), Sensitive::new(s.token().into()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(access, access_of(&s));
    let again = pasted(access.to_kubeconfig("again").expose(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, access, "the rendered kubeconfig reads back as the same access");
    assert!(verify(&again).await.is_ok());
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_untrusted() {
    let s = standin();
    let other = Identity::generate(30).unwrap_or_else(|e| panic!("{e}"));
    let access = ClusterAccess { ca_pem: Some(other.ca_pem), ..access_of(&s) };
    let e = verify(&access).await.expect_err("another CA's certificate must not be trusted");
    assert!(matches!(e, Error::TlsUntrusted { .. }), "{e:?}");
    assert!(e.to_string().contains("certificate-authority-data"), "{e}");
}

#[tokio::test]
async fn an_expired_token_is_unauthorized() {
    let s = standin();
    let access =
        ClusterAccess { credential: Credential::Token { token: Sensitive::new("expired".into()) }, ..access_of(&s) };
    let e = verify(&access).await.expect_err("a token the server does not know");
    assert_eq!(e.code(), "k8s.unauthorized", "{e}");
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_unreachable() {
    let mut s = standin();
    let access = access_of(&s);
    s.stop();
    let e = verify(&access).await.expect_err("nothing listens");
    assert!(e.is_unreachable(), "{e:?}");
    assert!(e.to_string().contains(&s.url()), "{e}");
}

#[test]
fn a_kubeconfig_that_would_run_a_command_or_read_files_or_skip_tls_is_refused() {
    let s = standin();
    let good = s.kubeconfig("c");
    let user_part = |yaml: &str| good.replace(&format!("    token: {}\n", s.token()), yaml);
    let cases = [
        (
            user_part("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n"),
            "exec plugin",
        ),
        (user_part("    tokenFile: /etc/shadow\n"), "names a file"),
        (user_part("    username: a\n    password: b\n"), "basic auth"),
        (
            good.replace("certificate-authority-data:", "insecure-skip-tls-verify: true\n    x:"),
            "insecure-skip-tls-verify",
        ),
        (good.replace("certificate-authority-data: ", "certificate-authority: ../ca.crt\n    x: "), "names a file"),
    ];
    for (text, says) in cases {
        let e = pasted(&text, None).expect_err(says);
        assert_eq!(e.code(), "k8s.kubeconfig_unsupported", "{e}");
        assert!(e.to_string().contains(says), "{e} should say {says}");
    }
}

#[test]
fn a_malformed_kubeconfig_or_a_missing_context_is_said_plainly() {
    let s = standin();
    for (text, says) in [
        ("", "empty"),
        ("apiVersion: v1\nkind: Config\nclusters: [\n", "not usable"),
        ("apiVersion: v1\nkind: Config\n", "no contexts"),
    ] {
        let e = pasted(text, None).expect_err(says);
        assert_eq!(e.code(), "k8s.kubeconfig_malformed");
        assert!(e.to_string().contains(says), "{e}");
    }
    let e = pasted(&s.kubeconfig("c"), Some("prod")).expect_err("no such context");
    assert_eq!(e.to_string(), "the kubeconfig has no context 'prod'; it has: c");
    let no_user = s.kubeconfig("c").replace("    user: admin@c\n", "    user: nobody\n");
    assert!(pasted(&no_user, None).expect_err("user missing").to_string().contains("user 'nobody'"));
}

#[test]
fn contexts_are_listed_and_one_must_be_chosen_when_none_is_current() {
    use base64::Engine;
    let s = standin();
    let ca = base64::engine::general_purpose::STANDARD.encode(s.ca_pem());
    let (url, token) = (s.url(), s.token());
    let two = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: https://10.255.255.1:6443\n    \
         certificate-authority-data: {ca}\n- name: b\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n\
         users:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: a\n  context: {{cluster: a, user: u}}\n\
         - name: b\n  context: {{cluster: b, user: u}}\n"
    );
    let list = kubeconfig_contexts(&two).unwrap_or_else(|e| panic!("{e}\n{two}"));
    let names: Vec<(&str, &str, &str)> =
        list.contexts.iter().map(|c| (c.name.as_str(), c.server.as_str(), c.user.as_str())).collect();
    assert_eq!(names, [("a", "https://10.255.255.1:6443", "u"), ("b", url.as_str(), "u")]);
    assert_eq!(list.current, None);
    let e = pasted(&two, None).expect_err("which one?");
    assert_eq!(e.code(), "k8s.context_needed");
    assert_eq!(pasted(&two, Some("b")).unwrap_or_else(|e| panic!("{e}")), access_of(&s));
}

#[test]
fn a_kubeconfig_file_may_name_files_beside_it() {
    let s = standin();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("ca.crt"), s.ca_pem()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("token"), format!("{}\n", s.token())).unwrap_or_else(|e| panic!("{e}"));
    let text = s
        .kubeconfig("c")
        .lines()
        .map(|l| match l.trim_start() {
            t if t.starts_with("certificate-authority-data:") => "    certificate-authority: ca.crt".to_string(),
            t if t.starts_with("token:") => "    tokenFile: token".to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let from_file = access_from_kubeconfig(&text, None, &KubeconfigOrigin::File(dir.path().into()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_file, access_of(&s), "the files' contents are taken in");
}
