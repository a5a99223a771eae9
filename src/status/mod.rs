//! The status view: what `/` shows and `/api/v1/status` returns, built from the published
//! snapshot alone (bounded work per request; nothing here reaches into collection).
//!
//! Problems come first: VIFs that are `down`, or `available` with a BGP peer down, then VIFs
//! in any other state (failover `testing`, `pending`, `confirming`, `deleting`, ...) which the
//! alert rules never page on, then the rest grouped by account and region. Every field name
//! of [`Status`] is part of the JSON API (documented in the README): rename nothing.

pub mod cache;
pub mod html;
pub mod maintenance;
pub mod redundancy;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::history::{Change, Since, SinceMap};
use crate::metrics;
use crate::model::{BgpPeer, CallResult, CollectorData, Connection, Lag, VirtualInterface};
use crate::store::Published;
use crate::timefmt::rfc3339;

pub use cache::StatusCache;
pub use maintenance::MaintenanceStatus;
pub use redundancy::{GatewayKind, GatewayPaths, PathGroup, Redundancy};

/// How a VIF, peer, connection, LAG or gateway stands, worst first. The alert rules decide
/// what is a problem: states they never page on are [`Health::Transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Down: a VIF or connection in state `down`; an `available` VIF with no BGP peer up;
    /// a peer down on an available VIF; a LAG below its minimum links.
    Down,
    /// An `available` VIF with some BGP peers down and at least one up.
    Degraded,
    /// Neither up nor alerting: testing, pending, confirming, verifying, deleting,
    /// deleted, rejected, a value outside the API's enums; a peer not yet (or no longer)
    /// provisioned.
    Transition,
    /// Available, every peer up.
    Ok,
}

impl Health {
    /// The JSON value, also the CSS class.
    pub fn label(self) -> &'static str {
        match self {
            Health::Down => "down",
            Health::Degraded => "degraded",
            Health::Transition => "transition",
            Health::Ok => "ok",
        }
    }

    /// True for down and degraded.
    pub fn is_problem(self) -> bool {
        self <= Health::Degraded
    }
}

/// A peer as the rules see it: up; down when the peer is provisioned (`available`) on an
/// in-service VIF (`available`, or `down`, where the VIF's own alert fires); else neither
/// (a VIF in failover testing or being provisioned, a peer being added or deleted).
pub fn peer_health(vif: &VirtualInterface, p: &BgpPeer) -> Health {
    if p.status == "up" {
        Health::Ok
    } else if p.state == "available" && matches!(vif.state.as_str(), "available" | "down") {
        Health::Down
    } else {
        Health::Transition
    }
}

/// A VIF as the rules see it (DirectConnectVirtualInterfaceDown, …AllPeersDown,
/// DirectConnectBgpPeerDown; other states never alert).
pub fn vif_health(v: &VirtualInterface) -> Health {
    match v.state.as_str() {
        "down" => Health::Down,
        "available" => {
            let peers: Vec<Health> = v.bgp_peers.iter().map(|p| peer_health(v, p)).collect();
            let up = peers.iter().filter(|h| **h == Health::Ok).count();
            let down = peers.iter().filter(|h| **h == Health::Down).count();
            match (up, down) {
                (0, d) if d > 0 => Health::Down,
                (_, d) if d > 0 => Health::Degraded,
                (u, _) if u == peers.len() && u > 0 => Health::Ok,
                // No peer, or peers still being provisioned: nothing to page on yet.
                _ => Health::Transition,
            }
        }
        _ => Health::Transition,
    }
}

fn connection_health(c: &Connection) -> Health {
    match c.state.as_str() {
        "down" => Health::Down,
        "available" => Health::Ok,
        _ => Health::Transition,
    }
}

fn lag_health(l: &Lag) -> Health {
    match l.state.as_str() {
        "down" => Health::Down,
        "available" if l.connections_available < l.minimum_links => Health::Down,
        "available" => Health::Ok,
        _ => Health::Transition,
    }
}

