// Host CSV (`name,address,port,credential,jump,fingerprint`, the format `koctl host import` and the
// API take): parsed here only to show each row's key before it is trusted; the server parses and
// checks it again when importing.
import type { HostForm } from './backend/types'

/** One data row of the file. */
export interface CsvHost {
  /** 1-based line number in the text. */
  line: number
  form: HostForm
  /** The `SHA256:` fingerprint given in the file or confirmed after a scan. */
  fingerprint: string
}

/** Rows of the CSV (blank lines, `#` comments and a `name,` header skipped); short rows are errors. */
export function parseHostCsv(text: string): { rows: CsvHost[]; errors: string[] } {
  const rows: CsvHost[] = []
  const errors: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#') || (i === 0 && line.toLowerCase().startsWith('name,'))) return
    const [name = '', address = '', port = '', credential = '', jump = '', fingerprint = ''] = line.split(',').map((c) => c.trim())
    if (!name || !address || !credential) {
      errors.push(`line ${i + 1}: expected name,address,port,credential[,jump[,fingerprint]]`)
      return
    }
    rows.push({ line: i + 1, form: { name, address, port: port ? Number(port) : 22, credential, jump: jump || null }, fingerprint })
  })
  return { rows, errors }
}

/** The rows back as CSV, each with its fingerprint. */
export function toHostCsv(rows: CsvHost[]): string {
  return rows.map((r) => [r.form.name, r.form.address, r.form.port ?? 22, r.form.credential, r.form.jump ?? '', r.fingerprint].join(',')).join('\n')
}
