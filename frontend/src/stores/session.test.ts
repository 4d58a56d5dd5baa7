import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

// the store's logic only, over a scripted backend (the real ones are covered end to end)
const fake = vi.hoisted(() => ({
  me: vi.fn(),
  login: vi.fn(),
  logout: vi.fn(),
  changePassword: vi.fn(),
}))
vi.mock('../backend/current', () => ({ backend: fake }))

import { useSession } from './session'

describe('session store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.resetAllMocks()
  })

  it('is checked once it asked who is logged in, even when nobody is', async () => {
    fake.me.mockResolvedValue(null)
    const s = useSession()
    expect(s.checked).toBe(false)
    await s.refresh()
    expect([s.checked, s.me]).toEqual([true, null])
  })

  it('asks again after a password change, so the forced change is over', async () => {
    fake.login.mockResolvedValue({ name: 'admin', is_admin: true, must_change_password: true })
    fake.me.mockResolvedValue({ name: 'admin', is_admin: true, must_change_password: false })
    const s = useSession()
    await s.login('admin', 'kubeoperator@admin123')
    expect(s.me?.must_change_password).toBe(true)
    await s.changePassword('kubeoperator@admin123', 'new-password')
    expect(fake.changePassword).toHaveBeenCalledWith('kubeoperator@admin123', 'new-password')
    expect(s.me?.must_change_password).toBe(false)
  })

  it('forgets the user on logout', async () => {
    fake.login.mockResolvedValue({ name: 'bob', is_admin: false, must_change_password: false })
    const s = useSession()
    await s.login('bob', 'pw')
    await s.logout()
    expect(s.me).toBeNull()
    expect(fake.logout).toHaveBeenCalledOnce()
  })
})