/// Since when something has been in its current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinceStatus {
    /// RFC 3339 time of the collection that first saw the current value.
    pub time: String,
    /// Seconds from `time` to the view's `generated_at`.
    pub age_seconds: u64,
    /// True when `time` is when the exporter first saw the resource (it may have been in
    /// this state for longer); false when it is an observed change.
    pub first_seen: bool,
}

impl SinceStatus {
    fn new(since: Since, now: SystemTime) -> Self {
        SinceStatus {
            time: rfc3339(since.at),
            age_seconds: age(since.at, now),
            first_seen: since.first_seen,
        }
    }
}

/// One BGP peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerStatus {
    /// `ok` (up), `down` (alerting) or `transition`.
    pub health: Health,
    /// `bgpPeerId`.
    pub bgp_peer_id: String,
    /// ipv4 or ipv6.
    pub address_family: String,
    /// The customer side ASN.
    pub asn: u64,
    /// `bgpStatus`: up, down, …
    pub status: String,
    /// `bgpPeerState`: available, pending, …
    pub state: String,
    /// `amazonAddress`.
    pub amazon_address: String,
    /// `customerAddress`.
    pub customer_address: String,
    /// `awsLogicalDeviceId`.
    pub aws_logical_device_id: String,
    /// Since when `status` holds.
    pub since: Option<SinceStatus>,
}

/// One virtual interface with its peers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VirtualInterfaceStatus {
    /// Where it sorts: down, degraded, transition, ok.
    pub health: Health,
    /// The collector's account.
    pub account_id: String,
    /// The collector's region.
    pub region: String,
    /// `virtualInterfaceId`.
    pub id: String,
    /// `virtualInterfaceName`.
    pub name: String,
    /// private, public or transit.
    #[serde(rename = "type")]
    pub vif_type: String,
    /// `connectionId` (a connection or LAG).
    pub connection_id: String,
    /// `location`.
    pub location: String,
    /// `vlan`.
    pub vlan: i64,
    /// The customer side ASN.
    pub asn: u64,
    /// `virtualInterfaceState`.
    pub state: String,
    /// `awsLogicalDeviceId`.
    pub aws_logical_device_id: String,
    /// `directConnectGatewayId` (empty when none).
    pub direct_connect_gateway_id: String,
    /// `virtualGatewayId` (empty when none).
    pub virtual_gateway_id: String,
    /// Since when `state` holds.
    pub since: Option<SinceStatus>,
    /// The BGP peers, in AWS order.
    pub bgp_peers: Vec<PeerStatus>,
}

/// One connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionStatus {
    /// `down`, `ok` or `transition`.
    pub health: Health,
    /// The collector's account.
    pub account_id: String,
    /// The collector's region.
    pub region: String,
    /// `connectionId`.
    pub id: String,
    /// `connectionName`.
    pub name: String,
    /// `location`.
    pub location: String,
    /// `bandwidth`, e.g. `10Gbps`.
    pub bandwidth: String,
    /// `lagId` (empty when not in a LAG).
    pub lag_id: String,
    /// `awsLogicalDeviceId`.
    pub aws_logical_device_id: String,
    /// `hasLogicalRedundancy`: yes, no, unknown.
    pub has_logical_redundancy: String,
    /// `connectionState`.
    pub state: String,
    /// `encryptionMode` (MACsec): no_encrypt, should_encrypt, must_encrypt; empty when
    /// not reported.
    pub encryption_mode: String,
    /// MACsec encryption of the port (up, down, unknown) as `connection_encryption_status`
    /// exports it; null for a connection with no MACsec to speak of.
    pub encryption: Option<&'static str>,
}

