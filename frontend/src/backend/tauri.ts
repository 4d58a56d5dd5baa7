// The Backend inside the desktop window: Tauri commands (src-tauri/src/commands.rs), each a
// one-liner over ko-api acting as the OS account; task journals arrive over a Channel.
import { Channel, invoke } from '@tauri-apps/api/core'
import type { Backend, BundleSource } from './index'
import { ApiError, type PushUpdate, type TaskUpdate } from './types'

/** Invokes a command; its rejection (`{code, message}`) becomes an ApiError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (e) {
    const body = e as { code?: string; message?: string } | string
    if (typeof body === 'string') throw new ApiError(0, 'shell', body)
    throw new ApiError(0, body.code ?? 'shell', body.message ?? String(e))
  }
}

const unsupported = (what: string) => () =>
  Promise.reject(new ApiError(0, 'desktop.no_login', `${what}: the desktop acts as your OS account and has no log-in`))

/** The desktop reads a bundle where it lies; the page never copies its bytes. */
function pathOf(source: BundleSource): string {
  if ('path' in source) return source.path
  throw new ApiError(0, 'bundle.path_only', 'the desktop takes a bundle from its path')
}

export const tauriBackend: Backend = {
  kind: 'desktop',
  login: unsupported('log in'),
  me: () => call('me'),
  logout: unsupported('log out'),
  changePassword: unsupported('change password'),
  status: () => call('status'),
  unlockSecrets: (form) => call('unlock_secrets', { form }),
  changeVaultPassphrase: (passphrase) => call('change_vault_passphrase', { passphrase }),
  hosts: () => call('hosts'),
  scanHost: (form) => call('scan_host', { form }),
  addHost: (form) => call('add_host', { form }),
  refreshHost: (name) => call('refresh_host', { name }),
  removeHost: (name) => call('remove_host', { name }),
  credentials: () => call('credentials'),
  addCredential: (form) => call('add_credential', { form }),
  removeCredential: (name) => call('remove_credential', { name }),
  versions: () => call('versions'),
  setVersionEnabled: (version, enabled) => call('set_version_enabled', { version, enabled }),
  bundles: () => call('bundles'),
  pickBundle: () => call('pick_bundle_file'),
  pushBundle(name, form, onUpdate) {
    const channel = new Channel<PushUpdate>()
    channel.onmessage = onUpdate
    return call('push_bundle', { name, form, onUpdate: channel })
  },
  verifyBundle: (source) => call('verify_bundle', { path: pathOf(source) }),
  importBundle: (source, allowUnsigned) => call('import_bundle', { path: pathOf(source), allowUnsigned }),
  audit: (limit) => call('audit', { limit }),
  ntpServers: () => call('ntp_servers'),
  addNtpServer: (name, address) => call('add_ntp_server', { name, address }),
  setNtpServerEnabled: (name, enabled) => call('set_ntp_server_enabled', { name, enabled }),
  removeNtpServer: (name) => call('remove_ntp_server', { name }),
  trustedKeys: () => call('trusted_keys'),
  addTrustedKey: (name, publicKey) => call('add_trusted_key', { name, publicKey }),
  removeTrustedKey: (name) => call('remove_trusted_key', { name }),
  projects: () => call('projects'),
  project: (name) => call('project', { name }),
  addProject: (name, description) => call('add_project', { name, description }),
  removeProject: (name) => call('remove_project', { name }),
  addMember: (project, user, role) => call('add_member', { project, user, role }),
  removeMember: (project, user) => call('remove_member', { project, user }),
  users: () => call('users'),
  addUser: (form) => call('add_user', { form }),
  setUserActive: (name, active) => call('set_user_active', { name, active }),
  setUserPassword: (name, password) => call('set_user_password', { name, password }),
  removeUser: (name) => call('remove_user', { name }),
  repositories: () => call('repositories'),
  setRepository: (repo) => call('set_repository', { repo }),
  removeRepository: (arch) => call('remove_repository', { arch }),
  importHosts: (csv) => call('import_hosts', { csv }),
  validateCluster: (file) => call('validate_cluster', { file }),
  createCluster: (file, until) => call('create_cluster', { file, until: until || null }),
  deployCluster: (name, until) => call('deploy_cluster', { name, until: until || null }),
  exportKubeconfig: (name) => call('export_kubeconfig', { name }),
  addWorkers: (name, hosts, zone) => call('add_workers', { name, hosts, zone: zone || null }),
  removeWorker: (name, host, down) => call('remove_worker', { name, host, down }),
  addMasters: (name, hosts, replacing, down) => call('add_masters', { name, hosts, replacing: replacing || null, down: down ?? [] }),
  removeMaster: (name, host, down) => call('remove_master', { name, host, down }),
  upgradeCluster: (name, to, batch) => call('upgrade_cluster', { name, to, batch }),
  resetCluster: (name) => call('reset_cluster', { name }),
  deleteCluster: (name) => call('delete_cluster', { name }),
  checkCerts: (name) => call('check_certs', { name }),
  renewCerts: (name) => call('renew_certs', { name }),
  clusters: () => call('clusters'),
  cluster: (name) => call('cluster', { name }),
  tasks: () => call('tasks'),
  task: (id) => call('task', { id }),
  backups: () => call('backups'),
  backup: (cluster) => call('backup', { cluster }),
  restore: (cluster, backup) => call('restore', { cluster, backup }),
  retry: (task) => call('retry', { task }),
  cancel: (task) => call('cancel', { task }),
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
      void started.then((follow) => call('unfollow_task', { follow })).catch(() => undefined)
    }
  },
}
