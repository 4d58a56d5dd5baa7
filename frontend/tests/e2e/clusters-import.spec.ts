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
    // the overview's health board shows it, with why
    await page.getByRole('menuitem', { name: 'Overview' }).click()
    const board = page.locator('[data-test=health-board] tr', { hasText: 'standin' })
    await expect(board.locator('[data-status]')).toHaveAttribute('data-status', 'lost')
    await expect(board.locator('[data-health]')).toHaveAttribute('data-health', 'unreachable')
    await expect(board.locator('[data-test=health-why]')).toContainText('cannot reach the API server')
    await board.getByRole('link', { name: 'standin' }).click()
    await expect(page).toHaveURL(/#\/clusters\/standin$/)

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

test('inside an imported cluster: live views, filters, actions, logs, a shell in a pod, YAML applied after its diff, reconnecting', async ({ page }) => {
  let standin = await startStandIn(mkdtempSync(join(tmpdir(), 'ko-standin-')), 0, ['--log-every', '300'])
  const port = Number(new URL(standin.url).port)
  const rows = page.locator('[data-test=explorer-rows]')
  const row = (key: string) => rows.locator('.el-table-v2__row', { has: page.locator(`[data-row="${key}"]`) })
  const chooseKind = async (label: string) => {
    await page.locator('[data-test=explorer-kind]').click()
    await page.getByRole('option', { name: label, exact: true }).click()
  }
  try {
    await loginAsAdmin(page, url())
    await page.getByRole('menuitem', { name: 'Clusters' }).click()
    await page.locator('[data-test=cluster-import]').click()
    await page.fill('input[name=import-name]', 'explore')
    await page.fill('textarea[name=import-kubeconfig]', standin.kubeconfig)
    await page.locator('[data-test=import-start]').click()
    await page.locator('[data-test=explore]').click()
    await expect(page).toHaveURL(/#\/clusters\/explore\/explore$/)

    // pods of every namespace, live; the search narrows them
    await expect(row('default/web-00000')).toContainText('Running')
    await expect(page.locator('[data-test=explorer-count]')).toContainText('of 12')
    await page.fill('input[name=explorer-search]', 'kube-proxy')
    await expect(page.locator('[data-test=explorer-count]')).toContainText('3 of 12')
    await page.fill('input[name=explorer-search]', '')
    await shot(page, 'cluster-explorer')

    // a followed log grows as the pod writes; a crashed container's previous instance says why
    await row('default/web-00000').locator('[data-test=row-logs]').click()
    await expect(page.locator('[data-test=log]')).toContainText('web: serving request 19')
    await expect(page.locator('[data-test=log]')).toContainText('GET /healthz 200 (3)')
    await expect(page.locator('[data-test=log-state]')).toHaveText('streaming')
    await shot(page, 'pod-log')
    await page.keyboard.press('Escape')
    await row('default/db-0').locator('[data-test=row-logs]').click()
    await page.locator('[data-test=log-previous]').click()
    await page.locator('[data-test=log-reload]').click()
    await expect(page.locator('[data-test=log]')).toContainText('fatal: cannot open database file')
    await expect(page.locator('[data-test=log-state]')).toHaveText('ended')
    await page.keyboard.press('Escape')

    // kubectl in the terminal: the server's shell, kubectl on its PATH, the session's kubeconfig
    await page.locator('[data-test=explorer-terminal]').click()
    await expect(page.locator('[data-test=terminal]')).toHaveAttribute('data-state', 'open')
    await expect(page.locator('.xterm-rows')).toContainText('kubectl@explore$')
    await page.locator('.xterm-helper-textarea').focus()
    await page.keyboard.type('kubectl get nodes\n')
    await expect(page.locator('.xterm-rows')).toContainText('control-plane')
    await expect(page.locator('.xterm-rows')).toContainText('w2')
    await shot(page, 'kubectl-terminal')
    await page.keyboard.type('exit\n')
    await expect(page.locator('[data-test=terminal-state]')).toContainText('exit code 0')
    // (the terminal keeps Escape for itself: the drawer closes with its button)
    await page.locator('.el-drawer:has([data-test=terminal]) .el-drawer__close-btn').click()
    await expect(page.locator('[data-test=terminal]')).toHaveCount(0)

    // a shell in a pod's container (the stand-in's built-in shell stands in for the container's)
    await row('default/web-00001').locator('[data-test=row-shell]').click()
    await expect(page.locator('[data-test=pod-shell] [data-test=terminal]')).toHaveAttribute('data-state', 'open')
    await expect(page.locator('[data-test=pod-shell] .xterm-rows')).toContainText('/ #')
    await page.locator('[data-test=pod-shell] .xterm-helper-textarea').focus()
    await page.keyboard.type('hostname\n')
    await expect(page.locator('[data-test=pod-shell] .xterm-rows')).toContainText('web-00001')
    await shot(page, 'pod-shell')
    await page.keyboard.type('exit 4\n')
    await expect(page.locator('[data-test=pod-shell] [data-test=terminal-state]')).toContainText('exit code 4')
    // another program: one the container does not have fails with the runtime's reason
    await page.locator('[data-test=shell-command]').click()
    await page.keyboard.type('nosuch')
    await page.keyboard.press('Enter')
    await page.locator('[data-test=shell-connect]').click()
    await expect(page.locator('[data-test=pod-shell] .xterm-rows')).toContainText('executable file not found')
    await expect(page.locator('[data-test=pod-shell] [data-test=terminal-state]')).toContainText('exit code 1')
    await page.locator('.el-drawer:has([data-test=pod-shell]) .el-drawer__close-btn').click()
    await expect(page.locator('[data-test=pod-shell]')).toHaveCount(0)
    // a crashed container cannot take a command: said before anything starts
    await row('default/db-0').locator('[data-test=row-shell]').click()
    await expect(page.locator('[data-test=shell-not-running]')).toContainText('CrashLoopBackOff')
    await expect(page.locator('[data-test=shell-connect]')).toBeDisabled()
    await expect(page.locator('[data-test=pod-shell] [data-test=terminal]')).toHaveCount(0)
    await page.locator('.el-drawer:has([data-test=pod-shell]) .el-drawer__close-btn').click()
    // ...and asked anyway, the socket carries the API server's refusal
    const said = await page.evaluate(
      () =>
        new Promise<string>((ok) => {
          const ws = new WebSocket(`ws://${location.host}/api/clusters/explore/exec?namespace=default&pod=db-0&command=sh`)
          ws.onmessage = (e) => ok(String(e.data))
          ws.onclose = () => ok('closed')
        }),
    )
    expect(JSON.parse(said).error.message).toContain('container not found ("db")')

    // a pod deleted here disappears through the watch
    await row('default/web-00002').locator('[data-test=row-delete]').click()
    await page.locator('.el-popconfirm__action:visible .el-button--primary').click()
    await expect(page.locator('[data-test=notice]')).toContainText('web-00002')
    await expect(row('default/web-00002')).toHaveCount(0)

    // nodes: cordon shows at once
    await chooseKind('Nodes')
    await row('w1').locator('[data-test=row-cordon]').click()
    await expect(row('w1')).toContainText('SchedulingDisabled')
    await row('w1').locator('[data-test=row-uncordon]').click()
    await expect(row('w1')).not.toContainText('SchedulingDisabled')

    // a deployment scaled
    await chooseKind('Deployments')
    await row('default/web').locator('[data-test=row-scale]').click()
    await page.locator('[data-test=scale-replicas] input').fill('5')
    await page.locator('[data-test=scale-save]').click()
    await expect(row('default/web')).toContainText('5/5')

    // a secret's values stay hidden in its YAML
    await chooseKind('Secrets (names)')
    await row('default/web-tls').locator('[data-test=row-yaml]').click()
    await expect(page.locator('textarea[name=yaml]')).toHaveValue(/tls\.key: <hidden>/)
    await page.keyboard.press('Escape')

    // YAML applied only after its diff was shown
    await page.locator('[data-test=explorer-apply]').click()
    await page.fill('textarea[name=yaml]', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: default\ndata:\n  LOG_LEVEL: debug\n  PORT: "8080"\n')
    await expect(page.locator('[data-test=yaml-apply]')).toBeDisabled()
    await page.locator('[data-test=yaml-plan]').click()
    await expect(page.locator('[data-test=yaml-changes] .del')).toContainText('LOG_LEVEL: info')
    await expect(page.locator('[data-test=yaml-changes] .add')).toContainText('LOG_LEVEL: debug')
    await shot(page, 'apply-diff')
    await page.locator('[data-test=yaml-apply]').click()
    await expect(page.locator('[data-test=yaml-applied]')).toBeVisible()
    await page.locator('[data-test=yaml-plan]').click()
    await expect(page.locator('[data-test=yaml-changes]')).toContainText('unchanged')
    await page.keyboard.press('Escape')

    // the API server goes away: the view says so, and resumes by itself
    await chooseKind('Pods')
    await expect(row('default/web-00000')).toBeVisible()
    await stopStandIn(standin)
    await expect(page.locator('[data-test=reconnecting]')).toBeVisible({ timeout: 30_000 })
    standin = await startStandIn(standin.dir, port, ['--log-every', '300'])
    await expect(page.locator('[data-test=reconnecting]')).toHaveCount(0, { timeout: 30_000 })
    await expect(row('default/web-00000')).toBeVisible()
    await expect(page.locator('[data-test=explorer-tabs]')).toContainText('explore')
  } finally {
    await stopStandIn(standin).catch(() => {})
  }
})
