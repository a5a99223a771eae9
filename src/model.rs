//! The snapshot: plain domain types for what the collector saw, free of SDK types and secrets.
//!
//! Enum-like fields (states, statuses) are kept as the lower-case wire string; the
//! `metrics` module maps them onto its fixed state lists, so a value AWS adds tomorrow
//! becomes `unknown` there instead of a crash here.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Resource tags, key → value, in a stable order.
pub type Tags = BTreeMap<String, String>;

/// A value per address family, when AWS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PerFamily {
    /// IPv4.
    pub ipv4: Option<i64>,
    /// IPv6.
    pub ipv6: Option<i64>,
}

impl PerFamily {
    /// `(address_family label, value)` for each family that has a value.
    pub fn present(&self) -> impl Iterator<Item = (&'static str, i64)> {
        [("ipv4", self.ipv4), ("ipv6", self.ipv6)]
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v)))
    }
}

/// The prefix pool of a connection or LAG, from which its VIFs' allocations are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrefixPool {
    /// `prefixPoolSizeIpv4/6`.
    pub size: PerFamily,
    /// `prefixPoolUnallocatedCountIpv4/6`.
    pub unallocated: PerFamily,
}

/// `rateLimiterStatus` of a connection or LAG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimiters {
    /// `maxAllowed`.
    pub max_allowed: i64,
    /// `inUse`.
    pub in_use: i64,
}

/// One BGP peer of a virtual interface.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BgpPeer {
    /// `bgpPeerId`.
    pub bgp_peer_id: String,
    /// `asnLong` when present, else `asn`.
    pub asn: u64,
    /// `addressFamily`: ipv4 or ipv6.
    pub address_family: String,
    /// `amazonAddress` (IP/prefix length).
    pub amazon_address: String,
    /// `customerAddress` (IP/prefix length).
    pub customer_address: String,
    /// `bgpPeerState`: verifying, pending, available, deleting, deleted, or other.
    pub state: String,
    /// `bgpStatus`: up, down, or other.
    pub status: String,
    /// `awsLogicalDeviceId`: the AWS device that terminates it.
    pub aws_logical_device_id: String,
}

/// One virtual interface with its BGP peers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VirtualInterface {
    /// `virtualInterfaceId` (`dxvif-…`).
    pub id: String,
    /// `virtualInterfaceName`.
    pub name: String,
    /// private, public or transit.
    pub vif_type: String,
    /// `connectionId` (a connection or LAG).
    pub connection_id: String,
    /// `ownerAccount`: the account that owns it.
    pub owner_account: String,
    /// `location`: the Direct Connect location code.
    pub location: String,
    /// `vlan` tag.
    pub vlan: i64,
    /// `asnLong` when present, else `asn`.
    pub asn: u64,
    /// `amazonSideAsn`, when reported.
    pub amazon_side_asn: Option<u64>,
    /// `addressFamily`: ipv4 or ipv6.
    pub address_family: String,
    /// `directConnectGatewayId`, empty when not attached.
    pub direct_connect_gateway_id: String,
    /// `virtualGatewayId`, empty when not attached.
    pub virtual_gateway_id: String,
    /// `awsLogicalDeviceId`: the AWS device that terminates it.
    pub aws_logical_device_id: String,
    /// The lower-case state as AWS reports it (mapped onto a fixed list when exported).
    pub state: String,
    /// `mtu` in bytes, when reported.
    pub mtu: Option<i64>,
    /// `jumboFrameCapable`, when reported.
    pub jumbo_frame_capable: Option<bool>,
    /// `siteLinkEnabled`, when reported.
    pub site_link_enabled: Option<bool>,
    /// Resource tags.
    pub tags: Tags,
    /// `bgpPeers`.
    pub bgp_peers: Vec<BgpPeer>,
    /// `prefixPoolAllocatedCountIpv4/6`: the VIF's accepted-route allocation per family.
    pub prefix_pool_allocated: PerFamily,
    /// `rateLimit`, e.g. `500Mbps`; empty when none is set.
    pub rate_limit: String,
}

