//! The snapshot: plain domain types for what the collector saw, free of SDK types and secrets.
//!
//! Enum-like fields (states, statuses) are kept as the lower-case wire string; the
//! `metrics` module maps them onto its fixed state lists, so a value AWS adds tomorrow
//! becomes `unknown` there instead of a crash here.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Resource tags, key → value, in a stable order.
pub type Tags = BTreeMap<String, String>;

/// One BGP peer of a virtual interface.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BgpPeer {
    pub bgp_peer_id: String,
    /// `asnLong` when present, else `asn`.
    pub asn: u64,
    pub address_family: String,
    pub amazon_address: String,
    pub customer_address: String,
    /// `bgpPeerState`: verifying, pending, available, deleting, deleted, or other.
    pub state: String,
    /// `bgpStatus`: up, down, or other.
    pub status: String,
    pub aws_logical_device_id: String,
}

/// One virtual interface with its BGP peers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VirtualInterface {
    pub id: String,
    pub name: String,
    /// private, public or transit.
    pub vif_type: String,
    pub connection_id: String,
    pub owner_account: String,
    pub location: String,
    pub vlan: i64,
    /// `asnLong` when present, else `asn`.
    pub asn: u64,
    pub amazon_side_asn: Option<u64>,
    pub address_family: String,
    pub direct_connect_gateway_id: String,
    pub virtual_gateway_id: String,
    pub aws_logical_device_id: String,
    pub state: String,
    pub mtu: Option<i64>,
    pub jumbo_frame_capable: Option<bool>,
    pub site_link_enabled: Option<bool>,
    pub tags: Tags,
    pub bgp_peers: Vec<BgpPeer>,
}

/// One dedicated or hosted connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub location: String,
    /// As reported, e.g. `10Gbps`, `500Mbps`.
    pub bandwidth: String,
    pub partner_name: String,
    pub provider_name: String,
    pub lag_id: String,
    pub aws_logical_device_id: String,
    /// yes, no, unknown.
    pub has_logical_redundancy: String,
    pub encryption_mode: String,
    pub mac_sec_capable: Option<bool>,
    pub jumbo_frame_capable: Option<bool>,
    pub state: String,
    pub tags: Tags,
}

/// One link aggregation group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lag {
    pub id: String,
    pub name: String,
    pub location: String,
    pub connections_bandwidth: String,
    pub aws_logical_device_id: String,
    pub has_logical_redundancy: String,
    pub state: String,
    pub minimum_links: i64,
    /// Member connections listed on the LAG.
    pub connections: i64,
    /// Member connections in state `available`.
    pub connections_available: i64,
    pub tags: Tags,
}

/// One Direct Connect gateway (a global resource).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gateway {
    pub id: String,
    pub name: String,
    pub amazon_side_asn: Option<u64>,
    pub owner_account: String,
    pub state: String,
}

/// A virtual interface attached to a Direct Connect gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayAttachment {
    pub gateway_id: String,
    pub virtual_interface_id: String,
    pub state: String,
}

/// A virtual or transit gateway associated with a Direct Connect gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayAssociation {
    pub gateway_id: String,
    pub association_id: String,
    pub associated_gateway_id: String,
    pub associated_gateway_type: String,
    pub state: String,
}

/// The Direct Connect gateways of one account with their attachments and associations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayData {
    pub gateways: Vec<Gateway>,
    pub attachments: Vec<GatewayAttachment>,
    pub associations: Vec<GatewayAssociation>,
}

/// The kinds of collector; each runs on its own per account (and region, except gateways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CollectorKind {
    VirtualInterfaces,
    Connections,
    Lags,
    Gateways,
}

impl CollectorKind {
    /// Every kind, in the order the config lists them.
    pub const ALL: [CollectorKind; 4] = [
        CollectorKind::VirtualInterfaces,
        CollectorKind::Connections,
        CollectorKind::Lags,
        CollectorKind::Gateways,
    ];

    /// The name used in config files and in the `collector` label.
    pub fn name(self) -> &'static str {
        match self {
            CollectorKind::VirtualInterfaces => "virtual_interfaces",
            CollectorKind::Connections => "connections",
            CollectorKind::Lags => "lags",
            CollectorKind::Gateways => "gateways",
        }
    }

    /// Parses a config name; `None` for anything not in [`CollectorKind::ALL`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The data one collector holds: its last good result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectorData {
    VirtualInterfaces(Vec<VirtualInterface>),
    Connections(Vec<Connection>),
    Lags(Vec<Lag>),
    Gateways(GatewayData),
}

impl CollectorData {
    /// Number of top-level resources (VIFs, connections, LAGs, or gateways).
    pub fn len(&self) -> usize {
        match self {
            CollectorData::VirtualInterfaces(v) => v.len(),
            CollectorData::Connections(v) => v.len(),
            CollectorData::Lags(v) => v.len(),
            CollectorData::Gateways(g) => g.gateways.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Identity of a collector: which account, region and kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CollectorKey {
    pub account_id: String,
    /// For gateways: the region used to reach the (global) API.
    pub region: String,
    pub kind: CollectorKind,
}

/// Identity of a BGP peer for the change counter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerKey {
    pub virtual_interface_id: String,
    pub bgp_peer_id: String,
}

/// The published state of one collector.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorSnapshot {
    pub key: CollectorKey,
    /// Whether the last cycle succeeded.
    pub success: bool,
    /// Wall time of the last cycle.
    pub duration: Duration,
    pub last_success: Option<SystemTime>,
    /// Last good data; `None` before the first success or after `max_staleness`.
    pub data: Option<CollectorData>,
    /// Observed `bgpStatus` changes per peer (virtual interface collectors only), for
    /// the peers present in `data`.
    pub peer_status_changes: BTreeMap<PeerKey, u64>,
}

/// Outcome counts of AWS API calls, by account, region, operation and result.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiRequestKey {
    pub account_id: String,
    pub region: String,
    pub operation: &'static str,
    pub result: &'static str,
}

/// Everything `/metrics` and the landing page show, taken at one instant.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub collectors: Vec<CollectorSnapshot>,
    pub api_requests: BTreeMap<ApiRequestKey, u64>,
    /// Tag keys copied onto `*_info` metrics as `tag_<key>` labels.
    pub tag_labels: Vec<String>,
}
