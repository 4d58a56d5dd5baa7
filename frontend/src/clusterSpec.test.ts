import { describe, expect, it } from 'vitest'
import type { ClusterSpec } from './backend/types'
import { clusterFile } from './clusterSpec'

/** A cluster file as `clusterDefaults` answers it (the API's defaults; a fixture here). */
function blank(): ClusterSpec {
  return {
    name: '',
    project: 'default',
    provider: 'manual',
    version: '',
    arch: 'amd64',
    node_name_rule: 'default',
    repo_mode: 'coexist',
    time_sync: 'chrony',
    runtime: { type: 'containerd', bridge_cidr: '172.17.0.1/16', data_dir: null },
    network: {
      plugin: 'calico',
      mode: null,
      interface: null,
      pod_cidr: '10.244.0.0/16',
      service_cidr: '10.96.0.0/12',
      max_pods_per_node: 256,
      max_services: 256,
      proxy_mode: 'ipvs',
      nodelocal_dns: false,
      dns_domain: 'cluster.local',
    },
    components: { helm: true, ingress: 'nginx', metrics_server: true, gpu: false },
    etcd: {
      data_dir: '/var/lib/etcd',
      compaction_retention_hours: 1,
      election_timeout_ms: 1000,
      heartbeat_interval_ms: 100,
      quota_backend_gib: 8,
      snapshot_count: 10000,
    },
    audit_log: false,
    encryption_at_rest: true,
    certificate_validity_days: 3650,
    masters_schedulable: false,
    load_balancer: { mode: 'internal', vip: null, hosts: [], from: 'image' },
    nodes: [],
  }
}

describe('clusterFile', () => {
  it('leaves empty optional fields and role-less hosts out', () => {
    const spec = blank()
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
    expect(doc.network.interface).toBeUndefined()
    expect(doc.nodes).toEqual([{ host: 'h1', roles: ['master', 'etcd'] }])
    expect(doc.load_balancer).toEqual({ mode: 'internal', from: 'image' })
    // the wizard's state is not changed by making the document
    expect(spec.nodes).toHaveLength(2)
  })

  it('keeps the VIP and its hosts only in external mode', () => {
    const spec = blank()
    spec.load_balancer.vip = '10.1.0.100'
    expect(JSON.parse(clusterFile(spec)).load_balancer).toEqual({ mode: 'internal', from: 'image' })
    spec.load_balancer.mode = 'external'
    spec.load_balancer.hosts = ['h1', 'h2']
    expect(JSON.parse(clusterFile(spec)).load_balancer).toEqual({ mode: 'external', vip: '10.1.0.100', hosts: ['h1', 'h2'], from: 'image' })
  })
})
