//! An object's YAML, and server-side apply of YAML with the difference shown first: each document
//! is applied as a dry run (`dryRun=All`, field manager [`FIELD_MANAGER`], conflicts forced as
//! `kubectl apply --server-side --force-conflicts` does) and compared with what is there; the
//! real apply is the same request without the dry run.

use crate::rows::ResourceKind;
use crate::{ClusterAccess, Error, Result};
use kube::api::{DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::discovery::{ApiResource, Scope};
use kube::{Api, Client};
use serde::Serialize;

/// Who the app is in `managedFields`.
pub const FIELD_MANAGER: &str = "kubeoperator-desktop";

/// What an apply does (or did) to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApplyChange {
    /// `apiVersion/Kind`.
    pub kind: String,
    /// Its namespace (none: cluster-scoped).
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// `create`, `change` or `unchanged`.
    pub action: String,
    /// A unified diff of its YAML, what is there against what will be (empty when unchanged).
    pub diff: String,
}

impl ResourceKind {
    /// Its API group, version, kind and plural.
    pub fn api_resource(self) -> ApiResource {
        let (group, kind, plural) = match self {
            Self::Nodes => ("", "Node", "nodes"),
            Self::Namespaces => ("", "Namespace", "namespaces"),
            Self::Pods => ("", "Pod", "pods"),
            Self::Deployments => ("apps", "Deployment", "deployments"),
            Self::StatefulSets => ("apps", "StatefulSet", "statefulsets"),
            Self::DaemonSets => ("apps", "DaemonSet", "daemonsets"),
            Self::Jobs => ("batch", "Job", "jobs"),
            Self::CronJobs => ("batch", "CronJob", "cronjobs"),
            Self::Services => ("", "Service", "services"),
            Self::Ingresses => ("networking.k8s.io", "Ingress", "ingresses"),
            Self::PersistentVolumes => ("", "PersistentVolume", "persistentvolumes"),
            Self::PersistentVolumeClaims => ("", "PersistentVolumeClaim", "persistentvolumeclaims"),
            Self::ConfigMaps => ("", "ConfigMap", "configmaps"),
            Self::Secrets => ("", "Secret", "secrets"),
            Self::Events => ("", "Event", "events"),
        };
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, "v1", kind), plural)
    }
}

fn dynamic_api(client: Client, ar: &ApiResource, namespaced: bool, namespace: Option<&str>) -> Api<DynamicObject> {
    match (namespaced, namespace) {
        (true, Some(ns)) => Api::namespaced_with(client, ns, ar),
        (true, None) => Api::default_namespaced_with(client, ar),
        (false, _) => Api::all_with(client, ar),
    }
}

/// Drops what the server owns (managed fields, versions, status) so that a diff shows the change.
fn normalized(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(m) = v["metadata"].as_object_mut() {
        for k in ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"] {
            m.remove(k);
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    v
}

fn yaml(v: &serde_json::Value) -> String {
    serde_yaml_ng::to_string(v).unwrap_or_default()
}

/// Object `namespace/name` of `kind` as YAML (without managed fields). A secret's data values
/// are shown as `<hidden>` unless `reveal`.
pub async fn object_yaml(
    access: &ClusterAccess,
    kind: ResourceKind,
    namespace: Option<&str>,
    name: &str,
    reveal: bool,
) -> Result<String> {
    let ar = kind.api_resource();
    let api = dynamic_api(access.client()?, &ar, kind.namespaced(), namespace);
    let obj = api
        .get(name)
        .await
        .map_err(|e| Error::from_kube(&access.server, e).attempting(&format!("read {} {name}", ar.kind)))?;
    let mut v = serde_json::to_value(&obj)
        .map_err(|e| Error::Protocol { server: access.server.clone(), reason: e.to_string() })?;
    if let Some(m) = v["metadata"].as_object_mut() {
        m.remove("managedFields");
    }
    if kind == ResourceKind::Secrets && !reveal {
        for field in ["data", "stringData"] {
            if let Some(d) = v[field].as_object_mut() {
                d.values_mut().for_each(|x| *x = "<hidden>".into());
            }
        }
    }
    Ok(yaml(&v))
}

/// The documents of `text`, each an object with `apiVersion`, `kind` and `metadata.name`.
fn documents(text: &str) -> Result<Vec<DynamicObject>> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = serde_json::Value::deserialize(doc)
            .map_err(|e| Error::BadManifest(format!("document {} is not YAML: {e}", i + 1)))?;
        if value.is_null() {
            continue;
        }
        let obj: DynamicObject = serde_json::from_value(value)
            .map_err(|e| Error::BadManifest(format!("document {} is not a Kubernetes object: {e}", i + 1)))?;
        if obj.types.is_none() || obj.metadata.name.as_deref().unwrap_or_default().is_empty() {
            return Err(Error::BadManifest(format!("document {} needs apiVersion, kind and metadata.name", i + 1)));
        }
        out.push(obj);
    }
    if out.is_empty() {
        return Err(Error::BadManifest("there is no object in it".into()));
    }
    Ok(out)
}