/// One LAG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LagStatus {
    /// `down` (also below its minimum links), `ok` or `transition`.
    pub health: Health,
    /// The collector's account.
    pub account_id: String,
    /// The collector's region.
    pub region: String,
    /// `lagId`.
    pub id: String,
    /// `lagName`.
    pub name: String,
    /// `location`.
    pub location: String,
    /// `connectionsBandwidth`.
    pub connections_bandwidth: String,
    /// `awsLogicalDeviceId`.
    pub aws_logical_device_id: String,
    /// `lagState`.
    pub state: String,
    /// `minimumLinks`.
    pub minimum_links: i64,
    /// Member connections.
    pub connections: i64,
    /// Member connections in state `available`.
    pub connections_available: i64,
}

/// A VIF attachment or gateway association of a Direct Connect gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayLink {
    /// The attached VIF or the associated virtual/transit gateway.
    pub id: String,
    /// `virtualInterface`, `virtualPrivateGateway` or `transitGateway`.
    #[serde(rename = "type")]
    pub link_type: String,
    /// Its attachment or association state.
    pub state: String,
}

/// One Direct Connect gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayStatus {
    /// `ok` (available) or `transition`.
    pub health: Health,
    /// The account whose collector reported it first.
    pub account_id: String,
    /// `directConnectGatewayId`.
    pub id: String,
    /// `directConnectGatewayName`.
    pub name: String,
    /// `ownerAccount`.
    pub owner_account: String,
    /// `amazonSideAsn`.
    pub amazon_side_asn: Option<u64>,
    /// `directConnectGatewayState`.
    pub state: String,
    /// VIF attachments, then gateway associations.
    pub links: Vec<GatewayLink>,
}

/// One collector task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectorStatus {
    /// Its account (`unknown` until discovered).
    pub account_id: String,
    /// Its region.
    pub region: String,
    /// virtual_interfaces, connections, lags or gateways.
    pub collector: &'static str,
    /// Whether the last cycle succeeded.
    pub success: bool,
    /// RFC 3339 end of the last successful cycle.
    pub last_success: Option<String>,
    /// Seconds since then.
    pub last_success_age_seconds: Option<u64>,
    /// Why the last cycle failed (one line), when it did.
    pub last_error: Option<String>,
    /// Wall time of the last cycle.
    pub duration_seconds: f64,
    /// Configured interval.
    pub interval_seconds: f64,
    /// Task restarts after a panic.
    pub panics: u64,
    /// Resources in the data it serves (VIFs, connections, LAGs or gateways); none when
    /// it has no data.
    pub resources: Option<usize>,
}

/// AWS API call attempts of one operation in one account and region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiRequests {
    /// The account (`unknown` before it is known).
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The operation, e.g. `DescribeVirtualInterfaces`.
    pub operation: &'static str,
    /// Attempts by result (every result of `api_requests_total`, zeros included).
    pub results: BTreeMap<&'static str, u64>,
    /// Sum of `results`.
    pub total: u64,
}

/// One recent change: when, and what (the change's own fields, flattened into the JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeStatus {
    /// RFC 3339 time of the collection that saw it.
    pub time: String,
    /// Seconds from then to `generated_at`.
    pub age_seconds: u64,
    /// Kind, account, region, VIF (id and name then), peer and family (peer changes),
    /// the value before and after.
    #[serde(flatten)]
    pub change: Change,
}

/// Counts for the top of the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Every VIF listed.
    pub virtual_interfaces: usize,
    /// VIFs with health `down`.
    pub virtual_interfaces_down: usize,
    /// VIFs with health `degraded`.
    pub virtual_interfaces_degraded: usize,
    /// VIFs with health `transition`.
    pub virtual_interfaces_in_transition: usize,
    /// Every BGP peer listed.
    pub bgp_peers: usize,
    /// Peers with `bgpStatus` up.
    pub bgp_peers_up: usize,
    /// Gateways whose redundancy verdict is one an alert fires on.
    pub gateways_at_risk: usize,
    /// Connections and LAGs with health `down`.
    pub connections_down: usize,
    /// Collectors whose last cycle failed.
    pub collectors_failing: usize,
}

