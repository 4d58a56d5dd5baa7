// Generated from the Rust types by crates/ko-api/tests/api/ts_bindings.rs; do not edit.
// After changing a type: KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test api ts_bindings

/** What the endpoint is and what its datacenters are. */
export interface About {
  /** Its datacenters. */
  datacenters: string[]
  /** Its product and version (`VMware vCenter Server 8.0.2 build-...`). */
  product: string
}

/** How many of a pool's addresses are in each state. */
export interface AddressCounts {
  /** Free to hand out. */
  available: number
  /** Kept out of use by hand. */
  locked: number
  /** Answering on the network although nothing of the app holds them. */
  reachable: number
  /** All of them. */
  total: number
  /** Held by a host. */
  used: number
}

/** What an apply does (or did) to one object. */
export interface ApplyChange {
  /** `create`, `change` or `unchanged`. */
  action: string
  /** A unified diff of its YAML, what is there against what will be (empty when unchanged). */
  diff: string
  /** `apiVersion/Kind`. */
  kind: string
  /** Its name. */
  name: string
  /** Its namespace (none: cluster-scoped). */
  namespace: string | null
}

/** CPU architecture of a cluster. */
export type Arch = "amd64" | "arm64" | "mixed"

/** One audit entry. */
export interface AuditEntry {
  /** What, e.g. `credential.add`. */
  action: string
  /** Who. */
  actor: string
  /** When (UTC). */
  at: string
  /** Error code and message for failures; never a secret. */
  detail: string
  /** Row id (increasing). */
  id: number
  /** `ok`, `denied` or `failed`. */
  result: string
  /** On what, e.g. the credential's name. */
  target: string
}

/** The audit log, newest first. */
export interface AuditList {
  /** Only actions starting with this (`cluster` matches `cluster.create`). */
  action?: string | null
  /** At most this many entries (100 when absent). */
  limit?: number | null
  /** Only this user's entries. */
  user?: string | null
}

/** A backup file of a cluster. */
export interface BackupFile {
  /** When. */
  created_at: string
  /** Row id. */
  id: number
  /** Where it is (a path on this machine). */
  location: string
  /** Name (unique in the cluster). */
  name: string
  /** SHA-256 (hex). */
  sha256: string
  /** Bytes. */
  size: number
  /** The task that made it. */
  task_id: number | null
}

/** A build as the UI asks for it: a recipe on the machine the app (or `koctl serve`) runs on, built with downloads into the data dir; the zip goes to `DATA_DIR/builds/NAME.zip`. */
export interface BuildForm {
  /** Architectures to include. */
  arches: string[]
  /** A bundle zip to make a delta on top of. */
  base?: string | null
  /** Mirrors, `FROM=TO` each. */
  mirrors?: string[]
  /** The recipe file (`bundles/*.toml`). */
  recipe: string
}

/** What a build produced. */
export interface BuildReport {
  /** The manifest written. */
  manifest: BundleManifest
  /** Size of the zip. */
  zip_size: number
}

/** What a build reports, in order: downloads, then the zip being written, then `done` or `failed`; nothing follows those. */
export type BuildUpdate = {
  data: FetchProgress
  kind: "download"
} | {
  data: WriteProgress
  kind: "writing"
} | {
  data: {
  /** The zip. */
  path: string
  /** What was built. */
  report: BuildReport
}
  kind: "done"
} | {
  data: {
  /** Stable error code. */
  code: string
  /** What went wrong and what to do. */
  message: string
}
  kind: "failed"
}

/** One file in a bundle. */
export interface BundleFile {
  /** `amd64`, `arm64`, or `all` for arch-independent files. */
  arch: string
  /** Component it belongs to (e.g. `containerd`). */
  component: string
  /** What it is. */
  kind: FileKind
  /** Path inside the bundle (`/`-separated, relative). */
  path: string
  /** For an image: the reference it is imported as (`docker.io/library/haproxy:3.2.4-alpine`), which the playbooks run it by. */
  reference?: string | null
  /** SHA-256 (hex): the file's address in the hosts' content store. */
  sha256: string
  /** Size in bytes. */
  size: number
  /** Component version. */
  version: string
}

/** The manifest of a bundle. */
export interface BundleManifest {
  /** Architectures covered. */
  arches: string[]
  /** A delta bundle's base: the files it omits come from that bundle of the library. */
  base?: DeltaBase | null
  /** Every file. */
  files: BundleFile[]
  /** Manifest format version (1). */
  format: number
  /** Kubernetes version the bundle serves, if any. */
  kubernetes_version: string | null
  /** Bundle name. */
  name: string
}

/** Trusts bundles signed with a public key. */
export interface BundleTrustAdd {
  /** A name for the key. */
  name: string
  /** The ed25519 public key (base64). */
  public_key: string
}

/** Stops trusting a key. */
export interface BundleTrustRm {
  /** The key's name. */
  name: string
}

/** One certificate on one host. */
export interface CertExpiry {
  /** Whole days from now until then (negative: expired). */
  days_left: number
  /** Its file on the host (a kubeconfig for the certificates embedded in one). */
  file: string
  /** The host it was found on. */
  host: string
  /** When it stops being valid (RFC 3339, UTC). */
  not_after: string
}

/** One readiness check of the API server. */
export interface Check {
  /** What the server said about a failure. */
  detail: string
  /** Its name (`etcd`, `ping`, `poststarthook/...`). */
  name: string
  /** It passed. */
  ok: boolean
}

/** One line of a precheck: a host, a check, and how it went. */
export interface CheckResult {
  /** What was checked. */
  check: string
  /** What was found, and the fix for a failure. */
  detail: string
  /** Host name. */
  host: string
  /** `PASS`, `WARN`, `FAIL`. */
  level: string
}

/** A cluster. */
export interface Cluster {
  /** `amd64`, `arm64`, `mixed`. */
  arch: string
  /** Created. */
  created_at: string
  /** Row id. */
  id: number
  /** Unique name. */
  name: string
  /** Project name. */
  project: string
  /** Project id. */
  project_id: number
  /** `manual`, `plan`, `import`. */
  provider: string
  /** The cluster file (JSON of ko-core's `ClusterSpec`). */
  spec: string
  /** Where it is. */
  status: ClusterStatus
  /** Why the status is what it is. */
  status_message: string
  /** Kubernetes version. */
  version: string
}

/** Adds registered hosts as masters (replacing one a later removal takes out, when given). */
export interface ClusterAddMasters {
  /** Nodes down for good: not contacted. */
  down?: string[]
  /** The hosts to add. */
  hosts: string[]
  /** Cluster name. */
  name: string
  /** The master these replace (removed afterwards). */
  replacing?: string | null
}

/** Adds registered hosts to a running cluster as workers (in `zone`, when given). */
export interface ClusterAddWorkers {
  /** The hosts to add. */
  hosts: string[]
  /** Cluster name. */
  name: string
  /** Their zone. */
  zone?: string | null
}

/** What server-side applying the YAML would change, each object with a diff; nothing changes. */
export interface ClusterApply {
  /** Cluster name. */
  name: string
  /** The namespace of objects that name none. */
  namespace?: string
  /** One or more objects (YAML documents). */
  yaml: string
}

