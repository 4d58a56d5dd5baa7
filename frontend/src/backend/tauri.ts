// The Backend inside the desktop window: ko-api's operations through the shell's one `call`
// command (src-tauri/src/commands.rs), acting as the OS account; files through the native
// dialogs; task journals and pushes over a Channel.
import { Channel, invoke } from '@tauri-apps/api/core'
import type { Backend, BundleSource, TerminalHandle } from './index'
import { operations } from './operations'
import { ApiError, type BuildUpdate, type NextStep, type PodLogUpdate, type PushUpdate, type ResourceUpdate, type TaskUpdate } from './types'

/** Invokes a command; its rejection (`{code, message}`) becomes an ApiError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (e) {
    const body = e as { code?: string; message?: string; problems?: { next?: NextStep }[] } | string
    if (typeof body === 'string') throw new ApiError(0, 'shell', body)
    throw new ApiError(0, body.code ?? 'shell', body.message ?? String(e), body.problems?.[0]?.next ?? null)
  }
}

const unsupported = (what: string) => () =>
  Promise.reject(new ApiError(0, 'desktop.no_login', `${what}: the desktop acts as your OS account and has no log-in`))

/** The desktop reads a bundle where it lies; the page never copies its bytes. */
function pathOf(source: BundleSource): string {
  if ('path' in source) return source.path
  throw new ApiError(0, 'bundle.path_only', 'the desktop takes a bundle from its path')
}

/** Starts a followed stream (`command` with a Channel); resolves to a function that stops it. */
async function followed<U>(command: string, args: Record<string, unknown>, onUpdate: (u: U) => void): Promise<() => void> {
  let stopped = false
  const channel = new Channel<U>()
  channel.onmessage = (u) => {
    if (!stopped) onUpdate(u)
  }
  const follow = await call<number>(command, { ...args, onUpdate: channel })
  return () => {
    stopped = true
    void call('stop_following', { follow }).catch(() => undefined)
  }
}

export const tauriBackend: Backend = {
  ...operations((op, input) => call('call', { op, input })),
  kind: 'desktop',
  login: unsupported('log in'),
  me: () => call('me'),
  logout: unsupported('log out'),
  changePassword: unsupported('change password'),
  pickBundle: () => call('pick_bundle_file'),
  pushBundle(name, form, onUpdate) {
    const channel = new Channel<PushUpdate>()
    channel.onmessage = onUpdate
    return call('push_bundle', { name, form, onUpdate: channel })
  },
  buildBundle(form, onUpdate) {
    const channel = new Channel<BuildUpdate>()
    channel.onmessage = onUpdate
    return call('build_bundle', { form, onUpdate: channel })
  },
  verifyBundle: (source) => call('verify_bundle', { path: pathOf(source) }),
  importBundle: (source, allowUnsigned) => call('import_bundle', { path: pathOf(source), allowUnsigned }),
  exportKubeconfig: (name) => call('export_kubeconfig', { name }),
  follow(task, onUpdate) {
    let stopped = false
    const channel = new Channel<TaskUpdate>()
    channel.onmessage = (u) => {
      if (!stopped) onUpdate(u)
    }
    const started = call<number>('follow_task', { id: task, onUpdate: channel })
    started.catch((e: ApiError) => onUpdate({ kind: 'unreadable', data: { code: e.code, message: e.message } }))
    return () => {
      stopped = true
      void started.then((follow) => call('stop_following', { follow })).catch(() => undefined)
    }
  },
  watchResources: (name, form, onUpdate) => followed<ResourceUpdate>('watch_resources', { name, form }, onUpdate),
  podLog: (name, form, onUpdate) => followed<PodLogUpdate>('pod_log', { name, form }, onUpdate),
  openTerminal: (name, cols, rows, onData, onExit) => openTerminalChannel('terminal_open', { name, cols, rows }, onData, onExit),
  openExec: (name, target, cols, rows, onData, onExit) => openTerminalChannel('exec_open', { name, target, cols, rows }, onData, onExit),
}

/** A terminal opened by `command`: its output over a Channel; keys, resizes and closing are
 * commands naming it. */
async function openTerminalChannel(
  command: string,
  args: Record<string, unknown>,
  onData: (bytes: Uint8Array) => void,
  onExit: (code: number) => void,
): Promise<TerminalHandle> {
  const channel = new Channel<{ kind: 'data' | 'stderr'; data: number[] } | { kind: 'exit'; data: number }>()
  channel.onmessage = (m) => (m.kind === 'exit' ? onExit(m.data) : onData(new Uint8Array(m.data)))
  const id = await call<number>(command, { ...args, onOutput: channel })
  return {
    write: (data) => void call('terminal_input', { id, data }),
    resize: (c, r) => void call('terminal_resize', { id, cols: c, rows: r }),
    close: () => void call('terminal_close', { id }),
  }
}
