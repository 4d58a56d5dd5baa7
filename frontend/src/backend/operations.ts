// Generated from ko-api's operation table (crates/ko-api/src/ops) by crates/ko-api/tests/api/ts_bindings.rs;
// do not edit. After changing an operation: KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test api ts_bindings
import type {
  ApplyChange,
  AuditEntry,
  AuditList,
  BundleTrustAdd,
  BundleTrustRm,
  Cluster,
  ClusterAddMasters,
  ClusterAddWorkers,
  ClusterApply,
  ClusterBackup,
  ClusterBackups,
  ClusterCheckCerts,
  ClusterCreate,
  ClusterDefaults,
  ClusterDelete,
  ClusterDeploy,
  ClusterDetail,
  ClusterHealth,
  ClusterHealthProbe,
  ClusterHealthSummary,
  ClusterImported,
  ClusterNodeDrain,
  ClusterNodeSchedulable,
  ClusterObjectYaml,
  ClusterPlan,
  ClusterPodContainers,
  ClusterPodDelete,
  ClusterRemoveMaster,
  ClusterRemoveWorker,
  ClusterRenewCerts,
  ClusterReplaceMaster,
  ClusterReset,
  ClusterResetAndDelete,
  ClusterRestore,
  ClusterShow,
  ClusterUpgrade,
  ClusterValidate,
  ClusterValidation,
  ClusterWorkloadRestart,
  ClusterWorkloadScale,
  ContainerSummary,
  Credential,
  CredentialAdd,
  CredentialRm,
  DrainReport,
  HostAdd,
  HostDetail,
  HostImportCsv,
  HostKey,
  HostRefresh,
  HostRm,
  HostScanKey,
  HostShow,
  ImportForm,
  ImportRow,
  IpPoolAdd,
  IpPoolAddRange,
  IpPoolDetail,
  IpPoolLock,
  IpPoolRm,
  IpPoolShow,
  IpPoolSummary,
  KindInfo,
  KubeconfigContexts,
  KubeconfigContextsOf,
  KubernetesVersion,
  LibraryBundle,
  LocalKubeconfigContexts,
  LogLine,
  MemberAdd,
  MemberRm,
  NtpAdd,
  NtpRm,
  NtpServer,
  NtpSetEnabled,
  Project,
  ProjectAdd,
  ProjectDetail,
  ProjectRm,
  ProjectShow,
  RegionAdd,
  RegionCheck,
  RegionCheckInput,
  RegionFingerprint,
  RegionRm,
  RegionSummary,
  RepoRm,
  RepoSet,
  Repository,
  SecretsPassphraseChange,
  SecretsUnlock,
  Started,
  StatusReport,
  Task,
  TaskCancel,
  TaskDetail,
  TaskList,
  TaskLogs,
  TaskRetry,
  TaskShow,
  TrustedBundleKey,
  User,
  UserAdd,
  UserRm,
  UserSetActive,
  UserSetPassword,
  VersionSetEnabled,
} from './generated'

/** Where the rest of an operation's input goes in an HTTP request, besides its path's `{field}`s. */
export type RouteBody = 'fields' | { whole: string } | { text: string }