/** Takes an etcd snapshot and fetches it to this machine. */
export interface ClusterBackup {
  /** Cluster name. */
  name: string
}

/** A cluster's backups at a glance. */
export interface ClusterBackups {
  /** Cluster name. */
  cluster: string
  /** How many backup files it has. */
  count: number
  /** The newest one. */
  latest: BackupFile | null
}

/** Collects the cluster's certificates from its hosts (their expiry shows on the cluster). */
export interface ClusterCheckCerts {
  /** Cluster name. */
  name: string
}

/** Registers the cluster and starts its creation (up to phase `until`, when given). */
export interface ClusterCreate {
  /** Stop after this phase (a staged cluster, continued by `cluster_deploy`). */
  until?: string | null
  /** The cluster file (YAML). */
  yaml: string
}

/** What the create wizard starts from: a cluster file with every default and nothing chosen, and the modes each network plugin supports (the first is its default). */
export interface ClusterDefaults {
  /** Each network plugin's modes, by plugin. */
  network_modes: Record<string, string[]>
  /** The cluster file with its defaults. */
  spec: ClusterSpec
}

/** Forgets the cluster (its certificates and backups too); its hosts stay registered. */
export interface ClusterDelete {
  /** Cluster name. */
  name: string
}

/** Continues a staged cluster: the phases after the last one done, up to `until` when given. */
export interface ClusterDeploy {
  /** Cluster name. */
  name: string
  /** Stop after this phase. */
  until?: string | null
}

/** A cluster with its nodes, recent tasks and backups. */
export interface ClusterDetail {
  /** Its backup files. */
  backups: BackupFile[]
  /** Its hosts' certificates as the last check found them, soonest to expire first. */
  certificates: CertExpiry[]
  /** The cluster. */
  cluster: Cluster
  /** The last deployment stage a finished create or deploy ran (a staged cluster continues after it). */
  deployed_up_to: Stage | null
  /** What the last health probe found (none before the first). */
  health: ClusterHealth | null
  /** The app did not create it (provider `import`): no deployment operations. */
  imported: boolean
  /** What to do next: continue a staged deployment, resume the task a failed one stopped in. */
  next: NextStep | null
  /** Its nodes. */
  nodes: Node[]
  /** Its latest tasks. */
  tasks: Task[]
}

/** What a probe found, as kept and shown. */
export interface ClusterHealth {
  /** When the probe ran (RFC 3339, UTC). */
  checked_at: string
  /** Why the probe could not read the cluster (not answering, a refused credential...). */
  error: HealthError | null
  /** Everything checked was well (readiness checks, nodes, system pods). */
  healthy: boolean
  /** The last time the API server answered. */
  last_ok_at: string | null
  /** The API server answered. */
  reachable: boolean
  /** What the API server reported. */
  report: Health | null
  /** The API server's serving certificate. */
  serving_cert: ServingCert | null
}

/** Probes the cluster's API server now (readiness checks with etcd, nodes, system pods, the serving certificate); a running cluster that does not answer becomes `lost`, a lost one that answers `running`. */
export interface ClusterHealthProbe {
  /** Cluster name. */
  name: string
}

/** A cluster's health at a glance. */
export interface ClusterHealthSummary {
  /** Cluster name. */
  cluster: string
  /** Its last probe (none before the first). */
  health: ClusterHealth | null
  /** The first thing wrong in one line (why it does not answer, a failed check, a node, a system pod); none when all is well or before the first probe. */
  problem: string | null
  /** Its status (`lost` when its API server stopped answering). */
  status: ClusterStatus
}

/** An imported cluster and what its API server said. */
export interface ClusterImported {
  /** The cluster as registered. */
  cluster: Cluster
  /** Its nodes with their roles. */
  nodes: NodeSummary[]
  /** The user the credential authenticates as. */
  user: string
  /** The API server's version. */
  version: string
}

/** Drains a node: cordoned, its pods evicted (DaemonSet and static pods stay); an eviction a disruption budget refuses is tried again for up to two minutes. */
export interface ClusterNodeDrain {
  /** Cluster name. */
  name: string
  /** Node name. */
  node: string
}

/** Cordons (`schedulable: false`) or uncordons a node. */
export interface ClusterNodeSchedulable {
  /** Cluster name. */
  name: string
  /** Node name. */
  node: string
  /** New pods may be scheduled on it. */
  schedulable: boolean
}

/** One object of the cluster as YAML; a secret's values only with `reveal` (operators of the cluster; written to the audit log). */
export interface ClusterObjectYaml {
  /** The object's kind. */
  kind: ResourceKind
  /** Cluster name. */
  name: string
  /** Its namespace (none for cluster-scoped kinds). */
  namespace?: string | null
  /** Its name. */
  object: string
  /** Show a secret's values. */
  reveal?: boolean
}

/** What creating the cluster would run on which host (secrets redacted); nothing changes. */
export interface ClusterPlan {
  /** The cluster file (YAML). */
  yaml: string
}

/** A pod's containers (init containers first) with their state: where a command can run, whose log to read. */
export interface ClusterPodContainers {
  /** Cluster name. */
  name: string
  /** The pod's namespace. */
  namespace: string
  /** The pod. */
  pod: string
}

/** Deletes a pod (its controller makes a new one). */
export interface ClusterPodDelete {
  /** Cluster name. */
  name: string
  /** The pod's namespace. */
  namespace: string
  /** The pod. */
  pod: string
}

/** Removes a master: drained, out of etcd, refreshed everywhere, its host reset unless `down`. */
export interface ClusterRemoveMaster {
  /** The host is down for good: it is not contacted. */
  down?: boolean
  /** The master's host. */
  host: string
  /** Cluster name. */
  name: string
}

/** Removes a worker: drained and deleted, its host reset unless `down`. */
export interface ClusterRemoveWorker {
  /** The host is down for good: it is not contacted. */
  down?: boolean
  /** The worker's host. */
  host: string
  /** Cluster name. */
  name: string
}

/** Renews the cluster's certificates (members and masters one at a time). */
export interface ClusterRenewCerts {
  /** Cluster name. */
  name: string
}

/** Replaces master `old` by registered host `new` in one task: `new` joins, then `old` leaves. */
export interface ClusterReplaceMaster {
  /** Cluster name. */
  name: string
  /** The registered host that takes its place. */
  new: string
  /** The master to replace. */
  old: string
  /** The old master is down for good: it is not contacted (nor reset). */
  old_down?: boolean
}

/** Removes what the deployment put on the cluster's hosts. */
export interface ClusterReset {
  /** Cluster name. */
  name: string
}

/** Resets the cluster's hosts, then forgets the cluster — one task; a failed reset deletes nothing. */
export interface ClusterResetAndDelete {
  /** Cluster name. */
  name: string
}

/** Restores etcd from one of the cluster's backups (every member stops, then restarts). */
export interface ClusterRestore {
  /** The backup's name. */
  backup: string
  /** Cluster name. */
  name: string
}

/** A cluster with its nodes, certificates and latest task. */
export interface ClusterShow {
  /** Cluster name. */
  name: string
}

