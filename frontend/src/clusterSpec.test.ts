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
    expect(doc.load_balancer).toEqual({ mode: 'internal' })
    // the wizard's state is not changed by making the document
    expect(spec.nodes).toHaveLength(2)
  })

  it('keeps the VIP and its hosts only in external mode', () => {
    const spec = defaultSpec()
    spec.load_balancer.vip = '10.1.0.100'
    expect(JSON.parse(clusterFile(spec)).load_balancer).toEqual({ mode: 'internal' })
    spec.load_balancer.mode = 'external'
    spec.load_balancer.hosts = ['h1', 'h2']
    expect(JSON.parse(clusterFile(spec)).load_balancer).toEqual({ mode: 'external', vip: '10.1.0.100', hosts: ['h1', 'h2'] })
  })
})
