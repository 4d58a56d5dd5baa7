//! Why an operation was refused, by area, each with its context, a stable code and the step that
//! gets past it ([`NextStep`]) — data the doors word (koctl as a command, the UI as a button).

use ko_core::{ClusterStatus, NextStep, TaskKind, TaskStatus};

/// A cluster is not in a state for the operation.
#[derive(Debug, thiserror::Error)]
pub enum ClusterRefusal {
    /// Only a staged cluster continues its deployment.
    #[error(
        "cluster '{cluster}' is {status}, not staged: only a cluster whose create stopped at a phase continues its deployment"
    )]
    NotStaged {
        /// The cluster.
        cluster: String,
        /// Its status.
        status: ClusterStatus,
    },
    /// The operation needs a running cluster.
    #[error("cluster '{cluster}' is {status} ({message}); it must be running for a {kind}: finish its creation first")]
    NotRunning {
        /// The cluster.
        cluster: String,
        /// Its status.
        status: ClusterStatus,
        /// Its status message.
        message: String,
        /// The operation asked for.
        kind: TaskKind,
    },
    /// A staged cluster whose deployment finished no stage.
    #[error("cluster '{cluster}' has no finished stage to continue from")]
    NothingToContinue {
        /// The cluster.
        cluster: String,
    },
    /// Its deployment has not made what is asked for yet.
    #[error("cluster '{cluster}' has no {what} yet: its deployment has not finished the {stage} phase")]
    NotDeployed {
        /// The cluster.
        cluster: String,
        /// What is missing.
        what: &'static str,
        /// The phase that makes it.
        stage: &'static str,
    },
    /// The app did not deploy the cluster, so it runs no deployment operation on it.
    #[error(
        "cluster '{cluster}' was imported: the app did not deploy it and runs no deployment operation on it \
         (scaling, upgrade, certificates, backup, reset); it can be viewed, probed and have its kubeconfig exported, \
         and deleting it from the app leaves the cluster itself untouched"
    )]
    Imported {
        /// The cluster.
        cluster: String,
    },
    /// Only manual mode can be created yet.
    #[error(
        "only manual mode (registered hosts) can be created yet; plan-based (auto) mode comes with the IaaS providers"
    )]
    ProviderUnsupported,
}

impl ClusterRefusal {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::NotStaged { .. } => "cluster.not_staged",
            Self::NotRunning { .. } => "cluster.not_running",
            Self::NothingToContinue { .. } => "cluster.nothing_to_continue",
            Self::NotDeployed { .. } => "cluster.not_deployed",
            Self::ProviderUnsupported => "cluster.provider_unsupported",
            Self::Imported { .. } => "cluster.imported",
        }
    }

    pub(crate) fn next_step(&self) -> Option<NextStep> {
        match self {
            Self::NotRunning { cluster, .. } => Some(NextStep::TaskList { cluster: cluster.clone() }),
            _ => None,
        }
    }
}

/// A task cannot do what is asked in the state it is in.
#[derive(Debug, thiserror::Error)]
pub enum TaskRefusal {
    /// Only a running task is cancelled.
    #[error("task {id} is not running (it is {status})")]
    NotRunning {
        /// The task.
        id: i64,
        /// Its status.
        status: TaskStatus,
    },
    /// Only a failed, cancelled or interrupted task is retried.
    #[error("task {id} is {status}; only failed, cancelled or interrupted tasks can be retried")]
    NotResumable {
        /// The task.
        id: i64,
        /// Its status.
        status: TaskStatus,
    },
    /// Its cluster is gone.
    #[error("task {id} belonged to a cluster that was deleted; it cannot run again")]
    ClusterDeleted {
        /// The task.
        id: i64,
    },
}

impl TaskRefusal {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::NotRunning { .. } => "task.not_running",
            Self::NotResumable { .. } => "task.not_resumable",
            Self::ClusterDeleted { .. } => "task.cluster_deleted",
        }
    }
}

/// An account change that would break the system, or an account that cannot act.
#[derive(Debug, thiserror::Error)]
pub enum AccountRefusal {
    /// The last active system administrator stays one.
    #[error("'{name}' is the last active system administrator; make another user an administrator first")]
    LastAdmin {
        /// The user.
        name: String,
    },
    /// Nobody removes themselves.
    #[error("you cannot remove yourself; ask another administrator")]
    SelfRemoval,
    /// Its password is kept elsewhere.
    #[error("'{name}' is a {origin} account; its password is not kept here")]
    NotLocal {
        /// The user.
        name: String,
        /// Where it comes from (`os`, `ldap`).
        origin: String,
    },
    /// A deactivated user cannot act.
    #[error("user '{name}' is deactivated")]
    Deactivated {
        /// The user.
        name: String,
    },
    /// The user was removed since the session began.
    #[error("user '{name}' no longer exists")]
    Gone {
        /// The user.
        name: String,
    },
    /// A user of that name was made by hand, so the OS account cannot act as it.
    #[error(
        "a user named '{name}' was added by hand, so the OS account '{name}' cannot act as it; remove that user \
         (as another administrator) or run as another OS account"
    )]
    OsAccountTaken {
        /// The name.
        name: String,
    },
}

impl AccountRefusal {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::LastAdmin { .. } => "user.last_admin",
            Self::SelfRemoval => "user.self_removal",
            Self::NotLocal { .. } => "user.not_local",
            Self::Deactivated { .. } => "user.deactivated",
            Self::Gone { .. } => "user.gone",
            Self::OsAccountTaken { .. } => "user.os_account_taken",
        }
    }

    pub(crate) fn next_step(&self) -> Option<NextStep> {
        match self {
            Self::OsAccountTaken { name } => Some(NextStep::UserRemove { name: name.clone() }),
            _ => None,
        }
    }
}

/// A backup file that is not restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupRefusal {
    /// It cannot be read.
    #[error("backup file {file} cannot be read: {cause}")]
    Unreadable {
        /// Where it is.
        file: String,
        /// What the OS said.
        cause: String,
    },
    /// Its content changed since it was taken.
    #[error("backup file {file} changed since it was taken (sha256 {found}, recorded {recorded}); it is not restored")]
    Changed {
        /// Where it is.
        file: String,
        /// Its hash now.
        found: String,
        /// Its hash when taken.
        recorded: String,
    },
}

impl BackupRefusal {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Unreadable { .. } => "backup.unreadable",
            Self::Changed { .. } => "backup.changed",
        }
    }
}
