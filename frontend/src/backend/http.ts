// The Backend over `koctl serve`: fetch with the session cookie, server-sent events for tasks.
import type { Backend, BundleSource } from './index'
import { ApiError, type LogLine, type PushUpdate, type TaskUpdate } from './types'

async function call<T>(method: string, path: string, body?: unknown, raw = false): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined || body instanceof Blob ? {} : { 'Content-Type': raw ? 'text/plain' : 'application/json' },
    body: body === undefined ? undefined : body instanceof Blob ? body : raw ? String(body) : JSON.stringify(body),
  })
  const text = await res.text()
  const data = text ? JSON.parse(text) : undefined
  if (!res.ok) {
    throw new ApiError(res.status, data?.error?.code ?? 'http', data?.error?.message ?? res.statusText)
  }
  return data as T
}

/** Reads server-sent events from a fetch response body (EventSource cannot POST). */
async function readEvents(res: Response, onData: (data: string) => void) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let pending = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    pending += value
    let end: number
    while ((end = pending.indexOf('\n\n')) >= 0) {
      const block = pending.slice(0, end)
      pending = pending.slice(end + 2)
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n')
      if (data) onData(data)
    }
  }
}

/** The browser sends the file it was given; a path on this machine means nothing to the server. */
function upload(source: BundleSource): Blob {
  if ('file' in source) return source.file
  throw new ApiError(400, 'bundle.upload_only', 'the browser uploads the bundle file itself')
}

