// Importing a cluster through the UI, against a stand-in API server (`kube-standin`; a real
// kube-apiserver cannot run here): its nodes appear, it turns lost when the server stops
// answering and running when it answers again; a wrong token is one clear error.
import { expect, test } from '@playwright/test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loginAsAdmin, shot, startStandIn, stopStandIn } from './helpers'

const url = () => process.env.KO_URL!

test('a cluster imported from a pasted kubeconfig shows its nodes, turns lost and comes back', async ({ page }) => {
  let standin = await startStandIn(mkdtempSync(join(tmpdir(), 'ko-standin-')))
  const port = Number(new URL(standin.url).port)
  try {
    await loginAsAdmin(page, url())
    await page.getByRole('menuitem', { name: 'Clusters' }).click()

    // a wrong token: the API server's refusal, nothing registered
    await page.locator('[data-test=cluster-import]').click()
    await page.fill('input[name=import-name]', 'standin')
    await page.fill('textarea[name=import-kubeconfig]', standin.kubeconfig.replace(/token: .*/, 'token: expired'))
    await expect(page.locator('[data-test=import-context]')).toBeVisible()
    await page.locator('[data-test=import-start]').click()
    await expect(page.locator('[data-test=import-error]')).toContainText('401 Unauthorized')

    await page.fill('textarea[name=import-kubeconfig]', standin.kubeconfig)
    await shot(page, 'cluster-import')
    await page.locator('[data-test=import-start]').click()
    await expect(page).toHaveURL(/#\/clusters\/standin$/)
    await expect(page.locator('[data-test=imported]')).toBeVisible()
    await expect(page.locator('[data-health]')).toHaveAttribute('data-health', 'healthy')
    for (const node of ['m1', 'w1', 'w2']) await expect(page.locator('[data-test=live-nodes] tr', { hasText: node })).toContainText('Ready')
    await expect(page.locator('[data-test=health-summary]')).toContainText('3/3 nodes ready')
    await shot(page, 'cluster-health')

    await stopStandIn(standin)
    await page.locator('[data-test=health-check]').click()
    await expect(page.locator('[data-health]')).toHaveAttribute('data-health', 'unreachable')
    await expect(page.locator('[data-test=lost]')).toContainText('cannot reach the API server')
    await expect(page.locator('h2 [data-status]')).toHaveAttribute('data-status', 'lost')

    standin = await startStandIn(standin.dir, port)
    await page.locator('[data-test=health-check]').click()
    await expect(page.locator('[data-health]')).toHaveAttribute('data-health', 'healthy')
    await expect(page.locator('h2 [data-status]')).toHaveAttribute('data-status', 'running')
    await expect(page.locator('[data-test=lost]')).toHaveCount(0)

    // removed from the app (the cluster itself is untouched)
    await page.locator('[data-test=delete]').click()
    await page.locator('.el-popconfirm__action:visible .el-button--primary').click()
    await expect(page).toHaveURL(/#\/clusters$/)
  } finally {
    await stopStandIn(standin).catch(() => {})
  }
})