/// The whole view; the JSON body of `/api/v1/status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// RFC 3339 time the view was built (ages are relative to it).
    pub generated_at: String,
    /// The exporter's version.
    pub version: &'static str,
    /// The exporter's git revision.
    pub revision: &'static str,
    /// Whether every collector finished its first cycle.
    pub ready: bool,
    /// Counts.
    pub summary: Summary,
    /// Every VIF, problems first (down, degraded), then in transition, then the rest; each
    /// part by account, region, name and id.
    pub virtual_interfaces: Vec<VirtualInterfaceStatus>,
    /// Paths per gateway, at-risk gateways first.
    pub redundancy: Vec<GatewayPaths>,
    /// Connections, down first, then by account, region and name.
    pub connections: Vec<ConnectionStatus>,
    /// LAGs, down first, then by account, region and name.
    pub lags: Vec<LagStatus>,
    /// Direct Connect gateways (each once), by name.
    pub gateways: Vec<GatewayStatus>,
    /// Collectors, failing first, then by account, region and collector.
    pub collectors: Vec<CollectorStatus>,
    /// API call attempts by account, region and operation.
    pub api_requests: Vec<ApiRequests>,
    /// The last observed VIF state and BGP peer status changes, newest first.
    pub recent_changes: Vec<ChangeStatus>,
    /// AWS scheduled maintenance per affected resource, open first, then by start; null
    /// when the opt-in `maintenance` collector does not run.
    pub maintenance: Option<Vec<MaintenanceStatus>>,
}

/// Whole seconds from `then` to `now` (0 when `then` is later).
fn age(then: SystemTime, now: SystemTime) -> u64 {
    now.duration_since(then).unwrap_or(Duration::ZERO).as_secs()
}

