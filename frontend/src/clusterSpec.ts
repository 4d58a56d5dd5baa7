// The cluster file the create wizard builds: the same document `koctl cluster create -f` takes
// (JSON is YAML). Its type is ko-core's ClusterSpec (generated from Rust) and its defaults come
// from the API (`clusterDefaults`): nothing here re-declares the spec or its defaults.
import type { ClusterSpec } from './backend/types'

/** The document to send: empty optional strings and role-less hosts left out, so the server's
 * defaults apply and only chosen nodes are in it. */
export function clusterFile(spec: ClusterSpec): string {
  const copy: ClusterSpec = JSON.parse(JSON.stringify(spec))
  if (!copy.bundle) delete copy.bundle
  if (!copy.runtime.data_dir) delete copy.runtime.data_dir
  if (!copy.network.mode) delete copy.network.mode
  if (!copy.network.interface) delete copy.network.interface
  if (copy.load_balancer.mode === 'internal' || !copy.load_balancer.vip) delete copy.load_balancer.vip
  if (!copy.load_balancer.hosts?.length) delete copy.load_balancer.hosts
  copy.nodes = copy.nodes.filter((n) => n.roles.length > 0)
  return JSON.stringify(copy, null, 2)
}
