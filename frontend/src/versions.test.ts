import { describe, expect, it } from 'vitest'
import { newer, upgradesFrom } from './versions'

describe('versions', () => {
  it('compares numerically, not as text', () => {
    expect(newer('v1.35.10', 'v1.35.9')).toBe(true)
    expect(newer('v1.35.0', 'v1.35.0')).toBe(false)
    expect(newer('v1.34.9', 'v1.35.0')).toBe(false)
  })
  it('offers only newer versions, oldest first, once', () => {
    expect(upgradesFrom('v1.34.1', ['v1.36.0', null, 'v1.34.1', 'v1.35.4', 'v1.33.9', 'v1.35.4', 'v1.34.2'])).toEqual([
      'v1.34.2',
      'v1.35.4',
      'v1.36.0',
    ])
  })
})