impl Status {
    /// Builds the view of `published` as of `now`.
    pub fn build(published: &Published, now: SystemTime) -> Status {
        let snap = &published.snapshot;
        let mut vifs = Vec::new();
        let mut connections = Vec::new();
        let mut lags = Vec::new();
        let mut gateways = Vec::new();
        let mut seen_gateways = BTreeSet::new();
        let mut gateway_names = BTreeMap::new();
        for c in &snap.collectors {
            let (account_id, region) = (&c.key.account_id, &c.key.region);
            match &c.data {
                Some(CollectorData::VirtualInterfaces(list)) => {
                    let since = published.history.since(&c.key);
                    vifs.extend(
                        list.iter()
                            .map(|v| vif_status(account_id, region, v, since, now)),
                    );
                }
                Some(CollectorData::Connections(list)) => {
                    connections.extend(list.iter().map(|x| {
                        ConnectionStatus {
                            health: connection_health(x),
                            account_id: account_id.clone(),
                            region: region.clone(),
                            id: x.id.clone(),
                            name: x.name.clone(),
                            location: x.location.clone(),
                            bandwidth: x.bandwidth.clone(),
                            lag_id: x.lag_id.clone(),
                            aws_logical_device_id: x.aws_logical_device_id.clone(),
                            has_logical_redundancy: x.has_logical_redundancy.clone(),
                            state: x.state.clone(),
                            encryption_mode: x.encryption_mode.clone(),
                            encryption: metrics::has_macsec(x)
                                .then(|| metrics::encryption_status(&x.port_encryption_status)),
                        }
                    }));
                }
                Some(CollectorData::Lags(list)) => {
                    lags.extend(list.iter().map(|x| LagStatus {
                        health: lag_health(x),
                        account_id: account_id.clone(),
                        region: region.clone(),
                        id: x.id.clone(),
                        name: x.name.clone(),
                        location: x.location.clone(),
                        connections_bandwidth: x.connections_bandwidth.clone(),
                        aws_logical_device_id: x.aws_logical_device_id.clone(),
                        state: x.state.clone(),
                        minimum_links: x.minimum_links,
                        connections: x.connections,
                        connections_available: x.connections_available,
                    }));
                }
                Some(CollectorData::Gateways(data)) => {
                    for g in &data.gateways {
                        // Two targets may reach the same account: list each gateway once.
                        if !seen_gateways.insert(g.id.clone()) {
                            continue;
                        }
                        gateway_names.insert(g.id.clone(), g.name.clone());
                        let attachments = data
                            .attachments
                            .iter()
                            .filter(|a| a.gateway_id == g.id)
                            .map(|a| GatewayLink {
                                id: a.virtual_interface_id.clone(),
                                link_type: "virtualInterface".into(),
                                state: a.state.clone(),
                            });
                        let associations = data
                            .associations
                            .iter()
                            .filter(|a| a.gateway_id == g.id)
                            .map(|a| GatewayLink {
                                id: a.associated_gateway_id.clone(),
                                link_type: a.associated_gateway_type.clone(),
                                state: a.state.clone(),
                            });
                        gateways.push(GatewayStatus {
                            health: if g.state == "available" {
                                Health::Ok
                            } else {
                                Health::Transition
                            },
                            account_id: account_id.clone(),
                            id: g.id.clone(),
                            name: g.name.clone(),
                            owner_account: g.owner_account.clone(),
                            amazon_side_asn: g.amazon_side_asn,
                            state: g.state.clone(),
                            links: attachments.chain(associations).collect(),
                        });
                    }
                }
                Some(
                    CollectorData::Routes(_)
                    | CollectorData::Cloudwatch(_)
                    | CollectorData::FailoverTests(_)
                    | CollectorData::Maintenance(_),
                )
                | None => {}
            }
        }
        let redundancy = redundancy::gateway_paths(
            snap.collectors.iter().flat_map(|c| match &c.data {
                Some(CollectorData::VirtualInterfaces(list)) => list
                    .iter()
                    .map(|v| (c.key.account_id.as_str(), c.key.region.as_str(), v))
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            }),
            &gateway_names,
        );

        sort_vifs(&mut vifs);
        connections.sort_by(|a, b| {
            (a.health, &a.account_id, &a.region, &a.name, &a.id).cmp(&(
                b.health,
                &b.account_id,
                &b.region,
                &b.name,
                &b.id,
            ))
        });
        lags.sort_by(|a, b| {
            (a.health, &a.account_id, &a.region, &a.name, &a.id).cmp(&(
                b.health,
                &b.account_id,
                &b.region,
                &b.name,
                &b.id,
            ))
        });
        gateways.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));

        let mut collectors: Vec<CollectorStatus> = snap
            .collectors
            .iter()
            .map(|c| CollectorStatus {
                account_id: c.key.account_id.clone(),
                region: c.key.region.clone(),
                collector: c.key.kind.name(),
                success: c.success,
                last_success: c.last_success.map(rfc3339),
                last_success_age_seconds: c.last_success.map(|t| age(t, now)),
                last_error: c.last_error.clone(),
                duration_seconds: c.duration.as_secs_f64(),
                interval_seconds: c.interval.as_secs_f64(),
                panics: c.panics,
                resources: c.data.as_ref().map(CollectorData::len),
            })
            .collect();
        collectors.sort_by(|a, b| {
            (a.success, &a.account_id, &a.region, a.collector).cmp(&(
                b.success,
                &b.account_id,
                &b.region,
                b.collector,
            ))
        });

        let mut api: BTreeMap<(&str, &str, &'static str), BTreeMap<&'static str, u64>> =
            BTreeMap::new();
        for (k, n) in &snap.api_requests {
            let results = api
                .entry((&k.account_id, &k.region, k.operation))
                .or_insert_with(|| CallResult::ALL.iter().map(|r| (r.label(), 0)).collect());
            *results.entry(k.result.label()).or_insert(0) += n;
        }
        let api_requests = api
            .into_iter()
            .map(|((account_id, region, operation), results)| ApiRequests {
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                operation,
                total: results.values().sum(),
                results,
            })
            .collect();

        let recent_changes = published
            .history
            .changes
            .iter()
            .map(|c| ChangeStatus {
                time: rfc3339(c.at),
                age_seconds: age(c.at, now),
                change: c.clone(),
            })
            .collect();

        let count = |h: Health| vifs.iter().filter(|v| v.health == h).count();
        let summary = Summary {
            virtual_interfaces: vifs.len(),
            virtual_interfaces_down: count(Health::Down),
            virtual_interfaces_degraded: count(Health::Degraded),
            virtual_interfaces_in_transition: count(Health::Transition),
            bgp_peers: vifs.iter().map(|v| v.bgp_peers.len()).sum(),
            bgp_peers_up: vifs
                .iter()
                .flat_map(|v| &v.bgp_peers)
                .filter(|p| p.status == "up")
                .count(),
            gateways_at_risk: redundancy.iter().filter(|g| g.status.at_risk()).count(),
            connections_down: connections
                .iter()
                .filter(|c| c.health == Health::Down)
                .count()
                + lags.iter().filter(|l| l.health == Health::Down).count(),
            collectors_failing: collectors.iter().filter(|c| !c.success).count(),
        };
        Status {
            generated_at: rfc3339(now),
            version: crate::VERSION,
            revision: crate::REVISION,
            ready: published.ready,
            summary,
            virtual_interfaces: vifs,
            redundancy,
            connections,
            lags,
            gateways,
            collectors,
            api_requests,
            recent_changes,
            maintenance: maintenance::maintenance(snap, now),
        }
    }

    /// The JSON body of `/api/v1/status`.
    pub fn to_json(&self) -> Vec<u8> {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec())
    }
}