/** A whole cluster as the user declares it. */
export interface ClusterSpec {
  /** CPU architecture of the nodes. */
  arch: Arch
  /** Kubernetes API audit log. */
  audit_log: boolean
  /** The library bundle the hosts get their files from (default: the bundle of `version`). */
  bundle?: string | null
  /** Validity of the certificates the app issues, in days. */
  certificate_validity_days: number
  /** Optional components. */
  components: Components
  /** Encrypt Secrets at rest in etcd. */
  encryption_at_rest: boolean
  /** etcd tuning. */
  etcd: EtcdSettings
  /** How clients reach the API servers. */
  load_balancer: LoadBalancer
  /** Whether ordinary pods may run on masters. */
  masters_schedulable: boolean
  /** Cluster name: a DNS-1123 label. */
  name: string
  /** Container network and service network. */
  network: NetworkSettings
  /** How node names are derived. */
  node_name_rule: NodeNameRule
  /** The nodes (manual mode). */
  nodes: NodeSpec[]
  /** Deployment plan (auto mode only). */
  plan?: string | null
  /** Project the cluster belongs to. */
  project: string
  /** Where the nodes come from. */
  provider: Provider
  /** What to do with the hosts' package repositories. */
  repo_mode: RepoMode
  /** Container runtime. */
  runtime: RuntimeSettings
  /** How the hosts keep time: chrony from the bundle (when it carries it), or their own NTP client. */
  time_sync: TimeSync
  /** Kubernetes version, e.g. `v1.34.1`. */
  version: string
  /** Number of workers the plan creates (auto mode only). */
  worker_count?: number | null
}

/** Where a cluster is. */
export type ClusterStatus = "pending" | "initializing" | "running" | "staged" | "failed" | "lost"

/** Upgrades the cluster to Kubernetes `to`, workers `batch` at a time. */
export interface ClusterUpgrade {
  /** Workers upgraded at a time (1 when absent). */
  batch?: number | null
  /** Cluster name. */
  name: string
  /** The version to go to. */
  to: string
}

/** Every problem of a cluster file, against the registry (hosts, versions, projects). */
export interface ClusterValidate {
  /** The cluster file (YAML). */
  yaml: string
}

/** The outcome of validating a cluster file. */
export interface ClusterValidation {
  /** Every problem found (empty when the file is valid). */
  problems: Problem[]
  /** The spec with defaults filled in, when the file could be read. */
  spec: ClusterSpec | null
}

/** Restarts a workload's pods, as `kubectl rollout restart`. */
export interface ClusterWorkloadRestart {
  /** Its kind. */
  kind: WorkloadKind
  /** Cluster name. */
  name: string
  /** The workload's namespace. */
  namespace: string
  /** Its name. */
  workload: string
}

/** Sets a Deployment's or StatefulSet's replicas. */
export interface ClusterWorkloadScale {
  /** Its kind. */
  kind: WorkloadKind
  /** Cluster name. */
  name: string
  /** The workload's namespace. */
  namespace: string
  /** The replicas it is to have. */
  replicas: number
  /** Its name. */
  workload: string
}

/** Optional components. */
export interface Components {
  /** Install the GPU kit (NVIDIA device plugin). */
  gpu: boolean
  /** Install helm 3. */
  helm: boolean
  /** Ingress controller. */
  ingress: IngressKind
  /** Install metrics-server. */
  metrics_server: boolean
}

/** One of a pod's containers, for choosing where to run a command or whose log to read. */
export interface ContainerSummary {
  /** Its image. */
  image: string
  /** An init container (it ran before the others and is done, or still running). */
  init: boolean
  /** Its name. */
  name: string
  /** `running`, `waiting: CrashLoopBackOff`, `terminated: Completed`... (`unknown` before the kubelet reported it). */
  state: string
}

/** One context of a kubeconfig. */
export interface ContextSummary {
  /** The context's name. */
  name: string
  /** Its cluster's API server URL (empty when the cluster entry has none). */
  server: string
  /** Its user entry's name. */
  user: string
}

/** How many objects of each kind the store holds (for `koctl status` and the overview). */
export interface Counts {
  /** Tasks pending or running. */
  active_tasks: number
  /** Audit log entries. */
  audit_entries: number
  /** Clusters. */
  clusters: number
  /** Credentials. */
  credentials: number
  /** Enabled Kubernetes versions. */
  enabled_versions: number
  /** Hosts. */
  hosts: number
  /** Projects. */
  projects: number
  /** Users. */
  users: number
}

/** A credential as stored (no secret material). */
export interface Credential {
  /** ssh-agent socket (agent credentials; `None` means `SSH_AUTH_SOCK`). */
  agent_socket: string | null
  /** When it was created. */
  created_at: string
  /** The key is protected by a passphrase (kept in the keychain). */
  has_passphrase: boolean
  /** A separate sudo password is kept in the keychain. */
  has_sudo_password: boolean
  /** Row id. */
  id: number
  /** Key algorithm, e.g. `ssh-ed25519` (keys only). */
  key_algorithm: string | null
  /** `SHA256:...` fingerprint of the public key (keys only). */
  key_fingerprint: string | null
  /** Key of the keychain entry holding the secrets. */
  keychain_ref: string
  /** How it logs in. */
  kind: CredentialKind
  /** Unique name. */
  name: string
  /** SSH login user. */
  username: string
}

/** Adds a credential; its secrets go to the secret store. */
export interface CredentialAdd {
  /** The credential. */
  form: CredentialForm
}

/** A credential as the UI sends it; secrets go straight on to the secret store. */
export interface CredentialForm {
  /** The agent's socket (kind `agent`); the environment's `SSH_AUTH_SOCK` when empty. */
  agent_socket?: string | null
  /** `password`, `private_key` or `agent`. */
  kind: string
  /** Credential name. */
  name: string
  /** The key's passphrase, if it has one. */
  passphrase?: string | null
  /** The password (kind `password`). */
  password?: string | null
  /** The private key in OpenSSH or PEM form (kind `private_key`). */
  private_key?: string | null
  /** The password `sudo` asks for, if the user is not root. */
  sudo_password?: string | null
  /** SSH user name. */
  username: string
}

/** How a credential logs in. */
export type CredentialKind = "password" | "private_key" | "agent"

/** Removes a credential no host uses. */
export interface CredentialRm {
  /** Credential name. */
  name: string
}

/** What a delta bundle builds on. Its manifest lists every file of the complete bundle (and is what its signature covers); the zip holds only those the base lacks. */
export interface DeltaBase {
  /** The base bundle's name. */
  name: string
  /** Paths of the files the zip omits, each the same bytes (SHA-256) as a file of the base. */
  omitted: string[]
}

/** A block device. */
export interface Disk {
  /** e.g. `sda`. */
  name: string
  /** Bytes. */
  size: number
}

/** What a drain did. */
export interface DrainReport {
  /** Pods evicted (`namespace/name`). */
  evicted: string[]
  /** Evictions refused for a while by a disruption budget before they went through. */
  retried: number
  /** Pods left alone: DaemonSet pods (their controller would put them back) and static pods. */
  skipped: string[]
}

/** etcd tuning. */
export interface EtcdSettings {
  /** Hours of history kept by auto-compaction. */
  compaction_retention_hours: number
  /** Data directory on etcd members. */
  data_dir: string
  /** Election timeout in milliseconds (at least 5x the heartbeat). */
  election_timeout_ms: number
  /** Heartbeat interval in milliseconds. */
  heartbeat_interval_ms: number
  /** Backend quota in GiB (etcd's `--quota-backend-bytes`). */
  quota_backend_gib: number
  /** Number of committed transactions that trigger a snapshot to disk. */
  snapshot_count: number
}