/// One dedicated or hosted connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Connection {
    /// `connectionId` (`dxcon-…`).
    pub id: String,
    /// `connectionName`.
    pub name: String,
    /// `location`: the Direct Connect location code.
    pub location: String,
    /// As reported, e.g. `10Gbps`, `500Mbps`.
    pub bandwidth: String,
    /// `partnerName` (hosted connections).
    pub partner_name: String,
    /// `providerName`.
    pub provider_name: String,
    /// `lagId`, empty when not in a LAG.
    pub lag_id: String,
    /// `awsLogicalDeviceId`: the AWS device that terminates it.
    pub aws_logical_device_id: String,
    /// yes, no, unknown.
    pub has_logical_redundancy: String,
    /// `encryptionMode` (MACsec): no_encrypt, should_encrypt or must_encrypt.
    pub encryption_mode: String,
    /// `macSecCapable`, when reported.
    pub mac_sec_capable: Option<bool>,
    /// `jumboFrameCapable`, when reported.
    pub jumbo_frame_capable: Option<bool>,
    /// The lower-case state as AWS reports it (mapped onto a fixed list when exported).
    pub state: String,
    /// Resource tags.
    pub tags: Tags,
    /// Prefix pool of the connection.
    pub prefix_pool: PrefixPool,
    /// `rateLimiterStatus`, when reported.
    pub rate_limiters: Option<RateLimiters>,
    /// `portEncryptionStatus` (MACsec), e.g. `Encryption Up`; empty when not reported.
    pub port_encryption_status: String,
    /// The `state` of each MACsec key (`associated`, …); the keys themselves (`ckn`,
    /// `secretARN`) are dropped at the boundary.
    pub mac_sec_key_states: Vec<String>,
}

/// One link aggregation group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lag {
    /// `lagId` (`dxlag-…`).
    pub id: String,
    /// `lagName`.
    pub name: String,
    /// `location`: the Direct Connect location code.
    pub location: String,
    /// `connectionsBandwidth` of each member, e.g. `10Gbps`.
    pub connections_bandwidth: String,
    /// `awsLogicalDeviceId`: the AWS device that terminates it.
    pub aws_logical_device_id: String,
    /// `hasLogicalRedundancy`: yes, no or unknown.
    pub has_logical_redundancy: String,
    /// The lower-case state as AWS reports it (mapped onto a fixed list when exported).
    pub state: String,
    /// `minimumLinks`.
    pub minimum_links: i64,
    /// Member connections listed on the LAG.
    pub connections: i64,
    /// Member connections in state `available`.
    pub connections_available: i64,
    /// Resource tags.
    pub tags: Tags,
    /// Prefix pool of the LAG.
    pub prefix_pool: PrefixPool,
    /// `rateLimiterStatus`, when reported.
    pub rate_limiters: Option<RateLimiters>,
    /// `macSecCapable`, when reported.
    pub mac_sec_capable: Option<bool>,
    /// The `state` of each MACsec key; the keys themselves are dropped at the boundary.
    pub mac_sec_key_states: Vec<String>,
}

/// One Direct Connect gateway (a global resource).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gateway {
    /// `directConnectGatewayId`.
    pub id: String,
    /// `directConnectGatewayName`.
    pub name: String,
    /// `amazonSideAsn`, when reported.
    pub amazon_side_asn: Option<u64>,
    /// `ownerAccount`: the account that owns it.
    pub owner_account: String,
    /// The lower-case state as AWS reports it (mapped onto a fixed list when exported).
    pub state: String,
    /// `totalPrefixPoolAllocations`, when reported (AWS limit 10,000).
    pub prefix_pool_allocations: Option<i64>,
}

/// A virtual interface attached to a Direct Connect gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayAttachment {
    /// `directConnectGatewayId`.
    pub gateway_id: String,
    /// `virtualInterfaceId`.
    pub virtual_interface_id: String,
    /// The lower-case state as AWS reports it (mapped onto a fixed list when exported).
    pub state: String,
    /// `stateChangeError`: why the last state change failed; empty when none.
    pub state_change_error: String,
}

/// A virtual or transit gateway associated with a Direct Connect gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayAssociation {
    /// `directConnectGatewayId`.
    pub gateway_id: String,
    /// `associationId`.
    pub association_id: String,
    /// Id of the associated virtual or transit gateway.
    pub associated_gateway_id: String,
    /// `virtualPrivateGateway` or `transitGateway`.
    pub associated_gateway_type: String,
    /// The lower-case state as AWS reports it (mapped onto a fixed list when exported).
    pub state: String,
    /// `stateChangeError`: why the last state change failed; empty when none.
    pub state_change_error: String,
}

