//! How the app reaches a cluster's API server: an address, the CA that signed its serving
//! certificate, and one self-contained credential (a bearer token or a client certificate).
//!
//! A kubeconfig is read into this shape at import and refused where it would not be
//! self-contained or safe to keep: credential plugins (`exec`, `auth-provider`) would run commands
//! on every connection, file references in pasted text would make the app read its own files,
//! `insecure-skip-tls-verify` would trust anyone. The same shape is rendered back into a
//! kubeconfig for export and for the kubectl terminal.

use crate::{Error, Result};
use base64::Engine;
use ko_secrets::Sensitive;
use kube::config::{AuthInfo, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection to an API server may take before it counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stream may go without a byte before its connection counts as dead: longer than the
/// API server's own watch timeout (290 s in kube's watcher) and than the 60 s between an exec
/// session's pings.
pub const STREAM_SILENCE: Duration = Duration::from_secs(295);

/// What the app needs to talk to one cluster's API server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterAccess {
    /// The API server's URL (`https://host:port`).
    pub server: String,
    /// The PEM certificates of the CA(s) its serving certificate chains to; none: the system's
    /// trusted roots (a cluster behind a public certificate).
    pub ca_pem: Option<String>,
    /// The name to check the serving certificate against, when it is not the URL's host.
    pub tls_server_name: Option<String>,
    /// Who the app is to the API server.
    pub credential: Credential,
}

/// A credential that needs nothing but itself (no plugin, no file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credential {
    /// A bearer token (a service account's, or a static one).
    Token {
        /// The token.
        token: Sensitive<String>,
    },
    /// A client certificate and its key (PEM).
    ClientCertificate {
        /// The certificate (PEM, not secret).
        cert_pem: String,
        /// Its private key (PEM).
        key_pem: Sensitive<String>,
    },
}

impl Credential {
    /// `token` or `client_certificate`, for display and storage.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Token { .. } => "token",
            Self::ClientCertificate { .. } => "client_certificate",
        }
    }
}

/// Where a kubeconfig's text came from, which decides whether it may name files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeconfigOrigin {
    /// Pasted or uploaded: file references are refused (they would be read on the machine running
    /// the app, which under `koctl serve` is not the user's).
    Pasted,
    /// Read from a file on this machine by its own user: relative paths in it are relative to
    /// this directory, and the files it names are read into the access.
    File(PathBuf),
}

/// A kubeconfig's contexts, for choosing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct KubeconfigContexts {
    /// Every context, in file order.
    pub contexts: Vec<ContextSummary>,
    /// The file's `current-context`, if it names one of them.
    pub current: Option<String>,
}

/// One context of a kubeconfig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ContextSummary {
    /// The context's name.
    pub name: String,
    /// Its cluster's API server URL (empty when the cluster entry has none).
    pub server: String,
    /// Its user entry's name.
    pub user: String,
}

/// Parses a kubeconfig, saying what is wrong when it is not one.
fn parse(text: &str) -> Result<Kubeconfig> {
    if text.trim().is_empty() {
        return Err(Error::KubeconfigMalformed("it is empty".into()));
    }
    let kc = Kubeconfig::from_yaml(text).map_err(|e| Error::KubeconfigMalformed(e.to_string()))?;
    if kc.contexts.is_empty() {
        return Err(Error::KubeconfigMalformed("it has no contexts".into()));
    }
    Ok(kc)
}