fn vif_status(
    account_id: &str,
    region: &str,
    v: &VirtualInterface,
    since: Option<&SinceMap>,
    now: SystemTime,
) -> VirtualInterfaceStatus {
    VirtualInterfaceStatus {
        health: vif_health(v),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        id: v.id.clone(),
        name: v.name.clone(),
        vif_type: v.vif_type.clone(),
        connection_id: v.connection_id.clone(),
        location: v.location.clone(),
        vlan: v.vlan,
        asn: v.asn,
        state: v.state.clone(),
        aws_logical_device_id: v.aws_logical_device_id.clone(),
        direct_connect_gateway_id: v.direct_connect_gateway_id.clone(),
        virtual_gateway_id: v.virtual_gateway_id.clone(),
        since: since
            .and_then(|s| s.virtual_interface(&v.id))
            .map(|s| SinceStatus::new(s, now)),
        bgp_peers: v
            .bgp_peers
            .iter()
            .map(|p| PeerStatus {
                health: peer_health(v, p),
                bgp_peer_id: p.bgp_peer_id.clone(),
                address_family: p.address_family.clone(),
                asn: p.asn,
                status: p.status.clone(),
                state: p.state.clone(),
                amazon_address: p.amazon_address.clone(),
                customer_address: p.customer_address.clone(),
                aws_logical_device_id: p.aws_logical_device_id.clone(),
                since: since
                    .and_then(|s| s.bgp_peer(&v.id, &p.bgp_peer_id))
                    .map(|s| SinceStatus::new(s, now)),
            })
            .collect(),
    }
}

/// Problems (down, then degraded) first, then in transition, then the rest; within each,
/// by account, region, name and id, so the rest reads grouped by account and region.
pub fn sort_vifs(vifs: &mut [VirtualInterfaceStatus]) {
    vifs.sort_by(|a, b| {
        (a.health, &a.account_id, &a.region, &a.name, &a.id).cmp(&(
            b.health,
            &b.account_id,
            &b.region,
            &b.name,
            &b.id,
        ))
    });
}

#[cfg(test)]
mod tests;