/// The Direct Connect gateways of one account with their attachments and associations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayData {
    /// The gateways.
    pub gateways: Vec<Gateway>,
    /// Their VIF attachments.
    pub attachments: Vec<GatewayAttachment>,
    /// Their gateway associations.
    pub associations: Vec<GatewayAssociation>,
}

/// The kinds of collector; each runs on its own per account (and region, except gateways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CollectorKind {
    /// Virtual interfaces with their BGP peers (per region).
    VirtualInterfaces,
    /// Connections (per region).
    Connections,
    /// LAGs (per region).
    Lags,
    /// Direct Connect gateways with attachments and associations (global).
    Gateways,
    /// Route counts of every available VIF (opt-in).
    Routes,
    /// The failover test history of every VIF (opt-in, per region).
    FailoverTests,
    /// AWS Health scheduled maintenance of connections and VIFs (opt-in, global).
    Maintenance,
    /// CloudWatch `AWS/DX` figures of the inventory's connections and VIFs (opt-in).
    Cloudwatch,
}

impl CollectorKind {
    /// Every kind, in the order the config lists them.
    pub const ALL: [CollectorKind; 8] = [
        CollectorKind::VirtualInterfaces,
        CollectorKind::Connections,
        CollectorKind::Lags,
        CollectorKind::Gateways,
        CollectorKind::Routes,
        CollectorKind::FailoverTests,
        CollectorKind::Maintenance,
        CollectorKind::Cloudwatch,
    ];

    /// The name used in config files and in the `collector` label.
    pub fn name(self) -> &'static str {
        match self {
            CollectorKind::VirtualInterfaces => "virtual_interfaces",
            CollectorKind::Connections => "connections",
            CollectorKind::Lags => "lags",
            CollectorKind::Gateways => "gateways",
            CollectorKind::Routes => "routes",
            CollectorKind::FailoverTests => "failover_tests",
            CollectorKind::Maintenance => "maintenance",
            CollectorKind::Cloudwatch => "cloudwatch",
        }
    }

    /// Parses a config name; `None` for anything not in [`CollectorKind::ALL`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// True for collectors of global resources, run once per target (in its first region)
    /// rather than once per region.
    pub fn is_global(self) -> bool {
        matches!(self, CollectorKind::Gateways | CollectorKind::Maintenance)
    }

    /// The region whose endpoint a collector always calls, whatever the target's regions:
    /// AWS Health (`maintenance`) answers on one global endpoint, us-east-1.
    pub fn fixed_region(self) -> Option<&'static str> {
        match self {
            CollectorKind::Maintenance => Some("us-east-1"),
            _ => None,
        }
    }

    /// True for collectors that work from the inventory the core collectors published
    /// (e.g. routes of the VIFs seen), and wait for it.
    pub fn needs_inventory(self) -> bool {
        !self.inventory().is_empty()
    }

    /// The core collectors whose published data this collector works from; it waits
    /// until each has published for its account and region.
    pub fn inventory(self) -> &'static [CollectorKind] {
        match self {
            CollectorKind::Routes | CollectorKind::FailoverTests => {
                &[CollectorKind::VirtualInterfaces]
            }
            CollectorKind::Cloudwatch => {
                &[CollectorKind::Connections, CollectorKind::VirtualInterfaces]
            }
            _ => &[],
        }
    }

    /// True for the core collectors (run by default, on `--collector.interval`, holding
    /// readiness, their calls served first); false for the opt-in ones.
    pub fn is_core(self) -> bool {
        matches!(
            self,
            CollectorKind::VirtualInterfaces
                | CollectorKind::Connections
                | CollectorKind::Lags
                | CollectorKind::Gateways
        )
    }
}

