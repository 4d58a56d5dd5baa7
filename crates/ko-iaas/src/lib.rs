//! Auto mode's infrastructure, outside the app's data: what an IaaS endpoint holds, for the
//! region check and a zone's choices. vSphere is read over its SOAP API (`/sdk`) with the
//! endpoint's certificate pinned by its SHA-256 fingerprint, the way SSH host keys are: the first
//! contact shows the fingerprint ([`vsphere::fingerprint`]), the user trusts it, and every later
//! connection must present that certificate.

mod http;
pub mod vsphere;

/// What went wrong talking to an IaaS endpoint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing answered, or the connection broke.
    #[error("cannot reach {endpoint}: {reason}. Check the address and port, and that this machine can reach it")]
    Unreachable {
        /// `host:port`.
        endpoint: String,
        /// What the connection ran into.
        reason: String,
    },
    /// The endpoint presented another certificate than the one trusted.
    #[error(
        "{endpoint} presented a certificate with fingerprint {seen}, not the trusted {trusted}: if the endpoint's \
         certificate was replaced on purpose, check the new fingerprint with its administrator and trust it again"
    )]
    CertificateChanged {
        /// `host:port`.
        endpoint: String,
        /// The fingerprint trusted.
        trusted: String,
        /// The one presented.
        seen: String,
    },
    /// The endpoint refused the user name or password.
    #[error("{endpoint} refused the login: {message}")]
    LoginRefused {
        /// `host:port`.
        endpoint: String,
        /// Its words.
        message: String,
    },
    /// A named object is not there.
    #[error("{endpoint} has no {kind} '{name}'; it has: {has}")]
    NotFound {
        /// `host:port`.
        endpoint: String,
        /// What was looked for.
        kind: &'static str,
        /// Its name.
        name: String,
        /// What there is.
        has: String,
    },
    /// The endpoint answered with a fault or something unreadable.
    #[error("{endpoint} answered: {message}")]
    Protocol {
        /// `host:port`.
        endpoint: String,
        /// What it said, or what was wrong with it.
        message: String,
    },
}

impl Error {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "iaas.unreachable",
            Self::CertificateChanged { .. } => "iaas.certificate_changed",
            Self::LoginRefused { .. } => "iaas.login_refused",
            Self::NotFound { .. } => "iaas.not_found",
            Self::Protocol { .. } => "iaas.protocol",
        }
    }
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
