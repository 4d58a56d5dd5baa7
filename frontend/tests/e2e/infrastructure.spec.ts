// Auto mode's infrastructure in the UI: a region added against a vSphere simulator (tests/vcsim:
// govmomi's simulator, the real SOAP API; `VCSIM` names it) only after its certificate's
// fingerprint was read and confirmed and with the right password; its inventory; an IP pool
// checked before it is stored, and an address locked.
import { expect, test } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { loginAsAdmin, shot } from './helpers'

const url = () => process.env.KO_URL!

/** Starts the simulator (three standalone hosts); its process and what it printed. */
async function startVcsim(): Promise<{ child: ChildProcess; info: { server: string; username: string; password: string; templates: string[] } }> {
  const child = spawn(process.env.VCSIM!, ['-listen', '127.0.0.1:0', '-host', '3'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const line = await new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`ko-vcsim exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', ok)
  })
  return { child, info: JSON.parse(line) }
}

test('a vSphere region is added after its certificate is confirmed, and an IP pool is checked and used', async ({ page }) => {
  test.skip(!process.env.VCSIM && !process.env.KO_REQUIRE_VCSIM, 'no vSphere simulator (VCSIM): run ./dev test')
  const sim = await startVcsim()
  try {
    const [host, port] = sim.info.server.split(':')
    await loginAsAdmin(page, url())
    await page.getByRole('menuitem', { name: 'Infrastructure' }).click()
    await page.locator('[data-test=region-add]').click()
    await page.fill('input[name=region-name]', 'dc1')
    await page.fill('input[name=region-host]', host)
    await page.locator('.el-input-number input[name=region-port]').fill(port)
    await page.fill('input[name=region-password]', 'not-the-password')
    await page.fill('input[name=region-datacenter]', 'DC0')
    await expect(page.locator('[data-test=region-save]')).toBeDisabled()
    await page.locator('[data-test=region-fingerprint]').click()
    await expect(page.locator('[data-test=region-fingerprint-value]')).toContainText(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/)
    await expect(page.locator('[data-test=region-save]')).toBeDisabled()
    await page.locator('[data-test=region-fingerprint-checked]').click()
    await page.locator('[data-test=region-save]').click()
    await expect(page.locator('[data-test=region-error]')).toContainText('refused the login')
    await page.fill('input[name=region-password]', sim.info.password)
    await page.locator('[data-test=region-save]').click()
    const row = page.locator('[data-test=regions] tr', { hasText: 'dc1' })
    await expect(row).toContainText(`${host}:${port}`)
    await row.locator('[data-test=region-check]').click()
    const inventory = page.locator('[data-test=region-inventory]')
    await expect(inventory).toContainText('DC0_H0, DC0_H1, DC0_H2')
    await expect(inventory).toContainText('ubuntu-2204-template')
    await shot(page, 'regions')

    await page.getByRole('tab', { name: 'IP pools' }).click()
    await page.locator('[data-test=pool-add]').click()
    await page.fill('input[name=pool-name]', 'pool1')
    await page.fill('input[name=pool-subnet]', '10.1.0.0/24')
    await page.fill('input[name=pool-gateway]', '10.9.0.1')
    await page.fill('textarea[name=pool-ranges]', '10.1.0.10-10.1.0.19\n10.1.0.30')
    await page.locator('[data-test=pool-save]').click()
    await expect(page.locator('[data-test=pool-error]')).toContainText('not in the subnet 10.1.0.0/24')
    await page.fill('input[name=pool-gateway]', '10.1.0.1')
    await page.locator('[data-test=pool-save]').click()
    const pool = page.locator('[data-test=pools] tr', { hasText: 'pool1' })
    await expect(pool).toContainText('10.1.0.10-10.1.0.19, 10.1.0.30')
    await expect(pool).toContainText('11 available')
    await pool.locator('[data-test=pool-show]').click()
    const first = page.locator('[data-test=pool-addresses] tr', { hasText: '10.1.0.10' })
    await first.locator('[data-test=address-lock]').click()
    await expect(first.locator('[data-status]')).toHaveAttribute('data-status', 'locked')
    await shot(page, 'ip-pool')
    await page.locator('.el-drawer__close-btn').click()
    await expect(pool).toContainText('1 locked')
  } finally {
    sim.child.kill()
  }
})
