//! The stored kinds and statuses: what a task does and where it is, where a cluster is, how a
//! credential logs in.

use crate::stored_names::stored_names;

stored_names! {
    /// What a task does (the operation that started it; a retry keeps it).
    TaskKind ("task.kind_unknown") {
        /// Creates a cluster (all its phases, or up to `until`).
        Create = "cluster.create",
        /// Continues a staged cluster's deployment.
        Deploy = "cluster.deploy",
        /// Takes an etcd snapshot and fetches it.
        Backup = "cluster.backup",
        /// Restores etcd from a backup.
        Restore = "cluster.restore",
        /// Removes what the deployment put on the hosts.
        Reset = "cluster.reset",
        /// Resets the hosts, then forgets the cluster.
        Delete = "cluster.delete",
        /// Collects the certificates' expiry.
        CheckCerts = "cluster.certs",
        /// Renews the certificates.
        RenewCerts = "cluster.renew_certs",
        /// Adds workers.
        AddWorkers = "cluster.add_workers",
        /// Removes a worker.
        RemoveWorker = "cluster.remove_worker",
        /// Adds masters.
        AddMasters = "cluster.add_masters",
        /// Removes a master.
        RemoveMaster = "cluster.remove_master",
        /// Replaces a master: the new one joins, then the old one leaves.
        ReplaceMaster = "cluster.replace_master",
        /// Upgrades Kubernetes.
        Upgrade = "cluster.upgrade",
    }
}

stored_names! {
    /// Where a task is.
    TaskStatus ("task.status_unknown") {
        /// Recorded, not started yet.
        Pending = "pending",
        /// An attempt is running.
        Running = "running",
        /// It finished: every step succeeded.
        Ok = "ok",
        /// A step failed (resumable with a retry).
        Failed = "failed",
        /// Someone cancelled it (resumable).
        Cancelled = "cancelled",
        /// The process running it stopped (killed, crashed; resumable).
        Interrupted = "interrupted",
    }
}

impl TaskStatus {
    /// Whether it is over in a way a retry resumes.
    pub fn is_resumable(self) -> bool {
        matches!(self, Self::Failed | Self::Cancelled | Self::Interrupted)
    }

    /// Whether a process is (or should be) running it.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Pending | Self::Running)
    }
}

stored_names! {
    /// Where a cluster is.
    ClusterStatus ("cluster.status_unknown") {
        /// Registered, nothing started (the column's default; a create sets `initializing` at once).
        Pending = "pending",
        /// Its create is recorded, its first deployment task not finished yet.
        Initializing = "initializing",
        /// Deployed and in service.
        Running = "running",
        /// Deployed up to a phase chosen with `until`; continuing the deployment does the rest.
        Staged = "staged",
        /// Its deployment failed or was stopped (resumable with a retry of that task).
        Failed = "failed",
        /// It was running, and its API server stopped answering the health probe (back to
        /// `running` when it answers again).
        Lost = "lost",
    }
}

stored_names! {
    /// How a credential logs in.
    CredentialKind ("credential.kind_unknown") {
        /// A password (kept in the secret store).
        Password = "password",
        /// A private key, perhaps with a passphrase (kept in the secret store).
        PrivateKey = "private_key",
        /// The keys of an ssh-agent (nothing secret stored).
        Agent = "agent",
    }
}
