// What the end-to-end specs share: logging in, adding a credential and a host through the forms,
// screenshots for the README.
import { expect, type Page } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** `koctl serve --listen 127.0.0.1:0 --ui dist` on `dataDir` (with `env` as its environment):
 * the process and the URL it prints first. */
export async function startServe(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; url: string }> {
  const koctl = process.env.KOCTL ?? resolve(here, '../../../target/debug/koctl')
  const ui = resolve(here, '../../dist')
  const child = spawn(koctl, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0', '--ui', ui], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  })
  const url = await new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`koctl serve exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', (line: string) => ok(line.replace('koctl serve: ', '').trim()))
  })
  return { child, url }
}

/** Saves a screenshot for the README when KO_SCREENSHOTS names a directory. */
export async function shot(page: Page, name: string) {
  const dir = process.env.KO_SCREENSHOTS
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` })
}
export const NEW_PASSWORD = 'e2e-new-password'

/** Logs in as admin whether or not an earlier test already changed the default password. */
export async function loginAsAdmin(page: Page, url: string) {
  await page.goto(url)
  await page.fill('input[name=name]', 'admin')
  await page.fill('input[name=password]', NEW_PASSWORD)
  await page.click('button[type=submit]')
  const refused = await Promise.race([
    page.waitForURL(/#\/$/).then(() => false),
    page.locator('[data-test=error]').waitFor().then(() => true),
  ])
  if (refused) {
    await page.fill('input[name=password]', 'kubeoperator@admin123')
    await page.click('button[type=submit]')
    await page.fill('input[name=old]', 'kubeoperator@admin123')
    await page.fill('input[name=new]', NEW_PASSWORD)
    await page.fill('input[name=again]', NEW_PASSWORD)
    await page.click('button[type=submit]')
  }
  await expect(page).toHaveURL(/#\/$/)
}

/** Adds a private-key credential through the form. */
export async function addCredential(page: Page, name: string, keyFile: string) {
  await page.getByRole('menuitem', { name: 'Credentials' }).click()
  await page.locator('[data-test=credential-add]').click()
  await page.fill('input[name=credential-name]', name)
  await page.fill('input[name=credential-username]', 'root')
  await page.fill('textarea[name=credential-key]', readFileSync(keyFile, 'utf8'))
  await page.locator('[data-test=credential-save]').click()
  await expect(page.locator('[data-test=credentials] tr', { hasText: name })).toContainText('SHA256:')
}

/** Adds a host through the form, trusting the key it shows (which must be `fingerprint`, if given). */
export async function addHost(page: Page, name: string, address: string, credential: string, fingerprint = 'SHA256:') {
  await page.getByRole('menuitem', { name: 'Hosts' }).click()
  await page.locator('[data-test=host-add]').click()
  await page.fill('input[name=host-name]', name)
  await page.fill('input[name=host-address]', address)
  await page.locator('[data-test=host-credential]').click()
  await page.getByRole('option', { name: credential }).click()
  await page.locator('[data-test=host-scan]').click()
  await expect(page.locator('[data-test=host-fingerprint]')).toContainText(fingerprint)
  await shot(page, 'host-key')
  await page.locator('[data-test=host-trust]').click()
  await expect(page.locator('[data-test=hosts] tr', { hasText: name })).toContainText(address)
  await shot(page, 'hosts')
}

/** A running stand-in Kubernetes API server (`kube-standin`: HTTPS, the real wire format; a real
 * kube-apiserver cannot run here), its URL and kubeconfig. */
export interface StandIn {
  child: ChildProcess
  url: string
  kubeconfig: string
  dir: string
}

/** Starts `kube-standin --dir DIR` (on `port`, 0: any); the same DIR and port bring back the
 * same server after a stop. */
export async function startStandIn(dir: string, port = 0, extra: string[] = []): Promise<StandIn> {
  const bin = process.env.KUBE_STANDIN ?? resolve(here, '../../../target/debug/kube-standin')
  const child = spawn(bin, ['--dir', dir, '--port', String(port), ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`kube-standin exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', ok)
  })
  const { url, kubeconfig } = JSON.parse(line) as { url: string; kubeconfig: string }
  return { child, url, kubeconfig: readFileSync(kubeconfig, 'utf8'), dir }
}

/** Stops a stand-in and waits until it is gone (its port closed). */
export async function stopStandIn(s: StandIn) {
  const gone = new Promise((ok) => s.child.once('exit', ok))
  s.child.kill('SIGTERM')
  await gone
}
