//! Live rows of one kind: a list, then the changes as the API server watches them (kube-rs's
//! watcher: resourceVersions, bookmarks, a relist after `410 Gone`). When the watch breaks, the
//! view hears `reconnecting` and the watch starts over — a fresh list, so the view gets a new
//! snapshot once the API server is back, even if it came back with other resourceVersions (a
//! restarted server, an etcd restore) — after a pause that doubles from [`FIRST_PAUSE`] up to
//! [`LONGEST_PAUSE`]. No polling: one watch connection per open view.

use crate::rows::{self, ResourceKind, ResourceRow};
use crate::{ClusterAccess, Result};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service,
};
use k8s_openapi::api::networking::v1::Ingress;
use kube::core::PartialObjectMeta;
use kube::runtime::watcher;
use kube::{Api, Client};
use serde::Serialize;
use std::fmt::Debug;
use std::time::Duration;

/// The pause before the first attempt to watch again.
pub const FIRST_PAUSE: Duration = Duration::from_millis(800);

/// The longest pause between attempts.
pub const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// What a view of one kind receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum ResourceUpdate {
    /// Every object there is now: first, and again after the watch had to list anew.
    Snapshot(Vec<ResourceRow>),
    /// An object was added or changed.
    Upsert(ResourceRow),
    /// An object is gone (its key).
    Remove(String),
    /// The watch broke (the API server did not answer, the connection dropped); it is tried
    /// again with growing pauses, and a snapshot follows once it is back.
    Reconnecting(String),
}

/// The rows of `kind` (in `namespace` when given and the kind has namespaces), kept up to date.
/// The stream ends only when dropped.
pub fn watch_rows(
    access: &ClusterAccess,
    kind: ResourceKind,
    namespace: Option<&str>,
) -> Result<BoxStream<'static, ResourceUpdate>> {
    Ok(rows_stream(access.stream_client()?, kind, namespace))
}

fn rows_stream(client: Client, kind: ResourceKind, namespace: Option<&str>) -> BoxStream<'static, ResourceUpdate> {
    let ns = namespace.filter(|_| kind.namespaced()).map(str::to_string);
    fn api<K>(client: Client, ns: Option<String>) -> Api<K>
    where
        K: kube::Resource<DynamicType = ()>,
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    {
        match ns {
            Some(ns) => Api::namespaced(client, &ns),
            None => Api::all(client),
        }
    }
    match kind {
        ResourceKind::Nodes => typed(Api::<Node>::all(client), rows::node_row),
        ResourceKind::Namespaces => typed(Api::<Namespace>::all(client), rows::namespace_row),
        ResourceKind::PersistentVolumes => typed(Api::<PersistentVolume>::all(client), rows::persistent_volume_row),
        ResourceKind::Pods => typed(api::<Pod>(client, ns), rows::pod_row),
        ResourceKind::Deployments => typed(api::<Deployment>(client, ns), rows::deployment_row),
        ResourceKind::StatefulSets => typed(api::<StatefulSet>(client, ns), rows::stateful_set_row),
        ResourceKind::DaemonSets => typed(api::<DaemonSet>(client, ns), rows::daemon_set_row),
        ResourceKind::Jobs => typed(api::<Job>(client, ns), rows::job_row),
        ResourceKind::CronJobs => typed(api::<CronJob>(client, ns), rows::cron_job_row),
        ResourceKind::Services => typed(api::<Service>(client, ns), rows::service_row),
        ResourceKind::Ingresses => typed(api::<Ingress>(client, ns), rows::ingress_row),
        ResourceKind::PersistentVolumeClaims => {
            typed(api::<PersistentVolumeClaim>(client, ns), rows::persistent_volume_claim_row)
        }
        ResourceKind::ConfigMaps => typed(api::<ConfigMap>(client, ns), rows::config_map_row),
        ResourceKind::Events => typed(api::<Event>(client, ns), rows::event_row),
        // metadata only: a secret's data never leaves the API server for a view
        ResourceKind::Secrets => typed(api::<PartialObjectMeta<Secret>>(client, ns), |m| rows::secret_row(&m.metadata)),
    }
}

fn typed<K>(api: Api<K>, to_row: fn(&K) -> ResourceRow) -> BoxStream<'static, ResourceUpdate>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default,
{
    rows_of(starting_over(move || watcher::watcher(api.clone(), watcher::Config::default()).boxed()), to_row)
}

type Events<K> = BoxStream<'static, std::result::Result<watcher::Event<K>, watcher::Error>>;

/// The events of watches made by `make`: after an error, a new watch (a fresh list) after a
/// pause that doubles from [`FIRST_PAUSE`] to [`LONGEST_PAUSE`], and back to the first once a
/// list went through.
fn starting_over<K: Send + 'static>(make: impl Fn() -> Events<K> + Send + 'static) -> Events<K> {
    let first = make();
    futures::stream::unfold((first, make, FIRST_PAUSE), |(mut events, make, mut pause)| async move {
        loop {
            match events.next().await {
                Some(Ok(e)) => {
                    if matches!(e, watcher::Event::InitDone) {
                        pause = FIRST_PAUSE;
                    }
                    return Some((Ok(e), (events, make, pause)));
                }
                Some(Err(e)) => {
                    let wait = pause;
                    let again = make();
                    let delayed = futures::stream::once(async move {
                        tokio::time::sleep(wait).await;
                        again
                    })
                    .flatten()
                    .boxed();
                    return Some((Err(e), (delayed, make, (pause * 2).min(LONGEST_PAUSE))));
                }
                None => events = make(),
            }
        }
    })
    .boxed()
}

/// Turns the watcher's events into updates: the initial (or renewed) list as one snapshot.
fn rows_of<K, S>(events: S, to_row: fn(&K) -> ResourceRow) -> BoxStream<'static, ResourceUpdate>
where
    K: Send + 'static,
    S: Stream<Item = std::result::Result<watcher::Event<K>, watcher::Error>> + Send + 'static,
{
    events
        .scan(Vec::new(), move |listing: &mut Vec<ResourceRow>, event| {
            let update = match event {
                Ok(watcher::Event::Init) => {
                    listing.clear();
                    None
                }
                Ok(watcher::Event::InitApply(o)) => {
                    listing.push(to_row(&o));
                    None
                }
                Ok(watcher::Event::InitDone) => Some(ResourceUpdate::Snapshot(std::mem::take(listing))),
                Ok(watcher::Event::Apply(o)) => Some(ResourceUpdate::Upsert(to_row(&o))),
                Ok(watcher::Event::Delete(o)) => Some(ResourceUpdate::Remove(to_row(&o).key)),
                Err(e) => Some(ResourceUpdate::Reconnecting(e.to_string())),
            };
            futures::future::ready(Some(update))
        })
        .filter_map(futures::future::ready)
        .boxed()
}
