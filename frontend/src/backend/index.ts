// The one door of the UI to the application. Two implementations: HTTP (koctl serve, here) and
// Tauri invoke + Channel (the desktop window, with the Tauri shell).
import type {
  AuditEntry,
  Bundle,
  ClusterDetail,
  Cluster,
  Credential,
  CredentialForm,
  Host,
  HostForm,
  HostKey,
  Imported,
  KubernetesVersion,
  LogLine,
  Me,
  NtpServer,
  Project,
  Status,
  Task,
  TaskDetail,
  TrustedKey,
  Validation,
} from './types'

/** Events of a followed task. */
export interface TaskFollower {
  onLine(line: LogLine): void
  onStatus(status: string): void
  onEnd(status: string): void
}

export interface Backend {
  login(name: string, password: string): Promise<Me>
  me(): Promise<Me | null>
  logout(): Promise<void>
  changePassword(old: string, password: string): Promise<void>
  status(): Promise<Status>
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
  /** Uploads a bundle zip into the library (verified; unsigned ones only with `allowUnsigned`). */
  importBundle(file: Blob, allowUnsigned: boolean): Promise<Imported>
  audit(limit: number): Promise<AuditEntry[]>
  ntpServers(): Promise<NtpServer[]>
  addNtpServer(name: string, address: string): Promise<NtpServer>
  setNtpServerEnabled(name: string, enabled: boolean): Promise<void>
  removeNtpServer(name: string): Promise<void>
  trustedKeys(): Promise<TrustedKey[]>
  addTrustedKey(name: string, publicKey: string): Promise<void>
  removeTrustedKey(name: string): Promise<void>
  projects(): Promise<Project[]>
  /** Every problem of a cluster file, against the registry (hosts, versions, projects). */
  validateCluster(file: string): Promise<Validation>
  /** Registers the cluster and starts its creation; returns the task id. */
  createCluster(file: string): Promise<number>
  clusters(): Promise<Cluster[]>
  cluster(name: string): Promise<ClusterDetail>
  tasks(): Promise<Task[]>
  task(id: number): Promise<TaskDetail>
  backup(cluster: string): Promise<number>
  retry(task: number): Promise<number>
  cancel(task: number): Promise<void>
  /** Streams a task's journal from the start; returns a function that stops following. */
  follow(task: number, f: TaskFollower): () => void
}
