//! The gateway's two loops: every ECS List* read follows `nextToken` through `all_pages`, and
//! every Describe* that takes a list of ARNs goes through `in_batches`, so the limits (pages,
//! ARNs per call) are written once.

use std::future::Future;

use crate::services::error::EcsFailure;

/// DescribeDaemonRevisions and DescribeDaemonDeployments take at most this many ARNs.
pub const DAEMON_BATCH: usize = 20;
/// DescribeClusters, DescribeContainerInstances and DescribeTasks take up to 100.
pub const WIDE_BATCH: usize = 100;
/// Upper bound on pages read by one listing, so a huge account cannot stall a page.
pub const MAX_PAGES: usize = 100;

/// Calls `page(token)` until ECS returns no `nextToken` (or `max_pages` pages), collecting the
/// items. `page` may end the listing early by returning no token.
pub async fn all_pages<T, F, Fut>(max_pages: usize, mut page: F) -> Result<Vec<T>, EcsFailure>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), EcsFailure>>,
{
    let mut items = Vec::new();
    let mut token = None;
    for _ in 0..max_pages.max(1) {
        let (got, next) = page(token).await?;
        items.extend(got);
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}

/// Calls `describe` with `size` ARNs at a time (one after another: they share the account's
/// ECS rate limit), collecting the answers.
pub async fn in_batches<T, F, Fut>(
    arns: &[String],
    size: usize,
    mut describe: F,
) -> Result<Vec<T>, EcsFailure>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, EcsFailure>>,
{
    let mut items = Vec::new();
    for chunk in arns.chunks(size.max(1)) {
        items.extend(describe(chunk.to_vec()).await?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn follows_tokens_until_the_last_page_and_stops_at_the_bound() {
        let calls = std::cell::Cell::new(0);
        let items = all_pages(10, |token: Option<String>| {
            calls.set(calls.get() + 1);
            let n: u32 = token.map(|t| t.parse().unwrap()).unwrap_or(0);
            async move { Ok::<_, EcsFailure>((vec![n], (n < 2).then(|| (n + 1).to_string()))) }
        })
        .await
        .unwrap();
        assert_eq!(items, vec![0, 1, 2]);
        assert_eq!(calls.get(), 3);
        let bounded = all_pages(2, |_| async { Ok::<_, EcsFailure>((vec![1], Some("again".to_string()))) })
            .await
            .unwrap();
        assert_eq!(bounded.len(), 2);
    }

    #[tokio::test]
    async fn batches_hold_at_most_the_limit() {
        let arns: Vec<String> = (0..45).map(|i| i.to_string()).collect();
        let sizes =
            in_batches(&arns, DAEMON_BATCH, |chunk| async move { Ok::<_, EcsFailure>(vec![chunk.len()]) })
                .await
                .unwrap();
        assert_eq!(sizes, vec![20, 20, 5]);
    }
}