export const httpBackend: Backend = {
  kind: 'browser',
  login: (name, password) => call('POST', '/api/session', { name, password }),
  async me() {
    try {
      return await call('GET', '/api/session')
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null
      throw e
    }
  },
  logout: () => call('DELETE', '/api/session'),
  changePassword: (old, password) => call('POST', '/api/password', { old, new: password }),
  status: () => call('GET', '/api/status'),
  unlockSecrets: (form) => call('POST', '/api/secrets/unlock', form),
  changeVaultPassphrase: (passphrase) => call('POST', '/api/secrets/passphrase', { passphrase }),
  hosts: () => call('GET', '/api/hosts'),
  scanHost: (form) => call('POST', '/api/hosts/scan', form),
  addHost: (form) => call('POST', '/api/hosts', form),
  refreshHost: (name) => call('POST', `/api/hosts/${encodeURIComponent(name)}/refresh`, {}),
  removeHost: (name) => call('DELETE', `/api/hosts/${encodeURIComponent(name)}`),
  credentials: () => call('GET', '/api/credentials'),
  addCredential: (form) => call('POST', '/api/credentials', form),
  removeCredential: (name) => call('DELETE', `/api/credentials/${encodeURIComponent(name)}`),
  versions: () => call('GET', '/api/versions'),
  setVersionEnabled: (version, enabled) => call('POST', `/api/versions/${encodeURIComponent(version)}`, { enabled }),
  bundles: () => call('GET', '/api/bundles'),
  async pushBundle(name, form, onUpdate) {
    const res = await fetch(`/api/bundles/${encodeURIComponent(name)}/push`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(form),
    })
    if (!res.ok) {
      const data = await res.json().catch(() => undefined)
      throw new ApiError(res.status, data?.error?.code ?? 'http', data?.error?.message ?? res.statusText)
    }
    await readEvents(res, (data) => onUpdate(JSON.parse(data) as PushUpdate))
  },
  verifyBundle: (source) => call('POST', '/api/bundles/verify', upload(source)),
  importBundle: (source, allowUnsigned) => call('POST', `/api/bundles?allow_unsigned=${allowUnsigned}`, upload(source)),
  audit: (limit) => call('GET', `/api/audit?limit=${limit}`),
  ntpServers: () => call('GET', '/api/settings/ntp'),
  addNtpServer: (name, address) => call('POST', '/api/settings/ntp', { name, address }),
  setNtpServerEnabled: (name, enabled) => call('POST', `/api/settings/ntp/${encodeURIComponent(name)}`, { enabled }),
  removeNtpServer: (name) => call('DELETE', `/api/settings/ntp/${encodeURIComponent(name)}`),
  trustedKeys: () => call('GET', '/api/settings/trusted-keys'),
  addTrustedKey: (name, publicKey) => call('POST', '/api/settings/trusted-keys', { name, public_key: publicKey }),
  removeTrustedKey: (name) => call('DELETE', `/api/settings/trusted-keys/${encodeURIComponent(name)}`),
  projects: () => call('GET', '/api/projects'),
  project: (name) => call('GET', `/api/projects/${encodeURIComponent(name)}`),
  addProject: (name, description) => call('POST', '/api/projects', { name, description }),
  removeProject: (name) => call('DELETE', `/api/projects/${encodeURIComponent(name)}`),
  addMember: (project, user, role) => call('POST', `/api/projects/${encodeURIComponent(project)}/members`, { user, role }),
  removeMember: (project, user) =>
    call('DELETE', `/api/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(user)}`),
  users: () => call('GET', '/api/users'),
  addUser: (form) => call('POST', '/api/users', form),
  setUserActive: (name, active) => call('POST', `/api/users/${encodeURIComponent(name)}/active`, { active }),
  setUserPassword: (name, password) => call('POST', `/api/users/${encodeURIComponent(name)}/password`, { password }),
  removeUser: (name) => call('DELETE', `/api/users/${encodeURIComponent(name)}`),
  repositories: () => call('GET', '/api/settings/repositories'),
  setRepository: (repo) => call('POST', '/api/settings/repositories', repo),
  removeRepository: (arch) => call('DELETE', `/api/settings/repositories/${encodeURIComponent(arch)}`),
  importHosts: (csv) => call('POST', '/api/hosts/import', csv, true),
  validateCluster: (file) => call('POST', '/api/clusters/validate', file, true),
  createCluster: async (file, until) =>
    (await call<{ task_id: number }>('POST', `/api/clusters${until ? `?until=${encodeURIComponent(until)}` : ''}`, file, true)).task_id,
  deployCluster: async (name, until) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/deploy`, { until: until || null })).task_id,
  addWorkers: async (name, hosts, zone) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/workers`, { hosts, zone: zone || null })).task_id,
  removeWorker: async (name, host, down) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/workers/${encodeURIComponent(host)}/remove`, { down }))
      .task_id,
  upgradeCluster: async (name, to, batch) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/upgrade`, { to, batch })).task_id,
  resetCluster: async (name) => (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/reset`, {})).task_id,
  deleteCluster: (name) => call('DELETE', `/api/clusters/${encodeURIComponent(name)}`),
  checkCerts: async (name) => (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/certs/check`, {})).task_id,
  renewCerts: async (name) => (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/certs/renew`, {})).task_id,
  addMasters: async (name, hosts, replacing, down) =>
    (
      await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/masters`, {
        hosts,
        replacing: replacing || null,
        down: down ?? [],
      })
    ).task_id,
  removeMaster: async (name, host, down) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(name)}/masters/${encodeURIComponent(host)}/remove`, { down }))
      .task_id,
  async exportKubeconfig(name) {
    // a download the browser saves; the server never caches it
    const res = await fetch(`/api/clusters/${encodeURIComponent(name)}/kubeconfig`, { credentials: 'same-origin' })
    if (!res.ok) {
      const data = await res.json().catch(() => undefined)
      throw new ApiError(res.status, data?.error?.code ?? 'http', data?.error?.message ?? res.statusText)
    }
    const url = URL.createObjectURL(await res.blob())
    const a = Object.assign(document.createElement('a'), { href: url, download: `${name}.kubeconfig` })
    a.click()
    URL.revokeObjectURL(url)
    return a.download
  },
  clusters: () => call('GET', '/api/clusters'),
  cluster: (name) => call('GET', `/api/clusters/${encodeURIComponent(name)}`),
  tasks: () => call('GET', '/api/tasks'),
  task: (id) => call('GET', `/api/tasks/${id}`),
  backups: () => call('GET', '/api/backups'),
  backup: async (cluster) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(cluster)}/backup`, {})).task_id,
  restore: async (cluster, backup) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(cluster)}/restore`, { backup })).task_id,
  retry: async (task) => (await call<{ task_id: number }>('POST', `/api/tasks/${task}/retry`, {})).task_id,
  cancel: (task) => call('POST', `/api/tasks/${task}/cancel`, {}),
  follow(task, onUpdate) {
    const source = new EventSource(`/api/tasks/${task}/events`)
    const data = (e: Event) => (e as MessageEvent).data as string
    const end = (u: TaskUpdate) => {
      source.close()
      onUpdate(u)
    }
    source.addEventListener('lines', (e) => onUpdate({ kind: 'lines', data: JSON.parse(data(e)) as LogLine[] }))
    source.addEventListener('status', (e) => onUpdate({ kind: 'status', data: data(e) }))
    source.addEventListener('end', (e) => end({ kind: 'end', data: data(e) }))
    // `error` is both the server's event (with data) and EventSource's own (reconnecting, no data)
    source.addEventListener('error', (e) => {
      if (e instanceof MessageEvent) end({ kind: 'unreadable', data: JSON.parse(e.data as string) as { code: string; message: string } })
    })
    return () => source.close()
  },
}
