//! The Kubernetes API of the clusters KubeOperator Desktop created or imported, through kube-rs:
//! how a cluster is reached ([`ClusterAccess`], read from a kubeconfig or a URL + CA + token),
//! the check an import makes before anything is stored ([`verify`]), and the health probe
//! ([`probe`]).
//!
//! This crate knows nothing of the store, users or HTTP: it takes an access and answers what the
//! API server said, with errors that name what went wrong and what to check.

mod access;
pub mod actions;
mod apply;
mod exec;
mod health;
mod logs;
mod nodes;
pub mod rows;
mod terminal;
mod tls_peer;
mod verify;
mod watch;

pub use access::{
    CONNECT_TIMEOUT, ClusterAccess, ContextSummary, Credential, KubeconfigContexts, KubeconfigOrigin, STREAM_SILENCE,
    access_from_kubeconfig, kubeconfig_contexts,
};
pub use actions::{DrainReport, EvictionPatience, WorkloadKind};
pub use apply::{ApplyChange, FIELD_MANAGER, apply_yaml, object_yaml};
pub use exec::{ContainerSummary, ExecTarget, exec, pod_containers};
pub use health::{Check, Health, PodProblem, probe};
pub use logs::{LogOptions, log_lines};
pub use nodes::NodeSummary;
pub use rows::{KindInfo, ResourceKind, ResourceRow, RowState};
pub use terminal::{Terminal, TerminalInput, TerminalOutput, find_kubectl, kubectl_terminal};
pub use tls_peer::serving_chain;
pub use verify::{Verified, verify};
pub use watch::{ResourceUpdate, watch_rows};

/// What went wrong reaching or reading a cluster's API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig does not parse, or misses a part.
    #[error("the kubeconfig is not usable: {0}")]
    KubeconfigMalformed(String),
    /// The kubeconfig uses something the app does not keep.
    #[error("the kubeconfig is not supported: {0}")]
    KubeconfigUnsupported(String),
    /// The chosen context is not in the kubeconfig.
    #[error("the kubeconfig has no context '{context}'; it has: {contexts}")]
    NoSuchContext {
        /// The context asked for.
        context: String,
        /// The ones it has.
        contexts: String,
    },
    /// Several contexts and none chosen.
    #[error("the kubeconfig has several contexts and no current-context; choose one of: {contexts}")]
    ContextNeeded {
        /// The ones it has.
        contexts: String,
    },
    /// The API server's address is not usable.
    #[error("the API server address '{server}' is not usable: {reason}")]
    BadServer {
        /// The address given.
        server: String,
        /// Why.
        reason: String,
    },
    /// A certificate or key does not parse.
    #[error("{0}")]
    BadCertificate(String),
    /// A terminal could not be started.
    #[error("{0}")]
    Terminal(String),
    /// YAML to apply is not a list of Kubernetes objects the API server serves.
    #[error("the YAML cannot be applied: {0}")]
    BadManifest(String),
    /// Nothing answered at the address.
    #[error(
        "cannot reach the API server at {server}: {reason}. Check the address and that this machine can reach it \
         (VPN, firewall, the load balancer)"
    )]
    Unreachable {
        /// The address.
        server: String,
        /// What the connection attempt ran into.
        reason: String,
    },
    /// The serving certificate does not chain to the given CA.
    #[error(
        "the API server at {server} presented a certificate that cannot be trusted ({reason}): check the cluster's \
         CA (certificate-authority-data) and that the address is the one in its certificate"
    )]
    TlsUntrusted {
        /// The address.
        server: String,
        /// What rustls found.
        reason: String,
    },
    /// 401: the credential is wrong, expired or revoked.
    #[error(
        "the API server at {server} does not accept the credential (401 Unauthorized): the token or client \
         certificate is wrong, expired or revoked; get a current one"
    )]
    Unauthorized {
        /// The address.
        server: String,
    },
    /// 403: the credential may not do this.
    #[error("the credential may not {what} on {server} (403 Forbidden: {message})")]
    Forbidden {
        /// The address.
        server: String,
        /// What was attempted.
        what: String,
        /// The API server's message.
        message: String,
    },
    /// Any other answer of the API server.
    #[error("the API server at {server} answered {code}: {message}")]
    Api {
        /// The address.
        server: String,
        /// HTTP status.
        code: u16,
        /// Its message.
        message: String,
    },
    /// The answer could not be read.
    #[error("the API server at {server} gave an answer that cannot be read: {reason}")]
    Protocol {
        /// The address.
        server: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl Error {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KubeconfigMalformed(_) => "k8s.kubeconfig_malformed",
            Self::KubeconfigUnsupported(_) => "k8s.kubeconfig_unsupported",
            Self::NoSuchContext { .. } => "k8s.no_such_context",
            Self::ContextNeeded { .. } => "k8s.context_needed",
            Self::BadServer { .. } => "k8s.bad_server",
            Self::BadCertificate(_) => "k8s.bad_certificate",
            Self::BadManifest(_) => "k8s.bad_manifest",
            Self::Terminal(_) => "k8s.terminal",
            Self::Unreachable { .. } => "k8s.unreachable",
            Self::TlsUntrusted { .. } => "k8s.tls_untrusted",
            Self::Unauthorized { .. } => "k8s.unauthorized",
            Self::Forbidden { .. } => "k8s.forbidden",
            Self::Api { .. } => "k8s.api_error",
            Self::Protocol { .. } => "k8s.protocol",
        }
    }

    /// Whether the API server did not answer at all (what makes a cluster `lost`).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    /// Sorts an error of kube's client into what it means for the user.
    pub(crate) fn from_kube(server: &str, e: kube::Error) -> Self {
        let server = server.to_string();
        match e {
            kube::Error::Api(status) => match status.code {
                401 => Self::Unauthorized { server },
                403 => Self::Forbidden { server, what: "do this".into(), message: status.message },
                code => Self::Api { server, code, message: status.message },
            },
            kube::Error::RustlsTls(e) => Self::BadCertificate(format!("the TLS settings cannot be used: {e}")),
            kube::Error::Auth(e) => Self::BadCertificate(format!("the credential cannot be used: {e}")),
            kube::Error::SerdeError(e) => Self::Protocol { server, reason: e.to_string() },
            kube::Error::UpgradeConnection(e) => {
                Self::Protocol { server, reason: format!("the exec session could not start: {e}") }
            }
            other => match tls_problem(&other) {
                Some(reason) => Self::TlsUntrusted { server, reason },
                None => Self::Unreachable { server, reason: innermost(&other) },
            },
        }
    }

    /// The same error, saying what was attempted when it is a 403.
    pub(crate) fn attempting(self, what: &str) -> Self {
        match self {
            Self::Forbidden { server, message, .. } => Self::Forbidden { server, what: what.into(), message },
            other => other,
        }
    }
}

/// The certificate problem somewhere in `e`'s causes, if a certificate is what failed.
fn tls_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    causes(e).find_map(|err| match err.downcast_ref::<rustls::Error>() {
        Some(t @ (rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)) => {
            Some(t.to_string())
        }
        _ => None,
    })
}

/// The last message in `e`'s chain of causes (the one that says what happened on the wire).
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    causes(e).last().map(|c| c.to_string()).unwrap_or_default()
}

/// `e` and its causes. An `io::Error` wrapping another error is followed into what it wraps (its
/// `source()` skips a level: nested io errors would hide the TLS error inside).
fn causes<'a>(e: &'a (dyn std::error::Error + 'static)) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |err| match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
        None => err.source(),
    })
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