/// The data one collector holds: its last good result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectorData {
    /// Virtual interfaces with their BGP peers (per region).
    VirtualInterfaces(Vec<VirtualInterface>),
    /// Connections (per region).
    Connections(Vec<Connection>),
    /// LAGs (per region).
    Lags(Vec<Lag>),
    /// Direct Connect gateways with attachments and associations (global).
    Gateways(GatewayData),
    /// Route counts per VIF (per region).
    Routes(Vec<VifRoutes>),
    /// Failover test history per VIF (per region).
    FailoverTests(Vec<VifFailoverTests>),
    /// Upcoming and open scheduled maintenance per affected resource (global).
    Maintenance(Vec<MaintenanceEvent>),
    /// The newest CloudWatch `AWS/DX` datapoints (per region).
    Cloudwatch(CloudwatchData),
}

impl CollectorData {
    /// Number of top-level resources (VIFs, connections, LAGs, or gateways).
    pub fn len(&self) -> usize {
        match self {
            CollectorData::VirtualInterfaces(v) => v.len(),
            CollectorData::Connections(v) => v.len(),
            CollectorData::Lags(v) => v.len(),
            CollectorData::Gateways(g) => g.gateways.len(),
            CollectorData::Routes(r) => r.len(),
            CollectorData::FailoverTests(t) => t.len(),
            CollectorData::Maintenance(m) => m.len(),
            CollectorData::Cloudwatch(c) => c.datapoints.len(),
        }
    }

    /// The collector that produces this data.
    pub fn kind(&self) -> CollectorKind {
        match self {
            CollectorData::VirtualInterfaces(_) => CollectorKind::VirtualInterfaces,
            CollectorData::Connections(_) => CollectorKind::Connections,
            CollectorData::Lags(_) => CollectorKind::Lags,
            CollectorData::Gateways(_) => CollectorKind::Gateways,
            CollectorData::Routes(_) => CollectorKind::Routes,
            CollectorData::FailoverTests(_) => CollectorKind::FailoverTests,
            CollectorData::Maintenance(_) => CollectorKind::Maintenance,
            CollectorData::Cloudwatch(_) => CollectorKind::Cloudwatch,
        }
    }

    /// True when there are no top-level resources.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The route counts of one address family of a VIF.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FamilyRoutes {
    /// `ipv4` or `ipv6`.
    pub address_family: String,
    /// Routes received from the customer.
    pub accepted: u64,
    /// Routes AWS advertises to the customer.
    pub advertised: u64,
    /// Accepted routes the session allows before AWS puts it down: the VIF's prefix
    /// pool allocation when reported, else 100 (private, transit) or 1,000 (public).
    pub limit: u64,
}

/// The routes of one VIF (ListVirtualInterfaceRoutes), per address family.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VifRoutes {
    /// The VIF.
    pub virtual_interface_id: String,
    /// One entry per address family the VIF has a peer in (or routes in).
    pub families: Vec<FamilyRoutes>,
}

/// One BGP failover test of a VIF (`VirtualInterfaceTestHistory`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FailoverTest {
    /// `status` in lower case with `_` for spaces and dashes (`in_progress`, `completed`,
    /// `failed`, or another value AWS may send).
    pub status: String,
    /// `startTime`: when the VIF's BGP peers were put down.
    pub start: Option<SystemTime>,
    /// `endTime`: when they came back; absent while the test runs.
    pub end: Option<SystemTime>,
}

impl FailoverTest {
    /// When the test last happened: its end, or its start while it runs (or when AWS
    /// reports no end).
    pub fn last_time(&self) -> Option<SystemTime> {
        match self.status.as_str() {
            "in_progress" => self.start.or(self.end),
            _ => self.end.or(self.start),
        }
    }
}

/// The failover test history of one VIF (ListVirtualInterfaceTestHistory).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VifFailoverTests {
    /// The VIF.
    pub virtual_interface_id: String,
    /// Tests in the history; 0 when the VIF was never tested.
    pub tests: u64,
    /// The newest test (latest start); `None` when never tested.
    pub last: Option<FailoverTest>,
}

/// The kind of resource a maintenance event affects, which names its id label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AffectedKind {
    /// A connection (`dxcon-…`) or LAG (`dxlag-…`): label `connection_id`.
    Connection,
    /// A virtual interface (`dxvif-…`): label `virtual_interface_id`.
    VirtualInterface,
}

