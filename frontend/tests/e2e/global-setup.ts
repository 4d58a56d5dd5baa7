// Starts `koctl serve --listen 127.0.0.1:0 --ui dist` on a fresh data dir and hands its URL to the
// tests (process.env.KO_URL); stops it when the run ends.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

const here = dirname(fileURLToPath(import.meta.url))

export default async function globalSetup() {
  const koctl = process.env.KOCTL ?? resolve(here, '../../../target/debug/koctl')
  const dataDir = mkdtempSync(join(tmpdir(), 'ko-e2e-'))
  const ui = resolve(here, '../../dist')
  const child = spawn(koctl, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0', '--ui', ui], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`koctl serve exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', (line: string) => ok(line.replace('koctl serve: ', '').trim()))
  })
  process.env.KO_URL = url
  process.env.KO_DATA_DIR = dataDir
  return async () => {
    child.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