/// Applies (or, with `dry_run`, only plans) every object of `text`, in `namespace` for those that
/// name none; returns what changes, with diffs. Nothing is applied when a document is invalid.
pub async fn apply_yaml(
    access: &ClusterAccess,
    text: &str,
    namespace: &str,
    dry_run: bool,
) -> Result<Vec<ApplyChange>> {
    let objects = documents(text)?;
    let client = access.client()?;
    let server = access.server.as_str();
    let mut resolved = Vec::new();
    for obj in &objects {
        let types = obj.types.clone().unwrap_or_default();
        let gvk = GroupVersionKind::try_from(&types)
            .map_err(|e| Error::BadManifest(format!("{} {}: {e}", types.api_version, types.kind)))?;
        let (ar, caps) = kube::discovery::pinned_kind(&client, &gvk).await.map_err(|e| match e {
            kube::Error::Discovery(_) => {
                Error::BadManifest(format!("the API server does not serve kind {} in {}", gvk.kind, types.api_version))
            }
            other => Error::from_kube(server, other),
        })?;
        let namespaced = caps.scope == Scope::Namespaced;
        let ns = namespaced.then(|| obj.metadata.namespace.clone().unwrap_or_else(|| namespace.to_string()));
        resolved.push((obj, ar, ns));
    }
    let mut changes = Vec::new();
    for (obj, ar, ns) in resolved {
        let name = obj.metadata.name.clone().unwrap_or_default();
        let api = dynamic_api(client.clone(), &ar, ns.is_some(), ns.as_deref());
        let what = format!("apply {} {name}", ar.kind);
        let live = api.get_opt(&name).await.map_err(|e| Error::from_kube(server, e).attempting(&what))?;
        let mut body = obj.clone();
        body.metadata.namespace = ns.clone();
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let planned = api
            .patch(&name, &params.clone().dry_run(), &Patch::Apply(&body))
            .await
            .map_err(|e| Error::from_kube(server, e).attempting(&what))?;
        let before =
            live.as_ref().map(|l| yaml(&normalized(serde_json::to_value(l).unwrap_or_default()))).unwrap_or_default();
        let after = yaml(&normalized(serde_json::to_value(&planned).unwrap_or_default()));
        let action = match &live {
            None => "create",
            Some(_) if before == after => "unchanged",
            Some(_) => "change",
        };
        let diff = if action == "unchanged" {
            String::new()
        } else {
            similar::TextDiff::from_lines(&before, &after)
                .unified_diff()
                .context_radius(3)
                .header("live", "applied")
                .to_string()
        };
        if !dry_run && action != "unchanged" {
            api.patch(&name, &params, &Patch::Apply(&body))
                .await
                .map_err(|e| Error::from_kube(server, e).attempting(&what))?;
        }
        changes.push(ApplyChange {
            kind: format!("{}/{}", ar.api_version, ar.kind),
            namespace: ns,
            name,
            action: action.into(),
            diff,
        });
    }
    Ok(changes)
}
