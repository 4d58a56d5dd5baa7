import { expect, test, type Page } from '@playwright/test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addCredential, addHost, loginAsAdmin, shot, startServe } from './helpers'

// `./dev app` on a machine without a display and without a keychain: the server keeps the secrets
// in an encrypted vault that an administrator creates, and unlocks after every restart, in the UI.

/** The environment of a machine with no D-Bus session, so no OS keychain. */
function headless(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: '' }
  delete env.DBUS_SESSION_BUS_ADDRESS
  return env
}

/** Every file under `dir`, as text. */
function everyFile(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? everyFile(path) : [{ path, text: readFileSync(path, 'latin1') }]
  })
}

async function unlock(page: Page, passphrase: string, again?: string) {
  await page.fill('input[name=vault-passphrase]', passphrase)
  if (again !== undefined) await page.fill('input[name=vault-passphrase-again]', again)
  await page.locator('[data-test=vault-unlock]').click()
}

test('without a keychain the server keeps secrets in a vault the administrator creates and unlocks', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ko-e2e-vault-'))
  const canary = `canary-${Date.now()}`
  let server = await startServe(dataDir, headless())
  try {
    await loginAsAdmin(page, server.url)
    const banner = page.locator('[data-test=secrets-banner]')
    await expect(banner).toHaveAttribute('data-state', 'new')
    await expect(banner).toContainText('secrets.vault')
    await shot(page, 'vault-new')
    await unlock(page, 'correct horse battery staple', 'correct horse battery staple')
    await expect(banner).toHaveCount(0)
    await expect(page.locator('[data-test=secrets]')).toContainText('encrypted vault file')

    await page.getByRole('menuitem', { name: 'Credentials' }).click()
    await page.locator('[data-test=credential-add]').click()
    await page.fill('input[name=credential-name]', 'ops')
    await page.locator('[data-test=kind-password]').click()
    await page.fill('input[name=credential-password]', canary)
    await page.locator('[data-test=credential-save]').click()
    await expect(page.locator('[data-test=credentials] tr', { hasText: 'ops' })).toContainText('password')
    const address = process.env.KO_E2E_HOST2
    const keyFile = process.env.KO_E2E_KEY
    if (address && keyFile) {
      await addCredential(page, 'bedroot', keyFile)
      await addHost(page, 'vault-host', address, 'bedroot')
    }

    // restarted: sealed until the passphrase is given again; a wrong one is refused
    server.child.kill()
    server = await startServe(dataDir, headless())
    await loginAsAdmin(page, server.url)
    await expect(banner).toHaveAttribute('data-state', 'sealed')
    await unlock(page, 'wrong horse battery staple')
    await expect(banner.locator('[data-test=error]')).toContainText('does not open')
    await unlock(page, 'correct horse battery staple')
    await expect(banner).toHaveCount(0)
    if (address && keyFile) {
      await page.getByRole('menuitem', { name: 'Hosts' }).click()
      const row = page.locator('[data-test=hosts] tr', { hasText: 'vault-host' })
      // reaching the host needs its credential, out of the vault just unlocked
      const [refreshed] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/hosts/vault-host/refresh')),
        row.getByRole('button', { name: 'Refresh' }).click(),
      ])
      expect(refreshed.status()).toBe(200)
    }

    // a new passphrase in Settings: after a restart the old one is refused, the new one opens it
    await page.getByRole('menuitem', { name: 'Settings' }).click()
    await page.fill('input[name=new-vault-passphrase]', 'a newer horse battery staple')
    await page.fill('input[name=new-vault-passphrase-again]', 'a newer horse battery staple')
    await page.locator('[data-test=vault-passphrase-change]').click()
    await expect(page.locator('[data-test=vault-passphrase-changed]')).toBeVisible()
    server.child.kill()
    server = await startServe(dataDir, headless())
    await loginAsAdmin(page, server.url)
    await unlock(page, 'correct horse battery staple')
    await expect(banner.locator('[data-test=error]')).toContainText('does not open')
    await unlock(page, 'a newer horse battery staple')
    await expect(banner).toHaveCount(0)
    await page.getByRole('menuitem', { name: 'Credentials' }).click()
    await expect(page.locator('[data-test=credentials] tr', { hasText: 'ops' })).toBeVisible()
    for (const f of everyFile(dataDir)) expect(f.text.includes(canary), `${canary} in ${f.path}`).toBe(false)
  } finally {
    server.child.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
