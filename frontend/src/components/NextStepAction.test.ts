import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n } from '../i18n'

// the step's wording and target over a scripted backend (the real doors are covered end to end)
const fake = vi.hoisted(() => ({ taskRetry: vi.fn() }))
vi.mock('../backend/current', () => ({ backend: fake }))

import NextStepAction from './NextStepAction.vue'
import type { NextStep } from '../backend/types'

async function step(s: NextStep) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { template: '<div/>' } }] })
  await router.push('/')
  const w = mount(NextStepAction, { props: { step: s }, global: { plugins: [i18n, router, ElementPlus] } })
  await flushPromises()
  return { w, router }
}

describe('NextStepAction', () => {
  beforeEach(() => vi.resetAllMocks())

  it('links to the screen where the step is taken, with its arguments in the words', async () => {
    const { w } = await step({ action: 'host_trust', host: 'node-3', fingerprint: 'SHA256:abc' })
    const link = w.get('[data-test=next-step]')
    expect(link.attributes('href')).toBe('/hosts')
    expect(link.text()).toContain('node-3')
    const deploy = (await step({ action: 'cluster_deploy', cluster: 'prod' })).w.get('[data-test=next-step]')
    expect(deploy.attributes('href')).toBe('/clusters/prod')
  })

  it('resumes a task itself and opens the retried task', async () => {
    fake.taskRetry.mockResolvedValue({ task_id: 7 })
    const { w, router } = await step({ action: 'task_retry', task: 7 })
    expect(w.get('[data-test=next-step]').text()).toContain('7')
    await w.get('[data-test=next-step]').trigger('click')
    await flushPromises()
    expect(fake.taskRetry).toHaveBeenCalledWith({ id: 7 })
    expect(router.currentRoute.value.path).toBe('/tasks/7')
  })
})