/** How each operation is reached over HTTP (`koctl serve`). */
export const routes = {
  status: { method: 'GET', path: '/api/status', body: 'fields' },
  secrets_unlock: { method: 'POST', path: '/api/secrets/unlock', body: { whole: 'form' } },
  secrets_passphrase_change: { method: 'POST', path: '/api/secrets/passphrase', body: 'fields' },
  user_list: { method: 'GET', path: '/api/users', body: 'fields' },
  user_add: { method: 'POST', path: '/api/users', body: { whole: 'form' } },
  user_rm: { method: 'DELETE', path: '/api/users/{name}', body: 'fields' },
  user_set_active: { method: 'POST', path: '/api/users/{name}/active', body: 'fields' },
  user_set_password: { method: 'POST', path: '/api/users/{name}/password', body: 'fields' },
  project_list: { method: 'GET', path: '/api/projects', body: 'fields' },
  project_add: { method: 'POST', path: '/api/projects', body: 'fields' },
  project_show: { method: 'GET', path: '/api/projects/{name}', body: 'fields' },
  project_rm: { method: 'DELETE', path: '/api/projects/{name}', body: 'fields' },
  member_add: { method: 'POST', path: '/api/projects/{name}/members', body: 'fields' },
  member_rm: { method: 'DELETE', path: '/api/projects/{name}/members/{user}', body: 'fields' },
  audit_list: { method: 'GET', path: '/api/audit', body: 'fields' },
  credential_list: { method: 'GET', path: '/api/credentials', body: 'fields' },
  credential_add: { method: 'POST', path: '/api/credentials', body: { whole: 'form' } },
  credential_rm: { method: 'DELETE', path: '/api/credentials/{name}', body: 'fields' },
  host_list: { method: 'GET', path: '/api/hosts', body: 'fields' },
  host_show: { method: 'GET', path: '/api/hosts/{name}', body: 'fields' },
  host_scan_key: { method: 'POST', path: '/api/hosts/scan', body: { whole: 'form' } },
  host_add: { method: 'POST', path: '/api/hosts', body: { whole: 'form' } },
  host_refresh: { method: 'POST', path: '/api/hosts/{name}/refresh', body: 'fields' },
  host_rm: { method: 'DELETE', path: '/api/hosts/{name}', body: 'fields' },
  host_import_csv: { method: 'POST', path: '/api/hosts/import', body: { text: 'csv' } },
  version_list: { method: 'GET', path: '/api/versions', body: 'fields' },
  version_set_enabled: { method: 'POST', path: '/api/versions/{version}', body: 'fields' },
  bundle_list: { method: 'GET', path: '/api/bundles', body: 'fields' },
  region_fingerprint: { method: 'POST', path: '/api/regions/fingerprint', body: 'fields' },
  region_add: { method: 'POST', path: '/api/regions', body: { whole: 'region' } },
  region_list: { method: 'GET', path: '/api/regions', body: 'fields' },
  region_check: { method: 'POST', path: '/api/regions/{name}/check', body: 'fields' },
  region_rm: { method: 'DELETE', path: '/api/regions/{name}', body: 'fields' },
  ip_pool_list: { method: 'GET', path: '/api/ip-pools', body: 'fields' },
  ip_pool_show: { method: 'GET', path: '/api/ip-pools/{name}', body: 'fields' },
  ip_pool_add: { method: 'POST', path: '/api/ip-pools', body: { whole: 'pool' } },
  ip_pool_add_range: { method: 'POST', path: '/api/ip-pools/{name}/ranges', body: 'fields' },
  ip_pool_lock: { method: 'POST', path: '/api/ip-pools/{name}/addresses/{address}', body: 'fields' },
  ip_pool_rm: { method: 'DELETE', path: '/api/ip-pools/{name}', body: 'fields' },
  cluster_list: { method: 'GET', path: '/api/clusters', body: 'fields' },
  cluster_show: { method: 'GET', path: '/api/clusters/{name}', body: 'fields' },
  cluster_defaults: { method: 'GET', path: '/api/cluster-defaults', body: 'fields' },
  cluster_validate: { method: 'POST', path: '/api/clusters/validate', body: { text: 'yaml' } },
  cluster_plan: { method: 'POST', path: '/api/clusters/plan', body: { text: 'yaml' } },
  cluster_create: { method: 'POST', path: '/api/clusters', body: { text: 'yaml' } },
  cluster_deploy: { method: 'POST', path: '/api/clusters/{name}/deploy', body: 'fields' },
  cluster_add_workers: { method: 'POST', path: '/api/clusters/{name}/workers', body: 'fields' },
  cluster_add_workers_plan: { method: 'POST', path: '/api/clusters/{name}/workers/plan', body: 'fields' },
  cluster_remove_worker: { method: 'POST', path: '/api/clusters/{name}/workers/{host}/remove', body: 'fields' },
  cluster_remove_worker_plan: { method: 'POST', path: '/api/clusters/{name}/workers/{host}/remove/plan', body: 'fields' },
  cluster_add_masters: { method: 'POST', path: '/api/clusters/{name}/masters', body: 'fields' },
  cluster_add_masters_plan: { method: 'POST', path: '/api/clusters/{name}/masters/plan', body: 'fields' },
  cluster_remove_master: { method: 'POST', path: '/api/clusters/{name}/masters/{host}/remove', body: 'fields' },
  cluster_remove_master_plan: { method: 'POST', path: '/api/clusters/{name}/masters/{host}/remove/plan', body: 'fields' },
  cluster_replace_master: { method: 'POST', path: '/api/clusters/{name}/masters/{old}/replace', body: 'fields' },
  cluster_replace_master_plan: { method: 'POST', path: '/api/clusters/{name}/masters/{old}/replace/plan', body: 'fields' },
  cluster_upgrade: { method: 'POST', path: '/api/clusters/{name}/upgrade', body: 'fields' },
  cluster_upgrade_plan: { method: 'POST', path: '/api/clusters/{name}/upgrade/plan', body: 'fields' },
  cluster_check_certs: { method: 'POST', path: '/api/clusters/{name}/certs/check', body: 'fields' },
  cluster_renew_certs: { method: 'POST', path: '/api/clusters/{name}/certs/renew', body: 'fields' },
  backup_summary: { method: 'GET', path: '/api/backups', body: 'fields' },
  health_summary: { method: 'GET', path: '/api/health', body: 'fields' },
  cluster_backup: { method: 'POST', path: '/api/clusters/{name}/backup', body: 'fields' },
  cluster_restore: { method: 'POST', path: '/api/clusters/{name}/restore', body: 'fields' },
  cluster_reset: { method: 'POST', path: '/api/clusters/{name}/reset', body: 'fields' },
  cluster_reset_and_delete: { method: 'POST', path: '/api/clusters/{name}/reset-and-delete', body: 'fields' },
  cluster_delete: { method: 'DELETE', path: '/api/clusters/{name}', body: 'fields' },
  cluster_import: { method: 'POST', path: '/api/clusters/import', body: 'fields' },
  kubeconfig_contexts: { method: 'POST', path: '/api/kubeconfig/contexts', body: 'fields' },
  local_kubeconfig_contexts: { method: 'GET', path: '/api/kubeconfig/local', body: 'fields' },
  cluster_health: { method: 'POST', path: '/api/clusters/{name}/health', body: 'fields' },
  resource_kinds: { method: 'GET', path: '/api/resource-kinds', body: 'fields' },
  cluster_object_yaml: { method: 'GET', path: '/api/clusters/{name}/objects/{kind}/{object}', body: 'fields' },
  cluster_apply_plan: { method: 'POST', path: '/api/clusters/{name}/apply/plan', body: 'fields' },
  cluster_apply: { method: 'POST', path: '/api/clusters/{name}/apply', body: 'fields' },
  cluster_node_schedulable: { method: 'POST', path: '/api/clusters/{name}/nodes/{node}/schedulable', body: 'fields' },
  cluster_node_drain: { method: 'POST', path: '/api/clusters/{name}/nodes/{node}/drain', body: 'fields' },
  cluster_pod_delete: { method: 'DELETE', path: '/api/clusters/{name}/namespaces/{namespace}/pods/{pod}', body: 'fields' },
  cluster_pod_containers: { method: 'GET', path: '/api/clusters/{name}/namespaces/{namespace}/pods/{pod}/containers', body: 'fields' },
  cluster_workload_restart: { method: 'POST', path: '/api/clusters/{name}/namespaces/{namespace}/workloads/{kind}/{workload}/restart', body: 'fields' },
  cluster_workload_scale: { method: 'POST', path: '/api/clusters/{name}/namespaces/{namespace}/workloads/{kind}/{workload}/scale', body: 'fields' },
  task_list: { method: 'GET', path: '/api/tasks', body: 'fields' },
  task_show: { method: 'GET', path: '/api/tasks/{id}', body: 'fields' },
  task_logs: { method: 'GET', path: '/api/tasks/{id}/logs', body: 'fields' },
  task_retry: { method: 'POST', path: '/api/tasks/{id}/retry', body: 'fields' },
  task_cancel: { method: 'POST', path: '/api/tasks/{id}/cancel', body: 'fields' },
  ntp_list: { method: 'GET', path: '/api/settings/ntp', body: 'fields' },
  ntp_add: { method: 'POST', path: '/api/settings/ntp', body: 'fields' },
  ntp_set_enabled: { method: 'POST', path: '/api/settings/ntp/{name}', body: 'fields' },
  ntp_rm: { method: 'DELETE', path: '/api/settings/ntp/{name}', body: 'fields' },
  bundle_trust_list: { method: 'GET', path: '/api/settings/trusted-keys', body: 'fields' },
  bundle_trust_add: { method: 'POST', path: '/api/settings/trusted-keys', body: 'fields' },
  bundle_trust_rm: { method: 'DELETE', path: '/api/settings/trusted-keys/{name}', body: 'fields' },
  repo_list: { method: 'GET', path: '/api/settings/repositories', body: 'fields' },
  repo_set: { method: 'POST', path: '/api/settings/repositories', body: { whole: 'repo' } },
  repo_rm: { method: 'DELETE', path: '/api/settings/repositories/{arch}', body: 'fields' },
} as const satisfies Record<string, { method: string; path: string; body: RouteBody }>

