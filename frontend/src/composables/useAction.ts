// Runs a user action: `busy` while it runs, its error message in `error` (cleared on the next
// one), and `after` (e.g. reloading the page's data) once it succeeded.
import { ref } from 'vue'

export function useAction(after: () => Promise<unknown> = async () => {}) {
  const busy = ref(false)
  const error = ref('')

  async function run(op: () => Promise<unknown>): Promise<boolean> {
    busy.value = true
    error.value = ''
    try {
      await op()
      await after()
      return true
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}
