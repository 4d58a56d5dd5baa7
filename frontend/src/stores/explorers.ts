// The clusters whose explorer is open (several at once): the layout shows them as tabs; each
// explorer stays alive while it is open, its watch paused while another one shows.
import { reactive } from 'vue'

/** Names of the clusters with an open explorer, in the order they were opened. */
export const openExplorers = reactive<string[]>([])

/** Most explorers kept at once (the oldest is closed beyond this). */
export const MAX_EXPLORERS = 5

/** Marks cluster `name`'s explorer open. */
export function openExplorer(name: string) {
  if (!openExplorers.includes(name)) openExplorers.push(name)
  while (openExplorers.length > MAX_EXPLORERS) openExplorers.shift()
}

/** Closes cluster `name`'s explorer tab. */
export function closeExplorer(name: string) {
  const i = openExplorers.indexOf(name)
  if (i >= 0) openExplorers.splice(i, 1)
}
