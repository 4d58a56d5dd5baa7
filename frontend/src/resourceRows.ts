// The rows of a live cluster view: kept by key as updates arrive (a snapshot replaces them all),
// and filtered by a search over name, namespace and cells.
import type { ResourceRow, ResourceUpdate } from './backend/types'

/** The rows of one view, by key. */
export class LiveRows {
  private rows = new Map<string, ResourceRow>()
  /** Whether the watch is away (between `reconnecting` and the next snapshot), and why. */
  reconnecting: string | null = null

  /** Applies one update. */
  apply(u: ResourceUpdate) {
    switch (u.kind) {
      case 'snapshot':
        this.rows = new Map(u.data.map((r) => [r.key, r]))
        this.reconnecting = null
        break
      case 'upsert':
        this.rows.set(u.data.key, u.data)
        break
      case 'remove':
        this.rows.delete(u.data)
        break
      case 'reconnecting':
        this.reconnecting = u.data
        break
    }
  }

  /** Every row, by namespace then name. */
  sorted(): ResourceRow[] {
    return [...this.rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  get size() {
    return this.rows.size
  }
}

/** The rows whose name, namespace or a cell contains every word of `search` (any case). */
export function filterRows(rows: ResourceRow[], search: string): ResourceRow[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return rows
  return rows.filter((r) => {
    const text = `${r.namespace ?? ''} ${r.name} ${r.cells.join(' ')}`.toLowerCase()
    return words.every((w) => text.includes(w))
  })
}

/** How long ago `created` (RFC 3339) was, as kubectl prints ages: `45s`, `12m`, `5h`, `3d`, `2y`. */
export function age(created: string, now = Date.now()): string {
  const t = Date.parse(created)
  if (Number.isNaN(t)) return ''
  const s = Math.max(0, Math.floor((now - t) / 1000))
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.floor(s / 60)}m`
  if (s < 172800) return `${Math.floor(s / 3600)}h`
  if (s < 2 * 365 * 86400) return `${Math.floor(s / 86400)}d`
  return `${Math.floor(s / (365 * 86400))}y`
}
