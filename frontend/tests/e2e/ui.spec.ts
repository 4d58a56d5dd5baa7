import { expect, test } from '@playwright/test'

const url = () => process.env.KO_URL!

test('first login forces a new password, then the overview and the language switch work', async ({ page }) => {
  await page.goto(url())
  await expect(page).toHaveURL(/#\/login$/)
  await page.fill('input[name=name]', 'admin')
  await page.fill('input[name=password]', 'not-the-password')
  await page.click('button[type=submit]')
  await expect(page.locator('[data-test=error]')).toBeVisible()

  await page.fill('input[name=password]', 'kubeoperator@admin123')
  await page.click('button[type=submit]')
  await expect(page).toHaveURL(/#\/password$/)
  // the overview is not reachable before the password is changed
  await page.goto(`${url()}#/hosts`)
  await expect(page).toHaveURL(/#\/password$/)
  await page.fill('input[name=old]', 'kubeoperator@admin123')
  await page.fill('input[name=new]', 'e2e-new-password')
  await page.fill('input[name=again]', 'e2e-new-password')
  await page.click('button[type=submit]')
  await expect(page).toHaveURL(/#\/$/)
  await expect(page.locator('[data-test=count-hosts]')).toContainText('0')

  await page.getByRole('menuitem', { name: 'Hosts' }).click()
  await expect(page).toHaveURL(/#\/hosts$/)
  await expect(page.locator('[data-test=hosts]')).toBeVisible()

  await page.locator('[data-test=language]').click()
  await page.getByRole('option', { name: '简体中文' }).click()
  await expect(page.getByRole('menuitem', { name: '集群' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('menuitem', { name: '集群' })).toBeVisible()

  // logging out ends the session: the app goes back to the login page
  await page.getByRole('button', { name: '退出登录' }).click()
  await expect(page).toHaveURL(/#\/login$/)
  await page.goto(`${url()}#/clusters`)
  await expect(page).toHaveURL(/#\/login$/)
})
