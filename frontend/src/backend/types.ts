// The shapes of ko-api's answers: generated from the Rust types (generated.ts, checked by CI),
// re-exported here under the names the views use. Only what has no Rust twin is written here.
export type {
  AuditEntry,
  BackupFile,
  CheckResult,
  Cluster,
  ClusterBackups,
  ClusterDetail,
  ClusterValidation as Validation,
  Counts,
  Credential,
  CredentialForm,
  HostDetail as Host,
  HostFacts as Facts,
  HostForm,
  HostKey,
  HostPush,
  ImportRow,
  Imported,
  KubernetesVersion,
  LibraryBundle as Bundle,
  LoadBalancer,
  LogLine,
  Me,
  Membership,
  NewRepository,
  Node,
  NtpServer,
  PhaseRow,
  Problem,
  Project,
  ProjectDetail,
  Signature,
  PushForm,
  PushProgress,
  PushUpdate,
  Repository,
  StatusReport as Status,
  StepHost,
  Task,
  TaskDetail,
  TaskUpdate,
  TrustedBundleKey as TrustedKey,
  User,
  UserForm,
  VerifyReport,
} from './generated'

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
