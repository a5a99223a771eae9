//! The scenario file's types: the fleet per account and region, and the timeline, as serde reads them.
//!
//! Every field has a default (see the `Default` impls) so a scenario names only what it
//! cares about; [`super::validate`] fills what is derived and rejects what is inconsistent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::duration::PromDuration;
use crate::simulator::faults::FaultKind;

/// A validated scenario: the fleet and its timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Accounts with their regional and global resources.
    #[serde(default)]
    pub accounts: Vec<AccountSpec>,
    /// Events applied lazily as simulated time passes.
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
}

/// One AWS account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSpec {
    /// 12-digit account id.
    pub id: String,
    /// When true, STS AssumeRole into this account answers `AccessDenied`.
    pub deny_assume_role: bool,
    /// The account's AWS Support plan: basic | developer | business (default) |
    /// enterprise_on_ramp | enterprise. The AWS Health API answers
    /// `SubscriptionRequiredException` on basic and developer.
    pub support_plan: String,
    /// AWS Health scheduled maintenance of the account's Direct Connect resources.
    pub maintenance: Vec<MaintenanceSpec>,
    /// Direct Connect gateways (global: visible from every region).
    pub gateways: Vec<GatewaySpec>,
    /// Gateway associations (virtual private or transit gateways).
    pub associations: Vec<AssociationSpec>,
    /// Regional resources keyed by region name.
    pub regions: BTreeMap<String, RegionSpec>,
}

/// An AWS Health scheduled change of Direct Connect (a maintenance window). Its status
/// follows the simulated clock: upcoming before the window, open in it, closed after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MaintenanceSpec {
    /// Event id (the end of its ARN); derived when empty.
    pub id: String,
    /// The event's region.
    pub region: String,
    /// `eventTypeCode`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Connections, LAGs and VIFs it affects (ids of this account).
    pub resources: Vec<String>,
    /// When the window starts, after the simulator's start.
    pub starts_in: PromDuration,
    /// How long the window lasts.
    pub duration: PromDuration,
}

impl Default for MaintenanceSpec {
    fn default() -> Self {
        MaintenanceSpec {
            id: String::new(),
            region: "us-east-1".into(),
            event_type: "AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED".into(),
            resources: Vec::new(),
            starts_in: PromDuration::default(),
            duration: PromDuration(std::time::Duration::from_secs(4 * 3600)),
        }
    }
}

impl MaintenanceSpec {
    /// The event's ARN, as AWS Health writes it.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:health:{}::event/DIRECTCONNECT/{}/{}",
            self.region, self.event_type, self.id
        )
    }
}

/// Regional resources of one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSpec {
    /// Standalone connections.
    pub connections: Vec<ConnectionSpec>,
    /// LAGs with their member connections.
    pub lags: Vec<LagSpec>,
    /// Virtual interfaces with their BGP peers.
    pub virtual_interfaces: Vec<VifSpec>,
}

/// A MACsec key (a secret: the exporter must drop it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MacSecKeySpec {
    /// ARN of the Secrets Manager secret.
    pub secret_arn: String,
    /// Connectivity association key name.
    pub ckn: String,
    /// associated | associating | disassociated | disassociating
    pub state: String,
    /// ISO 8601 start date.
    pub start_on: String,
}

/// A dedicated or hosted connection (standalone or a LAG member).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionSpec {
    /// `dxcon-...`
    pub id: String,
    /// connectionName
    pub name: String,
    /// connectionState (any string)
    pub state: String,
    /// Location code, e.g. `EqDC2`; LAG members inherit the LAG's.
    pub location: String,
    /// "10Gbps", "500Mbps"; LAG members inherit the LAG's.
    pub bandwidth: String,
    /// VLAN of a hosted connection; 0 = none.
    pub vlan: u32,
    /// Partner of a hosted connection.
    pub partner_name: Option<String>,
    /// Service provider.
    pub provider_name: Option<String>,
    /// Set for LAG members (filled from the enclosing LAG).
    pub lag_id: Option<String>,
    /// Legacy device name; derived from the location when empty.
    pub aws_device: String,
    /// Device name; derived when empty.
    pub aws_device_v2: String,
    /// Logical device id; derived when empty.
    pub aws_logical_device_id: String,
    /// jumboFrameCapable
    pub jumbo_frame_capable: bool,
    /// yes | no | unknown
    pub has_logical_redundancy: String,
    /// macSecCapable; when true and `mac_sec_keys` is empty a key is generated.
    pub mac_sec_capable: bool,
    /// e.g. "Encryption Up"
    pub port_encryption_status: Option<String>,
    /// no_encrypt | should_encrypt | must_encrypt
    pub encryption_mode: Option<String>,
    /// MACsec keys (secrets).
    pub mac_sec_keys: Vec<MacSecKeySpec>,
    /// Prefix pool per address family (`prefixPoolSizeIpv4/6`); unallocated is derived
    /// from the allocations of the VIFs on the connection.
    pub prefix_pool_size: PerFamily,
    /// Rate limiters the port allows (`rateLimiterStatus.maxAllowed`); in use is the
    /// number of VIFs on it with a `rate_limit`.
    pub rate_limiters: Option<u32>,
    /// Light levels CloudWatch reports for every optical lane; healthy values for the
    /// port speed when unset.
    pub optics: Optics,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
}

