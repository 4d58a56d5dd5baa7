//! Operations on the system's settings: NTP servers (the base phase's chrony), the public keys
//! whose bundle signatures are trusted, and the package repository of each architecture.

use super::NoInput;
use crate::{NewRepository, NtpServer, Repository, TrustedBundleKey};

operations! {
    /// The NTP servers.
    ntp_list: Get "/api/settings/ntp" NoInput -> Vec<NtpServer> = |api, a, _| api.ntp_list(a).await?;

    /// Adds an NTP server.
    ntp_add: Post "/api/settings/ntp" [status 201] NtpAdd {
        /// Its name.
        name: String,
        /// Host name or IP.
        address: String,
    } -> NtpServer = |api, a, i| api.ntp_add(a, &i.name, &i.address).await?;

    /// Enables or disables an NTP server.
    ntp_set_enabled: Post "/api/settings/ntp/{name}" NtpSetEnabled {
        /// Its name.
        name: String,
        /// Whether hosts use it.
        enabled: bool,
    } -> () = |api, a, i| api.ntp_set_enabled(a, &i.name, i.enabled).await?;

    /// Removes an NTP server.
    ntp_rm: Delete "/api/settings/ntp/{name}" NtpRm {
        /// Its name.
        name: String,
    } -> () = |api, a, i| api.ntp_rm(a, &i.name).await?;

    /// The public keys whose bundle signatures are trusted.
    bundle_trust_list: Get "/api/settings/trusted-keys" NoInput -> Vec<TrustedBundleKey> =
        |api, a, _| api.bundle_trust_list(a).await?;

    /// Trusts bundles signed with a public key.
    bundle_trust_add: Post "/api/settings/trusted-keys" [status 201] BundleTrustAdd {
        /// A name for the key.
        name: String,
        /// The ed25519 public key (base64).
        public_key: String,
    } -> () = |api, a, i| api.bundle_trust_add(a, &i.name, &i.public_key).await?;

    /// Stops trusting a key.
    bundle_trust_rm: Delete "/api/settings/trusted-keys/{name}" BundleTrustRm {
        /// The key's name.
        name: String,
    } -> () = |api, a, i| api.bundle_trust_rm(a, &i.name).await?;

    /// The package repository of each architecture.
    repo_list: Get "/api/settings/repositories" NoInput -> Vec<Repository> = |api, a, _| api.repo_list(a).await?;

    /// Sets the package repository of an architecture.
    repo_set: Post "/api/settings/repositories" [body whole(repo)] RepoSet {
        /// The repository.
        repo: NewRepository,
    } -> () = |api, a, i| api.repo_set(a, i.repo).await?;

    /// Removes the package repository of an architecture.
    repo_rm: Delete "/api/settings/repositories/{arch}" RepoRm {
        /// `amd64` or `arm64`.
        arch: String,
    } -> () = |api, a, i| api.repo_rm(a, &i.arch).await?;
}
