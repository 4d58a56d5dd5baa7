import { describe, expect, it } from 'vitest'
import { clusterFile, defaultSpec } from './clusterSpec'

describe('clusterFile', () => {
  it('leaves empty optional fields and role-less hosts out', () => {
    const spec = defaultSpec()
    spec.name = 'prod-a'
    spec.bundle = ''
    spec.runtime.data_dir = ''
    spec.nodes = [
      { host: 'h1', roles: ['master', 'etcd'] },
      { host: 'h2', roles: [] },
    ]
    const doc = JSON.parse(clusterFile(spec))
    expect(doc.bundle).toBeUndefined()
    expect(doc.runtime).toEqual({ type: 'containerd', bridge_cidr: '172.17.0.1/16' })
    expect(doc.network.mode).toBeUndefined()
    expect(doc.nodes).toEqual([{ host: 'h1', roles: ['master', 'etcd'] }])
    // the wizard's state is not changed by making the document
    expect(spec.nodes).toHaveLength(2)
  })
})
