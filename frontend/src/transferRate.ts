// Rate and time left of a transfer, from how much is done since it started.

/** Bytes per second so far, and seconds left at that rate (null until something moved). */
export function transferRate(done: number, total: number, elapsedMs: number): { perSecond: number; secondsLeft: number | null } {
  const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
  return { perSecond, secondsLeft: perSecond > 0 ? Math.max(0, (total - done) / perSecond) : null }
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`
}