/// A port's light levels, in dBm (`ConnectionLightLevelTx/Rx` in CloudWatch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Optics {
    /// Transmit level of every lane; unset: a healthy level for the port speed.
    pub tx_dbm: Option<f64>,
    /// Receive level of every lane; unset: a healthy level for the port speed.
    pub rx_dbm: Option<f64>,
}

impl Default for ConnectionSpec {
    fn default() -> Self {
        ConnectionSpec {
            id: String::new(),
            name: String::new(),
            state: "available".into(),
            location: String::new(),
            bandwidth: String::new(),
            vlan: 0,
            partner_name: None,
            provider_name: None,
            lag_id: None,
            aws_device: String::new(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            jumbo_frame_capable: true,
            has_logical_redundancy: "unknown".into(),
            mac_sec_capable: false,
            port_encryption_status: None,
            encryption_mode: None,
            mac_sec_keys: Vec::new(),
            prefix_pool_size: PerFamily::default(),
            rate_limiters: None,
            optics: Optics::default(),
            tags: BTreeMap::new(),
            owner_account: String::new(),
            region: String::new(),
        }
    }
}

/// A link aggregation group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LagSpec {
    /// `dxlag-...`
    pub id: String,
    /// lagName
    pub name: String,
    /// lagState (any string)
    pub state: String,
    /// Location code.
    pub location: String,
    /// connectionsBandwidth, e.g. "10Gbps".
    pub bandwidth: String,
    /// minimumLinks
    pub minimum_links: u32,
    /// Legacy device name; derived when empty.
    pub aws_device: String,
    /// Device name; derived when empty.
    pub aws_device_v2: String,
    /// Logical device id; derived when empty.
    pub aws_logical_device_id: String,
    /// jumboFrameCapable
    pub jumbo_frame_capable: bool,
    /// yes | no | unknown
    pub has_logical_redundancy: String,
    /// Service provider.
    pub provider_name: Option<String>,
    /// macSecCapable; when true and `mac_sec_keys` is empty a key is generated.
    pub mac_sec_capable: bool,
    /// no_encrypt | should_encrypt | must_encrypt
    pub encryption_mode: Option<String>,
    /// MACsec keys (secrets).
    pub mac_sec_keys: Vec<MacSecKeySpec>,
    /// Prefix pool per address family (`prefixPoolSizeIpv4/6`); unallocated is derived
    /// from the allocations of the VIFs on the LAG.
    pub prefix_pool_size: PerFamily,
    /// Rate limiters the LAG allows (`rateLimiterStatus.maxAllowed`).
    pub rate_limiters: Option<u32>,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Member connections; moved into the region's connections with `lag_id` set.
    pub connections: Vec<ConnectionSpec>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
}

impl Default for LagSpec {
    fn default() -> Self {
        LagSpec {
            id: String::new(),
            name: String::new(),
            state: "available".into(),
            location: String::new(),
            bandwidth: "10Gbps".into(),
            minimum_links: 1,
            aws_device: String::new(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            jumbo_frame_capable: true,
            has_logical_redundancy: "unknown".into(),
            provider_name: None,
            mac_sec_capable: false,
            encryption_mode: None,
            mac_sec_keys: Vec::new(),
            prefix_pool_size: PerFamily::default(),
            rate_limiters: None,
            tags: BTreeMap::new(),
            connections: Vec::new(),
            owner_account: String::new(),
            region: String::new(),
        }
    }
}

/// A BGP peer on a virtual interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeerSpec {
    /// `dxpeer-...`; derived from the VIF id and family when empty.
    pub id: String,
    /// ipv4 | ipv6
    pub family: String,
    /// Customer ASN; 0 = the VIF's ASN.
    pub asn: u64,
    /// BGP MD5 key (a secret); generated when empty.
    pub auth_key: String,
    /// Amazon side address; assigned when empty.
    pub amazon_address: String,
    /// Customer side address; assigned when empty.
    pub customer_address: String,
    /// bgpPeerState (any string)
    pub state: String,
    /// bgpStatus (any string)
    pub status: String,
    /// Device name; the VIF's when empty.
    pub aws_device_v2: String,
    /// Logical device id; the VIF's when empty.
    pub aws_logical_device_id: String,
    /// Active flap (set by a timeline `flap` event, never from YAML directly).
    #[serde(skip)]
    pub flap: Option<Flap>,
}