/** What to run, where. */
export interface ExecTarget {
  /** The program and its arguments (`["sh"]`, `["cat", "/etc/os-release"]`). */
  command: string[]
  /** The container (needed when the pod has several). */
  container?: string | null
  /** The pod's namespace. */
  namespace: string
  /** The pod. */
  pod: string
}

/** Progress of a fetch. */
export type FetchProgress = {
  /** Files to download. */
  files: number
  stage: "planned"
  /** Bytes to download. */
  total: number
} | {
  /** Done. */
  done: number
  /** Files planned. */
  files: number
  /** Files finished. */
  files_done: number
  stage: "bytes"
  /** Planned. */
  total: number
}

/** What kind of thing a file is (decides what the playbooks do with it). */
export type FileKind = "binary" | "package" | "image" | "manifest" | "chart" | "other"

/** What a probe found (the API server answered). */
export interface Health {
  /** The API server's readiness checks (`/readyz?verbose`: `etcd`, `ping`, `informer-sync`...). */
  checks: Check[]
  /** The nodes. */
  nodes: NodeSummary[]
  /** The `kube-system` pods that are not running and ready (or completed). */
  pod_problems: PodProblem[]
  /** How many pods run in `kube-system`. */
  system_pods: number
  /** The API server's version. */
  version: string
}

/** Why a probe failed. */
export interface HealthError {
  /** Stable code (`k8s.unreachable`, `k8s.unauthorized`...). */
  code: string
  /** What happened and what to check. */
  message: string
}

/** Adds a host, pinning the fingerprint in the form (as confirmed by a person), and gathers its facts. */
export interface HostAdd {
  /** The host, with its confirmed fingerprint. */
  form: HostForm
}

/** A host with its facts parsed. */
export interface HostDetail {
  /** IP address or DNS name. */
  address: string
  /** `amd64` / `arm64` once facts are gathered. */
  arch: string | null
  /** The cluster it is a node of, if any. */
  cluster: string | null
  /** When it was registered. */
  created_at: string
  /** Credential name. */
  credential: string
  /** Its facts, once gathered. */
  facts: HostFacts | null
  /** When facts were gathered. */
  facts_at: string | null
  /** Pinned host key (OpenSSH public key line). */
  host_key: string | null
  /** Pinned host key algorithm. */
  host_key_algorithm: string | null
  /** Pinned host key's `SHA256:` fingerprint. */
  host_key_fingerprint: string | null
  /** Row id. */
  id: number
  /** Jump host name, if the host is reached through one. */
  jump: string | null
  /** Unique name. */
  name: string
  /** SSH port. */
  port: number
  /** `new`, `running`, `unreachable`, `failed`, `initializing`. */
  status: string
  /** Why the status is what it is. */
  status_message: string
}

/** Everything the app records about a host (the reference host list shows IP, CPU, memory, OS and architecture; the precheck uses the rest). */
export interface HostFacts {
  /** `amd64` / `arm64` (from `uname -m`), or the raw machine name. */
  arch: string
  /** The host's clock when the facts were read (Unix ms), for the clock-skew check. */
  clock_ms: number
  /** Online CPUs. */
  cpus: number
  /** Block disks: name and size in bytes. */
  disks: Disk[]
  /** Active firewall services (firewalld, ufw, nftables...), empty when none. */
  firewall: string[]
  /** NVIDIA GPUs found. */
  gpus: number
  /** The host's own host name. */
  hostname: string
  /** Kernel release. */
  kernel: string
  /** Total memory in MiB. */
  memory_mib: number
  /** Network interfaces with their addresses. */
  nics: Nic[]
  /** `ID` from os-release, e.g. `debian`, `ubuntu`, `rocky`. */
  os_id: string
  /** `ID_LIKE` (os family hints, e.g. `rhel fedora`). */
  os_like: string
  /** `PRETTY_NAME`. */
  os_name: string
  /** `VERSION_ID`, e.g. `12`. */
  os_version: string
  /** Container runtimes already installed (`containerd`, `docker`, `crictl`...). */
  runtimes: string[]
  /** `enforcing`, `permissive` or `disabled`. */
  selinux: string
  /** Total swap in MiB (should be 0 for Kubernetes). */
  swap_mib: number
  /** Time zone name. */
  timezone: string
}

/** Where a host is and how to log in, as the UI sends it. */
export interface HostForm {
  /** IP address or DNS name. */
  address: string
  /** Credential name. */
  credential: string
  /** The `SHA256:` fingerprint the person confirmed after a scan; required to add. */
  fingerprint?: string | null
  /** Jump host name, if any. */
  jump?: string | null
  /** Host name. */
  name: string
  /** SSH port (22 when absent). */
  port?: number | null
}

/** Adds hosts from CSV (`name,address,port,credential,jump,fingerprint`); every row needs its fingerprint. */
export interface HostImportCsv {
  /** The CSV. */
  csv: string
}

/** A host's public key as the app shows and stores it. */
export interface HostKey {
  /** e.g. `ssh-ed25519`. */
  algorithm: string
  /** `SHA256:...`, as `ssh-keygen -l` prints it. */
  fingerprint: string
  /** The key in OpenSSH `authorized_keys` form (`ssh-ed25519 AAAA...`). */
  openssh: string
}

/** What one host got. */
export interface HostPush {
  /** Bytes sent to it. */
  bytes_sent: number
  /** Error message. */
  error: string | null
  /** Error code, if the push to this host failed. */
  error_code: string | null
  /** Files the host already had. */
  files_present: number
  /** Files sent (missing or partial on the host). */
  files_sent: number
  /** Host name. */
  host: string
  /** The seed host its files came from (relay mode); `None` when they came from this machine. */
  via: string | null
}

/** Gathers a host's facts again. */
export interface HostRefresh {
  /** Host name. */
  name: string
}

/** Removes a host no cluster uses. */
export interface HostRm {
  /** Host name. */
  name: string
}

/** The key a host presents, to show its fingerprint before trusting it. */
export interface HostScanKey {
  /** Where the host is. */
  form: HostForm
}

/** One host. */
export interface HostShow {
  /** Host name. */
  name: string
}

/** A cluster to import. */
export interface ImportForm {
  /** Its name in the app. */
  name: string
  /** The project it belongs to (default `default`). */
  project?: string | null
  /** Where its access comes from. */
  source: ImportSource
}

/** The outcome of one row of a CSV import. */
export interface ImportRow {
  /** Line number in the file. */
  line: number
  /** The error message, for failures. */
  message: string
  /** Host name in that line. */
  name: string
  /** `ok`, or the error code. */
  result: string
}

/** Where an imported cluster's access comes from. */
export type ImportSource = {
  /** Its context to import (default: its current context). */
  context?: string | null
  from: "kubeconfig"
  /** The kubeconfig (YAML). */
  kubeconfig: string
} | {
  /** Its context to import (default: its current context). */
  context?: string | null
  from: "local_kubeconfig"
  /** The file (default: the user's own kubeconfig). */
  path?: string | null
} | {
  /** The CA certificate(s), PEM; none: the system's trusted roots. */
  ca_pem?: string | null
  from: "token"
  /** `https://host:port`. */
  server: string
  /** The token. */
  token: string
}

