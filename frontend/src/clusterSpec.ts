// The cluster file the create wizard builds: the same document `koctl cluster create -f` takes
// (JSON is YAML). Defaults are the reference system's, as in ko-core's ClusterSpec.
import type { LoadBalancer } from './backend/types'

export interface NodeChoice {
  host: string
  roles: ('master' | 'etcd' | 'worker')[]
}

export interface ClusterSpec {
  name: string
  project: string
  version: string
  bundle?: string
  arch: 'amd64' | 'arm64' | 'mixed'
  node_name_rule: 'default' | 'hostname' | 'ip'
  repo_mode: 'replace' | 'coexist' | 'none'
  runtime: { type: 'containerd' | 'docker'; data_dir?: string; bridge_cidr: string }
  network: {
    plugin: 'flannel' | 'calico' | 'cilium'
    mode?: string
    pod_cidr: string
    service_cidr: string
    max_pods_per_node: number
    proxy_mode: 'iptables' | 'ipvs'
    nodelocal_dns: boolean
    dns_domain: string
  }
  components: { helm: boolean; ingress: 'nginx' | 'traefik' | 'none'; metrics_server: boolean; gpu: boolean }
  etcd: { data_dir: string }
  audit_log: boolean
  encryption_at_rest: boolean
  certificate_validity_days: number
  masters_schedulable: boolean
  load_balancer: LoadBalancer
  nodes: NodeChoice[]
}

/** The modes each CNI plugin supports; the first is its default. */
export const NETWORK_MODES: Record<ClusterSpec['network']['plugin'], string[]> = {
  flannel: ['vxlan', 'host-gw'],
  calico: ['ipip', 'bgp'],
  cilium: ['vxlan', 'geneve', 'native'],
}

export function defaultSpec(): ClusterSpec {
  return {
    name: '',
    project: 'default',
    version: '',
    arch: 'amd64',
    node_name_rule: 'default',
    repo_mode: 'coexist',
    runtime: { type: 'containerd', bridge_cidr: '172.17.0.1/16' },
    network: {
      plugin: 'calico',
      pod_cidr: '10.244.0.0/16',
      service_cidr: '10.96.0.0/12',
      max_pods_per_node: 256,
      proxy_mode: 'ipvs',
      nodelocal_dns: false,
      dns_domain: 'cluster.local',
    },
    components: { helm: true, ingress: 'nginx', metrics_server: true, gpu: false },
    etcd: { data_dir: '/var/lib/etcd' },
    audit_log: false,
    encryption_at_rest: true,
    certificate_validity_days: 3650,
    masters_schedulable: false,
    load_balancer: { mode: 'internal', vip: '', hosts: [] },
    nodes: [],
  }
}

/** The document to send: empty optional strings left out, so the server's defaults apply. */
export function clusterFile(spec: ClusterSpec): string {
  const copy: ClusterSpec = JSON.parse(JSON.stringify(spec))
  if (!copy.bundle) delete copy.bundle
  if (!copy.runtime.data_dir) delete copy.runtime.data_dir
  if (!copy.network.mode) delete copy.network.mode
  if (copy.load_balancer.mode === 'internal' || !copy.load_balancer.vip) delete copy.load_balancer.vip
  if (!copy.load_balancer.hosts?.length) delete copy.load_balancer.hosts
  copy.nodes = copy.nodes.filter((n) => n.roles.length > 0)
  return JSON.stringify(copy, null, 2)
}