impl Default for PeerSpec {
    fn default() -> Self {
        PeerSpec {
            id: String::new(),
            family: "ipv4".into(),
            asn: 0,
            auth_key: String::new(),
            amazon_address: String::new(),
            customer_address: String::new(),
            state: "available".into(),
            status: "up".into(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            flap: None,
        }
    }
}

/// A periodic BGP flap, computed from the clock in O(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flap {
    /// Simulated time the flap starts, in milliseconds.
    pub start_ms: u64,
    /// Period in milliseconds (> 0).
    pub every_ms: u64,
    /// Down time at the start of each period, in milliseconds.
    pub down_for_ms: u64,
}

impl Flap {
    /// True when the peer is in the down part of a period at `now_ms`.
    pub fn is_down(&self, now_ms: u64) -> bool {
        now_ms >= self.start_ms
            && self.every_ms > 0
            && (now_ms - self.start_ms) % self.every_ms < self.down_for_ms
    }
}

/// A virtual interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VifSpec {
    /// `dxvif-...`
    pub id: String,
    /// virtualInterfaceName
    pub name: String,
    /// private | public | transit
    #[serde(rename = "type")]
    pub vif_type: String,
    /// Connection or LAG id in the same region (any account).
    pub connection: String,
    /// VLAN, unique per connection.
    pub vlan: u32,
    /// Customer ASN (4-byte allowed).
    pub asn: u64,
    /// Amazon side ASN; 0 = 64512 (or the gateway's).
    pub amazon_side_asn: u64,
    /// virtualInterfaceState (any string)
    pub state: String,
    /// MTU: 1500, 8500 (private/transit) or 9001 (private).
    pub mtu: u32,
    /// jumboFrameCapable; derived from the connection when not set.
    pub jumbo_frame_capable: Option<bool>,
    /// Direct Connect gateway id (creates an attachment).
    pub gateway: Option<String>,
    /// attachmentState of the derived gateway attachment.
    pub attachment_state: String,
    /// stateChangeError of the derived gateway attachment.
    pub attachment_state_change_error: Option<String>,
    /// Virtual private gateway id (private VIFs).
    pub virtual_gateway_id: Option<String>,
    /// Route filter prefixes (public VIFs).
    pub route_filter_prefixes: Vec<String>,
    /// BGP peers; one IPv4 peer is created when empty.
    pub peers: Vec<PeerSpec>,
    /// BGP MD5 key (a secret); generated when empty.
    pub auth_key: String,
    /// Router configuration text (a secret); generated when empty.
    pub customer_router_config: String,
    /// Location; the connection's when empty.
    pub location: String,
    /// Device name; the connection's when empty.
    pub aws_device_v2: String,
    /// Logical device id; the connection's when empty.
    pub aws_logical_device_id: String,
    /// siteLinkEnabled
    pub site_link_enabled: bool,
    /// Routes per address family and direction.
    pub routes: VifRoutes,
    /// Prefix pool allocation per address family (`prefixPoolAllocatedCountIpv4/6`),
    /// which raises the accepted-route limit of a private or transit VIF.
    pub prefix_pool_allocated: PerFamily,
    /// `rateLimit`, e.g. `500Mbps`.
    pub rate_limit: Option<String>,
    /// BGP failover test history (ListVirtualInterfaceTestHistory).
    pub failover_tests: Vec<FailoverTestSpec>,
    /// Egress traffic in bits per second while the VIF carries traffic (ingress is 60 %
    /// of it; both wave by ±15 % over an hour in CloudWatch); unset: a share of the port
    /// speed derived from the id.
    pub traffic_bps: Option<f64>,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
}

/// A BGP failover test in a VIF's history: in a scenario, one that began `ago` before the
/// simulator started; from a timeline `failover_test` event, one that begins at the
/// event's time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FailoverTestSpec {
    /// testId; derived from the VIF and the test's position when empty.
    pub id: String,
    /// How long before the simulator's start the test began.
    pub ago: PromDuration,
    /// How long the VIF's BGP peers stayed down (`testDurationInMinutes`).
    pub duration: PromDuration,
    /// completed | failed | in_progress (any string).
    pub status: String,
    /// Start in simulated milliseconds since the simulator's start (negative: before it);
    /// filled from `ago`, or set by a timeline event.
    #[serde(skip)]
    pub start_ms: i64,
}