/** What a bundle import brought. */
export interface Imported {
  /** The bundle now in the library. */
  bundle: LibraryBundle
  /** Who vouched for it. */
  signature: Signature
}

/** Ingress controller. */
export type IngressKind = "nginx" | "traefik" | "none"

/** What a datacenter offers a zone. */
export interface Inventory {
  /** Clusters and standalone hosts. */
  compute: string[]
  /** Datastores. */
  datastores: string[]
  /** Networks (port groups, distributed port groups). */
  networks: string[]
  /** Resource pools as Terraform names them (`CLUSTER/Resources`, `HOST/Resources/child`). */
  resource_pools: string[]
  /** VMs marked as templates. */
  templates: string[]
}

/** One address of a pool. */
export interface IpAddressRow {
  /** The address. */
  address: string
  /** The host holding it (`used`). */
  host: string | null
  /** `available`, `used`, `locked` or `reachable`. */
  status: string
}

/** Adds an IP pool: ranges and gateway inside the subnet, the gateway in no range, ranges apart, no address in another pool (at most 65,536 addresses). */
export interface IpPoolAdd {
  /** The pool. */
  pool: IpPoolForm
}

/** Adds a range of addresses to a pool. */
export interface IpPoolAddRange {
  /** Pool name. */
  name: string
  /** `10.1.0.50-10.1.0.60`, or one address. */
  range: string
}

/** A pool with each address. */
export interface IpPoolDetail {
  /** Every address with its state and holder. */
  addresses: IpAddressRow[]
  /** The pool. */
  pool: IpPoolSummary
}

/** A new pool. */
export interface IpPoolForm {
  /** Free text. */
  description?: string
  /** DNS servers. */
  dns?: string[]
  /** The VMs' default gateway. */
  gateway: string
  /** Its name. */
  name: string
  /** Ranges handed to VMs (`10.1.0.10-10.1.0.200`, or one address). */
  ranges: string[]
  /** The subnet (`10.1.0.0/24`). */
  subnet: string
}

/** Locks a free address (never handed to a VM) or unlocks it. */
export interface IpPoolLock {
  /** The address. */
  address: string
  /** Locked (true) or available again (false). */
  locked: boolean
  /** Pool name. */
  name: string
}

/** Removes an IP pool that no zone uses and whose addresses no host holds. */
export interface IpPoolRm {
  /** Pool name. */
  name: string
}

/** One IP pool with each address's state and the host holding it. */
export interface IpPoolShow {
  /** Pool name. */
  name: string
}

/** A pool at a glance. */
export interface IpPoolSummary {
  /** How many addresses are in each state. */
  counts: AddressCounts
  /** Free text. */
  description: string
  /** DNS servers. */
  dns: string[]
  /** The gateway. */
  gateway: string
  /** Its name. */
  name: string
  /** Its addresses as the fewest ranges. */
  ranges: string[]
  /** The subnet. */
  subnet: string
}

/** A kind as the views present it. */
export interface KindInfo {
  /** Its rows' columns (after namespace and name). */
  columns: string[]
  /** The kind. */
  kind: ResourceKind
  /** Its objects live in namespaces. */
  namespaced: boolean
}

/** A kubeconfig's contexts, for choosing one. */
export interface KubeconfigContexts {
  /** Every context, in file order. */
  contexts: ContextSummary[]
  /** The file's `current-context`, if it names one of them. */
  current: string | null
}

/** The contexts of a kubeconfig (nothing is contacted or stored). */
export interface KubeconfigContextsOf {
  /** The kubeconfig (YAML). */
  kubeconfig: string
}

/** A Kubernetes version. */
export interface KubernetesVersion {
  /** New clusters may use it. */
  enabled: boolean
  /** `catalog` (built in) or `bundle` (brought by an imported bundle). */
  source: string
  /** e.g. `v1.34.1`. */
  version: string
}

/** A bundle in the library. */
export interface LibraryBundle {
  /** Architectures. */
  arches: string[]
  /** Where it is. */
  dir: string
  /** Number of files. */
  files: number
  /** Kubernetes version it serves. */
  kubernetes_version: string | null
  /** Bundle name (its directory). */
  name: string
  /** Whether `manifest.sig` is present (it was checked at import). */
  signed: boolean
  /** Total size. */
  size: number
}

/** How clients reach the API servers. */
export interface LoadBalancer {
  /** Where haproxy and keepalived come from (image, the default, or package). */
  from: LoadBalancerSource
  /** Hosts that carry the VIP (external mode); empty means the masters. */
  hosts?: string[]
  /** internal or external. */
  mode: LoadBalancerMode
  /** Virtual IP (external mode). */
  vip?: string | null
}

/** How clients reach the API servers. */
export type LoadBalancerMode = "internal" | "external"

/** Where the load balancer's haproxy and keepalived come from. */
export type LoadBalancerSource = "image" | "package"

/** The contexts of the kubeconfig on the machine the app runs on (default `$KUBECONFIG`, else `~/.kube/config`): for that machine's own user only. */
export interface LocalKubeconfigContexts {
  /** Another file than the default. */
  path?: string | null
}

/** Whose log, and which part of it. */
export interface LogForm {
  /** The container (needed when the pod has several). */
  container?: string | null
  /** Keep streaming new lines. */
  follow?: boolean
  /** The pod's namespace. */
  namespace: string
  /** The pod. */
  pod: string
  /** The previous instance's log (of a container that restarted). */
  previous?: boolean
  /** Only lines of the last so many seconds. */
  since_seconds?: number | null
  /** Only the last so many lines. */
  tail_lines?: number | null
  /** Each line with its time (RFC 3339) first. */
  timestamps?: boolean
}

/** A log line. */
export interface LogLine {
  /** When it was recorded. */
  at: string
  /** Host, when the line came from a step on a host. */
  host: string | null
  /** Row id (increasing: `--follow` asks for lines after the last one it saw). */
  id: number
  /** The text. */
  line: string
  /** Step name. */
  step: string | null
  /** `stdout`, `stderr`, `info`. */
  stream: string
}

/** Who is acting, as the UI shows it (the desktop: the OS account; `koctl serve`: who logged in). */
export interface Me {
  /** Whether the user is a system administrator. */
  is_admin: boolean
  /** Whether the password must be changed before anything else (`koctl serve` only). */
  must_change_password: boolean
  /** User name. */
  name: string
}

/** Makes a user a member of a project as `project_admin` or `cluster_admin` (or changes the role). */
export interface MemberAdd {
  /** Project name. */
  name: string
  /** `project_admin` or `cluster_admin`. */
  role: string
  /** User name. */
  user: string
}

/** Takes a user out of a project. */
export interface MemberRm {
  /** Project name. */
  name: string
  /** User name. */
  user: string
}

/** A user's role in one project. */
export interface Membership {
  /** Project name. */
  project: string
  /** Project id. */
  project_id: number
  /** `project_admin` or `cluster_admin`. */
  role: string
  /** User name. */
  user: string
  /** User id. */
  user_id: number
}

