// The one door of the UI to the application. Two implementations: Tauri invoke + Channel (the
// desktop window, tauri.ts) and HTTP + server-sent events (`koctl serve` in a browser, http.ts).
import type {
  ImportRow,
  NewRepository,
  PushForm,
  PushUpdate,
  ProjectDetail,
  Repository,
  User,
  UserForm,
  VerifyReport,
  AuditEntry,
  Bundle,
  ClusterBackups,
  ClusterDetail,
  Cluster,
  Credential,
  CredentialForm,
  Host,
  HostForm,
  HostKey,
  Imported,
  KubernetesVersion,
  Me,
  NtpServer,
  Project,
  Status,
  UnlockForm,
  Task,
  TaskDetail,
  TaskUpdate,
  TrustedKey,
  Validation,
} from './types'

/** A bundle to import: a file the browser picked (uploaded), or a path on this machine (desktop). */
export type BundleSource = { file: Blob } | { path: string }

export interface Backend {
  /** `desktop`: the OS account acts, no log-in; `browser`: users log in to `koctl serve`. */
  readonly kind: 'desktop' | 'browser'
  login(name: string, password: string): Promise<Me>
  me(): Promise<Me | null>
  logout(): Promise<void>
  changePassword(old: string, password: string): Promise<void>
  status(): Promise<Status>
  /** Gives the secrets vault its passphrase (`create`: makes a new vault with it). */
  unlockSecrets(form: UnlockForm): Promise<void>
  /** Gives the (open) secrets vault a new passphrase. */
  changeVaultPassphrase(passphrase: string): Promise<void>
  hosts(): Promise<Host[]>
  /** The key a host presents, to show its fingerprint before trusting it. */
  scanHost(form: HostForm): Promise<HostKey>
  /** Adds a host pinning the fingerprint in `form` (as confirmed by the user). */
  addHost(form: HostForm): Promise<Host>
  refreshHost(name: string): Promise<Host>
  removeHost(name: string): Promise<void>
  credentials(): Promise<Credential[]>
  addCredential(form: CredentialForm): Promise<Credential>
  removeCredential(name: string): Promise<void>
  versions(): Promise<KubernetesVersion[]>
  setVersionEnabled(version: string, enabled: boolean): Promise<void>
  bundles(): Promise<Bundle[]>
  /** The desktop's native file picker for bundles (a path; null when cancelled). */
  pickBundle?(): Promise<string | null>
  /** Checks a bundle zip as an import would (hashes, sizes, paths, signature) without importing it. */
  verifyBundle(source: BundleSource): Promise<VerifyReport>
  /** Pushes a library bundle to hosts; `onUpdate` sees progress, then `done` or `failed`. */
  pushBundle(name: string, form: PushForm, onUpdate: (u: PushUpdate) => void): Promise<void>
  /** Imports a bundle zip into the library (verified; unsigned ones only with `allowUnsigned`). */
  importBundle(source: BundleSource, allowUnsigned: boolean): Promise<Imported>
  audit(limit: number): Promise<AuditEntry[]>
  ntpServers(): Promise<NtpServer[]>
  addNtpServer(name: string, address: string): Promise<NtpServer>
  setNtpServerEnabled(name: string, enabled: boolean): Promise<void>
  removeNtpServer(name: string): Promise<void>
  trustedKeys(): Promise<TrustedKey[]>
  addTrustedKey(name: string, publicKey: string): Promise<void>
  removeTrustedKey(name: string): Promise<void>
  projects(): Promise<Project[]>
  project(name: string): Promise<ProjectDetail>
  addProject(name: string, description: string): Promise<Project>
  removeProject(name: string): Promise<void>
  /** Makes `user` a member of `project` as `project_admin` or `cluster_admin` (or changes the role). */
  addMember(project: string, user: string, role: string): Promise<void>
  removeMember(project: string, user: string): Promise<void>
  users(): Promise<User[]>
  addUser(form: UserForm): Promise<User>
  setUserActive(name: string, active: boolean): Promise<void>
  setUserPassword(name: string, password: string): Promise<void>
  removeUser(name: string): Promise<void>
  repositories(): Promise<Repository[]>
  setRepository(repo: NewRepository): Promise<void>
  removeRepository(arch: string): Promise<void>
  /** Adds hosts from CSV (`name,address,port,credential,jump,fingerprint`); every row needs its fingerprint. */
  importHosts(csv: string): Promise<ImportRow[]>
  /** Every problem of a cluster file, against the registry (hosts, versions, projects). */
  validateCluster(file: string): Promise<Validation>
  /** Registers the cluster and starts its creation (up to phase `until`, when given); returns the task id. */
  createCluster(file: string, until?: string): Promise<number>
  /** Continues a staged cluster (created with `--until`): the phases after the last one done, up to `until` when given. */
  deployCluster(name: string, until?: string): Promise<number>
  /** Adds registered hosts to a running cluster as workers (in `zone`, when given); returns the task id. */
  addWorkers(name: string, hosts: string[], zone?: string): Promise<number>
  /** Adds registered hosts as masters (replacing one a later removeMaster takes out, when given); returns the task id. */
  addMasters(name: string, hosts: string[], replacing?: string, down?: string[]): Promise<number>
  /** Removes a master (drained, out of etcd, refreshed everywhere, its host reset unless `down`); returns the task id. */
  removeMaster(name: string, host: string, down: boolean): Promise<number>
  /** Removes a worker (drain, delete, reset its host unless `down`); returns the task id. */
  removeWorker(name: string, host: string, down: boolean): Promise<number>
  /** Upgrades the cluster to Kubernetes `to`, workers `batch` at a time; returns the task id. */
  upgradeCluster(name: string, to: string, batch: number): Promise<number>
  /** Removes what the deployment put on the cluster's hosts; returns the task id. */
  resetCluster(name: string): Promise<number>
  /** Forgets the cluster (its certificates and backups too); its hosts stay registered. */
  deleteCluster(name: string): Promise<void>
  /** Collects the cluster's certificates from its hosts (their expiry shows on the cluster); returns the task id. */
  checkCerts(name: string): Promise<number>
  /** Renews the cluster's certificates (members and masters one at a time); returns the task id. */
  renewCerts(name: string): Promise<number>
  /** Saves the cluster's kubeconfig (cluster-admin via ko-admin) where the person chooses; the file name, or null if cancelled. */
  exportKubeconfig(name: string): Promise<string | null>
  clusters(): Promise<Cluster[]>
  cluster(name: string): Promise<ClusterDetail>
  tasks(): Promise<Task[]>
  task(id: number): Promise<TaskDetail>
  /** Each visible cluster's backup count and latest backup. */
  backups(): Promise<ClusterBackups[]>
  backup(cluster: string): Promise<number>
  /** Restores etcd of `cluster` from one of its backups (a task; every member stops, then restarts). */
  restore(cluster: string, backup: string): Promise<number>
  retry(task: number): Promise<number>
  cancel(task: number): Promise<void>
  /** Streams a task's journal from the start; returns a function that stops following. */
  follow(task: number, onUpdate: (u: TaskUpdate) => void): () => void
}
