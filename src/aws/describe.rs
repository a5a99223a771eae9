//! The Describe calls of each collector, following `nextToken` to the end.

use std::sync::Arc;
use std::time::Instant;

use aws_sdk_directconnect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_directconnect::operation as op;
use aws_sdk_directconnect::types as sdk;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{CallError, Session, map};
use crate::model::{
    Connection, GatewayAssociation, GatewayAttachment, GatewayData, Lag, VirtualInterface,
};

/// Page size asked of every Describe call (the API's maximum).
const PAGE_SIZE: i32 = 100;
/// Gateways whose attachments and associations are listed at the same time. Each listing
/// is a chain of pages, so only listing gateways side by side lets an account with a
/// gateway per region be ready about as soon as one region; the bound keeps an account's
/// hundreds of gateways from becoming hundreds of calls at once, and the lane paces them
/// if AWS throttles.
const GATEWAY_CONCURRENCY: usize = 32;
/// Upper bound on pages of one listing: 1 000 000 resources; a loop guard, not a limit
/// anyone should reach.
const MAX_PAGES: usize = 10_000;

/// Walks a paginated listing: `fetch(token)` returns one page's items and the next token.
/// Stops at an absent or empty token; fails if a token repeats or pages never end.
pub(super) async fn paginate<T, F, Fut>(
    operation: &'static str,
    fetch: F,
) -> Result<Vec<T>, CallError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), CallError>>,
{
    paginate_within(operation, MAX_PAGES, fetch).await
}

/// [`paginate`] with a loop guard of `max_pages` pages.
pub(super) async fn paginate_within<T, F, Fut>(
    operation: &'static str,
    max_pages: usize,
    mut fetch: F,
) -> Result<Vec<T>, CallError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), CallError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..max_pages {
        let (page, next) = fetch(token.clone()).await?;
        items.extend(page);
        match next.filter(|t| !t.is_empty()) {
            None => return Ok(items),
            Some(next) if Some(&next) == token.as_ref() => {
                return Err(CallError::Pagination {
                    operation,
                    reason: "the same nextToken came back twice",
                });
            }
            Some(next) => token = Some(next),
        }
    }
    Err(CallError::Pagination {
        operation,
        reason: "more pages than the loop guard allows",
    })
}

/// Runs `task(item)` for every item, at most `limit` at a time, and returns each item with
/// its output in the items' order. The first error ends the run (the tasks still running
/// are aborted) unless `tolerated` accepts it: that item is then left out.
pub(super) async fn each_bounded<I, T, F, Fut>(
    items: Vec<I>,
    limit: usize,
    task: F,
    tolerated: impl Fn(&I, &CallError) -> bool,
) -> Result<Vec<(I, T)>, CallError>
where
    I: Clone + Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, CallError>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut tasks = JoinSet::new();
    for (n, item) in items.into_iter().enumerate() {
        let (run, permits) = (task(item.clone()), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (n, item, run.await)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        // A task ends only by returning; a panic in one is a bug to surface as such.
        let (n, item, result) = match joined {
            Ok(x) => x,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        match result {
            Ok(output) => done.push((n, item, output)),
            Err(e) if tolerated(&item, &e) => {}
            Err(e) => {
                tasks.abort_all();
                return Err(e);
            }
        }
    }
    done.sort_by_key(|(n, ..)| *n);
    Ok(done
        .into_iter()
        .map(|(_, item, output)| (item, output))
        .collect())
}

/// One page of a Describe listing: its items and the token of the next page.
trait Page {
    type Item;
    fn items(&self) -> &[Self::Item];
    fn next(&self) -> Option<&str>;
}

macro_rules! page {
    ($output:ty, $item:ty, $items:ident) => {
        impl Page for $output {
            type Item = $item;
            fn items(&self) -> &[$item] {
                self.$items()
            }
            fn next(&self) -> Option<&str> {
                self.next_token()
            }
        }
    };
}

page!(
    op::describe_virtual_interfaces::DescribeVirtualInterfacesOutput,
    sdk::VirtualInterface,
    virtual_interfaces
);
page!(
    op::describe_connections::DescribeConnectionsOutput,
    sdk::Connection,
    connections
);
page!(op::describe_lags::DescribeLagsOutput, sdk::Lag, lags);
page!(
    op::describe_direct_connect_gateways::DescribeDirectConnectGatewaysOutput,
    sdk::DirectConnectGateway,
    direct_connect_gateways
);
page!(
    op::describe_direct_connect_gateway_attachments::DescribeDirectConnectGatewayAttachmentsOutput,
    sdk::DirectConnectGatewayAttachment,
    direct_connect_gateway_attachments
);
page!(
    op::describe_direct_connect_gateway_associations::DescribeDirectConnectGatewayAssociationsOutput,
    sdk::DirectConnectGatewayAssociation,
    direct_connect_gateway_associations
);

/// Every item of a Describe listing, each page fetched with `send(token)` through the
/// session's call policy and mapped with `map`.
async fn list<P, T, E, F, Fut>(
    s: &Session,
    operation: &'static str,
    deadline: Instant,
    send: F,
    map: fn(&P::Item) -> T,
) -> Result<Vec<T>, CallError>
where
    P: Page,
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<P, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let send = &send;
    paginate(operation, |token| async move {
        let out = s.call(operation, deadline, || send(token.clone())).await?;
        let page = out.items().iter().map(map).collect();
        Ok((page, out.next().map(str::to_owned)))
    })
    .await
}

