// The shapes of ko-api's answers (serde JSON). Written by hand for now; generating them from the
// Rust types (ts-rs) with a drift check in CI comes with the desktop shell.

export interface Me {
  name: string
  is_admin: boolean
  must_change_password: boolean
}

export interface Counts {
  projects: number
  users: number
  credentials: number
  hosts: number
  clusters: number
  active_tasks: number
  enabled_versions: number
  audit_entries: number
}

export interface Status {
  version: string
  data_dir: string
  schema_version: number
  keychain_backend: string
  keychain_error: string | null
  counts: Counts
}

export interface HostRow {
  name: string
  address: string
  port: number
  credential: string
  jump: string | null
  arch: string | null
  status: string
  status_message: string
  host_key_fingerprint: string | null
}

export interface Facts {
  os_name: string
  kernel: string
  arch: string
  cpus: number
  memory_mib: number
}

/** A host as stored, with its facts parsed (ko-api's HostDetail flattens the row). */
export interface Host extends HostRow {
  facts: Facts | null
}

export interface Cluster {
  id: number
  name: string
  project: string
  provider: string
  version: string
  arch: string
  status: string
  status_message: string
  created_at: string
}

export interface Node {
  name: string
  host: string
  master: boolean
  etcd: boolean
  worker: boolean
  status: string
}

export interface Task {
  id: number
  kind: string
  title: string
  cluster: string | null
  created_by: string | null
  status: string
  attempt: number
  error: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export interface BackupFile {
  id: number
  name: string
  location: string
  size: number
  sha256: string
  created_at: string
}

export interface ClusterDetail {
  cluster: Cluster
  nodes: Node[]
  tasks: Task[]
  backups: BackupFile[]
}

export interface PhaseRow {
  seq: number
  name: string
  status: string
  started_at: string | null
  finished_at: string | null
}

export interface StepHost {
  phase: number
  phase_name: string
  step: number
  step_name: string
  host: string
  status: string
  attempt: number
  exit_code: number | null
  message: string
  started_at: string | null
  finished_at: string | null
}

export interface TaskDetail {
  task: Task
  phases: PhaseRow[]
  steps: StepHost[]
}

export interface LogLine {
  id: number
  at: string
  host: string | null
  step: string | null
  stream: string
  line: string
}

export interface Credential {
  id: number
  name: string
  kind: string
  username: string
  key_fingerprint: string | null
  has_sudo_password: boolean
  created_at: string
}

export interface CredentialForm {
  name: string
  username: string
  kind: 'password' | 'private_key' | 'agent'
  password?: string
  private_key?: string
  passphrase?: string
  sudo_password?: string
}

export interface HostForm {
  name: string
  address: string
  port: number
  credential: string
  jump?: string
  fingerprint?: string
}

export interface HostKey {
  algorithm: string
  fingerprint: string
}

export interface KubernetesVersion {
  version: string
  enabled: boolean
  source: string
}

export interface Bundle {
  name: string
  kubernetes_version: string | null
  arches: string[]
  files: number
  size: number
  signed: boolean
}

export interface AuditEntry {
  id: number
  at: string
  actor: string
  action: string
  target: string
  result: string
  detail: string
}

export interface Problem {
  code: string
  field: string
  message: string
}

export interface Validation {
  problems: Problem[]
}

export interface Project {
  id: number
  name: string
  description: string
}

export interface Imported {
  bundle: Bundle
  signature: { state: 'trusted' | 'unsigned'; key?: string }
}

export interface NtpServer {
  name: string
  address: string
  enabled: boolean
}

export interface TrustedKey {
  name: string
  public_key: string
  created_at: string
}

/** What the API says went wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}
