// The shapes of ko-api's answers: generated from the Rust types (generated.ts, checked by CI),
// re-exported here under the names the views use. Only what has no Rust twin is written here.
import type { NextStep } from './generated'

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
  NextStep,
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
  SecretsStatus,
  StatusReport as Status,
  UnlockForm,
  Started,
  StepHost,
  Task,
  TaskDetail,
  TaskKind,
  TaskStatus,
  TaskUpdate,
  TrustedBundleKey as TrustedKey,
  User,
  UserForm,
  VerifyReport,
} from './generated'

/** What the API says went wrong, and the step that gets past it (when it names one). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly next: NextStep | null = null,
  ) {
    super(message)
  }
}
