// Smoke test of the real desktop window: the Tauri binary in WebKitGTK, driven over WebDriver
// (tauri-driver + Debian's WebKitWebDriver), on an X display (Xvfb when there is none).
//
// It proves the window opens on a data dir, that commands round-trip both ways (the overview
// shows what koctl stored; an NTP server added in the window is what koctl then lists), and that a
// task's journal streams over the Tauri Channel (the task view shows every line `koctl task logs`
// prints, and the task's final status), and that a cluster imported in the window (a stand-in API
// server, `kube-standin`: no real one can run here) shows its nodes and pods, follows a pod's log,
// runs `kubectl get nodes` in its terminal and `hostname` in a pod's shell — all over the
// desktop's Channels and commands.
//
// env: KO_DESKTOP_BIN (the app), KOCTL, TAURI_DRIVER, and for the task: KO_DESKTOP_HOST, KO_E2E_KEY,
// KO_E2E_BUNDLE (a test-bed host, its key, the test bundle); KUBE_STANDIN (the stand-in's binary).
// KO_SCREENSHOTS=DIR saves screenshots.
import { execFileSync, spawn } from 'node:child_process'
import { ELEMENT, openApp, startDriver, until } from './webdriver.mjs'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'

const bin = process.env.KO_DESKTOP_BIN
const koctl = process.env.KOCTL
const driverBin = process.env.TAURI_DRIVER ?? 'tauri-driver'
assert(bin && koctl, 'set KO_DESKTOP_BIN and KOCTL')
const PORT = 4444

const dataDir = mkdtempSync(join(tmpdir(), 'ko-desktop-'))
const children = []
const env = { ...process.env, KO_DATA_DIR: dataDir }
const cli = (...args) => execFileSync(koctl, ['--data-dir', dataDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function startDisplay() {
  if (process.env.DISPLAY) return
  const display = `:${90 + (process.pid % 9)}`
  children.push(spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' }))
  env.DISPLAY = display
}

async function main() {
  // what the window should show, stored beforehand by koctl on the same data dir
  cli('setting', 'ntp', 'add', '--name', 'from-koctl', '--address', '10.0.0.9')
  const task = await prepareTask()

  startDisplay()
  const { child, wd } = await startDriver(driverBin, PORT, env)
  children.push(child)

  const t0 = Date.now()
  const s = await openApp(wd, bin)
  const find = async (css) => (await wd('POST', `${s}/element`, { using: 'css selector', value: css }))[ELEMENT]
  const script = (body, ...args) => wd('POST', `${s}/execute/sync`, { script: body, args })
  /** The element's text content (an error while it is not on the page). */
  const text = async (css) => {
    const t = await script('const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null', css)
    if (t === null) throw new Error(`no ${css} on the page`)
    return t
  }
  const shot = async (name) => {
    if (!process.env.KO_SCREENSHOTS) return
    await new Promise((r) => setTimeout(r, 800)) // a frame drawn after the last change
    writeFileSync(join(process.env.KO_SCREENSHOTS, `${name}.png`), Buffer.from(await wd('GET', `${s}/screenshot`), 'base64'))
  }
  try {
    // 1. the window opens on the overview, acting as the OS account (no log-in), status from ko-api
    await until('the overview', () => text('[data-test=count-hosts]'))
    console.log(`desktop: window up, overview rendered ${Date.now() - t0} ms after the session was requested`)
    const status = JSON.parse(cli('status', '-o', 'json'))
    assert.equal(await text('[data-test=data-dir]'), status.data_dir, 'the window shows the data dir koctl uses')
    assert.match(await text('[data-test=count-hosts]'), new RegExp(`${status.counts.hosts}`))
    await shot('desktop-overview')

    // 2. a command from the window lands in the same store koctl reads
    await script("location.hash = '#/settings'")
    await until('the settings view', () => text('[data-test=ntp]').then((t) => t.includes('from-koctl')))
    await wd('POST', `${s}/element/${await find('input[name=ntp-name]')}/value`, { text: 'from-window' })
    await wd('POST', `${s}/element/${await find('input[name=ntp-address]')}/value`, { text: '10.0.0.8' })
    await wd('POST', `${s}/element/${await find('[data-test=ntp-add]')}/click`, {})
    await until('the new NTP server in the list', () => text('[data-test=ntp]').then((t) => t.includes('from-window')))
    const ntp = JSON.parse(cli('setting', 'ntp', 'list', '-o', 'json'))
    assert.deepEqual(ntp.map((n) => [n.name, n.address]).sort(), [['from-koctl', '10.0.0.9'], ['from-window', '10.0.0.8']])

    // 3. a task's journal over the Channel: every line koctl has, and the final status
    if (task) {
      await script(`location.hash = '#/tasks/${task.id}'`)
      const want = `${task.lines}`
      await until(`${want} log lines`, () => text('[data-test=log-count]').then((t) => t.includes(want)), 60_000)
      assert.match(await text('[data-test=task-status]'), new RegExp(task.status))
      await shot('desktop-task')
      console.log(`desktop: task ${task.id} streamed over the Channel: ${want} lines, ${task.status}`)
    }
    // 4. a cluster imported in the window: its nodes, its pods live, a followed log, kubectl in a terminal, a pod's shell
    const standin = await startStandIn()
    const type = async (css, value) => wd('POST', `${s}/element/${await find(css)}/value`, { text: value })
    const click = async (css) => wd('POST', `${s}/element/${await find(css)}/click`, {})
    await script("location.hash = '#/clusters'")
    await until('the clusters view', () => find('[data-test=cluster-import]'))
    await click('[data-test=cluster-import]')
    await type('input[name=import-name]', 'standin')
    await script("const t = document.querySelector('textarea[name=import-kubeconfig]'); t.value = arguments[0]; t.dispatchEvent(new Event('input'))", standin.kubeconfig)
    await click('[data-test=import-start]')
    await until('the imported cluster\'s nodes', () => text('[data-test=live-nodes]').then((t) => ['m1', 'w1', 'w2'].every((n) => t.includes(n))), 30_000)
    await shot('desktop-imported')
    await click('[data-test=explore]')
    await until('the pods, live', () => text('[data-test=explorer-rows]').then((t) => t.includes('web-00000')), 30_000)
    await script("document.querySelector('[data-row=\"default/web-00000\"]').closest('.el-table-v2__row').querySelector('[data-test=row-logs]').click()")
    await until('a followed log line', () => text('[data-test=log]').then((t) => t.includes('GET /healthz 200 (3)')), 30_000)
    console.log('desktop: pod log followed over the Channel')
    await script("document.querySelector('.el-drawer:has([data-test=pod-logs]) .el-drawer__close-btn').click()")
    await until('the log drawer closed', () => script("return !document.querySelector('[data-test=pod-logs]')"))
    await script("document.querySelector('[data-test=explorer-terminal]').click()")
    await until('the terminal', () => script("return document.querySelector('[data-test=terminal]')?.dataset.state === 'open'"), 30_000)
    await type('.xterm-helper-textarea', 'kubectl get nodes\n')
    await until('kubectl\'s answer in the terminal', () => text('.xterm-rows').then((t) => t.includes('control-plane') && t.includes('w2')), 30_000)
    await shot('desktop-terminal')
    console.log('desktop: kubectl get nodes ran in the terminal')
    await script("document.querySelector('.el-drawer:has([data-test=terminal]) .el-drawer__close-btn').click()")
    await until('the terminal drawer closed', () => script("return !document.querySelector('[data-test=terminal]')"))
    // a shell in a pod's container (exec over the Channel; the stand-in's shell)
    await script("document.querySelector('[data-row=\"default/web-00001\"]').closest('.el-table-v2__row').querySelector('[data-test=row-shell]').click()")
    await until('the pod\'s shell', () => script("return document.querySelector('[data-test=pod-shell] [data-test=terminal]')?.dataset.state === 'open'"), 30_000)
    await type('[data-test=pod-shell] .xterm-helper-textarea', 'hostname\n')
    await until('the pod\'s name in its shell', () => text('[data-test=pod-shell] .xterm-rows').then((t) => t.includes('web-00001')), 30_000)
    await type('[data-test=pod-shell] .xterm-helper-textarea', 'exit 7\n')
    await until('the shell\'s exit code', () => text('[data-test=pod-shell] [data-test=terminal-state]').then((t) => t.includes('7')), 30_000)
    console.log('desktop: a shell ran in a pod over the Channel')
    standin.child.kill()
    console.log('desktop smoke test: ok')
  } catch (e) {
    // what the window showed, for whoever reads the failure
    const html = await script('return document.documentElement.outerHTML').catch((x) => `(no page: ${x.message})`)
    console.error(`desktop: the page at the failure:\n${String(html).slice(0, 3000)}`)
    const png = join(process.env.KO_SCREENSHOTS ?? tmpdir(), 'desktop-failure.png')
    writeFileSync(png, Buffer.from(await wd('GET', `${s}/screenshot`), 'base64'))
    console.error(`desktop: screenshot of the failure: ${png}`)
    throw e
  } finally {
    await wd('DELETE', s).catch(() => undefined)
  }
}

/** Starts the stand-in API server (a pod logging every 300 ms); its kubeconfig's text. */
async function startStandIn() {
  const here = dirname(fileURLToPath(import.meta.url))
  const binary = process.env.KUBE_STANDIN ?? resolve(here, '../../../target/debug/kube-standin')
  const child = spawn(binary, ['--dir', mkdtempSync(join(tmpdir(), 'ko-standin-')), '--log-every', '300'], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const line = await new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`kube-standin exited with ${code}`)))
    createInterface({ input: child.stdout }).once('line', ok)
  })
  return { child, kubeconfig: readFileSync(JSON.parse(line).kubeconfig, 'utf8') }
}

