import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { i18n } from '../i18n'

// the banner's logic over a scripted backend (the real doors are covered end to end)
const fake = vi.hoisted(() => ({ status: vi.fn(), secretsUnlock: vi.fn(), me: vi.fn() }))
vi.mock('../backend/current', () => ({ backend: fake }))

import SecretsBanner from './SecretsBanner.vue'
import { useSession } from '../stores/session'

const secrets = (state: string, kind = 'vault', problem: string | null = null) => ({
  secrets: { kind, state, backend: 'encrypted vault file /d/secrets.vault', problem, problem_code: null },
})

async function banner(admin = true) {
  const pinia = createPinia()
  setActivePinia(pinia)
  useSession().me = { name: 'admin', is_admin: admin, must_change_password: false } as never
  const w = mount(SecretsBanner, { global: { plugins: [i18n, pinia] } })
  await flushPromises()
  return w
}

describe('SecretsBanner', () => {
  beforeEach(() => vi.resetAllMocks())

  it('is not there while the secrets can be used', async () => {
    fake.status.mockResolvedValue(secrets('ready', 'keychain'))
    expect((await banner()).find('[data-test=secrets-banner]').exists()).toBe(false)
  })

  it('creates a new vault only when the passphrase is typed the same twice', async () => {
    fake.status.mockResolvedValueOnce(secrets('new')).mockResolvedValue(secrets('ready'))
    const w = await banner()
    expect(w.get('[data-test=secrets-banner]').attributes('data-state')).toBe('new')
    await w.get('input[name=vault-passphrase]').setValue('correct horse battery')
    await w.get('input[name=vault-passphrase-again]').setValue('correct horse batterz')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(fake.secretsUnlock).not.toHaveBeenCalled()
    expect(w.get('[data-test=error]').text()).toContain('differ')
    await w.get('input[name=vault-passphrase-again]').setValue('correct horse battery')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(fake.secretsUnlock).toHaveBeenCalledWith({ form: { passphrase: 'correct horse battery', create: true } })
    expect(w.find('[data-test=secrets-banner]').exists()).toBe(false)
  })

  it('unlocks a sealed vault with one field and shows why a passphrase was refused', async () => {
    fake.status.mockResolvedValue(secrets('sealed'))
    fake.secretsUnlock.mockRejectedValue(new Error('the passphrase does not open the secrets vault'))
    const w = await banner()
    expect(w.find('input[name=vault-passphrase-again]').exists()).toBe(false)
    await w.get('input[name=vault-passphrase]').setValue('wrong one here')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(fake.secretsUnlock).toHaveBeenCalledWith({ form: { passphrase: 'wrong one here', create: false } })
    expect(w.get('[data-test=error]').text()).toContain('does not open')
    expect(w.find('[data-test=secrets-banner]').exists()).toBe(true)
  })

  it('leaves unlocking to administrators', async () => {
    fake.status.mockResolvedValue(secrets('sealed'))
    const w = await banner(false)
    expect(w.find('form').exists()).toBe(false)
    expect(w.text()).toContain('An administrator unlocks it')
  })

  it('says what is wrong with a keychain that is gone, with no form', async () => {
    fake.status.mockResolvedValue(secrets('unavailable', 'keychain', 'no Secret Service runs on this D-Bus session'))
    const w = await banner()
    expect(w.get('[data-test=secrets-problem]').text()).toContain('no Secret Service')
    expect(w.find('form').exists()).toBe(false)
  })
})
