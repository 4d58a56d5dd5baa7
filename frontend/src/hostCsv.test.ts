import { describe, expect, it } from 'vitest'
import { parseHostCsv, toHostCsv } from './hostCsv'

describe('host CSV', () => {
  it('skips the header, comments and blank lines, defaults the port, keeps line numbers', () => {
    const { rows, errors } = parseHostCsv('name,address,port,credential,jump,fingerprint\n# lab\n\nm1,10.0.0.1,,root\nw1,10.0.0.2,2222,root,bastion,SHA256:abc\n')
    expect(errors).toEqual([])
    expect(rows.map((r) => [r.line, r.form.name, r.form.port, r.form.jump, r.fingerprint])).toEqual([
      [4, 'm1', 22, null, ''],
      [5, 'w1', 2222, 'bastion', 'SHA256:abc'],
    ])
  })

  it('names the line of a short row', () => {
    expect(parseHostCsv('m1,10.0.0.1\n').errors).toEqual(['line 1: expected name,address,port,credential[,jump[,fingerprint]]'])
  })

  it('writes the rows back with their fingerprints', () => {
    const { rows } = parseHostCsv('m1,10.0.0.1,,root\n')
    rows[0].fingerprint = 'SHA256:xyz'
    expect(toHostCsv(rows)).toBe('m1,10.0.0.1,22,root,,SHA256:xyz')
  })
})
