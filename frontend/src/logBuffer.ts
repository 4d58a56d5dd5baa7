// The lines of a task's log, for a viewer that copes with 100k+ lines: appends are O(1), the
// filtered view is recomputed only when the filter changes, and a paused view keeps its length
// while lines keep arriving.
import type { LogLine } from './backend/types'

export interface LogFilter {
  host: string | null
  search: string
}

export class LogBuffer {
  private lines: LogLine[] = []
  private view: number[] = []
  private filter: LogFilter = { host: null, search: '' }
  private hostSet = new Set<string>()
  private pausedAt: number | null = null

  /** Adds a line (ignored when its id was seen: a reconnecting stream may repeat lines). */
  push(line: LogLine) {
    const last = this.lines[this.lines.length - 1]
    if (last && line.id <= last.id) return
    this.lines.push(line)
    if (line.host) this.hostSet.add(line.host)
    if (this.matches(line)) this.view.push(this.lines.length - 1)
  }

  setFilter(filter: LogFilter) {
    this.filter = { host: filter.host, search: filter.search.toLowerCase() }
    this.view = []
    this.lines.forEach((l, i) => {
      if (this.matches(l)) this.view.push(i)
    })
    if (this.pausedAt !== null) this.pausedAt = this.view.length
  }

  pause() {
    this.pausedAt = this.view.length
  }

  resume() {
    this.pausedAt = null
  }

  get paused(): boolean {
    return this.pausedAt !== null
  }

  /** Lines the viewer shows (all matching ones, or those up to the pause). */
  get length(): number {
    return this.pausedAt ?? this.view.length
  }

  get total(): number {
    return this.lines.length
  }

  get hosts(): string[] {
    return [...this.hostSet].sort()
  }

  /** Shown lines `from` (inclusive) to `to` (exclusive). */
  slice(from: number, to: number): LogLine[] {
    const end = Math.min(to, this.length)
    const out: LogLine[] = []
    for (let i = Math.max(0, from); i < end; i++) out.push(this.lines[this.view[i]])
    return out
  }

  private matches(l: LogLine): boolean {
    if (this.filter.host !== null && l.host !== this.filter.host) return false
    return this.filter.search === '' || l.line.toLowerCase().includes(this.filter.search)
  }
}
