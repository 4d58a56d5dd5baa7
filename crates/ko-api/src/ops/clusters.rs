//! Operations on clusters: validate, plan and create from a cluster file; continue a staged
//! one; Day-2 changes of its nodes, upgrade, certificates, backup and restore, reset and
//! delete. Each change that runs on hosts starts a task (`202` with its id) and has a plan
//! operation beside it, with the same input, that says what would run where, changing nothing.

use super::{NoInput, started};
use crate::{
    Cluster, ClusterBackups, ClusterDefaults, ClusterDetail, ClusterHealth, ClusterHealthSummary, ClusterImported,
    ClusterValidation, ImportForm, KubeconfigContexts, Sensitive, Started,
};

operations! {
    /// The clusters the actor may see.
    cluster_list: Get "/api/clusters" NoInput -> Vec<Cluster> = |api, a, _| api.cluster_list(a).await?;

    /// A cluster with its nodes, certificates and latest task.
    cluster_show: Get "/api/clusters/{name}" ClusterShow {
        /// Cluster name.
        name: String,
    } -> ClusterDetail = |api, a, i| api.cluster_show(a, &i.name).await?;

    /// The cluster file's defaults and each network plugin's modes: what the create wizard starts from.
    cluster_defaults: Get "/api/cluster-defaults" NoInput -> ClusterDefaults = |api, a, _| {
        api.cluster_defaults(a).await?
    };

    /// Every problem of a cluster file, against the registry (hosts, versions, projects).
    cluster_validate: Post "/api/clusters/validate" [body text(yaml)] ClusterValidate {
        /// The cluster file (YAML).
        yaml: String,
    } -> ClusterValidation = |api, a, i| api.cluster_validate(a, &i.yaml).await?;

    /// What creating the cluster would run on which host (secrets redacted); nothing changes.
    cluster_plan: Post "/api/clusters/plan" [body text(yaml)] ClusterPlan {
        /// The cluster file (YAML).
        yaml: String,
    } -> String = |api, a, i| api.cluster_plan(a, &i.yaml).await?;

    /// Registers the cluster and starts its creation (up to phase `until`, when given).
    cluster_create: Post "/api/clusters" [body text(yaml)] [status 202] ClusterCreate {
        /// The cluster file (YAML).
        yaml: String,
        /// Stop after this phase (a staged cluster, continued by `cluster_deploy`).
        #[serde(default)]
        until: Option<String>,
    } -> Started = |api, a, i| started(api.cluster_create(a, &i.yaml, i.until.as_deref()).await?);

    /// Continues a staged cluster: the phases after the last one done, up to `until` when given.
    cluster_deploy: Post "/api/clusters/{name}/deploy" [status 202] ClusterDeploy {
        /// Cluster name.
        name: String,
        /// Stop after this phase.
        #[serde(default)]
        until: Option<String>,
    } -> Started = |api, a, i| started(api.cluster_deploy(a, &i.name, i.until.as_deref()).await?);

    /// Adds registered hosts to a running cluster as workers (in `zone`, when given).
    cluster_add_workers: Post "/api/clusters/{name}/workers" [status 202] ClusterAddWorkers {
        /// Cluster name.
        name: String,
        /// The hosts to add.
        hosts: Vec<String>,
        /// Their zone.
        #[serde(default)]
        zone: Option<String>,
    } -> Started = |api, a, i| {
        started(api.cluster_add_workers(a, &i.name, &i.hosts, i.zone.as_deref()).await?.start().await?)
    };

    /// What adding the workers would run on which host; nothing changes.
    cluster_add_workers_plan: Post "/api/clusters/{name}/workers/plan" ClusterAddWorkers -> String = |api, a, i| {
        api.cluster_add_workers(a, &i.name, &i.hosts, i.zone.as_deref()).await?.plan().await?
    };

    /// Removes a worker: drained and deleted, its host reset unless `down`.
    cluster_remove_worker: Post "/api/clusters/{name}/workers/{host}/remove" [status 202] ClusterRemoveWorker {
        /// Cluster name.
        name: String,
        /// The worker's host.
        host: String,
        /// The host is down for good: it is not contacted.
        #[serde(default)]
        down: bool,
    } -> Started = |api, a, i| started(api.cluster_remove_worker(a, &i.name, &i.host, i.down).await?.start().await?);

    /// What removing the worker would run on which host; nothing changes.
    cluster_remove_worker_plan: Post "/api/clusters/{name}/workers/{host}/remove/plan" ClusterRemoveWorker
        -> String = |api, a, i| {
        api.cluster_remove_worker(a, &i.name, &i.host, i.down).await?.plan().await?
    };

    /// Adds registered hosts as masters (replacing one a later removal takes out, when given).
    cluster_add_masters: Post "/api/clusters/{name}/masters" [status 202] ClusterAddMasters {
        /// Cluster name.
        name: String,
        /// The hosts to add.
        hosts: Vec<String>,
        /// The master these replace (removed afterwards).
        #[serde(default)]
        replacing: Option<String>,
        /// Nodes down for good: not contacted.
        #[serde(default)]
        down: Vec<String>,
    } -> Started = |api, a, i| {
        started(api.cluster_add_masters(a, &i.name, &i.hosts, i.replacing.as_deref(), &i.down).await?.start().await?)
    };

    /// What adding the masters would run on which host; nothing changes.
    cluster_add_masters_plan: Post "/api/clusters/{name}/masters/plan" ClusterAddMasters -> String = |api, a, i| {
        api.cluster_add_masters(a, &i.name, &i.hosts, i.replacing.as_deref(), &i.down).await?.plan().await?
    };

    /// Removes a master: drained, out of etcd, refreshed everywhere, its host reset unless `down`.
    cluster_remove_master: Post "/api/clusters/{name}/masters/{host}/remove" [status 202] ClusterRemoveMaster {
        /// Cluster name.
        name: String,
        /// The master's host.
        host: String,
        /// The host is down for good: it is not contacted.
        #[serde(default)]
        down: bool,
    } -> Started = |api, a, i| started(api.cluster_remove_master(a, &i.name, &i.host, i.down).await?.start().await?);

    /// What removing the master would run on which host; nothing changes.
    cluster_remove_master_plan: Post "/api/clusters/{name}/masters/{host}/remove/plan" ClusterRemoveMaster
        -> String = |api, a, i| {
        api.cluster_remove_master(a, &i.name, &i.host, i.down).await?.plan().await?
    };

    /// Replaces master `old` by registered host `new` in one task: `new` joins, then `old` leaves.
    cluster_replace_master: Post "/api/clusters/{name}/masters/{old}/replace" [status 202] ClusterReplaceMaster {
        /// Cluster name.
        name: String,
        /// The master to replace.
        old: String,
        /// The registered host that takes its place.
        new: String,
        /// The old master is down for good: it is not contacted (nor reset).
        #[serde(default)]
        old_down: bool,
    } -> Started = |api, a, i| {
        started(api.cluster_replace_master(a, &i.name, &i.old, &i.new, i.old_down).await?.start().await?)
    };

    /// What replacing the master would run on which host; nothing changes.
    cluster_replace_master_plan: Post "/api/clusters/{name}/masters/{old}/replace/plan" ClusterReplaceMaster
        -> String = |api, a, i| {
        api.cluster_replace_master(a, &i.name, &i.old, &i.new, i.old_down).await?.plan().await?
    };

    /// Upgrades the cluster to Kubernetes `to`, workers `batch` at a time.
    cluster_upgrade: Post "/api/clusters/{name}/upgrade" [status 202] ClusterUpgrade {
        /// Cluster name.
        name: String,
        /// The version to go to.
        to: String,
        /// Workers upgraded at a time (1 when absent).
        #[serde(default)]
        batch: Option<usize>,
    } -> Started = |api, a, i| {
        started(api.cluster_upgrade(a, &i.name, &i.to, i.batch.unwrap_or(1)).await?.start().await?)
    };

    /// What the upgrade would change and run on which host; nothing changes.
    cluster_upgrade_plan: Post "/api/clusters/{name}/upgrade/plan" ClusterUpgrade -> String = |api, a, i| {
        api.cluster_upgrade(a, &i.name, &i.to, i.batch.unwrap_or(1)).await?.plan().await?
    };

    /// Collects the cluster's certificates from its hosts (their expiry shows on the cluster).
    cluster_check_certs: Post "/api/clusters/{name}/certs/check" [status 202] ClusterCheckCerts {
        /// Cluster name.
        name: String,
    } -> Started = |api, a, i| started(api.cluster_check_certs(a, &i.name).await?);

    /// Renews the cluster's certificates (members and masters one at a time).
    cluster_renew_certs: Post "/api/clusters/{name}/certs/renew" [status 202] ClusterRenewCerts {
        /// Cluster name.
        name: String,
    } -> Started = |api, a, i| started(api.cluster_renew_certs(a, &i.name).await?);

    /// Each visible cluster's backup count and latest backup.
    backup_summary: Get "/api/backups" NoInput -> Vec<ClusterBackups> = |api, a, _| api.backup_summary(a).await?;

    /// Each visible cluster's last health probe (those with an API server the app watches): lost
    /// ones first, then unhealthy ones.
    health_summary: Get "/api/health" NoInput -> Vec<ClusterHealthSummary> = |api, a, _| api.health_summary(a).await?;

    /// Takes an etcd snapshot and fetches it to this machine.
    cluster_backup: Post "/api/clusters/{name}/backup" [status 202] ClusterBackup {
        /// Cluster name.
        name: String,
    } -> Started = |api, a, i| started(api.cluster_backup(a, &i.name).await?);

    /// Restores etcd from one of the cluster's backups (every member stops, then restarts).
    cluster_restore: Post "/api/clusters/{name}/restore" [status 202] ClusterRestore {
        /// Cluster name.
        name: String,
        /// The backup's name.
        backup: String,
    } -> Started = |api, a, i| started(api.cluster_restore(a, &i.name, &i.backup).await?);

    /// Removes what the deployment put on the cluster's hosts.
    cluster_reset: Post "/api/clusters/{name}/reset" [status 202] ClusterReset {
        /// Cluster name.
        name: String,
    } -> Started = |api, a, i| started(api.cluster_reset(a, &i.name).await?);

    /// Resets the cluster's hosts, then forgets the cluster — one task; a failed reset deletes nothing.
    cluster_reset_and_delete: Post "/api/clusters/{name}/reset-and-delete" [status 202] ClusterResetAndDelete {
        /// Cluster name.
        name: String,
    } -> Started = |api, a, i| started(api.cluster_reset_and_delete(a, &i.name).await?);

    /// Forgets the cluster (its certificates and backups too); its hosts stay registered.
    cluster_delete: Delete "/api/clusters/{name}" ClusterDelete {
        /// Cluster name.
        name: String,
    } -> () = |api, a, i| api.cluster_delete(a, &i.name).await?;

    /// Imports a cluster the app did not create: its access is checked against the API server
    /// first, its credential kept in the secret store. It can be viewed and probed, not deployed to.
    cluster_import: Post "/api/clusters/import" [status 201] ImportForm -> ClusterImported = |api, a, i| {
        api.cluster_import(a, i).await?
    };

    /// The contexts of a kubeconfig (nothing is contacted or stored).
    kubeconfig_contexts: Post "/api/kubeconfig/contexts" KubeconfigContextsOf {
        /// The kubeconfig (YAML).
        kubeconfig: Sensitive<String>,
    } -> KubeconfigContexts = |api, a, i| api.kubeconfig_contexts(a, i.kubeconfig.expose()).await?;

    /// The contexts of the kubeconfig on the machine the app runs on (default `$KUBECONFIG`, else
    /// `~/.kube/config`): for that machine's own user only.
    local_kubeconfig_contexts: Get "/api/kubeconfig/local" LocalKubeconfigContexts {
        /// Another file than the default.
        #[serde(default)]
        path: Option<String>,
    } -> KubeconfigContexts = |api, a, i| api.local_kubeconfig_contexts(a, i.path.as_deref()).await?;

    /// Probes the cluster's API server now (readiness checks with etcd, nodes, system pods, the
    /// serving certificate); a running cluster that does not answer becomes `lost`, a lost one
    /// that answers `running`.
    cluster_health: Post "/api/clusters/{name}/health" ClusterHealthProbe {
        /// Cluster name.
        name: String,
    } -> ClusterHealth = |api, a, i| api.cluster_health(a, &i.name).await?;
}