/// All virtual interfaces of the session's account and region, secrets dropped.
pub async fn collect_virtual_interfaces(
    s: &Session,
    deadline: Instant,
) -> Result<Vec<VirtualInterface>, CallError> {
    let c = s.client();
    list(
        s,
        "DescribeVirtualInterfaces",
        deadline,
        |token| {
            c.describe_virtual_interfaces()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        },
        map::virtual_interface,
    )
    .await
}

/// All connections of the session's account and region, secrets dropped.
pub async fn collect_connections(
    s: &Session,
    deadline: Instant,
) -> Result<Vec<Connection>, CallError> {
    let c = s.client();
    list(
        s,
        "DescribeConnections",
        deadline,
        |token| {
            c.describe_connections()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        },
        map::connection,
    )
    .await
}

/// All LAGs of the session's account and region.
pub async fn collect_lags(s: &Session, deadline: Instant) -> Result<Vec<Lag>, CallError> {
    let c = s.client();
    list(
        s,
        "DescribeLags",
        deadline,
        |token| {
            c.describe_lags()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        },
        map::lag,
    )
    .await
}

/// The account's Direct Connect gateways (global) with their attachments and associations.
/// The gateways' listings run [`GATEWAY_CONCURRENCY`] gateways at a time, since all of an
/// account's gateways are listed from one region.
pub async fn collect_gateways(s: &Session, deadline: Instant) -> Result<GatewayData, CallError> {
    let c = s.client();
    let gateways = list(
        s,
        "DescribeDirectConnectGateways",
        deadline,
        |token| {
            c.describe_direct_connect_gateways()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        },
        map::gateway,
    )
    .await?;
    let ids = gateways.iter().map(|g| g.id.clone()).collect();
    let links = each_bounded(
        ids,
        GATEWAY_CONCURRENCY,
        |id: String| {
            let s = s.clone();
            async move { gateway_links(&s, &id, deadline).await }
        },
        |_, _| false,
    )
    .await?;
    let mut data = GatewayData {
        gateways,
        ..GatewayData::default()
    };
    for (_, (attachments, associations)) in links {
        data.attachments.extend(attachments);
        data.associations.extend(associations);
    }
    Ok(data)
}

/// One gateway's attachments and associations, both listings at once.
async fn gateway_links(
    s: &Session,
    id: &str,
    deadline: Instant,
) -> Result<(Vec<GatewayAttachment>, Vec<GatewayAssociation>), CallError> {
    let c = s.client();
    let attachments = list(
        s,
        "DescribeDirectConnectGatewayAttachments",
        deadline,
        |token| {
            c.describe_direct_connect_gateway_attachments()
                .direct_connect_gateway_id(id)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        },
        map::attachment,
    );
    let associations = list(
        s,
        "DescribeDirectConnectGatewayAssociations",
        deadline,
        |token| {
            c.describe_direct_connect_gateway_associations()
                .direct_connect_gateway_id(id)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        },
        map::association,
    );
    tokio::try_join!(attachments, associations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pagination_follows_tokens_to_the_end() {
        let items = paginate("Op", |token| async move {
            let n: usize = token.map(|t| t.parse().unwrap()).unwrap_or(0);
            let next = (n < 4).then(|| (n + 1).to_string());
            Ok((vec![n], next))
        })
        .await
        .unwrap();
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn bounded_tasks_keep_the_items_order_skip_what_is_tolerated_and_stop_at_an_error() {
        let fail = |n: u64| CallError::Pagination {
            operation: "Op",
            reason: if n == 3 { "tolerated" } else { "fatal" },
        };
        let task = move |n: u64| async move {
            // Later items finish first.
            tokio::time::sleep(std::time::Duration::from_millis(50 - n * 10)).await;
            if n == 3 || n == 4 {
                Err(fail(n))
            } else {
                Ok(n * 10)
            }
        };
        let tolerated = |_: &u64, e: &CallError| {
            matches!(
                e,
                CallError::Pagination {
                    reason: "tolerated",
                    ..
                }
            )
        };
        let done = each_bounded(vec![0, 1, 2, 3], 2, task, tolerated)
            .await
            .unwrap();
        assert_eq!(done, vec![(0, 0), (1, 10), (2, 20)]);
        let err = each_bounded(vec![0, 4], 2, task, tolerated)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                CallError::Pagination {
                    reason: "fatal",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_repeating_token_is_an_error_not_a_hang() {
        let err = paginate::<u8, _, _>("Op", |_| async { Ok((vec![1], Some("same".to_owned()))) })
            .await
            .unwrap_err();
        assert!(matches!(err, CallError::Pagination { .. }), "{err}");
    }

    #[tokio::test]
    async fn an_empty_token_ends_the_listing() {
        let items = paginate("Op", |_| async { Ok((vec![7u8], Some(String::new()))) })
            .await
            .unwrap();
        assert_eq!(items, vec![7]);
    }
}