/// The contexts of kubeconfig `text`.
pub fn kubeconfig_contexts(text: &str) -> Result<KubeconfigContexts> {
    let kc = parse(text)?;
    let contexts: Vec<ContextSummary> = kc
        .contexts
        .iter()
        .map(|c| {
            let ctx = c.context.as_ref();
            let cluster = ctx.map(|x| x.cluster.as_str()).unwrap_or_default();
            ContextSummary {
                name: c.name.clone(),
                server: find_cluster(&kc.clusters, cluster).and_then(|c| c.server.clone()).unwrap_or_default(),
                user: ctx.and_then(|x| x.user.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let current = kc.current_context.filter(|c| contexts.iter().any(|x| &x.name == c));
    Ok(KubeconfigContexts { contexts, current })
}

fn find_cluster<'a>(all: &'a [NamedCluster], name: &str) -> Option<&'a kube::config::Cluster> {
    all.iter().find(|c| c.name == name).and_then(|c| c.cluster.as_ref())
}

fn find_user<'a>(all: &'a [NamedAuthInfo], name: &str) -> Option<&'a AuthInfo> {
    all.iter().find(|c| c.name == name).and_then(|c| c.auth_info.as_ref())
}

fn unsupported(what: impl Into<String>) -> Error {
    Error::KubeconfigUnsupported(what.into())
}

/// Reads the access of `context` (the file's current context when `None`) out of kubeconfig
/// `text`, refusing what would not be self-contained or safe to keep.
pub fn access_from_kubeconfig(text: &str, context: Option<&str>, origin: &KubeconfigOrigin) -> Result<ClusterAccess> {
    let kc = parse(text)?;
    let names = || kc.contexts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
    let wanted = context.map(str::to_string).or_else(|| kc.current_context.clone());
    let ctx: &NamedContext = match &wanted {
        Some(w) => kc
            .contexts
            .iter()
            .find(|c| &c.name == w)
            .ok_or_else(|| Error::NoSuchContext { context: w.clone(), contexts: names() })?,
        None if kc.contexts.len() == 1 => &kc.contexts[0],
        None => return Err(Error::ContextNeeded { contexts: names() }),
    };
    let c =
        ctx.context.as_ref().ok_or_else(|| Error::KubeconfigMalformed(format!("context '{}' is empty", ctx.name)))?;
    let cluster = find_cluster(&kc.clusters, &c.cluster).ok_or_else(|| {
        Error::KubeconfigMalformed(format!(
            "context '{}' names cluster '{}', which it does not define",
            ctx.name, c.cluster
        ))
    })?;
    let user_name = c.user.clone().unwrap_or_default();
    let user = find_user(&kc.auth_infos, &user_name).ok_or_else(|| {
        Error::KubeconfigMalformed(format!("context '{}' names user '{user_name}', which it does not define", ctx.name))
    })?;
    let server = cluster
        .server
        .clone()
        .ok_or_else(|| Error::KubeconfigMalformed(format!("cluster '{}' has no server", c.cluster)))?;
    if cluster.insecure_skip_tls_verify == Some(true) {
        return Err(unsupported(
            "insecure-skip-tls-verify: the app verifies every API server's certificate; give the cluster's CA \
             (certificate-authority-data) instead",
        ));
    }
    if cluster.proxy_url.is_some() {
        return Err(unsupported("proxy-url: the app connects to the API server directly"));
    }
    let ca_pem = match (&cluster.certificate_authority_data, &cluster.certificate_authority) {
        (Some(data), _) => Some(decode_base64_pem(data, "certificate-authority-data")?),
        (None, Some(path)) => Some(read_named_file(origin, path, "certificate-authority")?),
        (None, None) => None,
    };
    let credential = credential_of(user, &user_name, origin)?;
    let access = ClusterAccess { server, ca_pem, tls_server_name: cluster.tls_server_name.clone(), credential };
    access.check()?;
    Ok(access)
}

