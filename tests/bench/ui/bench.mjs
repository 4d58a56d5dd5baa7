// The UI's figures, each against a named baseline measured in the same run (see ./run):
//   size     the built UI's JavaScript and CSS (all of it, and what the first screen loads) against
//            Element Plus's own full build (element-plus/dist/index.full.min.js + index.css), gzip -9
//   log      100k log lines streamed into the task view (the real UI in Chromium, the lines served
//            as the server-sent events koctl serve sends) until the viewer counts them all, then
//            a search over them; baseline: the same lines set as the text of one <pre> (no viewer)
//   desktop  cold start to the first screen and idle memory (PSS of the process tree) of the
//            desktop window (WebKitGTK) against Debian's Chromium showing the same UI from koctl serve
//   pods     5,000 pods (the stand-in API server, kube-standin, imported through koctl) in the
//            cluster explorer: time to the first row and to all of them counted, a search's
//            latency, the page's JS heap with the view open; baseline: `kubectl get pods -A` on the
//            same server, its wall time and peak RSS
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { gzipSync } from 'node:zlib'
import { openApp, startDriver, until } from '../../../frontend/tests/desktop/webdriver.mjs'

const root = resolve(import.meta.dirname, '../../..')
const frontend = join(root, 'frontend')
const require = createRequire(join(frontend, 'package.json'))
const { chromium } = require('playwright-core')
const koctl = process.env.KOCTL ?? join(root, 'target/debug/koctl')
const desktop = process.env.KO_DESKTOP_BIN ?? join(root, 'target/debug/kubeoperator-desktop')
const driverBin = process.env.TAURI_DRIVER
const runs = Number(process.env.RUNS ?? 5)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const gz = (buf) => gzipSync(buf, { level: 9 }).length
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`
const children = []

function size() {
  const dist = join(frontend, 'dist')
  const files = readdirSync(join(dist, 'assets')).map((f) => join(dist, 'assets', f))
  const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + statSync(f).size, gz: a.gz + gz(readFileSync(f)) }), { raw: 0, gz: 0 })
  const all = sum(files.filter((f) => /\.(js|css)$/.test(f)))
  // what the first screen loads: index.html's script, stylesheets and module preloads
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
  const first = sum([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => join(dist, m[1])))
  const ep = join(frontend, 'node_modules/element-plus/dist')
  const base = sum([join(ep, 'index.full.min.js'), join(ep, 'index.css')])
  console.log(`size: the whole UI ${kb(all.raw)} (${kb(all.gz)} gzipped); the first screen loads ${kb(first.raw)} (${kb(first.gz)} gzipped)`)
  console.log(`size: baseline Element Plus alone, whole: ${kb(base.raw)} (${kb(base.gz)} gzipped) -> the whole UI is ${(all.gz / base.gz).toFixed(2)}x of it gzipped, the first screen ${(first.gz / base.gz).toFixed(2)}x`)
}

/** A `koctl serve` of the built UI on a fresh data dir; resolves to its URL. */
async function serve() {
  const dataDir = mkdtempSync(join(tmpdir(), 'ko-bench-ui-'))
  const child = spawn(koctl, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0', '--ui', join(frontend, 'dist')], { stdio: ['ignore', 'pipe', 'ignore'] })
  children.push(child)
  const url = await new Promise((ok) => createInterface({ input: child.stdout }).once('line', (l) => ok(l.replace('koctl serve: ', '').trim())))
  return { url, dataDir, child }
}

/** 5,000 pods in the explorer against `kubectl get pods -A` (needs the OS keychain: ./run
 * runs this under tests/keychain-session). */
async function pods(browser, url, dataDir) {
  const standinBin = process.env.KUBE_STANDIN ?? join(root, 'target/debug/kube-standin')
  const dir = mkdtempSync(join(tmpdir(), 'ko-bench-standin-'))
  const standin = spawn(standinBin, ['--dir', dir, '--pods', '5000'], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(standin)
  const { kubeconfig } = JSON.parse(await new Promise((ok) => createInterface({ input: standin.stdout }).once('line', ok)))
  execFileSync(koctl, ['--data-dir', dataDir, 'cluster', 'import', 'bench', '--kubeconfig', kubeconfig], { stdio: 'ignore' })
  const total = JSON.parse(execFileSync(koctl, ['--data-dir', dataDir, '-o', 'json', 'kube', 'bench', 'get', 'pods'], { encoding: 'utf8', maxBuffer: 1 << 28 })).length
  const context = await browser.newContext()
  const api = context.request
  await api.post(`${url}api/session`, { data: { name: 'admin', password: 'kubeoperator@admin123' } })
  await api.post(`${url}api/password`, { data: { old: 'kubeoperator@admin123', new: 'bench-password-1' } })
  const first = [], all = [], filter = [], heap = []
  for (let r = 0; r < runs; r++) {
    const page = await context.newPage()
    const t0 = Date.now()
    await page.goto(`${url}#/clusters/bench/explore`)
    await page.locator('[data-row]').first().waitFor({ timeout: 60_000 })
    first.push(Date.now() - t0)
    await page.locator('[data-test=explorer-count]', { hasText: `${total} of ${total}` }).waitFor({ timeout: 60_000 })
    all.push(Date.now() - t0)
    const t1 = Date.now()
    await page.fill('input[name=explorer-search]', 'web-04999')
    await page.locator('[data-test=explorer-count]', { hasText: `1 of ${total}` }).waitFor()
    filter.push(Date.now() - t1)
    const cdp = await context.newCDPSession(page)
    await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    heap.push((await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'JSHeapUsedSize').value)
    await page.close()
  }
  const kubectlMs = [], kubectlRss = []
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now()
    const res = spawnSync('/usr/bin/time', ['-f', '%M', 'kubectl', '--kubeconfig', kubeconfig, 'get', 'pods', '-A'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: dir },
      maxBuffer: 1 << 28,
    })
    kubectlMs.push(Date.now() - t0)
    assert(res.stdout.split('\n').length > total, 'kubectl listed every pod')
    kubectlRss.push(Number(res.stderr.trim().split('\n').at(-1)))
  }
  const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`
  console.log(`pods: ${total} pods in the explorer: first row ${median(first)} ms, all counted ${median(all)} ms, a search ${median(filter)} ms, JS heap with the view open ${mib(median(heap))} (median of ${runs})`)
  console.log(`pods: baseline kubectl get pods -A on the same server: ${median(kubectlMs)} ms, peak RSS ${mib(median(kubectlRss) * 1024)} -> explorer all-counted / kubectl = ${(median(all) / median(kubectlMs)).toFixed(2)}x time; heap / kubectl RSS = ${(median(heap) / (median(kubectlRss) * 1024)).toFixed(2)}x`)
  standin.kill()
}

async function log(browser, url) {
  const N = 100_000
  const lines = Array.from({ length: N }, (_, i) => ({ id: i + 1, at: '2026-11-28T00:00:00.000Z', host: `node-${(i % 5) + 1}`, step: 'install', stream: 'stdout', line: `line ${i + 1}: unpacking containerd (${i % 7 === 0 ? 'warning' : 'ok'}) into /var/lib/ko/store` }))
  // as koctl serve sends a backlog: `lines` events of up to 2000 lines (TaskFollow's batch)
  const batches = Array.from({ length: N / 2000 }, (_, b) => lines.slice(b * 2000, (b + 1) * 2000))
  const sse = batches.map((b) => `event: lines\nid: ${b.at(-1).id}\ndata: ${JSON.stringify(b)}\n\n`).join('') + 'event: status\ndata: ok\n\nevent: end\ndata: ok\n\n'
  const task = { task: { id: 1, kind: 'create', title: 'create cluster bench', cluster: null, created_by: 'admin', status: 'ok', attempt: 1, error: null, created_at: '', started_at: '', finished_at: '' }, phases: [], steps: [] }
  const viewer = [], naive = [], search = []
  for (let r = 0; r < runs; r++) {
    const page = await browser.newPage()
    await page.route('**/api/session', (route) => route.fulfill({ json: { name: 'admin', is_admin: true, must_change_password: false } }))
    await page.route('**/api/tasks/1', (route) => route.fulfill({ json: task }))
    await page.route('**/api/tasks/1/events', (route) => route.fulfill({ body: sse, headers: { 'content-type': 'text/event-stream' } }))
    const t0 = Date.now()
    await page.goto(`${url}#/tasks/1`)
    await page.locator('[data-test=log-count]', { hasText: `${N}` }).waitFor({ timeout: 120_000 })
    viewer.push(Date.now() - t0)
    const t1 = Date.now()
    await page.fill('[data-test=log-search]', 'warning')
    await page.locator('[data-test=log-count]', { hasText: `${Math.ceil(N / 7)}` }).waitFor()
    search.push(Date.now() - t1)
    // baseline: the same lines as one <pre>, measured to the next painted frame
    naive.push(await page.evaluate((text) => new Promise((done) => {
      const t = performance.now()
      const pre = document.createElement('pre')
      pre.textContent = text
      document.body.append(pre)
      requestAnimationFrame(() => setTimeout(() => done(performance.now() - t)))
    }), lines.map((l) => `${l.at} ${l.host} [${l.step}] ${l.line}`).join('\n')))
    await page.close()
  }
  console.log(`log: 100k lines streamed into the task view until counted: ${median(viewer)} ms (median of ${runs}); search over them: ${median(search)} ms`)
  console.log(`log: baseline, the same lines set as one <pre> (no streaming, no viewer): ${median(naive).toFixed(0)} ms -> viewer / baseline = ${(median(viewer) / median(naive)).toFixed(1)}x`)
}