/** CNI plugin. */
export type NetworkPlugin = "flannel" | "calico" | "cilium"

/** Container network and service network. */
export interface NetworkSettings {
  /** Cluster DNS domain. */
  dns_domain: string
  /** NIC the CNI uses on multi-NIC hosts. */
  interface?: string | null
  /** Most pods one node runs. */
  max_pods_per_node: number
  /** Most services in the cluster. */
  max_services: number
  /** Plugin mode; defaults to the plugin's first mode. */
  mode?: string | null
  /** Install NodeLocal DNSCache. */
  nodelocal_dns: boolean
  /** CNI plugin. */
  plugin: NetworkPlugin
  /** Pod network. */
  pod_cidr: string
  /** kube-proxy mode. */
  proxy_mode: ProxyMode
  /** Service network. */
  service_cidr: string
}

/** A repository to set for one architecture. */
export interface NewRepository {
  /** `amd64` or `arm64`. */
  arch: string
  /** Host name or IP. */
  hostname: string
  /** `http` or `https`. */
  protocol: string
  /** Container registry port. */
  registry_port?: number | null
  /** Package repository port. */
  repo_port: number
}

/** A next step: an action a person can take, with its arguments. */
export type NextStep = {
  action: "list"
  /** The kind of object. */
  kind: string
} | {
  action: "project_add"
  /** Its name. */
  name: string
} | {
  action: "version_enable"
  /** The version. */
  version: string
} | {
  action: "host_add"
  /** Its name. */
  name: string
} | {
  action: "host_trust"
  /** The key it presented, when known. */
  fingerprint: string | null
  /** The host. */
  host: string
} | {
  action: "host_refresh"
  /** The hosts. */
  hosts: string[]
} | {
  action: "mark_down"
  /** The nodes that did not answer. */
  hosts: string[]
} | {
  action: "bundle_import"
} | {
  action: "bundle_trust_add"
  /** The key's fingerprint. */
  fingerprint: string
} | {
  action: "credential_add"
  /** The credential. */
  name: string
} | {
  action: "task_list"
  /** The cluster. */
  cluster: string
} | {
  action: "task_cancel"
  /** The cluster whose task runs. */
  cluster: string
} | {
  action: "task_retry"
  /** The task. */
  task: number
} | {
  action: "cluster_deploy"
  /** The cluster. */
  cluster: string
} | {
  action: "user_remove"
  /** The user. */
  name: string
}

/** A network interface. */
export interface Nic {
  /** CIDR addresses on it. */
  addresses: string[]
  /** e.g. `eth0`. */
  name: string
}

/** The input of an operation that takes none. */
export type NoInput = Record<string, unknown>

/** A cluster node. */
export interface Node {
  /** etcd member. */
  etcd: boolean
  /** Host name. */
  host: string
  /** Roles. */
  master: boolean
  /** Node name (the host's name). */
  name: string
  /** Status. */
  status: string
  /** Worker. */
  worker: boolean
}

/** How Kubernetes node names are derived. */
export type NodeNameRule = "default" | "hostname" | "ip"

/** What a node does in the cluster. */
export type NodeRole = "master" | "etcd" | "worker"

/** One node of a manual-mode cluster. */
export interface NodeSpec {
  /** Name of a registered host. */
  host: string
  /** Extra Kubernetes node labels. */
  labels?: Record<string, string>
  /** Kubernetes node name. Usually left out: the app names the node by `node_name_rule` when the cluster is created (or the node added) and keeps that name for good. */
  name?: string | null
  /** What the node does. */
  roles: NodeRole[]
  /** Availability zone (failure domain) the host sits in. */
  zone?: string | null
}

/** One node of a cluster, read from the API. */
export interface NodeSummary {
  /** CPU architecture (`amd64`, `arm64`...). */
  arch: string
  /** Its internal IP address, if it reports one. */
  internal_ip: string
  /** The kubelet's version. */
  kubelet_version: string
  /** Node name. */
  name: string
  /** Why it is not ready (the condition's reason and message), empty when it is. */
  not_ready_reason: string
  /** Its `Ready` condition is `True`. */
  ready: boolean
  /** Roles from its `node-role.kubernetes.io/ROLE` labels (`control-plane`, `worker`...); a node without one is listed as `worker`. */
  roles: string[]
  /** New pods are not scheduled on it (cordoned). */
  unschedulable: boolean
}

/** Adds an NTP server. */
export interface NtpAdd {
  /** Host name or IP. */
  address: string
  /** Its name. */
  name: string
}

/** Removes an NTP server. */
export interface NtpRm {
  /** Its name. */
  name: string
}

/** An NTP server the nodes synchronise with. */
export interface NtpServer {
  /** Host name or IP. */
  address: string
  /** Used by new deployments. */
  enabled: boolean
  /** Unique name. */
  name: string
}

/** Enables or disables an NTP server. */
export interface NtpSetEnabled {
  /** Whether hosts use it. */
  enabled: boolean
  /** Its name. */
  name: string
}

/** A phase as the journal has it. */
export interface PhaseRow {
  /** Finished. */
  finished_at: string | null
  /** Name. */
  name: string
  /** Phase number. */
  seq: number
  /** Started. */
  started_at: string | null
  /** Status. */
  status: string
}

/** What a log view receives: lines in batches, then the end (a log not followed, or a pod gone) or why it broke. */
export type PodLogUpdate = {
  data: string[]
  kind: "lines"
} | {
  kind: "end"
} | {
  data: {
  /** Stable code. */
  code: string
  /** What happened. */
  message: string
}
  kind: "failed"
}

/** A system pod that is not well. */
export interface PodProblem {
  /** Pod name. */
  name: string
  /** Its node. */
  node: string
  /** Its phase (`Pending`, `Running`, `Failed`...). */
  phase: string
  /** Why it is not well (a waiting container's reason, or the containers not ready). */
  reason: string
  /** Restarts of its containers, summed. */
  restarts: number
}

/** One thing wrong with some input: a stable machine-readable code, the field it concerns, and a message for a person that says what to change. */
export interface Problem {
  /** Stable code, e.g. `network.cidr_overlap`. UIs and scripts may match on it. */
  code: string
  /** Dotted path of the field concerned, e.g. `network.pod_cidr` or `nodes[2].roles`. */
  field: string
  /** What is wrong and what to do about it. */
  message: string
  /** The step that fixes it, when there is one (each door words it: a command, a button). */
  next?: NextStep | null
}

/** A project. */
export interface Project {
  /** When it was created (UTC, RFC 3339). */
  created_at: string
  /** Free text. */
  description: string
  /** Row id. */
  id: number
  /** Unique name. */
  name: string
}

/** Adds a project. */
export interface ProjectAdd {
  /** What it is for. */
  description?: string
  /** Project name. */
  name: string
}

/** A project with its members and clusters. */
export interface ProjectDetail {
  /** Its clusters. */
  clusters: string[]
  /** When it was created (UTC, RFC 3339). */
  created_at: string
  /** Free text. */
  description: string
  /** Row id. */
  id: number
  /** Its members and their roles. */
  members: Membership[]
  /** Unique name. */
  name: string
}

/** Removes an empty project. */
export interface ProjectRm {
  /** Project name. */
  name: string
}

