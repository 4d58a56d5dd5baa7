import { describe, expect, it } from 'vitest'
import type { ClusterHealth } from './backend/types'
import { healthState, healthTagType } from './healthState'

const probe = (over: Partial<ClusterHealth>): ClusterHealth => ({
  checked_at: '2026-12-07T00:00:00Z',
  reachable: true,
  healthy: true,
  error: null,
  report: { version: 'v1.34.2', checks: [{ name: 'etcd', ok: true, detail: 'ok' }], nodes: [], system_pods: 3, pod_problems: [] },
  serving_cert: null,
  last_ok_at: null,
  ...over,
})

describe('a cluster health at a glance', () => {
  it('reads never, unreachable, unhealthy and healthy with their colours', () => {
    expect(healthState(null)).toBe('never')
    expect(healthState(probe({ reachable: false, healthy: false }))).toBe('unreachable')
    expect(healthState(probe({ healthy: false }))).toBe('unhealthy')
    expect(healthState(probe({}))).toBe('healthy')
    expect(healthTagType('unreachable')).toBe('danger')
    expect(healthTagType('unhealthy')).toBe('warning')
  })
})
