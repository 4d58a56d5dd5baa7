// How a cluster's last health probe reads at a glance: its state and the tag's colour (shared by
// the cluster page and the overview's board).
import type { ClusterHealth } from './backend/types'

/** `never` (not probed yet), `unreachable`, `unhealthy` or `healthy`. */
export type HealthState = 'never' | 'healthy' | 'unhealthy' | 'unreachable'

export function healthState(h: ClusterHealth | null | undefined): HealthState {
  if (!h) return 'never'
  if (!h.reachable) return 'unreachable'
  return h.healthy ? 'healthy' : 'unhealthy'
}

/** Element Plus's tag type for a state. */
export function healthTagType(state: HealthState): 'info' | 'success' | 'warning' | 'danger' {
  return ({ never: 'info', healthy: 'success', unhealthy: 'warning', unreachable: 'danger' } as const)[state]
}
