//! A pod's container log, streamed line by line (following it as it grows, or the previous
//! instance's, or the last lines, or those since a time).

use crate::{ClusterAccess, Error, Result};
use futures::stream::BoxStream;
use futures::{AsyncBufReadExt, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::LogParams;
use serde::Deserialize;

/// Which part of which log.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct LogOptions {
    /// The container (needed when the pod has several).
    #[serde(default)]
    pub container: Option<String>,
    /// Keep streaming new lines.
    #[serde(default)]
    pub follow: bool,
    /// The previous instance's log (of a container that restarted).
    #[serde(default)]
    pub previous: bool,
    /// Only lines of the last so many seconds.
    #[serde(default)]
    pub since_seconds: Option<i64>,
    /// Only the last so many lines.
    #[serde(default)]
    pub tail_lines: Option<i64>,
    /// Each line with its time (RFC 3339) first.
    #[serde(default)]
    pub timestamps: bool,
}

/// The lines of pod `namespace/pod`'s log; the stream ends with the log (or never, following).
pub async fn log_lines(
    access: &ClusterAccess,
    namespace: &str,
    pod: &str,
    opts: &LogOptions,
) -> Result<BoxStream<'static, Result<String>>> {
    let params = LogParams {
        container: opts.container.clone(),
        follow: opts.follow,
        previous: opts.previous,
        since_seconds: opts.since_seconds,
        tail_lines: opts.tail_lines,
        timestamps: opts.timestamps,
        ..LogParams::default()
    };
    let server = access.server.clone();
    let what = format!("read the log of pod {namespace}/{pod}");
    let reader = Api::<Pod>::namespaced(access.stream_client()?, namespace)
        .log_stream(pod, &params)
        .await
        .map_err(|e| Error::from_kube(&server, e).attempting(&what))?;
    Ok(reader
        .lines()
        .map_err(move |e| Error::Protocol { server: server.clone(), reason: format!("the log stream broke: {e}") })
        .boxed())
}