/** PSS (KiB) of `pid` and all its descendants. */
function treePss(pid) {
  const kids = new Map()
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1])
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)])
    } catch { /* gone */ }
  }
  let total = 0
  const walk = (p) => {
    try {
      total += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))[1])
    } catch { /* gone */ }
    for (const k of kids.get(p) ?? []) walk(k)
  }
  walk(pid)
  return total
}

async function desktopFigures(url, serveChild) {
  if (!driverBin || !process.env.DISPLAY) {
    console.log('desktop: skipped (set TAURI_DRIVER and DISPLAY; ./run does)')
    return
  }
  const { child, wd } = await startDriver(driverBin, 4450, { ...process.env, KO_DATA_DIR: mkdtempSync(join(tmpdir(), 'ko-bench-desk-')) })
  children.push(child)
  const start = [], pss = []
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now()
    const s = await openApp(wd, desktop)
    await until('the overview', () => wd('POST', `${s}/execute/sync`, { script: 'return !!document.querySelector("[data-test=count-hosts]")', args: [] }), 30_000)
    start.push(Date.now() - t0)
    await new Promise((res) => setTimeout(res, 5000))
    const pid = Number(execFileSync('pgrep', ['-n', '-f', `^${desktop}`], { encoding: 'utf8' }).trim())
    pss.push(treePss(pid))
    await wd('DELETE', s)
  }
  const bStart = [], bPss = []
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now()
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: false, args: [`--app=${url}`] })
    const page = await browser.newPage()
    await page.goto(url)
    await page.locator('input[name=name]').waitFor()
    bStart.push(Date.now() - t0)
    await new Promise((res) => setTimeout(res, 5000))
    const pid = Number(execFileSync('pgrep', ['-n', '-f', '^/usr/lib/chromium/chromium .*--app='], { encoding: 'utf8' }).trim())
    bPss.push(treePss(pid) + treePss(serveChild.pid))
    await browser.close()
  }
  const mib = (k) => `${(k / 1024).toFixed(0)} MiB`
  console.log(`desktop: cold start to the overview ${median(start)} ms, idle PSS ${mib(median(pss))} (window + WebKit processes; median of ${runs})`)
  console.log(`desktop: baseline Chromium app window on koctl serve, to its first screen ${median(bStart)} ms, idle PSS ${mib(median(bPss))} (browser processes + koctl serve)`)
  console.log(`desktop: Chromium / desktop = ${(median(bStart) / median(start)).toFixed(2)}x start time, ${(median(bPss) / median(pss)).toFixed(2)}x memory`)
}

/** Whether figure `name` is asked for (`ONLY=pods,log` picks some; all by default). */
const wanted = (name) => !process.env.ONLY || process.env.ONLY.split(',').includes(name)

try {
  if (wanted('size')) size()
  const { url, dataDir, child } = await serve()
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' })
  if (wanted('log')) await log(browser, url)
  if (wanted('pods') && process.env.DBUS_SESSION_BUS_ADDRESS) await pods(browser, url, dataDir)
  else if (wanted('pods')) console.log('pods: skipped (needs the OS keychain; ./run provides one)')
  await browser.close()
  if (wanted('desktop')) await desktopFigures(url, child)
  rmSync(dataDir, { recursive: true, force: true })
} finally {
  for (const c of children) c.kill()
}