/// One AWS Health scheduled maintenance event as it affects one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceEvent {
    /// `arn` of the event.
    pub event_arn: String,
    /// `eventTypeCode`, e.g. `AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED`.
    pub event_type: String,
    /// `statusCode` in lower case: `upcoming`, `open` (or `closed`).
    pub status: String,
    /// The region the event is in (`global` for global events).
    pub region: String,
    /// What kind of resource is affected.
    pub kind: AffectedKind,
    /// The affected resource's id (`entityValue`).
    pub resource_id: String,
    /// Start of the maintenance window.
    pub start: Option<SystemTime>,
    /// End of the maintenance window.
    pub end: Option<SystemTime>,
}

/// A CloudWatch `AWS/DX` figure the `cloudwatch` collector exports, each an exported
/// family (SPEC 6.3). Which CloudWatch metric and statistic each comes from is the `aws`
/// module's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DxFigure {
    /// Transmit light level of one optical lane, dBm.
    LightLevelTx,
    /// Receive light level of one optical lane, dBm.
    LightLevelRx,
    /// Connection egress, bytes per second.
    ConnectionEgressBytes,
    /// Connection ingress, bytes per second.
    ConnectionIngressBytes,
    /// Connection egress, packets per second.
    ConnectionEgressPackets,
    /// Connection ingress, packets per second.
    ConnectionIngressPackets,
    /// MAC-level errors counted over the period.
    ConnectionErrors,
    /// MACsec encryption up (1) or down (0).
    ConnectionEncryptionUp,
    /// VIF egress, bytes per second.
    VifEgressBytes,
    /// VIF ingress, bytes per second.
    VifIngressBytes,
    /// VIF egress, packets per second.
    VifEgressPackets,
    /// VIF ingress, packets per second.
    VifIngressPackets,
    /// Lowest BGP status (1 up, 0 down) of one address family over the period.
    VifBgpStatusMin,
    /// Prefixes accepted from the customer in one address family.
    VifPrefixesAccepted,
    /// Prefixes AWS advertises in one address family.
    VifPrefixesAdvertised,
}

/// One CloudWatch series of the inventory: a figure of one connection or VIF.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DxSeries {
    /// What it measures.
    pub figure: DxFigure,
    /// The connection id (connection figures) or the VIF id (VIF figures).
    pub resource_id: String,
    /// Optical lane 1..=4 of light levels.
    pub optical_lane: Option<u8>,
    /// `ipv4` or `ipv6` of the BGP figures.
    pub address_family: Option<&'static str>,
}

/// The newest datapoint of one series.
#[derive(Debug, Clone)]
pub struct DxDatapoint {
    /// The series.
    pub series: DxSeries,
    /// The value, in the figure's unit (bytes, not bits).
    pub value: f64,
    /// Start of the datapoint's period, as CloudWatch stamps it.
    pub timestamp: SystemTime,
}

// Equal when every field is, the value bit for bit (so that `CollectorData` stays `Eq`).
impl PartialEq for DxDatapoint {
    fn eq(&self, other: &Self) -> bool {
        self.series == other.series
            && self.value.to_bits() == other.value.to_bits()
            && self.timestamp == other.timestamp
    }
}
impl Eq for DxDatapoint {}

/// What one `cloudwatch` cycle found for an account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudwatchData {
    /// The newest datapoint of every series that had one in the window, in series order.
    pub datapoints: Vec<DxDatapoint>,
    /// Series asked for (each billed as one metric).
    pub queries: usize,
    /// When the cycle asked.
    pub asked_at: SystemTime,
}

impl CloudwatchData {
    /// The newest datapoint's timestamp among all series.
    pub fn newest(&self) -> Option<SystemTime> {
        self.datapoints.iter().map(|d| d.timestamp).max()
    }
}

impl VirtualInterface {
    /// A test fixture: VIF `id` with one BGP peer per address family of `families`.
    #[cfg(test)]
    pub(crate) fn with_peers(id: &str, families: &[&str]) -> VirtualInterface {
        VirtualInterface {
            id: id.into(),
            bgp_peers: families
                .iter()
                .map(|f| BgpPeer {
                    address_family: (*f).into(),
                    ..BgpPeer::default()
                })
                .collect(),
            ..VirtualInterface::default()
        }
    }

