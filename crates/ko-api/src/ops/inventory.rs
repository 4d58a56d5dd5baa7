//! Operations on what deployments are made of: credentials (secrets go straight to the secret
//! store), hosts (a key is scanned and shown first; a host is added only with the fingerprint a
//! person confirmed), Kubernetes versions and the bundle library.

use super::NoInput;
use crate::{Credential, CredentialForm, HostDetail, HostForm, HostKey, ImportRow, KubernetesVersion, LibraryBundle};

operations! {
    /// The credentials (no secret in them).
    credential_list: Get "/api/credentials" NoInput -> Vec<Credential> = |api, a, _| api.credential_list(a).await?;

    /// Adds a credential; its secrets go to the secret store.
    credential_add: Post "/api/credentials" [body whole(form)] [status 201] CredentialAdd {
        /// The credential.
        form: CredentialForm,
    } -> Credential = |api, a, i| api.credential_add(a, i.form.into_new()?).await?;

    /// Removes a credential no host uses.
    credential_rm: Delete "/api/credentials/{name}" CredentialRm {
        /// Credential name.
        name: String,
    } -> () = |api, a, i| api.credential_rm(a, &i.name).await?;

    /// The hosts the actor may see.
    host_list: Get "/api/hosts" NoInput -> Vec<HostDetail> = |api, a, _| api.host_list(a).await?;

    /// One host.
    host_show: Get "/api/hosts/{name}" HostShow {
        /// Host name.
        name: String,
    } -> HostDetail = |api, a, i| api.host_show(a, &i.name).await?;

    /// The key a host presents, to show its fingerprint before trusting it.
    host_scan_key: Post "/api/hosts/scan" [body whole(form)] HostScanKey {
        /// Where the host is.
        form: HostForm,
    } -> HostKey = |api, a, i| api.host_scan_key(a, &i.form.spec()).await?;

    /// Adds a host, pinning the fingerprint in the form (as confirmed by a person), and gathers its facts.
    host_add: Post "/api/hosts" [body whole(form)] [status 201] HostAdd {
        /// The host, with its confirmed fingerprint.
        form: HostForm,
    } -> HostDetail = |api, a, i| api.host_add(a, i.form.spec(), i.form.trust()?).await?;

    /// Gathers a host's facts again.
    host_refresh: Post "/api/hosts/{name}/refresh" HostRefresh {
        /// Host name.
        name: String,
    } -> HostDetail = |api, a, i| api.host_refresh(a, &i.name).await?;

    /// Removes a host no cluster uses.
    host_rm: Delete "/api/hosts/{name}" HostRm {
        /// Host name.
        name: String,
    } -> () = |api, a, i| api.host_rm(a, &i.name).await?;

    /// Adds hosts from CSV (`name,address,port,credential,jump,fingerprint`); every row needs its fingerprint.
    host_import_csv: Post "/api/hosts/import" [body text(csv)] HostImportCsv {
        /// The CSV.
        csv: String,
    } -> Vec<ImportRow> = |api, a, i| api.host_import_csv(a, &i.csv, false).await?;

    /// The Kubernetes versions and whether each may be used.
    version_list: Get "/api/versions" NoInput -> Vec<KubernetesVersion> = |api, a, _| api.version_list(a).await?;

    /// Allows or forbids a Kubernetes version for new clusters.
    version_set_enabled: Post "/api/versions/{version}" VersionSetEnabled {
        /// The version (`v1.35.2`).
        version: String,
        /// Whether new clusters may use it.
        enabled: bool,
    } -> () = |api, a, i| api.version_set_enabled(a, &i.version, i.enabled).await?;

    /// The bundles in the library.
    bundle_list: Get "/api/bundles" NoInput -> Vec<LibraryBundle> = |api, a, _| api.bundle_list(a).await?;
}
