//! The routes collector: ListVirtualInterfaceRoutes for every available VIF of the
//! inventory, paginated, a few VIFs at a time, counted per address family and direction.

use std::collections::BTreeMap;
use std::time::Instant;

use super::describe::{each_bounded, paginate_within};
use super::{CallError, Session};
use crate::model::{CallResult, FamilyRoutes, VifRoutes, VirtualInterface};

/// VIFs listed at once: enough to finish thousands of VIFs within an interval, few enough
/// to leave the account's request budget to the core collectors.
const CONCURRENCY: usize = 4;
/// Page size asked (the API's maximum).
const PAGE_SIZE: i32 = 100;
/// Upper bound on pages of one VIF's routes: far above the 1,000 + 1,000 routes per
/// family a session can have; a loop guard.
const MAX_PAGES: usize = 1_000;

/// Route counts of every `available` VIF among `vifs`. A VIF that vanished since the
/// inventory was taken is skipped; any other failure fails the cycle.
pub async fn collect_routes(
    session: &Session,
    vifs: &[VirtualInterface],
    deadline: Instant,
) -> Result<Vec<VifRoutes>, CallError> {
    let available = vifs
        .iter()
        .filter(|v| v.state == "available")
        .cloned()
        .collect();
    let counted = each_bounded(
        available,
        CONCURRENCY,
        |vif: VirtualInterface| {
            let session = session.clone();
            async move { count_routes(&session, &vif.id, deadline).await }
        },
        |vif, e| match e {
            CallError::Api {
                result: CallResult::ClientError,
                message,
                ..
            } if message.starts_with("DirectConnectClientException") => {
                tracing::debug!(virtual_interface_id = %vif.id, error = %message, "VIF gone since the inventory; skipped");
                true
            }
            _ => false,
        },
    )
    .await?;
    let mut out: Vec<VifRoutes> = counted
        .into_iter()
        .map(|(vif, counts)| vif_routes(&vif, counts))
        .collect();
    out.sort_by(|a, b| a.virtual_interface_id.cmp(&b.virtual_interface_id));
    Ok(out)
}

/// Counts per (address family, direction) of one VIF's routes, every page.
async fn count_routes(
    s: &Session,
    id: &str,
    deadline: Instant,
) -> Result<BTreeMap<(String, String), u64>, CallError> {
    let op = "ListVirtualInterfaceRoutes";
    let routes = paginate_within(op, MAX_PAGES, |token| async move {
        let out = s
            .call(op, deadline, || {
                s.client()
                    .list_virtual_interface_routes()
                    .virtual_interface_id(id)
                    .max_results(PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
        let page: Vec<(String, String)> = out
            .routes()
            .iter()
            .map(|r| {
                let family = r.address_family().map_or("unknown", |f| f.as_str());
                let direction = r.route_direction().map_or("unknown", |d| d.as_str());
                (family.to_owned(), direction.to_owned())
            })
            .collect();
        Ok((page, out.next_token().map(str::to_owned)))
    })
    .await?;
    let mut counts = BTreeMap::new();
    for key in routes {
        *counts.entry(key).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The VIF's counts per family: every family it has a peer in, and any it has routes in.
fn vif_routes(vif: &VirtualInterface, counts: BTreeMap<(String, String), u64>) -> VifRoutes {
    let mut families: Vec<String> = vif
        .bgp_peers
        .iter()
        .map(|p| p.address_family.clone())
        .chain(counts.keys().map(|(f, _)| f.clone()))
        .filter(|f| f == "ipv4" || f == "ipv6")
        .collect();
    families.sort();
    families.dedup();
    let count = |f: &str, d: &str| {
        counts
            .get(&(f.to_owned(), d.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    VifRoutes {
        virtual_interface_id: vif.id.clone(),
        families: families
            .into_iter()
            .map(|f| FamilyRoutes {
                accepted: count(&f, "accepted"),
                advertised: count(&f, "advertised"),
                limit: vif.route_limit(&f),
                address_family: f,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vif(vif_type: &str, families: &[&str]) -> VirtualInterface {
        VirtualInterface {
            vif_type: vif_type.into(),
            ..VirtualInterface::with_peers("dxvif-1", families)
        }
    }

    #[test]
    fn every_peer_family_gets_counts_and_its_limit() {
        let counts = [(("ipv4".to_owned(), "accepted".to_owned()), 42)].into();
        let r = vif_routes(&vif("private", &["ipv4", "ipv6"]), counts);
        assert_eq!(r.families.len(), 2);
        assert_eq!(r.families[0].address_family, "ipv4");
        assert_eq!((r.families[0].accepted, r.families[0].advertised), (42, 0));
        assert_eq!(r.families[0].limit, 100);
        assert_eq!(r.families[1].accepted, 0);
    }

    #[test]
    fn public_vifs_allow_a_thousand_and_allocations_raise_the_limit() {
        assert_eq!(vif("public", &["ipv4"]).route_limit("ipv4"), 1_000);
        let mut v = vif("private", &["ipv4"]);
        v.prefix_pool_allocated.ipv4 = Some(400);
        assert_eq!(v.route_limit("ipv4"), 400);
        assert_eq!(v.route_limit("ipv6"), 100);
    }
}
