//! The one application API of KubeOperator Desktop.
//!
//! Every operation a user can perform is one `async fn` on [`Api`] that takes the acting user
//! ([`Actor`]) first. Each checks the role table ([`authz`]) before it does anything, and every
//! mutating call leaves an entry in the audit log, whether it succeeded, failed or was refused.
//! The desktop shell, `koctl` and `koctl serve` are thin layers over these functions.

pub mod authz;
mod error;
mod passwords;

mod audit_log;
mod bundle_library;
mod bundle_push;
mod cert_expiry;
mod cluster_access;
mod cluster_certs;
mod cluster_health;
mod cluster_import;
mod cluster_objects;
mod cluster_ops;
mod clusters;
mod credentials;
mod day2;
mod forms;
mod hosts;
mod identity;
mod ip_pools;
mod kubeconfig;
pub mod ops;
mod projects;
mod push_updates;
mod refusals;
mod regions;
mod secret_store;
mod settings;
mod status;
mod task_follow;
mod tasks;
#[cfg(feature = "test-support")]
pub mod testing;
mod upgrade;
mod users;
mod versions;

pub use authz::{Permission, Role};
pub use bundle_library::{BuildRequest, LibraryBundle};
pub use cert_expiry::CertExpiry;
pub use cluster_health::{ClusterHealth, ClusterHealthSummary, HEALTH_PROBE_EVERY, HealthError, ServingCert};
pub use cluster_import::{ClusterImported, ImportForm, ImportSource};
pub use cluster_objects::{LogForm, PodLogUpdate, WatchForm};
pub use cluster_ops::{CheckResult, ClusterBackups, ClusterDetail};
pub use clusters::{ClusterDefaults, ClusterValidation};
pub use credentials::{CredentialDetail, KeychainState, NewCredential};
pub use day2::NodeChange;
pub use error::{ApiError, Result};
pub use forms::{CredentialForm, HostForm, Imported, Me, Started, UnlockForm, UserForm};
pub use hosts::{HostDetail, ImportRow, Trust};
pub use identity::{Actor, DEFAULT_ADMIN, DEFAULT_ADMIN_PASSWORD};
pub use ip_pools::{IpPoolDetail, IpPoolForm, IpPoolSummary, MAX_POOL_ADDRESSES};
pub use ko_bundle::{
    BuildReport, BundleManifest, FetchProgress, FileKind, Pin, PlannedEntry, Signature, TrustedKey, VerifyReport,
    WriteProgress,
};
pub use ko_core::{ClusterStatus, NextStep, Operation, Problem, Stage};
pub use ko_deploy::{
    CredentialAuth, DeployError, HOST_STORE, HostPush, HostRefusal, HostSpec, LIBRARY_DIR, PushProgress, TaskOutcome,
};
pub use ko_iaas::vsphere::{About as IaasAbout, Inventory as IaasInventory};
pub use ko_k8s::{
    ApplyChange, Check as HealthCheck, ContainerSummary, ContextSummary, DrainReport, ExecTarget, Health, KindInfo,
    KubeconfigContexts, LogOptions, NodeSummary, PodProblem, ResourceKind, ResourceRow, ResourceUpdate, RowState,
    Terminal, TerminalInput, TerminalOutput, WorkloadKind,
};
pub use ko_playbook::{Event as TaskEvent, Status as StepStatus};
pub use ko_secrets::{PassphraseSource, SecretError, Sensitive, StoreKind, StoreState, write_private_file};
pub use ko_ssh::CancellationToken;
pub use ko_ssh::{DEFAULT_PARALLELISM, HostFacts, HostKey, fan_out};
pub use ko_store::audit::{AuditEntry, AuditFilter};
pub use ko_store::clusters::{BackupFile, Cluster, Node};
pub use ko_store::credentials::Credential;
pub use ko_store::hosts::Host;
pub use ko_store::ip_pools::{AddressCounts, IpAddressRow};
pub use ko_store::members::Membership;
pub use ko_store::projects::Project;
pub use ko_store::settings::TrustedBundleKey;
pub use ko_store::settings::{NtpServer, Repository};
pub use ko_store::tasks::{LogLine, PhaseRow, StepHost, Task, TaskKind, TaskStatus};
pub use ko_store::users::User;
pub use ko_store::versions::KubernetesVersion;
pub use projects::ProjectDetail;
pub use push_updates::{BuildForm, BuildUpdate, PushForm, PushUpdate};
pub use refusals::{AccountRefusal, BackupRefusal, ClusterRefusal, TaskRefusal};
pub use regions::{RegionCheck, RegionEndpoint, RegionForm, RegionSummary};
pub use secret_store::{SecretsChoice, SecretsConfig, SecretsStatus};
pub use settings::NewRepository;
pub use status::StatusReport;
pub use task_follow::{TaskFollow, TaskUpdate};
pub use tasks::{PreparedTask, TaskDetail};
pub use upgrade::Upgrade;
pub use users::NewUserRequest;

