//! What a person can do next about a refusal or a state, as data: an action and its arguments.
//! No door's words live here — koctl words a step as a command (`koctl task retry 7`), the UI as
//! a button or a link.

use serde::Serialize;

/// A next step: an action a person can take, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum NextStep {
    /// See what exists of a kind (`host`, `cluster`, `credential`...).
    List {
        /// The kind of object.
        kind: String,
    },
    /// Create a project.
    ProjectAdd {
        /// Its name.
        name: String,
    },
    /// Enable a Kubernetes version.
    VersionEnable {
        /// The version.
        version: String,
    },
    /// Register a host.
    HostAdd {
        /// Its name.
        name: String,
    },
    /// Pin a host's key: the one it presents now (`fingerprint`), after checking it.
    HostTrust {
        /// The host.
        host: String,
        /// The key it presented, when known.
        fingerprint: Option<String>,
    },
    /// Check that hosts answer and gather their facts again.
    HostRefresh {
        /// The hosts.
        hosts: Vec<String>,
    },
    /// Say that a node is down for good (`down` on a removal or replacement): it is not contacted.
    MarkDown {
        /// The nodes that did not answer.
        hosts: Vec<String>,
    },
    /// Import a bundle into the library.
    BundleImport,
    /// Trust a bundle signing key.
    BundleTrustAdd {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// Add the credential again (its secret is gone from the secret store).
    CredentialAdd {
        /// The credential.
        name: String,
    },
    /// See a cluster's tasks.
    TaskList {
        /// The cluster.
        cluster: String,
    },
    /// Wait for a running task or cancel it.
    TaskCancel {
        /// The cluster whose task runs.
        cluster: String,
    },
    /// Resume a task where it stopped.
    TaskRetry {
        /// The task.
        task: i64,
    },
    /// Continue a staged cluster's deployment.
    ClusterDeploy {
        /// The cluster.
        cluster: String,
    },
    /// Remove a user (as another administrator).
    UserRemove {
        /// The user.
        name: String,
    },
}