/** A project with its members and clusters. */
export interface ProjectShow {
  /** Project name. */
  name: string
}

/** Where a cluster's nodes come from. */
export type Provider = "manual" | "plan"

/** kube-proxy mode. */
export type ProxyMode = "iptables" | "ipvs"

/** A push as the UI asks for it. */
export interface PushForm {
  /** Hosts to push to. */
  hosts: string[]
  /** Seed host that copies to the others (relay mode), if any. */
  relay?: string | null
}

/** Progress of a push, across all hosts. */
export interface PushProgress {
  /** Bytes sent so far, all hosts together. */
  bytes_done: number
  /** Bytes to send, all hosts together (known once every host was asked what it has). */
  bytes_total: number
  /** File being sent. */
  file: string
  /** Files finished, all hosts together. */
  files_done: number
  /** Files to send, all hosts together. */
  files_total: number
  /** Host the update is about. */
  host: string
}

/** What a push reports, in order: progress, then `done` or `failed`; nothing follows those. */
export type PushUpdate = {
  data: PushProgress
  kind: "progress"
} | {
  data: HostPush[]
  kind: "done"
} | {
  data: {
  /** Stable error code. */
  code: string
  /** What went wrong and what to do. */
  message: string
}
  kind: "failed"
}

/** Adds a region after logging in to it (its certificate must have the fingerprint given) and finding its datacenter; the password goes to the secret store. */
export interface RegionAdd {
  /** The region. */
  region: RegionForm
}

/** What a region's endpoint answered now. */
export interface RegionCheck {
  /** The product, version and datacenters. */
  about: About
  /** What the region's datacenter offers a zone. */
  inventory: Inventory
}

/** Logs in to a region now: its product and datacenters, and what its datacenter offers a zone (compute resources, resource pools, datastores, networks, templates). */
export interface RegionCheckInput {
  /** Region name. */
  name: string
}

/** How a region is reached (kept as its config; the password is not in it). */
export interface RegionEndpoint {
  /** The pinned certificate fingerprint. */
  fingerprint: string
  /** Host name or address. */
  host: string
  /** HTTPS port. */
  port: number
  /** The user. */
  user: string
}

/** The SHA-256 fingerprint of the certificate an endpoint presents: check it with its administrator, then give it to the region (the certificate is pinned). */
export interface RegionFingerprint {
  /** Host name or address. */
  host: string
  /** HTTPS port. */
  port?: number
}

/** A new region. */
export interface RegionForm {
  /** The datacenter this region is. */
  datacenter: string
  /** The SHA-256 fingerprint of the vCenter's certificate, as read by the fingerprint check. */
  fingerprint: string
  /** The vCenter's host name or address. */
  host: string
  /** Its name. */
  name: string
  /** The password (kept in the secret store). */
  password: string
  /** Its HTTPS port. */
  port?: number
  /** `vsphere` (OpenStack and FusionCompute: not yet). */
  provider: string
  /** The user (an administrator's role is advised). */
  user: string
}

/** Removes a region no zone uses (and its password). */
export interface RegionRm {
  /** Region name. */
  name: string
}

/** A region as listed. */
export interface RegionSummary {
  /** The datacenter. */
  datacenter: string
  /** How it is reached. */
  endpoint: RegionEndpoint
  /** Its name. */
  name: string
  /** `vsphere`, `openstack` or `fusioncompute`. */
  provider: string
  /** Its zones. */
  zones: string[]
}

/** What happens to the package repositories already configured on the hosts. */
export type RepoMode = "replace" | "coexist" | "none"

/** Removes the package repository of an architecture. */
export interface RepoRm {
  /** `amd64` or `arm64`. */
  arch: string
}

/** Sets the package repository of an architecture. */
export interface RepoSet {
  /** The repository. */
  repo: NewRepository
}

/** A package repository / registry for one CPU architecture. */
export interface Repository {
  /** `amd64` or `arm64`. */
  arch: string
  /** Host name or IP. */
  hostname: string
  /** `http` or `https`. */
  protocol: string
  /** Port of the container registry, if any. */
  registry_port: number | null
  /** Port of the package repository. */
  repo_port: number
}

/** A kind of object the views show. */
export type ResourceKind = "nodes" | "namespaces" | "pods" | "deployments" | "stateful_sets" | "daemon_sets" | "jobs" | "cron_jobs" | "services" | "ingresses" | "persistent_volumes" | "persistent_volume_claims" | "config_maps" | "secrets" | "events"

/** One object as a row. */
export interface ResourceRow {
  /** The values of its kind's [`ResourceKind::columns`]. */
  cells: string[]
  /** When it was created (RFC 3339), empty if not told. */
  created: string
  /** `NAMESPACE/NAME`, or `NAME` for a cluster-scoped object: unique in its kind. */
  key: string
  /** Its name. */
  name: string
  /** Its namespace (none: cluster-scoped). */
  namespace: string | null
  /** How it looks at a glance. */
  state: RowState
}

/** What a view of one kind receives. */
export type ResourceUpdate = {
  data: ResourceRow[]
  kind: "snapshot"
} | {
  data: ResourceRow
  kind: "upsert"
} | {
  data: string
  kind: "remove"
} | {
  data: string
  kind: "reconnecting"
}

/** How a row looks at a glance. */
export type RowState = "neutral" | "ok" | "warning" | "error"

/** Container runtime. */
export type RuntimeKind = "containerd" | "docker"

/** Container runtime settings. */
export interface RuntimeSettings {
  /** Address and prefix of the container bridge (docker0 / the runtime's default bridge). */
  bridge_cidr: string
  /** Runtime data directory; defaults to the runtime's usual one. */
  data_dir?: string | null
  /** containerd or docker. */
  type: RuntimeKind
}

/** Gives the (open) secrets vault a new passphrase: every secret is encrypted again. */
export interface SecretsPassphraseChange {
  /** The new passphrase. */
  passphrase: string
}

/** The secret store as the status and the overview show it. */
export interface SecretsStatus {
  /** What keeps them ("Secret Service over D-Bus", "encrypted vault file /path/secrets.vault"). */
  backend: string
  /** The OS keychain or the vault file. */
  kind: StoreKind
  /** Why it cannot be used now, and how to fix that. */
  problem: string | null
  /** The code of that problem (`keychain.locked`, `keychain.unavailable`...). */
  problem_code: string | null
  /** Whether they can be used now. */
  state: StoreState
}

/** Gives the secrets vault its passphrase (`create`: makes a new vault with it). */
export interface SecretsUnlock {
  /** The passphrase and whether to create the vault. */
  form: UnlockForm
}

/** When the API server's serving certificate expires. */
export interface ServingCert {
  /** Whole days from the probe until then. */
  days_left: number
  /** End of validity (RFC 3339, UTC). */
  not_after: string
}

/** Who vouches for a bundle. */
export type Signature = {
  key: string
  state: "trusted"
} | {
  state: "unsigned"
}

/** One stage of an operation: a built-in playbook, by name (an operator's override in the data dir replaces it under the same name). */
export type Stage = "precheck" | "bundle" | "base" | "runtime" | "loadbalancer" | "etcd" | "kubernetes" | "control-plane" | "join" | "network" | "addons" | "post" | "remove-node" | "etcd-leave" | "reset" | "backup" | "restore" | "certs" | "renew-certs" | "upgrade"

