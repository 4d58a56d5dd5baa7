// Where the secrets are kept and whether they can be used now: the banner above every page and
// the overview read it; unlocking the vault refreshes it.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { backend } from '../backend/current'
import type { SecretsStatus } from '../backend/types'

export const useSecrets = defineStore('secrets', () => {
  const status = ref<SecretsStatus | null>(null)

  async function refresh() {
    status.value = (await backend.status()).secrets
  }

  /** Gives the vault its passphrase (`create`: a new vault), then reads the state again. */
  async function unlock(passphrase: string, create: boolean) {
    await backend.secretsUnlock({ form: { passphrase, create } })
    await refresh()
  }

  return { status, refresh, unlock }
})
