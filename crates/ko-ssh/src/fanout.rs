//! Doing one thing on many hosts at once, with a bound.

use futures::StreamExt;
use std::future::Future;

/// Hosts worked on at once unless told otherwise.
pub const DEFAULT_PARALLELISM: usize = 32;

/// Runs `op` for every item, at most `limit` at a time, and returns every item with its own result
/// in the input order: one item's failure never hides another's.
pub async fn fan_out<T, R, F, Fut>(items: Vec<T>, limit: usize, op: F) -> Vec<(T, R)>
where
    T: Clone,
    F: Fn(T) -> Fut,
    Fut: Future<Output = R>,
{
    let mut results: Vec<(usize, T, R)> = futures::stream::iter(items.into_iter().enumerate())
        .map(|(i, item)| {
            let fut = op(item.clone());
            async move { (i, item, fut.await) }
        })
        .buffer_unordered(limit.max(1))
        .collect()
        .await;
    results.sort_by_key(|(i, _, _)| *i);
    results.into_iter().map(|(_, t, r)| (t, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn bounded_ordered_and_every_result_kept() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let out = fan_out((0..20).collect(), 4, |i: u32| {
            let (running, peak) = (&running, &peak);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(u64::from(20 - i))).await;
                running.fetch_sub(1, Ordering::SeqCst);
                if i.is_multiple_of(3) { Err(format!("host {i} failed")) } else { Ok(i * 10) }
            }
        })
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 4);
        assert_eq!(out.len(), 20);
        assert!(out.iter().enumerate().all(|(i, (item, _))| *item as usize == i));
        assert_eq!(out.iter().filter(|(_, r)| r.is_err()).count(), 7);
        assert_eq!(out[4].1, Ok(40));
    }
}
