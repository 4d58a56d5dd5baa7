import { describe, expect, it } from 'vitest'
import { useAction } from './useAction'

describe('useAction', () => {
  it('reports the error of a failed action and runs `after` only on success', async () => {
    let reloaded = 0
    const a = useAction(async () => reloaded++)
    expect(await a.run(async () => Promise.reject(new Error('no way')))).toBe(false)
    expect([a.error.value, reloaded, a.busy.value]).toEqual(['no way', 0, false])
    expect(await a.run(async () => {})).toBe(true)
    expect([a.error.value, reloaded]).toEqual(['', 1])
  })
})
