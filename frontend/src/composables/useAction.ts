// Runs a user action: `busy` while it runs, its error message in `error` and the step that gets
// past it in `next` (both cleared on the next one), and `after` (e.g. reloading the page's data)
// once it succeeded.
import { ref } from 'vue'
import { ApiError, type NextStep } from '../backend/types'

export function useAction(after: () => Promise<unknown> = async () => {}) {
  const busy = ref(false)
  const error = ref('')
  const next = ref<NextStep | null>(null)

  async function run(op: () => Promise<unknown>): Promise<boolean> {
    busy.value = true
    error.value = ''
    next.value = null
    try {
      await op()
      await after()
      return true
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      next.value = e instanceof ApiError ? e.next : null
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, error, next, run }
}