fn credential_of(user: &AuthInfo, name: &str, origin: &KubeconfigOrigin) -> Result<Credential> {
    if user.exec.is_some() {
        return Err(unsupported(format!(
            "user '{name}' gets its credential from a command (exec plugin, as cloud providers' kubeconfigs do); \
             the app keeps only self-contained credentials: import with a service account token instead"
        )));
    }
    if user.auth_provider.is_some() {
        return Err(unsupported(format!(
            "user '{name}' uses an auth-provider plugin; import with a service account token or a client certificate"
        )));
    }
    if user.username.is_some() || user.password.is_some() {
        return Err(unsupported(format!(
            "user '{name}' logs in with a user name and password (basic auth, removed from Kubernetes); use a token"
        )));
    }
    if user.impersonate.is_some() || user.impersonate_groups.is_some() {
        return Err(unsupported(format!("user '{name}' impersonates another user; import that user's own credential")));
    }
    if let Some(token) = &user.token {
        return Ok(Credential::Token { token: Sensitive::new(token.expose_secret().trim().to_string()) });
    }
    if let Some(path) = &user.token_file {
        let token = read_named_file(origin, path, "tokenFile")?;
        return Ok(Credential::Token { token: Sensitive::new(token.trim().to_string()) });
    }
    let cert = match (&user.client_certificate_data, &user.client_certificate) {
        (Some(data), _) => Some(decode_base64_pem(data, "client-certificate-data")?),
        (None, Some(path)) => Some(read_named_file(origin, path, "client-certificate")?),
        (None, None) => None,
    };
    let key = match (&user.client_key_data, &user.client_key) {
        (Some(data), _) => Some(decode_base64_pem(data.expose_secret(), "client-key-data")?),
        (None, Some(path)) => Some(read_named_file(origin, path, "client-key")?),
        (None, None) => None,
    };
    match (cert, key) {
        (Some(cert_pem), Some(key)) => Ok(Credential::ClientCertificate { cert_pem, key_pem: Sensitive::new(key) }),
        (Some(_), None) | (None, Some(_)) => {
            Err(Error::KubeconfigMalformed(format!("user '{name}' has a client certificate or key but not both")))
        }
        (None, None) => Err(Error::KubeconfigMalformed(format!(
            "user '{name}' has no credential (token, or client certificate and key)"
        ))),
    }
}

