import { expect, test, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NEW_PASSWORD, addCredential, addHost, loginAsAdmin, shot, startServe } from './helpers'

const url = () => process.env.KO_URL!

// On its own fresh `koctl serve`: the shared one may already have had its first login.
test('first login forces a new password, then the overview and the language switch work', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ko-e2e-first-'))
  const server = await startServe(dataDir)
  try {
    await firstLogin(page, server.url)
  } finally {
    server.child.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

async function firstLogin(page: Page, url: string) {
  await page.goto(url)
  await expect(page).toHaveURL(/#\/login$/)
  await shot(page, 'login')
  await page.fill('input[name=name]', 'admin')
  await page.fill('input[name=password]', 'not-the-password')
  await page.click('button[type=submit]')
  await expect(page.locator('[data-test=error]')).toBeVisible()

  await page.fill('input[name=password]', 'kubeoperator@admin123')
  await page.click('button[type=submit]')
  await expect(page).toHaveURL(/#\/password$/)
  // the overview is not reachable before the password is changed
  await page.goto(`${url}#/hosts`)
  await expect(page).toHaveURL(/#\/password$/)
  await page.fill('input[name=old]', 'kubeoperator@admin123')
  await page.fill('input[name=new]', NEW_PASSWORD)
  await page.fill('input[name=again]', NEW_PASSWORD)
  await page.click('button[type=submit]')
  await expect(page).toHaveURL(/#\/$/)
  await expect(page.locator('[data-test=count-hosts]')).toContainText('0')

  await page.getByRole('menuitem', { name: 'Hosts' }).click()
  await expect(page).toHaveURL(/#\/hosts$/)
  await expect(page.locator('[data-test=hosts]')).toBeVisible()

  // a version disabled in the UI is disabled, and the system log says who did it
  await page.getByRole('menuitem', { name: 'Bundles & versions' }).click()
  const v1335 = page.locator('[data-test=versions] tr', { hasText: 'v1.33.5' })
  await expect(v1335.locator('.el-switch')).toHaveClass(/is-checked/)
  await v1335.locator('.el-switch').click()
  await expect(v1335.locator('.el-switch')).not.toHaveClass(/is-checked/)
  await page.reload()
  await expect(page.locator('[data-test=versions] tr', { hasText: 'v1.33.5' }).locator('.el-switch')).not.toHaveClass(/is-checked/)
  await page.getByRole('menuitem', { name: 'System log' }).click()
  await expect(page.locator('[data-test=audit] tr', { hasText: 'version.disable' })).toContainText('admin')

  // settings: an NTP server for new deployments; a bundle key is trusted only if it is a real one
  await page.getByRole('menuitem', { name: 'Settings' }).click()
  await page.fill('input[name=ntp-name]', 'ntp1')
  await page.fill('input[name=ntp-address]', '10.0.0.1')
  await page.locator('[data-test=ntp-add]').click()
  await expect(page.locator('[data-test=ntp] tr', { hasText: 'ntp1' })).toContainText('10.0.0.1')
  await page.fill('input[name=key-name]', 'vendor')
  await page.fill('input[name=key-value]', 'not-a-key')
  await page.locator('[data-test=key-add]').click()
  await expect(page.locator('[data-test=error]')).toContainText('not an ed25519 public key')
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
  await page.fill('input[name=key-value]', raw.toString('base64'))
  await page.locator('[data-test=key-add]').click()
  await expect(page.locator('[data-test=keys] tr', { hasText: 'vendor' })).toContainText(raw.toString('base64'))

  await page.locator('[data-test=language]').click()
  await page.getByRole('option', { name: '简体中文' }).click()
  await expect(page.getByRole('menuitem', { name: '集群' })).toBeVisible()
  await page.getByRole('menuitem', { name: '概览' }).click()
  await expect(page.locator('[data-test=count-hosts]')).toContainText('主机')
  await shot(page, 'overview-zh-CN')
  await page.reload()
  await expect(page.getByRole('menuitem', { name: '集群' })).toBeVisible()

  // logging out ends the session: the app goes back to the login page
  await page.getByRole('button', { name: '退出登录' }).click()
  await expect(page).toHaveURL(/#\/login$/)
  await page.goto(`${url}#/clusters`)
  await expect(page).toHaveURL(/#\/login$/)
}

/** On the wizard's nodes step: makes `host` master + etcd and moves to a valid confirm step. */
async function makeMasterAndConfirm(page: Page, host: string) {
  const node = page.locator('[data-test=wizard-nodes] tr', { hasText: host })
  await node.getByText('master', { exact: true }).click()
  await node.getByText('etcd', { exact: true }).click()
  await page.locator('[data-test=next]').click()
  await expect(page.locator('[data-test=valid]')).toBeVisible()
}

// Needs a test-bed host (./dev test as root sets KO_E2E_HOST and KO_E2E_KEY) and a keychain.
test('a credential and a test-bed host are added, the host key shown before it is trusted', async ({ page }) => {
  const address = process.env.KO_E2E_HOST
  const keyFile = process.env.KO_E2E_KEY
  test.skip(!address || !keyFile, 'no test-bed host (run ./dev test as root)')
  await loginAsAdmin(page, url())

  await addCredential(page, 'bedroot', keyFile!)
  // the fingerprint shown is the host's real ed25519 key, as OpenSSH computes it
  const scanned = execFileSync('ssh-keyscan', ['-t', 'ed25519', address!], { encoding: 'utf8' })
  const expected = execFileSync('ssh-keygen', ['-lf', '-'], { input: scanned, encoding: 'utf8' }).split(' ')[1]
  await addHost(page, 'e2e-host', address!, 'bedroot', expected)
  const row = page.locator('[data-test=hosts] tr', { hasText: 'e2e-host' })
  await expect(row).toContainText('Debian GNU/Linux 12')
  await shot(page, 'hosts')

  // the create wizard checks every change with the server's rules
  await page.getByRole('menuitem', { name: 'Clusters' }).click()
  await page.locator('[data-test=cluster-new]').click()
  const problems = page.locator('[data-test=problems]')
  await page.fill('input[name=cluster-name]', 'Bad_Name')
  await expect(problems.locator('[data-code="name.not_dns1123"]')).toBeVisible()
  await page.fill('input[name=cluster-name]', 'e2e-cluster')
  await expect(problems.locator('[data-code="name.not_dns1123"]')).toHaveCount(0)
  await expect(problems.locator('[data-code="node.no_master"]')).toBeVisible()
  // settings: an external load balancer needs its VIP
  await page.locator('[data-test=next]').click()
  await page.locator('[data-test=lb-mode]').getByText('external').click()
  await expect(problems.locator('[data-code="lb.vip_missing"]')).toBeVisible()
  await page.fill('input[name=lb-vip]', '10.77.0.250')
  await expect(problems.locator('[data-code="lb.vip_missing"]')).toHaveCount(0)
  await page.locator('[data-test=lb-mode]').getByText('internal').click()
  for (let i = 0; i < 2; i++) await page.locator('[data-test=next]').click()
  await page.fill('input[name=pod-cidr]', '10.96.0.0/16')
  await expect(problems.locator('[data-code="network.cidr_overlap"]')).toBeVisible()
  await page.fill('input[name=pod-cidr]', '10.244.0.0/16')
  await expect(problems.locator('[data-code="network.cidr_overlap"]')).toHaveCount(0)
  for (let i = 0; i < 2; i++) await page.locator('[data-test=next]').click()
  await makeMasterAndConfirm(page, 'e2e-host')
  const file = JSON.parse((await page.locator('[data-test=cluster-file]').textContent())!)
  expect(file.name).toBe('e2e-cluster')
  expect(file.nodes).toEqual([{ host: 'e2e-host', roles: ['master', 'etcd'] }])
  await shot(page, 'wizard-confirm')
  // no bundle brings the version: the server says so and nothing is created
  await page.locator('[data-test=create]').click()
  await expect(page.locator('[data-test=error]')).toContainText('no bundle')

  await page.getByRole('menuitem', { name: 'Hosts' }).click()
  await row.getByRole('button', { name: 'Remove' }).click()
  await expect(page.locator('[data-test=hosts]')).not.toContainText('e2e-host')

  // back from CSV: the row has no fingerprint, so its key is scanned and shown before the import
  await page.locator('[data-test=host-import]').click()
  await page.fill('textarea[name=hosts-csv]', `name,address,port,credential,jump,fingerprint\ne2e-host,${address},,bedroot\n`)
  await page.locator('[data-test=csv-scan]').click()
  await expect(page.locator('[data-test=csv-keys]')).toContainText(expected)
  await shot(page, 'hosts-csv')
  await page.locator('[data-test=csv-import]').click()
  await expect(page.locator('[data-test=csv-results] tr', { hasText: 'e2e-host' })).toContainText('ok')
  await page.keyboard.press('Escape')
  await expect(page.locator('[data-test=hosts] tr', { hasText: 'e2e-host' })).toContainText(address!)
})

// Needs a second test-bed host and the test bundle (./dev test as root sets KO_E2E_HOST2, KO_E2E_BUNDLE).
test('a bundle is imported, a cluster is created through the wizard and its live log followed to the end', async ({ page }) => {
  const address = process.env.KO_E2E_HOST2
  const keyFile = process.env.KO_E2E_KEY
  const bundle = process.env.KO_E2E_BUNDLE
  test.skip(!address || !keyFile || !bundle, 'no test-bed host or test bundle (run ./dev test as root)')
  test.setTimeout(240_000)
  await loginAsAdmin(page, url())
  await addCredential(page, 'bedroot-wizard', keyFile!)
  await addHost(page, 'e2e-node', address!, 'bedroot-wizard')

  await page.getByRole('menuitem', { name: 'Bundles & versions' }).click()
  // verified first (every hash, size and path; the signature state) without importing it
  await page.locator('[data-test=bundle-verify-file]').setInputFiles(bundle!)
  await expect(page.locator('[data-test=verified]')).toContainText(/Verified local-bookworm: .* NOT signed; every file matches/, { timeout: 60_000 })
  await expect(page.locator('[data-test=bundles]')).not.toContainText('local-bookworm')
  await page.locator('[data-test=allow-unsigned]').click()
  await page.locator('[data-test=bundle-file]').setInputFiles(bundle!)
  await expect(page.locator('[data-test=imported]')).toContainText('local-bookworm', { timeout: 60_000 })
  await expect(page.locator('[data-test=bundles]')).toContainText('local-bookworm')

  // pushed ahead of the create, with progress: the create then finds every file on the host
  await page.locator('[data-test=push-local-bookworm]').click()
  await page.locator('[data-test=push-hosts]').click()
  await page.getByRole('option', { name: /^e2e-node/ }).click()
  await page.keyboard.press('Escape')
  await page.locator('[data-test=push-start]').click()
  await expect(page.locator('[data-test=push-figures]')).toContainText('MiB', { timeout: 60_000 })
  const pushed = page.locator('[data-test=push-results] tr', { hasText: 'e2e-node' })
  await expect(pushed).toBeVisible({ timeout: 120_000 })
  await expect(page.locator('[data-test=push-progress]')).toContainText('100%')
  await shot(page, 'bundle-push')
  await page.keyboard.press('Escape')

  await page.getByRole('menuitem', { name: 'Clusters' }).click()
  await page.locator('[data-test=cluster-new]').click()
  await page.fill('input[name=cluster-name]', 'e2e-wizard')
  await page.locator('[data-test=cluster-bundle]').click()
  await page.getByRole('option', { name: 'local-bookworm' }).click()
  for (let i = 0; i < 5; i++) await page.locator('[data-test=next]').click()
  await makeMasterAndConfirm(page, 'e2e-node')
  // staged: the hosts prepared up to the runtime first; the cluster page continues the rest
  await page.locator('[data-test=until]').click()
  await page.getByRole('option', { name: 'runtime' }).click()
  await page.locator('[data-test=create]').click()
  await expect(page.locator('[data-test=task-status]')).toHaveAttribute('data-status', 'ok', { timeout: 200_000 })
  await expect(page.locator('h2')).toContainText('(up to runtime)')
  const staged = page.locator('[data-test=task-tree]')
  for (const phase of ['precheck', 'bundle', 'base', 'runtime']) await expect(staged).toContainText(phase)
  await expect(staged).toContainText('0 files sent (0 bytes)') // the push before sent them all
  const count = await page.locator('[data-test=log-count]').textContent()
  expect(Number(count!.match(/\d+/)![0])).toBeGreaterThan(10)
  await page.fill('[data-test=log-search]', 'PASS clock')
  await expect(page.locator('[data-test=log]')).toContainText('PASS clock')
  await expect(page.locator('[data-test=log]')).not.toContainText('repository of')
  await page.evaluate(() => window.scrollTo(0, 0))
  await shot(page, 'task-view')
  await page.getByRole('button', { name: 'e2e-wizard' }).click()
  await expect(page.locator('[data-test=staged]')).toContainText('deployed up to runtime')
  // the test bundle has no Kubernetes: continue up to etcd (the phases left are offered)
  await page.locator('[data-test=deploy-until]').click()
  await expect(page.getByRole('option', { name: 'runtime' })).toHaveCount(0)
  await page.getByRole('option', { name: 'etcd' }).click()
  await page.locator('[data-test=deploy]').click()

  // the task view follows the rest live, to its end
  await expect(page).toHaveURL(/#\/tasks\/\d+$/)
  await expect(page.locator('[data-test=task-status]')).toHaveAttribute('data-status', 'ok', { timeout: 200_000 })
  const tree = page.locator('[data-test=task-tree]')
  for (const phase of ['load balancer', 'etcd']) await expect(tree).toContainText(phase)
  await expect(tree).not.toContainText('precheck') // done by the staged create, not again
  await expect(tree).toContainText('etcd healthy: 1 members')
  await page.getByRole('button', { name: 'e2e-wizard' }).click()
  await expect(page.locator('h2')).toContainText('e2e-wizard')
  await expect(page.locator('h2 [data-status]')).toHaveAttribute('data-status', 'staged')
  await expect(page.locator('[data-test=staged]')).toContainText('deployed up to etcd')

  // back up now, then restore that backup: each a task followed to its end
  await page.locator('[data-test=backup-now]').click()
  await expect(page.locator('[data-test=task-status]')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 })
  await page.getByRole('button', { name: 'e2e-wizard' }).click()
  const backup = page.locator('[data-test=backups] tr').nth(1)
  await expect(backup).toContainText('KiB')
  await backup.getByRole('button', { name: 'Restore' }).click()
  await page.getByRole('button', { name: /^(OK|Yes)$/ }).click()
  await expect(page.locator('[data-test=task-status]')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 })
  await expect(page.locator('[data-test=task-tree]')).toContainText('restore')

  // the certificates the host holds, read by the app: the etcd member's and the CA's
  await page.getByRole('button', { name: 'e2e-wizard' }).click()
  await expect(page.locator('[data-test=certificates]')).toContainText('Not checked yet')
  await page.locator('[data-test=certs-check]').click()
  await expect(page.locator('[data-test=task-status]')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 })
  await page.getByRole('button', { name: 'e2e-wizard' }).click()
  const certs = page.locator('[data-test=certificates]')
  await expect(certs).toContainText('/etc/etcd/pki/member.crt')
  await expect(certs).toContainText('/etc/etcd/pki/ca.crt')
  await expect(page.locator('[data-test=kubeconfig]')).toBeDisabled() // no Kubernetes at this stage

  // the overview: the cluster's backup at a glance, nothing running
  await page.getByRole('menuitem', { name: 'Overview' }).click()
  await expect(page.locator('[data-test=backups-summary] tr', { hasText: 'e2e-wizard' })).toContainText('1')
  await expect(page.locator('[data-test=running]')).toContainText('None')
  await expect(page.locator('[data-test=recent-tasks] [data-status=ok]')).toHaveCount(5)
  await shot(page, 'overview')
})

test('users, projects with their members, and package repositories are managed in the UI', async ({ page }) => {
  await loginAsAdmin(page, url())
  await page.getByRole('menuitem', { name: 'Users' }).click()
  await page.fill('input[name=user-name]', 'dora')
  await page.fill('input[name=user-email]', 'dora@example.com')
  await page.fill('input[name=user-password]', 'dora-password-1')
  await page.locator('[data-test=user-add]').click()
  await expect(page.locator('[data-test=users] tr', { hasText: 'dora' })).toContainText('dora@example.com')
  // the last administrator cannot be removed: the server's refusal is shown
  await page.locator('[data-test=remove-admin]').click()
  await expect(page.locator('[data-test=error]')).toBeVisible()

  await page.getByRole('menuitem', { name: 'Projects' }).click()
  await page.fill('input[name=project-name]', 'payments')
  await page.fill('input[name=project-description]', 'team P')
  await page.locator('[data-test=project-add]').click()
  await page.locator('[data-test=projects] tr', { hasText: 'payments' }).click()
  await page.locator('[data-test=member-user]').click()
  await page.getByRole('option', { name: 'dora' }).click()
  await page.locator('[data-test=member-add]').click()
  await expect(page.locator('[data-test=members] tr', { hasText: 'dora' })).toContainText('Cluster administrator')
  await shot(page, 'projects')

  await page.getByRole('menuitem', { name: 'Settings' }).click()
  await page.fill('input[name=repo-hostname]', 'bad host name!')
  await page.locator('[data-test=repo-set]').click()
  await expect(page.locator('[data-test=error]')).toBeVisible()
  await page.fill('input[name=repo-hostname]', 'repo.lab')
  await page.locator('[data-test=repo-set]').click()
  await expect(page.locator('[data-test=repos] tr', { hasText: 'amd64' })).toContainText('repo.lab')
  await page.reload()
  await expect(page.locator('[data-test=repos] tr', { hasText: 'amd64' })).toContainText('8081')
})