use ko_secrets::SecretStore;
use ko_store::Db;
use std::path::{Path, PathBuf};

/// The application's id: the name of its data dir and its bundle identifier.
pub const APP_ID: &str = "io.kubeoperator.desktop";

/// The platform's data dir for the app (`~/.local/share/io.kubeoperator.desktop` on Linux,
/// `%APPDATA%\io.kubeoperator.desktop` on Windows, `~/Library/Application Support/...` on macOS).
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_ID))
}

/// File name of the database inside the data dir.
pub const DATABASE_FILE: &str = "ko.db";

/// The application: its data dir, database and secret store.
#[derive(Clone)]
pub struct Api {
    data_dir: PathBuf,
    db: Db,
    secrets: SecretStore,
}

impl Api {
    /// Opens the data dir (creating it, private to the current user, if needed) and its database,
    /// migrating the schema forward, with the secret store recorded for it (see [`SecretsConfig`]).
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with(data_dir, SecretsConfig::default())
    }

    /// [`Api::open`], asking for a secret store and giving the vault a passphrase source.
    #[tracing::instrument(skip_all, err, fields(data_dir = %data_dir.display()))]
    pub fn open_with(data_dir: &Path, secrets: SecretsConfig) -> Result<Self> {
        create_private_dir(data_dir)?;
        let db_file = data_dir.join(DATABASE_FILE);
        create_private_file(&db_file)?;
        let db = Db::open(&db_file)?;
        let secrets = secret_store::open(&db, data_dir, secrets)?;
        Ok(Self { data_dir: data_dir.to_path_buf(), db, secrets })
    }

    /// This API with a read cache on its secret store: each secret is read once for as long as the
    /// returned value (or a clone) lives — one task, or one koctl process — and kept in memory
    /// only as [`Sensitive`]. Already cached: the same cache.
    pub fn with_secret_cache(&self) -> Self {
        Self { secrets: self.secrets.with_read_cache(), ..self.clone() }
    }

    /// Round trips to the secret store's backend so far (for logs and tests).
    pub fn secret_store_calls(&self) -> u64 {
        self.secrets.backend_calls()
    }

    /// The data dir.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The deployment machinery over this API's data dir, database and secret store (its read
    /// cache included).
    pub(crate) fn deployer(&self) -> ko_deploy::Deployer {
        ko_deploy::Deployer::new(&self.data_dir, self.db.clone(), self.secrets.clone())
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let io = |e: std::io::Error| ApiError::DataDir { path: dir.to_path_buf(), cause: e };
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

/// Creates `file` readable by its owner only, if it does not exist yet; SQLite gives the `-wal`
/// and `-shm` files the same mode.
fn create_private_file(file: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map(drop).map_err(|e| ApiError::DataDir { path: file.to_path_buf(), cause: e })
}
