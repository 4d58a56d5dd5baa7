//! Errors a user can act on: each cause is its own variant with what to do next. None of them
//! ever contains a password, a passphrase or key material.

use std::time::Duration;

/// Result of an SSH operation.
pub type Result<T, E = SshError> = std::result::Result<T, E>;

/// What went wrong talking to a host.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    /// No TCP connection could be made.
    #[error("{host} ({addr}) is unreachable: {cause}; check the address, port, firewall and that sshd runs")]
    Unreachable {
        /// Host name.
        host: String,
        /// Address and port tried.
        addr: String,
        /// What the OS said.
        cause: String,
    },
    /// Something took too long.
    #[error("{host}: {what} timed out after {}s", .after.as_secs_f32())]
    Timeout {
        /// Host name.
        host: String,
        /// What was being done.
        what: String,
        /// The limit.
        after: Duration,
    },
    /// The server refused every way we tried to log in.
    #[error(
        "{host}: authentication as '{user}' failed with {method}; the server accepts: {accepted}. Check the credential's user, password or key"
    )]
    AuthFailed {
        /// Host name.
        host: String,
        /// Login user.
        user: String,
        /// Method(s) tried.
        method: String,
        /// Methods the server offered.
        accepted: String,
    },
    /// The host presented a different key from the pinned one.
    #[error(
        "{host}: the SSH host key CHANGED. Pinned {pinned}, presented {presented}. This can be a reinstalled host or a machine in the middle. If you know why it changed, trust the host again with the new key {presented}"
    )]
    HostKeyChanged {
        /// Host name.
        host: String,
        /// Fingerprint pinned.
        pinned: String,
        /// Fingerprint presented.
        presented: String,
    },
    /// sudo did not let us become root.
    #[error("{host}: sudo refused: {reason}")]
    SudoRefused {
        /// Host name.
        host: String,
        /// Why (wrong password, not in sudoers...).
        reason: String,
    },
    /// The connection broke.
    #[error("{host}: the SSH connection was lost ({cause}); it is re-established on the next use")]
    Disconnected {
        /// Host name.
        host: String,
        /// What happened.
        cause: String,
    },
    /// The operation was cancelled; the remote command was stopped.
    #[error("{host}: cancelled")]
    Cancelled {
        /// Host name.
        host: String,
    },
    /// A transferred file does not match.
    #[error(
        "{host}: {path} does not match: expected sha256 {expected}, got {actual}; the partial file was removed, try again"
    )]
    HashMismatch {
        /// Host name.
        host: String,
        /// File.
        path: String,
        /// Expected digest.
        expected: String,
        /// Actual digest.
        actual: String,
    },
    /// A remote helper command of a transfer failed.
    #[error("{host}: {what} failed (exit {status}): {stderr}")]
    Remote {
        /// Host name.
        host: String,
        /// What was being done.
        what: String,
        /// Exit status.
        status: String,
        /// Its stderr.
        stderr: String,
    },
    /// A local file could not be read or written.
    #[error("{path}: {cause}")]
    Local {
        /// File.
        path: String,
        /// What the OS said.
        cause: String,
    },
    /// Key or agent problems.
    #[error("{host}: {cause}")]
    Credential {
        /// Host name.
        host: String,
        /// What is wrong.
        cause: String,
    },
    /// Any other protocol error.
    #[error("{host}: SSH error: {cause}")]
    Protocol {
        /// Host name.
        host: String,
        /// russh's description.
        cause: String,
    },
}

impl SshError {
    /// A stable code for UIs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "ssh.unreachable",
            Self::Timeout { .. } => "ssh.timeout",
            Self::AuthFailed { .. } => "ssh.auth_failed",
            Self::HostKeyChanged { .. } => "ssh.host_key_changed",
            Self::SudoRefused { .. } => "ssh.sudo_refused",
            Self::Disconnected { .. } => "ssh.disconnected",
            Self::Cancelled { .. } => "ssh.cancelled",
            Self::HashMismatch { .. } => "ssh.hash_mismatch",
            Self::Remote { .. } => "ssh.remote_failed",
            Self::Local { .. } => "ssh.local_io",
            Self::Credential { .. } => "ssh.credential",
            Self::Protocol { .. } => "ssh.protocol",
        }
    }

    /// True when trying again later may help (network trouble), false for errors that need a
    /// person (wrong password, changed key, sudo refused).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Timeout { .. } | Self::Disconnected { .. })
    }
}
