import { describe, expect, it } from 'vitest'
import { LogBuffer } from './logBuffer'
import type { LogLine } from './backend/types'

const line = (id: number, host: string, text: string): LogLine => ({
  id,
  at: '2026-11-28T00:00:00Z',
  host,
  step: 's',
  stream: 'stdout',
  line: text,
})

describe('LogBuffer', () => {
  it('filters by host and text, and keeps repeated ids out', () => {
    const b = new LogBuffer()
    b.push(line(1, 'h1', 'PASS ports'))
    b.push(line(2, 'h2', 'FAIL ports: in use'))
    b.push(line(2, 'h2', 'FAIL ports: in use'))
    b.push(line(3, 'h1', 'done'))
    expect(b.total).toBe(3)
    expect(b.hosts).toEqual(['h1', 'h2'])
    b.setFilter({ host: 'h1', search: '' })
    expect(b.slice(0, 10).map((l) => l.id)).toEqual([1, 3])
    b.setFilter({ host: null, search: 'PORTS' })
    expect(b.slice(0, 10).map((l) => l.id)).toEqual([1, 2])
    b.push(line(4, 'h2', 'ports again'))
    expect(b.length).toBe(3)
  })

  it('a paused view keeps its length while lines arrive', () => {
    const b = new LogBuffer()
    b.push(line(1, 'h1', 'a'))
    b.pause()
    b.push(line(2, 'h1', 'b'))
    expect([b.length, b.total, b.paused]).toEqual([1, 2, true])
    b.resume()
    expect(b.length).toBe(2)
  })

  it('holds 200k lines and filters all of them', () => {
    const b = new LogBuffer()
    for (let i = 1; i <= 200_000; i++) b.push(line(i, `h${i % 10}`, `line ${i}`))
    b.setFilter({ host: 'h3', search: '99' })
    const shown = b.slice(0, b.length)
    const expected = [...Array(200_000).keys()].map((i) => i + 1).filter((i) => i % 10 === 3 && `line ${i}`.includes('99'))
    expect(shown.map((l) => l.id)).toEqual(expected)
  })
})
