// Who is logged in, and whether the password must be changed first.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { backend } from '../backend/current'
import type { Me } from '../backend/types'

export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const checked = ref(false)

  async function refresh() {
    me.value = await backend.me()
    checked.value = true
  }

  async function login(name: string, password: string) {
    me.value = await backend.login(name, password)
    checked.value = true
  }

  async function changePassword(old: string, password: string) {
    await backend.changePassword(old, password)
    await refresh()
  }

  async function logout() {
    await backend.logout()
    me.value = null
  }

  return { me, checked, refresh, login, changePassword, logout }
})