    /// The accepted-route limit of a BGP session in `family`: the prefix pool allocation
    /// when AWS reports it, else the default for the VIF type (public 1,000, else 100).
    pub fn route_limit(&self, family: &str) -> u64 {
        let allocated = match family {
            "ipv4" => self.prefix_pool_allocated.ipv4,
            "ipv6" => self.prefix_pool_allocated.ipv6,
            _ => None,
        };
        match allocated.and_then(|n| u64::try_from(n).ok()) {
            Some(n) => n,
            None if self.vif_type == "public" => 1_000,
            None => 100,
        }
    }
}

/// Identity of a collector: which account, region and kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CollectorKey {
    /// The 12-digit account id, or `unknown` before it is known.
    pub account_id: String,
    /// For gateways: the region used to reach the (global) API.
    pub region: String,
    /// Which collector.
    pub kind: CollectorKind,
}

/// Identity of a BGP peer for the change counter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerKey {
    /// `virtualInterfaceId`.
    pub virtual_interface_id: String,
    /// `bgpPeerId`.
    pub bgp_peer_id: String,
}

/// The published state of one collector.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorSnapshot {
    /// Which collector this is.
    pub key: CollectorKey,
    /// Whether the last cycle succeeded.
    pub success: bool,
    /// Wall time of the last cycle.
    pub duration: Duration,
    /// The configured interval between cycles.
    pub interval: Duration,
    /// Times the collector's task panicked and was restarted.
    pub panics: u64,
    /// End of the last successful cycle.
    pub last_success: Option<SystemTime>,
    /// Last good data; `None` before the first success or after `max_staleness`.
    pub data: Option<CollectorData>,
    /// Why the last cycle failed, in one line (`None` after a success). Never holds
    /// request or response bodies.
    pub last_error: Option<String>,
    /// Observed `bgpStatus` changes per peer (virtual interface collectors only), for
    /// the peers present in `data`.
    pub peer_status_changes: BTreeMap<PeerKey, u64>,
}

/// The outcome of one AWS API call attempt (the `result` label of `api_requests_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallResult {
    /// The call succeeded.
    Success,
    /// AWS throttled the call.
    Throttled,
    /// A 4xx other than throttling (denied, invalid).
    ClientError,
    /// A 5xx.
    ServerError,
    /// No answer within the timeout.
    Timeout,
    /// The connection failed.
    TransportError,
}

impl CallResult {
    /// Every result, in label order.
    pub const ALL: [CallResult; 6] = [
        CallResult::Success,
        CallResult::Throttled,
        CallResult::ClientError,
        CallResult::ServerError,
        CallResult::Timeout,
        CallResult::TransportError,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            CallResult::Success => "success",
            CallResult::Throttled => "throttled",
            CallResult::ClientError => "client_error",
            CallResult::ServerError => "server_error",
            CallResult::Timeout => "timeout",
            CallResult::TransportError => "transport_error",
        }
    }
}

impl std::fmt::Display for CallResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Identity of an `api_requests_total` series: account, region, operation and result.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiRequestKey {
    /// The 12-digit account id, or `unknown` before it is known.
    pub account_id: String,
    /// The region (for global collectors, the one the API is reached through).
    pub region: String,
    /// The API operation, e.g. `DescribeVirtualInterfaces`.
    pub operation: &'static str,
    /// The outcome.
    pub result: CallResult,
}

impl Snapshot {
    /// The data collector `kind` last published for `account_id` in `region`.
    pub fn data_of(
        &self,
        account_id: &str,
        region: &str,
        kind: CollectorKind,
    ) -> Option<&CollectorData> {
        self.collectors
            .iter()
            .find(|c| {
                c.key.account_id == account_id && c.key.region == region && c.key.kind == kind
            })
            .and_then(|c| c.data.as_ref())
    }
}

/// Everything `/metrics` and the status page show, taken at one instant.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every collector's latest state, in key order (shared with the store, not copied).
    pub collectors: Vec<Arc<CollectorSnapshot>>,
    /// API call attempts so far.
    pub api_requests: BTreeMap<ApiRequestKey, u64>,
    /// Tag keys copied onto `*_info` metrics as `tag_<key>` labels.
    pub tag_labels: Vec<String>,
    /// Whether the last `--config.file` (re)load succeeded; `None` without a config file.
    pub config_reload_success: Option<bool>,
}
