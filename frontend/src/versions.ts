/** Kubernetes versions (`v1.35.2`) as the cluster page offers them for an upgrade. */

/** `v1.35.2` as numbers. */
const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number)

/** Whether version `a` is newer than `b`. */
export function newer(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0)
  return false
}

/** The versions newer than `current`, oldest first, each once. */
export function upgradesFrom(current: string, versions: (string | null | undefined)[]): string[] {
  const found = [...new Set(versions.filter((v): v is string => !!v && newer(v, current)))]
  return found.sort((a, b) => (newer(a, b) ? 1 : -1))
}
