// The Backend over `koctl serve`: fetch with the session cookie, server-sent events for tasks.
import type { Backend, TaskFollower } from './index'
import { ApiError, type LogLine } from './types'

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

export const httpBackend: Backend = {
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
  importBundle: (file, allowUnsigned) => call('POST', `/api/bundles?allow_unsigned=${allowUnsigned}`, file),
  audit: (limit) => call('GET', `/api/audit?limit=${limit}`),
  ntpServers: () => call('GET', '/api/settings/ntp'),
  addNtpServer: (name, address) => call('POST', '/api/settings/ntp', { name, address }),
  setNtpServerEnabled: (name, enabled) => call('POST', `/api/settings/ntp/${encodeURIComponent(name)}`, { enabled }),
  removeNtpServer: (name) => call('DELETE', `/api/settings/ntp/${encodeURIComponent(name)}`),
  trustedKeys: () => call('GET', '/api/settings/trusted-keys'),
  addTrustedKey: (name, publicKey) => call('POST', '/api/settings/trusted-keys', { name, public_key: publicKey }),
  removeTrustedKey: (name) => call('DELETE', `/api/settings/trusted-keys/${encodeURIComponent(name)}`),
  projects: () => call('GET', '/api/projects'),
  validateCluster: (file) => call('POST', '/api/clusters/validate', file, true),
  createCluster: async (file) => (await call<{ task_id: number }>('POST', '/api/clusters', file, true)).task_id,
  clusters: () => call('GET', '/api/clusters'),
  cluster: (name) => call('GET', `/api/clusters/${encodeURIComponent(name)}`),
  tasks: () => call('GET', '/api/tasks'),
  task: (id) => call('GET', `/api/tasks/${id}`),
  backup: async (cluster) =>
    (await call<{ task_id: number }>('POST', `/api/clusters/${encodeURIComponent(cluster)}/backup`, {})).task_id,
  retry: async (task) => (await call<{ task_id: number }>('POST', `/api/tasks/${task}/retry`, {})).task_id,
  cancel: (task) => call('POST', `/api/tasks/${task}/cancel`, {}),
  follow(task: number, f: TaskFollower) {
    const source = new EventSource(`/api/tasks/${task}/events`)
    source.addEventListener('line', (e) => f.onLine(JSON.parse((e as MessageEvent).data) as LogLine))
    source.addEventListener('status', (e) => f.onStatus((e as MessageEvent).data))
    source.addEventListener('end', (e) => {
      f.onEnd((e as MessageEvent).data)
      source.close()
    })
    return () => source.close()
  },
}
