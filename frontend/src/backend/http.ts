// The Backend over `koctl serve`: fetch with the session cookie, server-sent events for tasks.
import type { Backend, BundleSource, TerminalHandle } from './index'
import { operations, routes, type OperationName, type RouteBody } from './operations'
import { ApiError, type LogLine, type PodLogUpdate, type ResourceUpdate, type TaskStatus, type TaskUpdate } from './types'

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
    throw new ApiError(res.status, data?.error?.code ?? 'http', data?.error?.message ?? res.statusText, data?.error?.problems?.[0]?.next ?? null)
  }
  return data as T
}

/** Calls an operation of the table at its route: path fields in the path, the rest in the body as the
 * operation declares it, or in the query. */
function callOperation(op: OperationName, input: object): Promise<unknown> {
  const route: { method: string; path: string; body: RouteBody } = routes[op]
  const rest: Record<string, unknown> = { ...input }
  const take = (field: string) => {
    const value = rest[field]
    delete rest[field]
    return value
  }
  const path = route.path.replace(/\{(\w+)\}/g, (_, field: string) => encodeURIComponent(String(take(field))))
  let body: unknown
  let raw = false
  if (typeof route.body === 'object' && 'text' in route.body) {
    body = take(route.body.text)
    raw = true
  } else if (typeof route.body === 'object') {
    body = take(route.body.whole)
  } else if (route.method === 'POST') {
    body = rest
  }
  const query = new URLSearchParams()
  if (body !== rest) {
    for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== null) query.set(k, String(v))
  }
  const q = query.toString()
  return call(route.method, q ? `${path}?${q}` : path, body, raw)
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

/** POSTs `body` to a streaming route; a refusal before the stream starts is thrown as the API's error. */
async function openStream(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  })
  if (!res.ok) {
    const data = await res.json().catch(() => undefined)
    throw new ApiError(res.status, data?.error?.code ?? 'http', data?.error?.message ?? res.statusText, data?.error?.problems?.[0]?.next ?? null)
  }
  return res
}

/** POSTs `body` to a streaming route and hands each server-sent update to `onUpdate` until it ends. */
async function stream<U>(path: string, body: unknown, onUpdate: (u: U) => void): Promise<void> {
  await readEvents(await openStream(path, body), (data) => onUpdate(JSON.parse(data) as U))
}

/** The browser sends the file it was given; a path on this machine means nothing to the server. */
function upload(source: BundleSource): Blob {
  if ('file' in source) return source.file
  throw new ApiError(400, 'bundle.upload_only', 'the browser uploads the bundle file itself')
}

