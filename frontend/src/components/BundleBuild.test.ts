import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { i18n } from '../i18n'
import type { BuildUpdate } from '../backend/types'

// the build dialog's logic over a scripted backend (the real doors are covered by koctl's tests)
const fake = vi.hoisted(() => ({ kind: 'desktop', buildBundle: vi.fn(), importBundle: vi.fn() }))
vi.mock('../backend/current', () => ({ backend: fake }))

import BundleBuild from './BundleBuild.vue'

const report = { manifest: { name: 'kubernetes-v1.36.0', files: [{}, {}, {}], arches: ['amd64'] }, zip_size: 3 << 20 }

async function started(updates: BuildUpdate[], hold = false) {
  let release = () => {}
  fake.buildBundle.mockImplementation(async (_form, onUpdate: (u: BuildUpdate) => void) => {
    updates.forEach(onUpdate)
    if (hold) await new Promise<void>((r) => (release = r))
  })
  const w = mount(BundleBuild, { global: { plugins: [i18n, ElementPlus] } })
  await w.get('input[data-test=build-recipe]').setValue('/r/kubernetes-v1.36.0.toml')
  await w.get('textarea[data-test=build-mirrors]').setValue('https://dl.k8s.io=http://nexus.local/k8s\n\n github.com=files.local \n')
  await w.get('form').trigger('submit')
  await flushPromises()
  return { w, release }
}

describe('BundleBuild', () => {
  beforeEach(() => vi.resetAllMocks())

  it('sends the recipe, arches and each mirror, and shows the downloads as they come', async () => {
    const { w, release } = await started(
      [
        { kind: 'download', data: { stage: 'planned', files: 4, total: 4 << 20 } },
        { kind: 'download', data: { stage: 'bytes', done: 1 << 20, total: 4 << 20, files_done: 1, files: 4 } },
      ],
      true,
    )
    expect(fake.buildBundle.mock.calls[0][0]).toEqual({
      recipe: '/r/kubernetes-v1.36.0.toml',
      arches: ['amd64'],
      mirrors: ['https://dl.k8s.io=http://nexus.local/k8s', 'github.com=files.local'],
      base: null,
    })
    expect(w.get('[data-test=build-figures]').text()).toContain('Downloading 1.0 MiB of 4.0 MiB, 1 of 4 files')
    expect(w.get('[data-test=build-progress]').attributes('aria-valuenow')).toBe('25')
    release()
  })

  it('says where the zip is and imports it into the library on the desktop', async () => {
    const { w } = await started([
      { kind: 'writing', data: { file: 'a', done: 2, total: 2, files_done: 1, files: 1 } },
      { kind: 'done', data: { report, path: '/d/builds/kubernetes-v1.36.0.zip' } } as unknown as BuildUpdate,
    ])
    expect(w.get('[data-test=build-done]').text()).toContain('/d/builds/kubernetes-v1.36.0.zip')
    expect(w.find('[data-test=build-progress]').exists()).toBe(false)
    fake.importBundle.mockResolvedValue({})
    await w.get('[data-test=build-import]').trigger('click')
    await flushPromises()
    expect(fake.importBundle).toHaveBeenCalledWith({ path: '/d/builds/kubernetes-v1.36.0.zip' }, true)
    expect(w.emitted('imported')).toHaveLength(1)
  })

  it('shows why a build failed', async () => {
    const { w } = await started([{ kind: 'failed', data: { code: 'bundle.upstream_mismatch', message: 'calico.yaml is not what the recipe pins' } }])
    expect(w.get('[data-test=build-error]').text()).toContain('calico.yaml is not what the recipe pins')
  })
})
