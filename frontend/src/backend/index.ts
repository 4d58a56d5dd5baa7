// The one door of the UI to the application. Two implementations: Tauri invoke + Channel (the
// desktop window, tauri.ts) and HTTP + server-sent events (`koctl serve` in a browser, http.ts).
import type { Operations } from './operations'
import type {
  BuildForm,
  BuildUpdate,
  ExecTarget,
  Imported,
  LogForm,
  Me,
  PodLogUpdate,
  PushForm,
  PushUpdate,
  ResourceUpdate,
  TaskUpdate,
  VerifyReport,
  WatchForm,
} from './types'

/** An open terminal: keys to it, its size, closing it (its shell ends). */
export interface TerminalHandle {
  write(data: string): void
  resize(cols: number, rows: number): void
  close(): void
}

/** Starts a terminal session `cols` x `rows` big: its bytes to `onData`, its exit code to
 * `onExit`; resolves, once it runs, to what the page sends it. */
export type TerminalOpener = (cols: number, rows: number, onData: (bytes: Uint8Array) => void, onExit: (code: number) => void) => Promise<TerminalHandle>

/** A bundle to import: a file the browser picked (uploaded), or a path on this machine (desktop). */
export type BundleSource = { file: Blob } | { path: string }

/**
 * Every operation of ko-api's table as a typed function (generated: operations.ts), and by hand
 * what is not a plain call: logging in, files (bundles, the kubeconfig) and streams (a push, a
 * task's journal).
 */
export interface Backend extends Operations {
  /** `desktop`: the OS account acts, no log-in; `browser`: users log in to `koctl serve`. */
  readonly kind: 'desktop' | 'browser'
  login(name: string, password: string): Promise<Me>
  me(): Promise<Me | null>
  logout(): Promise<void>
  changePassword(old: string, password: string): Promise<void>
  /** The desktop's native file picker for bundles (a path; null when cancelled). */
  pickBundle?(): Promise<string | null>
  /** Checks a bundle zip as an import would (hashes, sizes, paths, signature) without importing it. */
  verifyBundle(source: BundleSource): Promise<VerifyReport>
  /** Pushes a library bundle to hosts; `onUpdate` sees progress, then `done` or `failed`. */
  pushBundle(name: string, form: PushForm, onUpdate: (u: PushUpdate) => void): Promise<void>
  /** Builds a bundle from a recipe on the machine the app runs on; `onUpdate` sees downloads, the zip being written, then `done` or `failed`. */
  buildBundle(form: BuildForm, onUpdate: (u: BuildUpdate) => void): Promise<void>
  /** Imports a bundle zip into the library (verified; unsigned ones only with `allowUnsigned`). */
  importBundle(source: BundleSource, allowUnsigned: boolean): Promise<Imported>
  /** Saves the cluster's kubeconfig (cluster-admin via ko-admin) where the person chooses; the file name, or null if cancelled. */
  exportKubeconfig(name: string): Promise<string | null>
  /** Streams a task's journal from the start; returns a function that stops following. */
  follow(task: number, onUpdate: (u: TaskUpdate) => void): () => void
  /** Streams a cluster's live rows of one kind (a snapshot, then changes; `reconnecting` while the
   * cluster's API server is away); resolves, once the stream started, to a function that stops it. */
  watchResources(name: string, form: WatchForm, onUpdate: (u: ResourceUpdate) => void): Promise<() => void>
  /** Streams a pod's log (batches of lines, then `end` or `failed`); resolves, once it started
   * (a missing pod or container, or no previous instance, rejects), to a function that stops it. */
  podLog(name: string, form: LogForm, onUpdate: (u: PodLogUpdate) => void): Promise<() => void>
  /** Opens a kubectl terminal on a cluster (`cols` x `rows`): its bytes to `onData`, its exit
   * code to `onExit`; resolves, once it runs, to what the page sends it. */
  openTerminal(name: string, cols: number, rows: number, onData: (bytes: Uint8Array) => void, onExit: (code: number) => void): Promise<TerminalHandle>
  /** Opens a terminal running a command (a shell) in a pod's container; rejects with the API
   * server's reason when it cannot start (a container that is not running...). */
  openExec(name: string, target: ExecTarget, cols: number, rows: number, onData: (bytes: Uint8Array) => void, onExit: (code: number) => void): Promise<TerminalHandle>
}
