// Plain W3C WebDriver over fetch, for the real desktop window: tauri-driver in front of Debian's
// WebKitWebDriver. Shared by the smoke test and the UI benchmark (tests/bench/ui).
import { spawn } from 'node:child_process'

/** The key WebDriver returns an element's reference under. */
export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'

/** Polls `probe` until it returns a truthy value (or throws the last error after `ms`). */
export async function until(what, probe, ms = 20_000) {
  const deadline = Date.now() + ms
  let last
  for (;;) {
    try {
      const v = await probe()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Starts tauri-driver on `port` (its WebKitWebDriver on `port + 1`) with `env` (the app inherits
 * it) and waits until it answers. Returns the child and `wd(method, path, body)`, which resolves to
 * a response's `value` or throws with WebDriver's error.
 */
export async function startDriver(bin, port, env) {
  const child = spawn(bin, ['--port', String(port), '--native-port', String(port + 1), '--native-driver', '/usr/bin/WebKitWebDriver'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  await until('tauri-driver', () => fetch(`${base}/status`).then((r) => r.ok))
  const wd = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = await res.json()
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`)
    return json.value
  }
  return { child, wd }
}

/** Opens the app at `application` in a new session; returns the session's path (`/session/ID`). */
export async function openApp(wd, application) {
  const session = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application } } },
  })
  return `/session/${session.sessionId}`
}