/** The answer to a started task: where to follow it. */
export interface Started {
  /** The task's id. */
  task_id: number
}

/** The state of this installation. */
export interface StatusReport {
  /** Who is acting. */
  actor: string
  /** How many of each object exist. */
  counts: Counts
  /** Data dir. */
  data_dir: string
  /** Database file. */
  database: string
  /** The phases of a cluster deployment, in order (where `--until` may stop one). */
  deploy_phases: Stage[]
  /** Schema version of the database. */
  schema_version: number
  /** Where the secrets are kept, and whether they can be used now. */
  secrets: SecretsStatus
  /** App version. */
  version: string
}

/** A step on a host as the journal has it. */
export interface StepHost {
  /** Attempt of the task that last ran it. */
  attempt: number
  /** Exit code. */
  exit_code: number | null
  /** Finished. */
  finished_at: string | null
  /** Host name. */
  host: string
  /** What happened. */
  message: string
  /** Phase number. */
  phase: number
  /** Phase name. */
  phase_name: string
  /** Started. */
  started_at: string | null
  /** Status. */
  status: string
  /** Step number in the phase. */
  step: number
  /** Step name. */
  step_name: string
}

/** Where a data dir's secrets are kept. */
export type StoreKind = "keychain" | "vault"

/** Whether the store can be used now. `unavailable`: no keychain answers (none here, or its daemon stopped or crashed); `sealed`: the vault waits for its passphrase; `new`: there is no vault yet, and the first passphrase given makes it. */
export type StoreState = "ready" | "locked" | "unavailable" | "sealed" | "new" | "failing"

/** A task. */
export interface Task {
  /** Attempts so far. */
  attempt: number
  /** Cluster it works on. */
  cluster: string | null
  /** Created. */
  created_at: string
  /** Who started it. */
  created_by: string | null
  /** Why it failed. */
  error: string | null
  /** Finished. */
  finished_at: string | null
  /** Row id. */
  id: number
  /** What it does. */
  kind: TaskKind
  /** Its parameters: its [`Operation`] as JSON, all a retry needs to run it again. */
  params: string
  /** Last attempt started. */
  started_at: string | null
  /** Where it is. */
  status: TaskStatus
  /** What it does, for people. */
  title: string
}

/** Asks a running task to stop (whichever process runs it). */
export interface TaskCancel {
  /** Task id. */
  id: number
}

/** A task with its journal. */
export interface TaskDetail {
  /** Its phases. */
  phases: PhaseRow[]
  /** Every step on every host. */
  steps: StepHost[]
  /** The task. */
  task: Task
}

/** What a task does (the operation that started it; a retry keeps it). */
export type TaskKind = "cluster.create" | "cluster.deploy" | "cluster.backup" | "cluster.restore" | "cluster.reset" | "cluster.delete" | "cluster.certs" | "cluster.renew_certs" | "cluster.add_workers" | "cluster.remove_worker" | "cluster.add_masters" | "cluster.remove_master" | "cluster.replace_master" | "cluster.upgrade"

/** The newest tasks, of one cluster or of all the actor may see. */
export interface TaskList {
  /** Only this cluster's tasks. */
  cluster?: string | null
  /** At most this many (50 when absent). */
  limit?: number | null
}

/** A task's log lines after line `after`. */
export interface TaskLogs {
  /** Only lines after this one (0 when absent: from the start). */
  after?: number | null
  /** Task id. */
  id: number
  /** At most this many lines (10,000 when absent). */
  limit?: number | null
}

/** Runs a failed, cancelled or interrupted task again from where it stopped. */
export interface TaskRetry {
  /** Task id. */
  id: number
}

/** A task with its journal: phases, and every step on every host. */
export interface TaskShow {
  /** Task id. */
  id: number
}

/** Where a task is. */
export type TaskStatus = "pending" | "running" | "ok" | "failed" | "cancelled" | "interrupted"

/** What a follower learns, in journal order. */
export type TaskUpdate = {
  data: LogLine[]
  kind: "lines"
} | {
  data: TaskStatus
  kind: "status"
} | {
  data: TaskStatus
  kind: "end"
} | {
  data: {
  /** Stable error code. */
  code: string
  /** What went wrong. */
  message: string
}
  kind: "unreadable"
}

/** How the hosts keep time. */
export type TimeSync = "chrony" | "host"

/** A public key whose bundle signatures are trusted. */
export interface TrustedBundleKey {
  /** When it was added. */
  created_at: string
  /** Name. */
  name: string
  /** base64 ed25519 public key. */
  public_key: string
}

/** The secrets vault's passphrase, as an administrator gives it in the UI. */
export interface UnlockForm {
  /** Make a new vault with it (there is none yet); else open the existing one. */
  create?: boolean
  /** The passphrase. */
  passphrase: string
}

/** A user, without the password hash. */
export interface User {
  /** May log in / act. */
  active: boolean
  /** When it was created. */
  created_at: string
  /** E-mail address for notifications. */
  email: string
  /** Row id. */
  id: number
  /** System administrator. */
  is_admin: boolean
  /** Must change the password at the next login before anything else. */
  must_change_password: boolean
  /** Unique login name. */
  name: string
  /** `local`, `ldap` or `os` (the desktop's own OS account). */
  source: string
}

/** Adds a user. */
export interface UserAdd {
  /** The new user. */
  form: UserForm
}

/** A user as the UI sends it. */
export interface UserForm {
  /** System administrator. */
  admin?: boolean
  /** E-mail address. */
  email?: string
  /** Login name. */
  name: string
  /** Password for `koctl serve` logins. */
  password: string
}

/** Removes a user. */
export interface UserRm {
  /** User name. */
  name: string
}

/** Enables or disables a user's log-in. */
export interface UserSetActive {
  /** Whether the user may log in. */
  active: boolean
  /** User name. */
  name: string
}

/** Sets a user's password (to be changed at the next log-in). */
export interface UserSetPassword {
  /** User name. */
  name: string
  /** The new password. */
  password: string
}

/** A bundle that passed every check. */
export interface VerifyReport {
  /** Bytes hashed. */
  bytes_checked: number
  /** Its manifest. */
  manifest: BundleManifest
  /** Its signature state. */
  signature: Signature
}

/** Allows or forbids a Kubernetes version for new clusters. */
export interface VersionSetEnabled {
  /** Whether new clusters may use it. */
  enabled: boolean
  /** The version (`v1.35.2`). */
  version: string
}

/** What a view watches. */
export interface WatchForm {
  /** The kind of object. */
  kind: ResourceKind
  /** Only this namespace (ignored for cluster-scoped kinds; none: all). */
  namespace?: string | null
}

/** The workloads that restart and scale. */
export type WorkloadKind = "deployment" | "stateful_set" | "daemon_set"

/** How far a build's writing is: bytes and files added of the totals, which are known (and reported, with no file yet) before anything is written. */
export interface WriteProgress {
  /** Bytes added. */
  done: number
  /** The file being added (empty before the first). */
  file: string
  /** Files to add. */
  files: number
  /** Files added (or, in a delta, found in the base). */
  files_done: number
  /** Bytes to add. */
  total: number
}