impl Default for FailoverTestSpec {
    fn default() -> Self {
        FailoverTestSpec {
            id: String::new(),
            ago: PromDuration::default(),
            duration: PromDuration(std::time::Duration::from_secs(300)),
            status: "completed".into(),
            start_ms: 0,
        }
    }
}

impl Default for VifSpec {
    fn default() -> Self {
        VifSpec {
            id: String::new(),
            name: String::new(),
            vif_type: "private".into(),
            connection: String::new(),
            vlan: 0,
            asn: 65000,
            amazon_side_asn: 0,
            state: "available".into(),
            mtu: 1500,
            jumbo_frame_capable: None,
            gateway: None,
            attachment_state: "attached".into(),
            attachment_state_change_error: None,
            virtual_gateway_id: None,
            route_filter_prefixes: Vec::new(),
            peers: Vec::new(),
            auth_key: String::new(),
            customer_router_config: String::new(),
            location: String::new(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            site_link_enabled: false,
            routes: VifRoutes::default(),
            prefix_pool_allocated: PerFamily::default(),
            rate_limit: None,
            failover_tests: Vec::new(),
            traffic_bps: None,
            tags: BTreeMap::new(),
            owner_account: String::new(),
            region: String::new(),
        }
    }
}

/// A value per address family; absent when AWS would not report it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerFamily {
    /// IPv4.
    pub ipv4: Option<u32>,
    /// IPv6.
    pub ipv6: Option<u32>,
}

impl PerFamily {
    /// The value of `family` (`ipv4` or `ipv6`).
    pub fn get(&self, family: &str) -> Option<u32> {
        match family {
            "ipv4" => self.ipv4,
            "ipv6" => self.ipv6,
            _ => None,
        }
    }
}

/// How many routes a VIF has in one address family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteCounts {
    /// Routes received from the customer (`routeDirection: accepted`).
    pub accepted: u32,
    /// Routes AWS advertises to the customer.
    pub advertised: u32,
}

/// A VIF's routes per address family (ListVirtualInterfaceRoutes). Accepted routes over
/// the VIF's limit put that family's BGP session down, as AWS does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VifRoutes {
    /// IPv4 routes.
    pub ipv4: RouteCounts,
    /// IPv6 routes.
    pub ipv6: RouteCounts,
}

impl VifRoutes {
    /// The counts of `family`.
    pub fn of(&self, family: &str) -> RouteCounts {
        match family {
            "ipv6" => self.ipv6,
            _ => self.ipv4,
        }
    }

    /// The counts of `family`, to change.
    pub fn of_mut(&mut self, family: &str) -> &mut RouteCounts {
        match family {
            "ipv6" => &mut self.ipv6,
            _ => &mut self.ipv4,
        }
    }
}

/// A Direct Connect gateway (global per account).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewaySpec {
    /// UUID-style id.
    pub id: String,
    /// directConnectGatewayName
    pub name: String,
    /// amazonSideAsn
    pub amazon_side_asn: u64,
    /// directConnectGatewayState (any string)
    pub state: String,
    /// Owner (filled from the account).
    pub owner_account: String,
}

impl Default for GatewaySpec {
    fn default() -> Self {
        GatewaySpec {
            id: String::new(),
            name: String::new(),
            amazon_side_asn: 64512,
            state: "available".into(),
            owner_account: String::new(),
        }
    }
}

/// The gateway on the other side of an association.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssociatedGatewaySpec {
    /// `vgw-...` or `tgw-...`
    pub id: String,
    /// virtualPrivateGateway | transitGateway
    #[serde(rename = "type")]
    pub gateway_type: String,
    /// Owner; the association's account when empty.
    pub owner_account: String,
    /// Region of the associated gateway.
    pub region: String,
}

/// A gateway association.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssociationSpec {
    /// associationId
    pub id: String,
    /// directConnectGatewayId
    pub gateway_id: String,
    /// associationState (any string)
    pub state: String,
    /// The associated virtual private or transit gateway.
    pub associated_gateway: AssociatedGatewaySpec,
    /// allowedPrefixesToDirectConnectGateway
    pub allowed_prefixes: Vec<String>,
    /// stateChangeError: why the last state change failed.
    pub state_change_error: Option<String>,
    /// directConnectGatewayOwnerAccount (filled from the account).
    pub gateway_owner_account: String,
}

