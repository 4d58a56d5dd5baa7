import { describe, expect, it } from 'vitest'
import { formatBytes, transferRate } from './transferRate'

describe('transfer rate', () => {
  it('gives the rate so far and the time left at that rate', () => {
    expect(transferRate(50 * 1024 * 1024, 200 * 1024 * 1024, 2000)).toEqual({ perSecond: 25 * 1024 * 1024, secondsLeft: 6 })
  })
  it('has no time left to tell before anything moved', () => {
    expect(transferRate(0, 100, 1500).secondsLeft).toBeNull()
    expect(transferRate(0, 100, 0).perSecond).toBe(0)
  })
  it('formats sizes in binary units', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * 1024 ** 3)]).toEqual(['512 B', '1.5 KiB', '3.0 GiB'])
  })
})