fn decode_base64_pem(data: &str, field: &str) -> Result<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.split_whitespace().collect::<String>())
        .map_err(|e| Error::KubeconfigMalformed(format!("{field} is not base64: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Error::KubeconfigMalformed(format!("{field} is not PEM text")))
}

fn read_named_file(origin: &KubeconfigOrigin, path: &str, field: &str) -> Result<String> {
    let KubeconfigOrigin::File(dir) = origin else {
        return Err(unsupported(format!(
            "{field} names a file ({path}); a pasted kubeconfig must carry its data inline ({field}-data, or token)"
        )));
    };
    let full = if Path::new(path).is_absolute() { PathBuf::from(path) } else { dir.join(path) };
    std::fs::read_to_string(&full)
        .map_err(|e| Error::KubeconfigMalformed(format!("{field} {} cannot be read: {e}", full.display())))
}

impl ClusterAccess {
    /// Access through a URL, the CA's PEM and a bearer token.
    pub fn with_token(server: &str, ca_pem: Option<String>, token: Sensitive<String>) -> Result<Self> {
        let access = Self {
            server: server.trim().to_string(),
            ca_pem,
            tls_server_name: None,
            credential: Credential::Token { token: Sensitive::new(token.expose().trim().to_string()) },
        };
        access.check()?;
        Ok(access)
    }

    /// Checks the parts parse: an `https` URL with a host, PEM certificates, a non-empty token or
    /// a certificate with its key.
    pub fn check(&self) -> Result<()> {
        let uri: http::Uri = self
            .server
            .parse()
            .map_err(|e| Error::BadServer { server: self.server.clone(), reason: format!("not a URL: {e}") })?;
        if uri.scheme_str() != Some("https") || uri.host().is_none() {
            return Err(Error::BadServer {
                server: self.server.clone(),
                reason: "the API server's URL must be https://HOST[:PORT]".into(),
            });
        }
        if let Some(ca) = &self.ca_pem {
            certificates_der(ca, "the CA")?;
        }
        match &self.credential {
            Credential::Token { token } if token.expose().is_empty() => {
                Err(Error::KubeconfigMalformed("the token is empty".into()))
            }
            Credential::Token { .. } => Ok(()),
            Credential::ClientCertificate { cert_pem, .. } => {
                certificates_der(cert_pem, "the client certificate").map(drop)
            }
        }
    }

    /// A client for requests that answer at once (connect timeout [`CONNECT_TIMEOUT`], 30 s for
    /// an answer); must be called inside a tokio runtime.
    pub fn client(&self) -> Result<kube::Client> {
        self.client_waiting(Duration::from_secs(30))
    }

    /// A client for long streams (watches, followed logs, exec sessions), which may be quiet for
    /// minutes: a connection counts as dead only after [`STREAM_SILENCE`] without a byte.
    pub fn stream_client(&self) -> Result<kube::Client> {
        self.client_waiting(STREAM_SILENCE)
    }

    fn client_waiting(&self, read_timeout: Duration) -> Result<kube::Client> {
        install_crypto_provider();
        let uri: http::Uri = self
            .server
            .parse()
            .map_err(|e| Error::BadServer { server: self.server.clone(), reason: format!("{e}") })?;
        let mut cfg = kube::Config::new(uri);
        cfg.root_cert = self.ca_pem.as_deref().map(|ca| certificates_der(ca, "the CA")).transpose()?;
        cfg.tls_server_name = self.tls_server_name.clone();
        cfg.connect_timeout = Some(CONNECT_TIMEOUT);
        cfg.read_timeout = Some(read_timeout);
        // kube's own retries of 429/503 wait up to many minutes; the callers here decide (a drain
        // waits out a disruption budget on its own terms, a probe must answer promptly)
        cfg.default_retry = false;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        match &self.credential {
            Credential::Token { token } => cfg.auth_info.token = Some(token.expose().clone().into()),
            Credential::ClientCertificate { cert_pem, key_pem } => {
                cfg.auth_info.client_certificate_data = Some(b64(cert_pem));
                cfg.auth_info.client_key_data = Some(b64(key_pem.expose()).into());
            }
        }
        kube::Client::try_from(cfg).map_err(|e| Error::from_kube(&self.server, e))
    }

    /// This access as a kubeconfig with one context named `name` (for export and for kubectl).
    pub fn to_kubeconfig(&self, name: &str) -> Sensitive<String> {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let mut cluster = serde_json::json!({ "server": self.server });
        if let Some(ca) = &self.ca_pem {
            cluster["certificate-authority-data"] = b64(ca).into();
        }
        if let Some(sni) = &self.tls_server_name {
            cluster["tls-server-name"] = sni.clone().into();
        }
        let user = match &self.credential {
            Credential::Token { token } => serde_json::json!({ "token": token.expose() }),
            Credential::ClientCertificate { cert_pem, key_pem } => serde_json::json!({
                "client-certificate-data": b64(cert_pem),
                "client-key-data": b64(key_pem.expose()),
            }),
        };
        let user_name = format!("{}@{name}", self.credential.kind());
        let doc = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{ "name": name, "cluster": cluster }],
            "users": [{ "name": user_name, "user": user }],
            "contexts": [{ "name": name, "context": { "cluster": name, "user": user_name } }],
            "current-context": name,
        });
        Sensitive::new(serde_yaml_ng::to_string(&doc).unwrap_or_default())
    }
}

/// The DER of every certificate in `pem` (refused when there is none).
pub(crate) fn certificates_der(text: &str, what: &str) -> Result<Vec<Vec<u8>>> {
    let blocks = pem::parse_many(text).map_err(|e| Error::BadCertificate(format!("{what} is not PEM: {e}")))?;
    let der: Vec<Vec<u8>> =
        blocks.into_iter().filter(|p| p.tag() == "CERTIFICATE").map(|p| p.into_contents()).collect();
    if der.is_empty() {
        return Err(Error::BadCertificate(format!("{what} holds no PEM certificate (BEGIN CERTIFICATE)")));
    }
    Ok(der)
}

/// Makes ring the process's TLS provider unless one is set already (kube builds its rustls
/// configuration with the process default).
pub(crate) fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
