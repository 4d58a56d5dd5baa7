//! Bringing in a cluster the app did not create: from a kubeconfig (pasted, a file, or this
//! machine's own) or from an API URL, CA and token. The access is checked against the API server
//! before anything is stored; the credential goes to the secret store, never to SQLite. An
//! imported cluster can be viewed and probed, not deployed to ([`ClusterRefusal::Imported`]).

use crate::cluster_access::{IMPORTED, api_credential_key};
use crate::error::check_name;
use crate::refusals::ClusterRefusal;
use crate::{Actor, Api, ApiError, Cluster, Permission, Result};
use ko_core::ClusterStatus;
use ko_k8s::{ClusterAccess, KubeconfigContexts, KubeconfigOrigin, NodeSummary};
use ko_secrets::{Sensitive, to_stored_json};
use ko_store::{cluster_api, clusters, projects, users};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where an imported cluster's access comes from.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ImportSource {
    /// A kubeconfig's text (pasted, or a file the UI read); it must carry its data inline.
    Kubeconfig {
        /// The kubeconfig (YAML).
        kubeconfig: Sensitive<String>,
        /// Its context to import (default: its current context).
        #[serde(default)]
        context: Option<String>,
    },
    /// A kubeconfig file on the machine the app runs on (default `$KUBECONFIG`, else
    /// `~/.kube/config`); files it names are read too. Only for the machine's own user (the
    /// desktop, koctl), never for a user logged in to `koctl serve`.
    LocalKubeconfig {
        /// The file (default: the user's own kubeconfig).
        #[serde(default)]
        path: Option<String>,
        /// Its context to import (default: its current context).
        #[serde(default)]
        context: Option<String>,
    },
    /// An API server's URL, its CA and a bearer token (a service account's).
    Token {
        /// `https://host:port`.
        server: String,
        /// The CA certificate(s), PEM; none: the system's trusted roots.
        #[serde(default)]
        ca_pem: Option<String>,
        /// The token.
        token: Sensitive<String>,
    },
}

/// A cluster to import.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportForm {
    /// Its name in the app.
    pub name: String,
    /// The project it belongs to (default `default`).
    #[serde(default)]
    pub project: Option<String>,
    /// Where its access comes from.
    pub source: ImportSource,
}

/// An imported cluster and what its API server said.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterImported {
    /// The cluster as registered.
    pub cluster: Cluster,
    /// The user the credential authenticates as.
    pub user: String,
    /// The API server's version.
    pub version: String,
    /// Its nodes with their roles.
    pub nodes: Vec<NodeSummary>,
}

/// The user's own kubeconfig: the first file of `$KUBECONFIG`, else `~/.kube/config`.
fn default_kubeconfig() -> Option<PathBuf> {
    if let Some(list) = std::env::var_os("KUBECONFIG")
        && let Some(first) = std::env::split_paths(&list).find(|p| !p.as_os_str().is_empty())
    {
        return Some(first);
    }
    dirs::home_dir().map(|h| h.join(".kube").join("config"))
}

/// Reads a kubeconfig file on this machine, saying which file could not be read.
fn read_local(path: Option<&str>) -> Result<(String, PathBuf)> {
    let file = path.map(PathBuf::from).or_else(default_kubeconfig).ok_or_else(|| {
        ApiError::invalid("k8s.kubeconfig_missing", "path", "there is no home directory to find ~/.kube/config in")
    })?;
    let text = std::fs::read_to_string(&file).map_err(|e| {
        ApiError::invalid(
            "k8s.kubeconfig_missing",
            "path",
            format!("the kubeconfig {} cannot be read: {e}; give its path", file.display()),
        )
    })?;
    Ok((text, file))
}

impl Api {
    /// Whether `actor` is the OS account the app runs as (who may make it read local files).
    pub(crate) async fn is_os_account(&self, actor: &Actor) -> Result<bool> {
        let name = actor.name.clone();
        Ok(self.db.read(move |c| users::get_by_name(c, &name)).await?.is_some_and(|u| u.source == "os"))
    }

    /// Refuses reading this machine's files for a user who is not its own.
    async fn local_files_allowed(&self, actor: &Actor) -> Result<()> {
        if self.is_os_account(actor).await? {
            return Ok(());
        }
        Err(ApiError::Forbidden {
            actor: actor.name.clone(),
            action: "import from a kubeconfig file on the server".into(),
            reason: "files on the machine running the app are read only for its own user; paste the kubeconfig instead"
                .into(),
        })
    }

    /// The contexts of kubeconfig text (nothing is contacted or stored).
    pub async fn kubeconfig_contexts(&self, _actor: &Actor, kubeconfig: &str) -> Result<KubeconfigContexts> {
        Ok(ko_k8s::kubeconfig_contexts(kubeconfig)?)
    }