export const httpBackend: Backend = {
  ...operations(callOperation),
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
  pushBundle: (name, form, onUpdate) => stream(`/api/bundles/${encodeURIComponent(name)}/push`, form, onUpdate),
  buildBundle: (form, onUpdate) => stream('/api/bundles/build', form, onUpdate),
  async watchResources(name, form, onUpdate) {
    const abort = new AbortController()
    const res = await openStream(`/api/clusters/${encodeURIComponent(name)}/watch`, form, abort.signal)
    // the server ends it only when the page stops (abort) or the connection breaks (a reconnect
    // is the server's: its watch resumes by itself; a broken page connection ends the view)
    readEvents(res, (data) => onUpdate(JSON.parse(data) as ResourceUpdate)).catch(() => {
      if (!abort.signal.aborted) onUpdate({ kind: 'reconnecting', data: 'the connection to the server broke; reload the page' })
    })
    return () => abort.abort()
  },
  openTerminal(name, cols, rows, onData, onExit) {
    return openTerminalSocket(`/api/clusters/${encodeURIComponent(name)}/terminal?cols=${cols}&rows=${rows}`, onData, onExit)
  },
  openExec(name, target, cols, rows, onData, onExit) {
    const query = new URLSearchParams({ namespace: target.namespace, pod: target.pod, cols: String(cols), rows: String(rows) })
    if (target.container) query.set('container', target.container)
    for (const arg of target.command) query.append('command', arg)
    return openTerminalSocket(`/api/clusters/${encodeURIComponent(name)}/exec?${query}`, onData, onExit)
  },
  async podLog(name, form, onUpdate) {
    const abort = new AbortController()
    const res = await openStream(`/api/clusters/${encodeURIComponent(name)}/logs`, form, abort.signal)
    readEvents(res, (data) => onUpdate(JSON.parse(data) as PodLogUpdate)).catch((e: unknown) => {
      if (!abort.signal.aborted) onUpdate({ kind: 'failed', data: { code: 'http', message: String(e) } })
    })
    return () => abort.abort()
  },
  verifyBundle: (source) => call('POST', '/api/bundles/verify', upload(source)),
  importBundle: (source, allowUnsigned) => call('POST', `/api/bundles?allow_unsigned=${allowUnsigned}`, upload(source)),
  async exportKubeconfig(name) {
    // a download the browser saves; the server never caches it
    const res = await fetch(`/api/clusters/${encodeURIComponent(name)}/kubeconfig`, { credentials: 'same-origin' })
    if (!res.ok) {
      const data = await res.json().catch(() => undefined)
      throw new ApiError(res.status, data?.error?.code ?? 'http', data?.error?.message ?? res.statusText, data?.error?.problems?.[0]?.next ?? null)
    }
    const url = URL.createObjectURL(await res.blob())
    const a = Object.assign(document.createElement('a'), { href: url, download: `${name}.kubeconfig` })
    a.click()
    URL.revokeObjectURL(url)
    return a.download
  },
  follow(task, onUpdate) {
    const source = new EventSource(`/api/tasks/${task}/events`)
    const data = (e: Event) => (e as MessageEvent).data as string
    const end = (u: TaskUpdate) => {
      source.close()
      onUpdate(u)
    }
    source.addEventListener('lines', (e) => onUpdate({ kind: 'lines', data: JSON.parse(data(e)) as LogLine[] }))
    source.addEventListener('status', (e) => onUpdate({ kind: 'status', data: data(e) as TaskStatus }))
    source.addEventListener('end', (e) => end({ kind: 'end', data: data(e) as TaskStatus }))
    // `error` is both the server's event (with data) and EventSource's own (reconnecting, no data)
    source.addEventListener('error', (e) => {
      if (e instanceof MessageEvent) end({ kind: 'unreadable', data: JSON.parse(e.data as string) as { code: string; message: string } })
    })
    return () => source.close()
  },
}

/** A terminal over a WebSocket to `path`: `{"ready"}` resolves it, `{"error"}` rejects it with
 * the server's reason, `{"exit"}` ends it; binary messages are its bytes. */
function openTerminalSocket(path: string, onData: (bytes: Uint8Array) => void, onExit: (code: number) => void): Promise<TerminalHandle> {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${location.host}${path}`)
  socket.binaryType = 'arraybuffer'
  return new Promise((ok, fail) => {
    let settled = false
    socket.onmessage = (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) {
        onData(new Uint8Array(e.data))
        return
      }
      const said = JSON.parse(e.data as string) as { ready?: true; exit?: number; error?: { code: string; message: string } }
      if (said.ready) {
        settled = true
        ok({
          write: (data) => socket.send(new TextEncoder().encode(data)),
          resize: (c, r) => socket.send(JSON.stringify({ cols: c, rows: r })),
          close: () => socket.close(),
        })
      } else if (said.error) {
        settled = true
        fail(new ApiError(0, said.error.code, said.error.message))
      } else if (said.exit !== undefined) {
        onExit(said.exit)
      }
    }
    // a refused upgrade (403, 404) shows only as a closed socket: say what it may have been
    socket.onclose = () => {
      if (!settled) fail(new ApiError(0, 'terminal', 'the terminal could not be opened: the cluster must exist and you must be allowed to operate it'))
    }
  })
}
