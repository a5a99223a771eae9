//! Virtual interface and BGP peer families.

use std::collections::BTreeMap;

use super::{Family, Samples, bool_label, num_label};
use crate::model::{BgpPeer, CollectorKey, PeerKey, VirtualInterface};

/// `state` values of `virtual_interface_state`.
pub const VIRTUAL_INTERFACE_STATES: [&str; 10] = [
    "confirming",
    "verifying",
    "pending",
    "available",
    "down",
    "testing",
    "deleting",
    "deleted",
    "rejected",
    "unknown",
];
/// `status` values of `bgp_peer_status`.
pub const BGP_PEER_STATUSES: [&str; 3] = ["up", "down", "unknown"];
/// `state` values of `bgp_peer_state`.
pub const BGP_PEER_STATES: [&str; 6] = [
    "verifying",
    "pending",
    "available",
    "deleting",
    "deleted",
    "unknown",
];

const VIF: &[&str] = &["aws_account_id", "aws_region", "virtual_interface_id"];
const PEER: &[&str] = &[
    "aws_account_id",
    "aws_region",
    "virtual_interface_id",
    "bgp_peer_id",
    "asn",
    "address_family",
];

pub static INFO: Family = Family::info(
    "virtual_interface",
    "Virtual interface attributes and tags.",
    &[
        "aws_account_id",
        "aws_region",
        "virtual_interface_id",
        "virtual_interface_name",
        "virtual_interface_type",
        "connection_id",
        "owner_account",
        "location",
        "vlan",
        "asn",
        "amazon_side_asn",
        "address_family",
        "direct_connect_gateway_id",
        "virtual_gateway_id",
        "aws_logical_device_id",
        "jumbo_frame_capable",
        "site_link_enabled",
    ],
)
.tagged();
pub static STATE: Family = Family::state_set(
    "virtual_interface_state",
    "State of the virtual interface (1 for the current state).",
    VIF,
    "state",
);
pub static MTU: Family = Family::gauge(
    "virtual_interface_mtu_bytes",
    "MTU of the virtual interface in bytes.",
    VIF,
);
pub static PREFIX_POOL_ALLOCATED: Family = Family::gauge(
    "virtual_interface_prefix_pool_allocated",
    "Prefixes allocated to the virtual interface from its connection's or LAG's pool (its accepted-route limit per BGP session), when AWS reports it.",
    &[
        "aws_account_id",
        "aws_region",
        "virtual_interface_id",
        "address_family",
    ],
);
pub static RATE_LIMIT: Family = Family::gauge(
    "virtual_interface_rate_limit_bytes_per_second",
    "Rate limit of the virtual interface in bytes per second, when one is set.",
    VIF,
);
pub static PEER_UP: Family = Family::gauge(
    "bgp_peer_up",
    "1 if the BGP peer's bgpStatus is up, else 0.",
    PEER,
);
pub static PEER_STATUS: Family = Family::state_set(
    "bgp_peer_status",
    "bgpStatus of the BGP peer (1 for the current status).",
    PEER,
    "status",
);
pub static PEER_STATE: Family = Family::state_set(
    "bgp_peer_state",
    "bgpPeerState of the BGP peer (1 for the current state).",
    PEER,
    "state",
);
pub static PEER_INFO: Family = Family::info(
    "bgp_peer",
    "BGP peer addresses and AWS logical device.",
    &[
        "aws_account_id",
        "aws_region",
        "virtual_interface_id",
        "bgp_peer_id",
        "asn",
        "address_family",
        "amazon_address",
        "customer_address",
        "aws_logical_device_id",
    ],
);
pub static PEER_CHANGES: Family = Family::counter(
    "bgp_peer_status_changes",
    "bgpStatus changes of the BGP peer observed by the exporter between collections.",
    PEER,
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[
    &INFO,
    &STATE,
    &MTU,
    &PREFIX_POOL_ALLOCATED,
    &RATE_LIMIT,
    &PEER_UP,
    &PEER_STATUS,
    &PEER_STATE,
    &PEER_INFO,
    &PEER_CHANGES,
];

/// Writes the samples of one collector's virtual interfaces.
pub fn write(
    key: &CollectorKey,
    vifs: &[VirtualInterface],
    changes: &BTreeMap<PeerKey, u64>,
    out: &mut Samples<'_>,
) {
    let (acct, region) = (key.account_id.as_str(), key.region.as_str());
    let mut info = out.family(&INFO);
    for v in vifs {
        let (vlan, asn) = (v.vlan.to_string(), v.asn.to_string());
        let amazon_asn = num_label(v.amazon_side_asn);
        info.tagged(
            &[
                acct,
                region,
                &v.id,
                &v.name,
                &v.vif_type,
                &v.connection_id,
                &v.owner_account,
                &v.location,
                &vlan,
                &asn,
                &amazon_asn,
                &v.address_family,
                &v.direct_connect_gateway_id,
                &v.virtual_gateway_id,
                &v.aws_logical_device_id,
                bool_label(v.jumbo_frame_capable),
                bool_label(v.site_link_enabled),
            ],
            &v.tags,
            1.0,
        );
    }
    let mut state = out.family(&STATE);
    for v in vifs {
        state.state_set(&[acct, region, &v.id], &v.state, &VIRTUAL_INTERFACE_STATES);
    }
    let mut mtu = out.family(&MTU);
    for v in vifs {
        if let Some(m) = v.mtu {
            mtu.sample(&[acct, region, &v.id], m as f64);
        }
    }

    let mut pool = out.family(&PREFIX_POOL_ALLOCATED);
    for v in vifs {
        for (family, n) in v.prefix_pool_allocated.present() {
            pool.sample(&[acct, region, &v.id, family], n as f64);
        }
    }
    let mut rate = out.family(&RATE_LIMIT);
    for v in vifs {
        if let Some(bits) = super::parse_bandwidth(&v.rate_limit) {
            rate.sample(&[acct, region, &v.id], bits / 8.0);
        }
    }

    // Per peer: the identifying labels, formatted once for five families.
    let peers: Vec<(&VirtualInterface, &BgpPeer)> = vifs
        .iter()
        .flat_map(|v| v.bgp_peers.iter().map(move |p| (v, p)))
        .collect();
    let asns: Vec<String> = peers.iter().map(|(_, p)| p.asn.to_string()).collect();
    let bases: Vec<[&str; 6]> = peers
        .iter()
        .zip(&asns)
        .map(|((v, p), asn)| {
            [
                acct,
                region,
                v.id.as_str(),
                p.bgp_peer_id.as_str(),
                asn.as_str(),
                p.address_family.as_str(),
            ]
        })
        .collect();
    let each = || bases.iter().zip(peers.iter().map(|(_, p)| *p));

    let mut up = out.family(&PEER_UP);
    for (base, p) in each() {
        up.sample(base, if p.status == "up" { 1.0 } else { 0.0 });
    }
    let mut status = out.family(&PEER_STATUS);
    for (base, p) in each() {
        status.state_set(base, &p.status, &BGP_PEER_STATUSES);
    }
    let mut state = out.family(&PEER_STATE);
    for (base, p) in each() {
        state.state_set(base, &p.state, &BGP_PEER_STATES);
    }
    let mut info = out.family(&PEER_INFO);
    for (base, p) in each() {
        let mut values = base.to_vec();
        values.extend([
            p.amazon_address.as_str(),
            p.customer_address.as_str(),
            p.aws_logical_device_id.as_str(),
        ]);
        info.sample(&values, 1.0);
    }
    let mut counter = out.family(&PEER_CHANGES);
    for (base, p) in each() {
        let key = PeerKey {
            virtual_interface_id: base[2].to_owned(),
            bgp_peer_id: p.bgp_peer_id.clone(),
        };
        let n = changes.get(&key).copied().unwrap_or(0);
        counter.sample(base, n as f64);
    }
}