/** A real task on the test bed (a cluster create through koctl), or null without a bed. */
async function prepareTask() {
  const { KO_DESKTOP_HOST: host, KO_E2E_KEY: key, KO_E2E_BUNDLE: bundle } = process.env
  if (!host || !key || !bundle) {
    console.log('desktop: no test bed (KO_DESKTOP_HOST, KO_E2E_KEY, KO_E2E_BUNDLE): the task stream is not checked')
    return null
  }
  cli('credential', 'add', '--name', 'bed', '--key-file', key)
  cli('host', 'add', '--name', 'desk1', '--address', host, '--credential', 'bed', '--trust-on-first-use')
  const imported = JSON.parse(cli('bundle', 'import', bundle, '--allow-unsigned', '-o', 'json'))
  const file = join(dataDir, 'desk.yaml')
  writeFileSync(file, `name: desk\nversion: ${imported.bundle?.kubernetes_version ?? 'v1.34.1'}\nbundle: ${imported.bundle?.name ?? 'local-bookworm'}\nnodes:\n  - { host: desk1, roles: [master, etcd, worker] }\n`)
  try {
    cli('cluster', 'create', '-f', file, '--until', 'etcd')
  } catch {
    // a failed create (say, a precheck refusing a host an earlier test left busy) is a task too
  }
  const [t] = JSON.parse(cli('task', 'list', '-o', 'json'))
  const lines = cli('task', 'logs', String(t.id)).split('\n').filter(Boolean).length
  return { id: t.id, status: t.status, lines }
}

try {
  await main()
} finally {
  for (const c of children.reverse()) c.kill()
  // (a terminal's shell may still be removing its session directory)
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
}