    /// The contexts of this machine's own kubeconfig (or the file `path`), for its own user.
    pub async fn local_kubeconfig_contexts(&self, actor: &Actor, path: Option<&str>) -> Result<KubeconfigContexts> {
        self.local_files_allowed(actor).await?;
        let (text, _) = read_local(path)?;
        Ok(ko_k8s::kubeconfig_contexts(&text)?)
    }

    /// The access `source` describes (local files only for the OS account).
    async fn import_access(&self, actor: &Actor, source: ImportSource) -> Result<ClusterAccess> {
        Ok(match source {
            ImportSource::Kubeconfig { kubeconfig, context } => {
                ko_k8s::access_from_kubeconfig(kubeconfig.expose(), context.as_deref(), &KubeconfigOrigin::Pasted)?
            }
            ImportSource::LocalKubeconfig { path, context } => {
                self.local_files_allowed(actor).await?;
                let (text, file) = read_local(path.as_deref())?;
                let dir = file.parent().map(PathBuf::from).unwrap_or_default();
                ko_k8s::access_from_kubeconfig(&text, context.as_deref(), &KubeconfigOrigin::File(dir))?
            }
            ImportSource::Token { server, ca_pem, token } => {
                ClusterAccess::with_token(&server, ca_pem.filter(|c| !c.trim().is_empty()), token)?
            }
        })
    }

    /// Imports a cluster: checks its access against the API server (TLS, credential, version,
    /// nodes), then registers it (`running`, provider `import`) with its endpoint, its credential
    /// in the secret store — all or nothing — and its first health probe.
    pub async fn cluster_import(&self, actor: &Actor, form: ImportForm) -> Result<ClusterImported> {
        let target = form.name.trim().to_string();
        self.audited(actor, "cluster.import", &target, async {
            let name = target.clone();
            check_name("name", &name)?;
            let project = form.project.clone().unwrap_or_else(|| "default".into());
            let p = project.clone();
            let project_id = self
                .db
                .read(move |c| projects::get_by_name(c, &p))
                .await?
                .ok_or(ApiError::NotFound { kind: "project", name: project })?
                .id;
            self.authorize(actor, Permission::ManageClusters(project_id), "import clusters into this project").await?;
            let access = self.import_access(actor, form.source).await?;
            let n = name.clone();
            if self.db.read(move |c| clusters::get(c, &n)).await?.is_some() {
                return Err(ApiError::AlreadyExists { kind: "cluster", name });
            }
            let verified = ko_k8s::verify(&access).await?;
            let arch = cluster_arch(&verified.nodes);
            let endpoint = cluster_api::ApiEndpoint {
                server: access.server.clone(),
                ca_pem: access.ca_pem.clone(),
                tls_server_name: access.tls_server_name.clone(),
                credential_kind: access.credential.kind().into(),
                username: verified.user.clone(),
            };
            let secret = to_stored_json(&access.credential);
            let (store, key, n, version) =
                (self.secrets.clone(), api_credential_key(&name), name.clone(), verified.version.clone());
            let cluster = self
                .db
                .write(move |tx| {
                    let new = clusters::NewCluster {
                        name: &n,
                        project_id,
                        provider: IMPORTED,
                        version: &version,
                        arch,
                        spec: "{}",
                    };
                    let id = clusters::insert(tx, &new, &[])?;
                    clusters::set_status(tx, id, ClusterStatus::Running, "")?;
                    cluster_api::set_endpoint(tx, id, &endpoint)?;
                    // last: a secret store failure rolls the rows back, so nothing is half written
                    store.put(&key, &secret)?;
                    Ok::<_, ApiError>(clusters::get(tx, &n)?)
                })
                .await?
                .ok_or_else(|| ApiError::Internal(format!("cluster {name} vanished while it was imported")))?;
            self.probe_and_record(&cluster).await?;
            Ok(ClusterImported { cluster, user: verified.user, version: verified.version, nodes: verified.nodes })
        })
        .await
    }
}

/// `amd64` or `arm64` when every node has it, else `mixed`.
fn cluster_arch(nodes: &[NodeSummary]) -> &'static str {
    let all = |a: &str| !nodes.is_empty() && nodes.iter().all(|n| n.arch == a);
    if all("arm64") {
        "arm64"
    } else if all("amd64") || nodes.is_empty() {
        "amd64"
    } else {
        "mixed"
    }
}

impl ClusterRefusal {
    /// The refusal of a deployment operation on an imported cluster.
    pub(crate) fn imported(cluster: &Cluster) -> Option<Self> {
        (cluster.provider == IMPORTED).then(|| Self::Imported { cluster: cluster.name.clone() })
    }
}
