import { describe, expect, it } from 'vitest'
import type { ResourceRow } from './backend/types'
import { LiveRows, age, filterRows } from './resourceRows'

const row = (ns: string, name: string, cells: string[] = []): ResourceRow => ({
  key: `${ns}/${name}`,
  namespace: ns,
  name,
  created: '',
  cells,
  state: 'ok',
})

describe('live rows', () => {
  it('take a snapshot, then upserts and removals, and know when the watch is away', () => {
    const live = new LiveRows()
    live.apply({ kind: 'snapshot', data: [row('b', 'x'), row('a', 'y')] })
    expect(live.sorted().map((r) => r.key)).toEqual(['a/y', 'b/x'])
    live.apply({ kind: 'upsert', data: row('a', 'y', ['Running']) })
    live.apply({ kind: 'upsert', data: row('a', 'z') })
    live.apply({ kind: 'remove', data: 'b/x' })
    expect(live.sorted().map((r) => [r.key, r.cells])).toEqual([
      ['a/y', ['Running']],
      ['a/z', []],
    ])
    live.apply({ kind: 'reconnecting', data: 'connection refused' })
    expect(live.reconnecting).toBe('connection refused')
    expect(live.size).toBe(2)
    live.apply({ kind: 'snapshot', data: [row('c', 'only')] })
    expect(live.reconnecting).toBeNull()
    expect(live.sorted().map((r) => r.key)).toEqual(['c/only'])
  })

  it('filter by every word over namespace, name and cells', () => {
    const rows = [row('default', 'web-1', ['Running', 'w1']), row('default', 'db-0', ['CrashLoopBackOff', 'w2']), row('kube-system', 'web-proxy', ['Running', 'w1'])]
    expect(filterRows(rows, '').length).toBe(3)
    expect(filterRows(rows, 'WEB').map((r) => r.name)).toEqual(['web-1', 'web-proxy'])
    expect(filterRows(rows, 'web default').map((r) => r.name)).toEqual(['web-1'])
    expect(filterRows(rows, 'crash').map((r) => r.name)).toEqual(['db-0'])
    expect(filterRows(rows, 'w9')).toEqual([])
  })
})

describe('age', () => {
  it('reads like kubectl', () => {
    const now = Date.parse('2026-12-07T12:00:00Z')
    expect(age('2026-12-07T11:59:15Z', now)).toBe('45s')
    expect(age('2026-12-07T11:30:00Z', now)).toBe('30m')
    expect(age('2026-12-07T02:00:00Z', now)).toBe('10h')
    expect(age('2026-11-30T12:00:00Z', now)).toBe('7d')
    expect(age('2023-12-07T12:00:00Z', now)).toBe('3y')
    expect(age('', now)).toBe('')
  })
})