impl Default for AssociationSpec {
    fn default() -> Self {
        AssociationSpec {
            id: String::new(),
            gateway_id: String::new(),
            state: "associated".into(),
            associated_gateway: AssociatedGatewaySpec::default(),
            allowed_prefixes: Vec::new(),
            state_change_error: None,
            gateway_owner_account: String::new(),
        }
    }
}

/// One timeline entry: a time and exactly one event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEvent {
    /// Simulated time since start.
    pub at: PromDuration,
    /// Set a peer's status and/or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerEvent>,
    /// Start flapping a peer from `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flap: Option<FlapEvent>,
    /// Set a VIF state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_interface: Option<StateEvent>,
    /// Set a connection state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<StateEvent>,
    /// Set a LAG state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag: Option<StateEvent>,
    /// Open a fault window (throttling, 5xx, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<FaultWindow>,
    /// Set a VIF's route counts in one address family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<RoutesEvent>,
    /// Set a connection's MACsec port encryption status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionEvent>,
    /// Start a BGP failover test of a VIF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_test: Option<FailoverTestEvent>,
    /// Set a connection's light levels (e.g. degrading optics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optics: Option<OpticsEvent>,
}

/// A BGP failover test starting at the event's `at`: the VIF goes to `testing` with its
/// peers down for `for`, then back to `available` with the test `completed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailoverTestEvent {
    /// The VIF.
    pub virtual_interface_id: String,
    /// How long the test runs.
    #[serde(rename = "for")]
    pub duration: PromDuration,
}

/// A new MACsec `portEncryptionStatus` of a connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionEvent {
    /// The connection.
    pub connection_id: String,
    /// e.g. `Encryption Up`, `Encryption Down` (any string).
    pub port_encryption_status: String,
}

/// New light levels of a connection, every lane; unset levels stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpticsEvent {
    /// The connection (a standalone connection or a LAG member).
    pub connection_id: String,
    /// New transmit level, dBm.
    pub tx_dbm: Option<f64>,
    /// New receive level, dBm.
    pub rx_dbm: Option<f64>,
}

/// New route counts for one address family of a VIF; unset counts stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutesEvent {
    /// The VIF.
    pub virtual_interface_id: String,
    /// ipv4 | ipv6
    pub address_family: String,
    /// New accepted count.
    pub accepted: Option<u32>,
    /// New advertised count.
    pub advertised: Option<u32>,
}

/// Selects a peer: by VIF and address family, or by peer id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeerEvent {
    /// The VIF holding the peer.
    pub virtual_interface_id: String,
    /// ipv4 | ipv6 (or use `bgp_peer_id`).
    pub address_family: Option<String>,
    /// The peer id (or use `address_family`).
    pub bgp_peer_id: Option<String>,
    /// New bgpStatus.
    pub bgp_status: Option<String>,
    /// New bgpPeerState.
    pub bgp_peer_state: Option<String>,
}

/// A flap of one peer, starting at the event's `at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlapEvent {
    /// The VIF holding the peer.
    pub virtual_interface_id: String,
    /// ipv4 | ipv6 (or use `bgp_peer_id`).
    #[serde(default)]
    pub address_family: Option<String>,
    /// The peer id (or use `address_family`).
    #[serde(default)]
    pub bgp_peer_id: Option<String>,
    /// Period.
    pub every: PromDuration,
    /// Down time at the start of each period (< every).
    pub down_for: PromDuration,
}

/// A state change of a VIF, connection or LAG.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateEvent {
    /// Resource id.
    pub id: String,
    /// New state (any string).
    pub state: String,
}

/// A fault active from the event's `at` for `for`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultWindow {
    /// What happens.
    pub kind: FaultKind,
    /// How long the window lasts.
    #[serde(rename = "for")]
    pub duration: PromDuration,
    /// Only this operation (e.g. `DescribeVirtualInterfaces`, `AssumeRole`).
    #[serde(default)]
    pub operation: Option<String>,
    /// Only this account.
    #[serde(default)]
    pub account: Option<String>,
    /// Only this region.
    #[serde(default)]
    pub region: Option<String>,
    /// Extra delay for `latency`.
    #[serde(default)]
    pub latency_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flap_is_down_only_in_the_first_part_of_each_period() {
        let f = Flap {
            start_ms: 1_000,
            every_ms: 240_000,
            down_for_ms: 60_000,
        };
        assert!(!f.is_down(500));
        assert!(f.is_down(1_000));
        assert!(f.is_down(60_999));
        assert!(!f.is_down(61_000));
        assert!(f.is_down(241_000 + 10));
    }
}