/** An operation's name. */
export type OperationName = keyof typeof routes

/** Calls an operation through a transport (the desktop's command, or HTTP). */
export type Call = (op: OperationName, input: object) => Promise<unknown>

/** Every operation as a typed function over `call`. */
export function operations(call: Call) {
  return {
    /** The overview: counts, the secret store's state, the data dir. */
    status: () => call('status', {}) as Promise<StatusReport>,
    /** Gives the secrets vault its passphrase (`create`: makes a new vault with it). */
    secretsUnlock: (input: SecretsUnlock) => call('secrets_unlock', input) as Promise<void>,
    /** Gives the (open) secrets vault a new passphrase: every secret is encrypted again. */
    secretsPassphraseChange: (input: SecretsPassphraseChange) => call('secrets_passphrase_change', input) as Promise<void>,
    /** The users. */
    userList: () => call('user_list', {}) as Promise<User[]>,
    /** Adds a user. */
    userAdd: (input: UserAdd) => call('user_add', input) as Promise<User>,
    /** Removes a user. */
    userRm: (input: UserRm) => call('user_rm', input) as Promise<void>,
    /** Enables or disables a user's log-in. */
    userSetActive: (input: UserSetActive) => call('user_set_active', input) as Promise<void>,
    /** Sets a user's password (to be changed at the next log-in). */
    userSetPassword: (input: UserSetPassword) => call('user_set_password', input) as Promise<void>,
    /** The projects the actor may see. */
    projectList: () => call('project_list', {}) as Promise<Project[]>,
    /** Adds a project. */
    projectAdd: (input: ProjectAdd) => call('project_add', input) as Promise<Project>,
    /** A project with its members and clusters. */
    projectShow: (input: ProjectShow) => call('project_show', input) as Promise<ProjectDetail>,
    /** Removes an empty project. */
    projectRm: (input: ProjectRm) => call('project_rm', input) as Promise<void>,
    /** Makes a user a member of a project as `project_admin` or `cluster_admin` (or changes the role). */
    memberAdd: (input: MemberAdd) => call('member_add', input) as Promise<void>,
    /** Takes a user out of a project. */
    memberRm: (input: MemberRm) => call('member_rm', input) as Promise<void>,
    /** The audit log, newest first. */
    auditList: (input: AuditList = {}) => call('audit_list', input) as Promise<AuditEntry[]>,
    /** The credentials (no secret in them). */
    credentialList: () => call('credential_list', {}) as Promise<Credential[]>,
    /** Adds a credential; its secrets go to the secret store. */
    credentialAdd: (input: CredentialAdd) => call('credential_add', input) as Promise<Credential>,
    /** Removes a credential no host uses. */
    credentialRm: (input: CredentialRm) => call('credential_rm', input) as Promise<void>,
    /** The hosts the actor may see. */
    hostList: () => call('host_list', {}) as Promise<HostDetail[]>,
    /** One host. */
    hostShow: (input: HostShow) => call('host_show', input) as Promise<HostDetail>,
    /** The key a host presents, to show its fingerprint before trusting it. */
    hostScanKey: (input: HostScanKey) => call('host_scan_key', input) as Promise<HostKey>,
    /** Adds a host, pinning the fingerprint in the form (as confirmed by a person), and gathers its facts. */
    hostAdd: (input: HostAdd) => call('host_add', input) as Promise<HostDetail>,
    /** Gathers a host's facts again. */
    hostRefresh: (input: HostRefresh) => call('host_refresh', input) as Promise<HostDetail>,
    /** Removes a host no cluster uses. */
    hostRm: (input: HostRm) => call('host_rm', input) as Promise<void>,
    /** Adds hosts from CSV (`name,address,port,credential,jump,fingerprint`); every row needs its fingerprint. */
    hostImportCsv: (input: HostImportCsv) => call('host_import_csv', input) as Promise<ImportRow[]>,
    /** The Kubernetes versions and whether each may be used. */
    versionList: () => call('version_list', {}) as Promise<KubernetesVersion[]>,
    /** Allows or forbids a Kubernetes version for new clusters. */
    versionSetEnabled: (input: VersionSetEnabled) => call('version_set_enabled', input) as Promise<void>,
    /** The bundles in the library. */
    bundleList: () => call('bundle_list', {}) as Promise<LibraryBundle[]>,
    /**
     * The SHA-256 fingerprint of the certificate an endpoint presents: check it with its
     * administrator, then give it to the region (the certificate is pinned).
     */
    regionFingerprint: (input: RegionFingerprint) => call('region_fingerprint', input) as Promise<string>,
    /**
     * Adds a region after logging in to it (its certificate must have the fingerprint given)
     * and finding its datacenter; the password goes to the secret store.
     */
    regionAdd: (input: RegionAdd) => call('region_add', input) as Promise<RegionSummary>,
    /** Every region with its zones. */
    regionList: () => call('region_list', {}) as Promise<RegionSummary[]>,
    /**
     * Logs in to a region now: its product and datacenters, and what its datacenter offers a
     * zone (compute resources, resource pools, datastores, networks, templates).
     */
    regionCheck: (input: RegionCheckInput) => call('region_check', input) as Promise<RegionCheck>,
    /** Removes a region no zone uses (and its password). */
    regionRm: (input: RegionRm) => call('region_rm', input) as Promise<void>,
    /** Every IP pool with its ranges and how many addresses are available, used, locked. */
    ipPoolList: () => call('ip_pool_list', {}) as Promise<IpPoolSummary[]>,
    /** One IP pool with each address's state and the host holding it. */
    ipPoolShow: (input: IpPoolShow) => call('ip_pool_show', input) as Promise<IpPoolDetail>,
    /**
     * Adds an IP pool: ranges and gateway inside the subnet, the gateway in no range, ranges
     * apart, no address in another pool (at most 65,536 addresses).
     */
    ipPoolAdd: (input: IpPoolAdd) => call('ip_pool_add', input) as Promise<IpPoolSummary>,
    /** Adds a range of addresses to a pool. */
    ipPoolAddRange: (input: IpPoolAddRange) => call('ip_pool_add_range', input) as Promise<IpPoolSummary>,
    /** Locks a free address (never handed to a VM) or unlocks it. */
    ipPoolLock: (input: IpPoolLock) => call('ip_pool_lock', input) as Promise<void>,
    /** Removes an IP pool that no zone uses and whose addresses no host holds. */
    ipPoolRm: (input: IpPoolRm) => call('ip_pool_rm', input) as Promise<void>,
    /** The clusters the actor may see. */
    clusterList: () => call('cluster_list', {}) as Promise<Cluster[]>,
    /** A cluster with its nodes, certificates and latest task. */
    clusterShow: (input: ClusterShow) => call('cluster_show', input) as Promise<ClusterDetail>,
    /** The cluster file's defaults and each network plugin's modes: what the create wizard starts from. */
    clusterDefaults: () => call('cluster_defaults', {}) as Promise<ClusterDefaults>,
    /** Every problem of a cluster file, against the registry (hosts, versions, projects). */
    clusterValidate: (input: ClusterValidate) => call('cluster_validate', input) as Promise<ClusterValidation>,
    /** What creating the cluster would run on which host (secrets redacted); nothing changes. */
    clusterPlan: (input: ClusterPlan) => call('cluster_plan', input) as Promise<string>,
    /** Registers the cluster and starts its creation (up to phase `until`, when given). */
    clusterCreate: (input: ClusterCreate) => call('cluster_create', input) as Promise<Started>,
    /** Continues a staged cluster: the phases after the last one done, up to `until` when given. */
    clusterDeploy: (input: ClusterDeploy) => call('cluster_deploy', input) as Promise<Started>,
    /** Adds registered hosts to a running cluster as workers (in `zone`, when given). */
    clusterAddWorkers: (input: ClusterAddWorkers) => call('cluster_add_workers', input) as Promise<Started>,
    /** What adding the workers would run on which host; nothing changes. */
    clusterAddWorkersPlan: (input: ClusterAddWorkers) => call('cluster_add_workers_plan', input) as Promise<string>,
    /** Removes a worker: drained and deleted, its host reset unless `down`. */
    clusterRemoveWorker: (input: ClusterRemoveWorker) => call('cluster_remove_worker', input) as Promise<Started>,
    /** What removing the worker would run on which host; nothing changes. */
    clusterRemoveWorkerPlan: (input: ClusterRemoveWorker) => call('cluster_remove_worker_plan', input) as Promise<string>,
    /** Adds registered hosts as masters (replacing one a later removal takes out, when given). */
    clusterAddMasters: (input: ClusterAddMasters) => call('cluster_add_masters', input) as Promise<Started>,
    /** What adding the masters would run on which host; nothing changes. */
    clusterAddMastersPlan: (input: ClusterAddMasters) => call('cluster_add_masters_plan', input) as Promise<string>,
    /** Removes a master: drained, out of etcd, refreshed everywhere, its host reset unless `down`. */
    clusterRemoveMaster: (input: ClusterRemoveMaster) => call('cluster_remove_master', input) as Promise<Started>,
    /** What removing the master would run on which host; nothing changes. */
    clusterRemoveMasterPlan: (input: ClusterRemoveMaster) => call('cluster_remove_master_plan', input) as Promise<string>,
    /** Replaces master `old` by registered host `new` in one task: `new` joins, then `old` leaves. */
    clusterReplaceMaster: (input: ClusterReplaceMaster) => call('cluster_replace_master', input) as Promise<Started>,
    /** What replacing the master would run on which host; nothing changes. */
    clusterReplaceMasterPlan: (input: ClusterReplaceMaster) => call('cluster_replace_master_plan', input) as Promise<string>,
    /** Upgrades the cluster to Kubernetes `to`, workers `batch` at a time. */
    clusterUpgrade: (input: ClusterUpgrade) => call('cluster_upgrade', input) as Promise<Started>,
    /** What the upgrade would change and run on which host; nothing changes. */
    clusterUpgradePlan: (input: ClusterUpgrade) => call('cluster_upgrade_plan', input) as Promise<string>,
    /** Collects the cluster's certificates from its hosts (their expiry shows on the cluster). */
    clusterCheckCerts: (input: ClusterCheckCerts) => call('cluster_check_certs', input) as Promise<Started>,
    /** Renews the cluster's certificates (members and masters one at a time). */
    clusterRenewCerts: (input: ClusterRenewCerts) => call('cluster_renew_certs', input) as Promise<Started>,
    /** Each visible cluster's backup count and latest backup. */
    backupSummary: () => call('backup_summary', {}) as Promise<ClusterBackups[]>,
    /**
     * Each visible cluster's last health probe (those with an API server the app watches): lost
     * ones first, then unhealthy ones.
     */
    healthSummary: () => call('health_summary', {}) as Promise<ClusterHealthSummary[]>,
    /** Takes an etcd snapshot and fetches it to this machine. */
    clusterBackup: (input: ClusterBackup) => call('cluster_backup', input) as Promise<Started>,
    /** Restores etcd from one of the cluster's backups (every member stops, then restarts). */
    clusterRestore: (input: ClusterRestore) => call('cluster_restore', input) as Promise<Started>,
    /** Removes what the deployment put on the cluster's hosts. */
    clusterReset: (input: ClusterReset) => call('cluster_reset', input) as Promise<Started>,
    /** Resets the cluster's hosts, then forgets the cluster — one task; a failed reset deletes nothing. */
    clusterResetAndDelete: (input: ClusterResetAndDelete) => call('cluster_reset_and_delete', input) as Promise<Started>,
    /** Forgets the cluster (its certificates and backups too); its hosts stay registered. */
    clusterDelete: (input: ClusterDelete) => call('cluster_delete', input) as Promise<void>,
    /**
     * Imports a cluster the app did not create: its access is checked against the API server
     * first, its credential kept in the secret store. It can be viewed and probed, not deployed to.
     */
    clusterImport: (input: ImportForm) => call('cluster_import', input) as Promise<ClusterImported>,
    /** The contexts of a kubeconfig (nothing is contacted or stored). */
    kubeconfigContexts: (input: KubeconfigContextsOf) => call('kubeconfig_contexts', input) as Promise<KubeconfigContexts>,
    /**
     * The contexts of the kubeconfig on the machine the app runs on (default `$KUBECONFIG`, else
     * `~/.kube/config`): for that machine's own user only.
     */
    localKubeconfigContexts: (input: LocalKubeconfigContexts = {}) => call('local_kubeconfig_contexts', input) as Promise<KubeconfigContexts>,
    /**
     * Probes the cluster's API server now (readiness checks with etcd, nodes, system pods, the
     * serving certificate); a running cluster that does not answer becomes `lost`, a lost one
     * that answers `running`.
     */
    clusterHealth: (input: ClusterHealthProbe) => call('cluster_health', input) as Promise<ClusterHealth>,
    /** The kinds of object the cluster views show, with their columns. */
    resourceKinds: () => call('resource_kinds', {}) as Promise<KindInfo[]>,
    /**
     * One object of the cluster as YAML; a secret's values only with `reveal` (operators of the
     * cluster; written to the audit log).
     */
    clusterObjectYaml: (input: ClusterObjectYaml) => call('cluster_object_yaml', input) as Promise<string>,
    /** What server-side applying the YAML would change, each object with a diff; nothing changes. */
    clusterApplyPlan: (input: ClusterApply) => call('cluster_apply_plan', input) as Promise<ApplyChange[]>,
    /** Server-side applies the YAML (field manager `kubeoperator-desktop`, conflicts forced). */
    clusterApply: (input: ClusterApply) => call('cluster_apply', input) as Promise<ApplyChange[]>,
    /** Cordons (`schedulable: false`) or uncordons a node. */
    clusterNodeSchedulable: (input: ClusterNodeSchedulable) => call('cluster_node_schedulable', input) as Promise<void>,
    /**
     * Drains a node: cordoned, its pods evicted (DaemonSet and static pods stay); an eviction a
     * disruption budget refuses is tried again for up to two minutes.
     */
    clusterNodeDrain: (input: ClusterNodeDrain) => call('cluster_node_drain', input) as Promise<DrainReport>,
    /** Deletes a pod (its controller makes a new one). */
    clusterPodDelete: (input: ClusterPodDelete) => call('cluster_pod_delete', input) as Promise<void>,
    /**
     * A pod's containers (init containers first) with their state: where a command can run,
     * whose log to read.
     */
    clusterPodContainers: (input: ClusterPodContainers) => call('cluster_pod_containers', input) as Promise<ContainerSummary[]>,
    /** Restarts a workload's pods, as `kubectl rollout restart`. */
    clusterWorkloadRestart: (input: ClusterWorkloadRestart) => call('cluster_workload_restart', input) as Promise<void>,
    /** Sets a Deployment's or StatefulSet's replicas. */
    clusterWorkloadScale: (input: ClusterWorkloadScale) => call('cluster_workload_scale', input) as Promise<void>,
    /** The newest tasks, of one cluster or of all the actor may see. */
    taskList: (input: TaskList = {}) => call('task_list', input) as Promise<Task[]>,
    /** A task with its journal: phases, and every step on every host. */
    taskShow: (input: TaskShow) => call('task_show', input) as Promise<TaskDetail>,
    /** A task's log lines after line `after`. */
    taskLogs: (input: TaskLogs) => call('task_logs', input) as Promise<LogLine[]>,
    /** Runs a failed, cancelled or interrupted task again from where it stopped. */
    taskRetry: (input: TaskRetry) => call('task_retry', input) as Promise<Started>,
    /** Asks a running task to stop (whichever process runs it). */
    taskCancel: (input: TaskCancel) => call('task_cancel', input) as Promise<void>,
    /** The NTP servers. */
    ntpList: () => call('ntp_list', {}) as Promise<NtpServer[]>,
    /** Adds an NTP server. */
    ntpAdd: (input: NtpAdd) => call('ntp_add', input) as Promise<NtpServer>,
    /** Enables or disables an NTP server. */
    ntpSetEnabled: (input: NtpSetEnabled) => call('ntp_set_enabled', input) as Promise<void>,
    /** Removes an NTP server. */
    ntpRm: (input: NtpRm) => call('ntp_rm', input) as Promise<void>,
    /** The public keys whose bundle signatures are trusted. */
    bundleTrustList: () => call('bundle_trust_list', {}) as Promise<TrustedBundleKey[]>,
    /** Trusts bundles signed with a public key. */
    bundleTrustAdd: (input: BundleTrustAdd) => call('bundle_trust_add', input) as Promise<void>,
    /** Stops trusting a key. */
    bundleTrustRm: (input: BundleTrustRm) => call('bundle_trust_rm', input) as Promise<void>,
    /** The package repository of each architecture. */
    repoList: () => call('repo_list', {}) as Promise<Repository[]>,
    /** Sets the package repository of an architecture. */
    repoSet: (input: RepoSet) => call('repo_set', input) as Promise<void>,
    /** Removes the package repository of an architecture. */
    repoRm: (input: RepoRm) => call('repo_rm', input) as Promise<void>,
  }
}

/** The operations' functions. */
export type Operations = ReturnType<typeof operations>
