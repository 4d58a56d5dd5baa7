// Starts `koctl serve` on a fresh data dir and hands its URL to the tests (process.env.KO_URL);
// stops it when the run ends.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServe } from './helpers'

export default async function globalSetup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'ko-e2e-'))
  const { child, url } = await startServe(dataDir)
  process.env.KO_URL = url
  process.env.KO_DATA_DIR = dataDir
  return async () => {
    child.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
