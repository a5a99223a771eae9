//! Scenario files for the simulator: the YAML fleet and timeline types, validation and the large-fleet generator.
//!
//! # YAML format
//!
//! A scenario is a fleet (per account, per region) plus a timeline of events. Unknown keys
//! are errors; parse errors name the line and column, validation errors name the path of
//! the offending field. Durations use the Prometheus style (`45s`, `4m`, `1h30m`) and are
//! measured in simulated time from the simulator's start. Every state is a plain string,
//! so values outside the API enums (e.g. `flux`) can be used to test unknown-enum handling.
//!
//! ```yaml
//! accounts:
//!   - id: "111111111111"              # 12 digits; the access key id selects the account
//!     deny_assume_role: false          # true: STS AssumeRole into this account is denied
//!     gateways:                        # Direct Connect gateways are global per account
//!       - id: 5f294f92-bafb-4011-916d-9b0bec0bd6ab
//!         name: core-dxgw
//!         amazon_side_asn: 64512
//!         state: available
//!     associations:
//!       - id: 6a7b8c9d-0000-4000-8000-000000000001
//!         gateway_id: 5f294f92-bafb-4011-916d-9b0bec0bd6ab
//!         associated_gateway: {id: tgw-0a1b2c3d, type: transitGateway, region: us-east-1}
//!         allowed_prefixes: [10.0.0.0/16]
//!     regions:
//!       us-east-1:
//!         connections:
//!           - {id: dxcon-aaaa0001, name: nyc-1, location: EqDC2, bandwidth: 10Gbps}
//!         lags:
//!           - id: dxlag-aaaa0001
//!             name: lag-1
//!             location: EqDC2
//!             bandwidth: 10Gbps            # connectionsBandwidth
//!             minimum_links: 1
//!             connections:                 # member connections (also in DescribeConnections)
//!               - {id: dxcon-aaaa0002, name: lag-1-a}
//!               - {id: dxcon-aaaa0003, name: lag-1-b}
//!         virtual_interfaces:
//!           - id: dxvif-aaaa0001
//!             name: prod-vpc
//!             type: private                # private | public | transit
//!             connection: dxcon-aaaa0001   # a connection or LAG id in the same region
//!             vlan: 101
//!             asn: 4200000000              # 4-byte ASNs are sent as asn 0 + asnLong
//!             gateway: 5f294f92-bafb-4011-916d-9b0bec0bd6ab   # attachment is derived
//!             tags: {Name: prod-vpc, env: prod}
//!             peers:
//!               - {family: ipv4, status: up}
//!               - {family: ipv6, status: up, state: available}
//! timeline:                            # each entry has `at` and exactly one event
//!   - {at: 45s, peer: {virtual_interface_id: dxvif-aaaa0001, address_family: ipv4, bgp_status: down}}
//!   - {at: 1m45s, peer: {virtual_interface_id: dxvif-aaaa0001, address_family: ipv4, bgp_status: up}}
//!   - {at: 0s, flap: {virtual_interface_id: dxvif-aaaa0001, address_family: ipv6, every: 4m, down_for: 60s}}
//!   - {at: 3m, virtual_interface: {id: dxvif-aaaa0001, state: down}}
//!   - {at: 3m, connection: {id: dxcon-aaaa0001, state: down}}
//!   - {at: 3m, lag: {id: dxlag-aaaa0001, state: down}}
//!   - {at: 10m, fault: {kind: throttle, for: 30s, operation: DescribeVirtualInterfaces, account: "111111111111", region: us-east-1}}
//! ```
//!
//! Omitted fields get realistic defaults: peer ids, peer addresses (IPv6 from the
//! service pool), auth keys, router configs, locations and device ids (from the
//! connection), MACsec keys on MACsec-capable connections. A flap is down while
//! `(now - at) mod every < down_for`; a `peer` event never cancels a flap.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::duration::PromDuration;

/// Why a scenario was rejected. The message names the file and the line or field path.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        /// The path given to [`Scenario::load`].
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed or has unknown/mistyped fields (message has line and column).
    #[error("{origin}: {source}")]
    Parse {
        /// File name or other origin label.
        origin: String,
        /// The YAML error, which carries the location.
        source: serde_yaml_ng::Error,
    },
    /// The YAML parsed but breaks a rule (duplicate id, unknown reference, ...).
    #[error("{origin}{}: {path}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// File name or other origin label.
        origin: String,
        /// Best-effort 1-based line: the last line mentioning the offending value.
        line: Option<usize>,
        /// Field path, e.g. `accounts[0].regions.us-east-1.virtual_interfaces[2].vlan`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// A bounded label for metrics/logs.
    pub fn label(&self) -> &'static str {
        match self {
            ScenarioError::Read { .. } => "read",
            ScenarioError::Parse { .. } => "parse",
            ScenarioError::Invalid { .. } => "invalid",
        }
    }
}

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
    /// Direct Connect gateways (global: visible from every region).
    pub gateways: Vec<GatewaySpec>,
    /// Gateway associations (virtual private or transit gateways).
    pub associations: Vec<AssociationSpec>,
    /// Regional resources keyed by region name.
    pub regions: BTreeMap<String, RegionSpec>,
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
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
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
    /// macSecCapable
    pub mac_sec_capable: bool,
    /// no_encrypt | should_encrypt | must_encrypt
    pub encryption_mode: Option<String>,
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
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
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
            virtual_gateway_id: None,
            route_filter_prefixes: Vec::new(),
            peers: Vec::new(),
            auth_key: String::new(),
            customer_router_config: String::new(),
            location: String::new(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            site_link_enabled: false,
            tags: BTreeMap::new(),
            owner_account: String::new(),
            region: String::new(),
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

/// What a fault does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// `ThrottlingException` (400).
    Throttle,
    /// `DirectConnectServerException` (500).
    ServerError,
    /// Adds `latency_ms` before the normal answer.
    Latency,
    /// 200 with a truncated, invalid JSON body.
    Malformed,
    /// Closes the connection without a response.
    Reset,
    /// `AccessDeniedException` (403).
    AccessDenied,
}

impl FaultKind {
    /// Bounded label.
    pub fn label(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::ServerError => "server_error",
            FaultKind::Latency => "latency",
            FaultKind::Malformed => "malformed",
            FaultKind::Reset => "reset",
            FaultKind::AccessDenied => "access_denied",
        }
    }
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

/// Parameters of [`Scenario::generate`]. Region names are taken, in order, from a fixed
/// list of 12 real regions (`us-east-1`, `eu-west-1`, ...); `regions` is capped at 12.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSpec {
    /// Number of accounts; the first is 111111111111, the second 222222222222.
    pub accounts: usize,
    /// Number of regions per account (1..=12).
    pub regions: usize,
    /// VIFs in each account × region.
    pub vifs_per_region: usize,
    /// 1 (IPv4) or 2 (IPv4 + IPv6).
    pub peers_per_vif: usize,
    /// Connections per account × region that the VIFs are spread over (at least 1).
    pub connections_per_region: usize,
    /// VIFs per account × region whose first peer flaps (every 4m, down 60s).
    pub flapping_vifs_per_region: usize,
}

impl Default for GenerateSpec {
    fn default() -> Self {
        GenerateSpec {
            accounts: 1,
            regions: 1,
            vifs_per_region: 10,
            peers_per_vif: 1,
            connections_per_region: 4,
            flapping_vifs_per_region: 0,
        }
    }
}

/// Region names used by the generator.
pub const GENERATED_REGIONS: [&str; 12] = [
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "us-east-2",
    "eu-west-2",
    "ca-central-1",
    "sa-east-1",
    "ap-south-1",
    "eu-north-1",
];

const DEMO_YAML: &str = include_str!("demo.yaml");

impl Scenario {
    /// The bundled demo fleet (`src/simulator/demo.yaml`): two accounts, two regions, a
    /// LAG, private/public/transit VIFs, a 4-byte ASN, a gateway, and a timeline that moves.
    #[allow(
        clippy::expect_used,
        reason = "a compile-time constant covered by a unit test, not input"
    )]
    pub fn demo() -> Scenario {
        // The bundled file is a compile-time constant covered by a unit test.
        Scenario::from_yaml(DEMO_YAML, "demo.yaml").expect("bundled demo.yaml is valid")
    }

    /// Parses and validates a scenario; `origin` names it in errors (e.g. the file path).
    pub fn from_yaml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        crate::config::check_bounds(text, crate::config::SCENARIO_LIMITS).map_err(|e| {
            ScenarioError::Invalid {
                origin: origin.to_owned(),
                line: None,
                path: "document".to_owned(),
                message: e.to_string(),
            }
        })?;
        let mut scenario: Scenario =
            serde_yaml_ng::from_str(text).map_err(|source| ScenarioError::Parse {
                origin: origin.to_owned(),
                source,
            })?;
        scenario
            .normalize()
            .map_err(|(path, message)| ScenarioError::Invalid {
                origin: origin.to_owned(),
                line: offending_line(text, &message),
                path,
                message,
            })?;
        Ok(scenario)
    }

    /// Reads, parses and validates a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let max = crate::config::SCENARIO_LIMITS.max_bytes;
        let text = crate::config::read_to_string_bounded(path, max).map_err(|source| {
            ScenarioError::Read {
                path: path.display().to_string(),
                source,
            }
        })?;
        Scenario::from_yaml(&text, &path.display().to_string())
    }

    /// Account ids in scenario order.
    pub fn accounts(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.id.clone()).collect()
    }

    /// All region names used by any account, sorted and deduplicated.
    pub fn regions(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .accounts
            .iter()
            .flat_map(|a| a.regions.keys())
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Builds a large, deterministic fleet for benchmarks and pagination tests.
    pub fn generate(spec: &GenerateSpec) -> Scenario {
        let mut accounts = Vec::new();
        let mut timeline = Vec::new();
        let mut counter: u64 = 0;
        let regions = spec.regions.clamp(1, GENERATED_REGIONS.len());
        let conns = spec.connections_per_region.max(1);
        for a in 0..spec.accounts.max(1) {
            let id = match a {
                0 => "111111111111".to_owned(),
                1 => "222222222222".to_owned(),
                n => format!("{:012}", 300_000_000_000u64 + n as u64),
            };
            let gw_id = format!("{:08x}-0000-4000-8000-{:012x}", a, a);
            let mut account = AccountSpec {
                id: id.clone(),
                gateways: vec![GatewaySpec {
                    id: gw_id.clone(),
                    name: format!("dxgw-{a}"),
                    ..GatewaySpec::default()
                }],
                ..AccountSpec::default()
            };
            for region in GENERATED_REGIONS.iter().take(regions) {
                let mut rs = RegionSpec::default();
                let mut conn_ids = Vec::new();
                for c in 0..conns {
                    counter += 1;
                    let cid = format!("dxcon-g{counter:07x}");
                    conn_ids.push(cid.clone());
                    rs.connections.push(ConnectionSpec {
                        id: cid,
                        name: format!("{region}-conn-{c}"),
                        location: format!("Loc{}", c % 3),
                        bandwidth: "10Gbps".into(),
                        ..ConnectionSpec::default()
                    });
                }
                for v in 0..spec.vifs_per_region {
                    counter += 1;
                    let vid = format!("dxvif-g{counter:07x}");
                    let vif_type = match v % 5 {
                        0 => "public",
                        1 => "transit",
                        _ => "private",
                    };
                    let asn = if v % 7 == 0 {
                        4_200_000_000 + v as u64
                    } else {
                        65000 + (v as u64 % 500)
                    };
                    let mut peers = vec![PeerSpec::default()];
                    if spec.peers_per_vif >= 2 {
                        peers.push(PeerSpec {
                            family: "ipv6".into(),
                            ..PeerSpec::default()
                        });
                    }
                    if v < spec.flapping_vifs_per_region {
                        timeline.push(TimelineEvent::flap(&vid, "ipv4", 240, 60));
                    }
                    rs.virtual_interfaces.push(VifSpec {
                        id: vid,
                        name: format!("{region}-vif-{v}"),
                        vif_type: vif_type.into(),
                        connection: conn_ids[v % conns].clone(),
                        vlan: 100 + (v as u32 % 3990),
                        asn,
                        gateway: (vif_type != "public").then(|| gw_id.clone()),
                        tags: BTreeMap::from([
                            ("Name".to_owned(), format!("vif-{v}")),
                            (
                                "env".to_owned(),
                                if v % 2 == 0 { "prod" } else { "dev" }.into(),
                            ),
                        ]),
                        peers,
                        ..VifSpec::default()
                    });
                }
                account.regions.insert((*region).to_owned(), rs);
            }
            accounts.push(account);
        }
        let mut scenario = Scenario { accounts, timeline };
        // Generated data satisfies every rule by construction; normalize fills defaults.
        if let Err((path, message)) = scenario.normalize() {
            tracing::error!(%path, %message, "generated scenario failed validation");
        }
        scenario
    }

    /// Validates references and uniqueness, and fills derived fields. Errors are
    /// `(field path, message)`.
    fn normalize(&mut self) -> Result<(), (String, String)> {
        let mut seen_accounts = BTreeSet::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        // (region, connection-or-lag id) -> (location, device, logical device, jumbo)
        let mut links: HashMap<(String, String), (String, String, String, bool)> = HashMap::new();
        let mut gateways: HashMap<String, u64> = HashMap::new();
        let mut unique = |id: &str, path: &str, prefix: &str| -> Result<(), (String, String)> {
            if id.is_empty() {
                return Err((format!("{path}.id"), "an id is required".into()));
            }
            if !prefix.is_empty() && !id.starts_with(prefix) {
                return Err((
                    format!("{path}.id"),
                    format!("{id:?} must start with {prefix:?}"),
                ));
            }
            if let Some(other) = ids.insert(id.to_owned(), path.to_owned()) {
                return Err((
                    format!("{path}.id"),
                    format!("duplicate id {id:?} (also at {other})"),
                ));
            }
            Ok(())
        };
        // Pass 1: accounts, gateways, connections, LAGs.
        for (ai, account) in self.accounts.iter_mut().enumerate() {
            let ap = format!("accounts[{ai}]");
            if account.id.len() != 12 || !account.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err((
                    format!("{ap}.id"),
                    format!("{:?} is not a 12-digit account id", account.id),
                ));
            }
            if !seen_accounts.insert(account.id.clone()) {
                return Err((
                    format!("{ap}.id"),
                    format!("duplicate account {:?}", account.id),
                ));
            }
            for (gi, gw) in account.gateways.iter_mut().enumerate() {
                let gp = format!("{ap}.gateways[{gi}]");
                unique(&gw.id, &gp, "")?;
                gw.owner_account = account.id.clone();
                if gw.name.is_empty() {
                    gw.name = format!("dxgw-{gi}");
                }
                gateways.insert(gw.id.clone(), gw.amazon_side_asn);
            }
            for (region, rs) in account.regions.iter_mut() {
                let rp = format!("{ap}.regions.{region}");
                if region.is_empty() {
                    return Err((rp, "empty region name".into()));
                }
                let mut members = Vec::new();
                for (li, lag) in rs.lags.iter_mut().enumerate() {
                    let lp = format!("{rp}.lags[{li}]");
                    unique(&lag.id, &lp, "dxlag-")?;
                    lag.owner_account = account.id.clone();
                    lag.region = region.clone();
                    if lag.name.is_empty() {
                        lag.name = lag.id.clone();
                    }
                    if lag.location.is_empty() {
                        lag.location = "EqDC2".into();
                    }
                    fill_devices(
                        &lag.location,
                        &lag.id,
                        &mut lag.aws_device,
                        &mut lag.aws_device_v2,
                        &mut lag.aws_logical_device_id,
                    );
                    links.insert(
                        (region.clone(), lag.id.clone()),
                        (
                            lag.location.clone(),
                            lag.aws_device_v2.clone(),
                            lag.aws_logical_device_id.clone(),
                            lag.jumbo_frame_capable,
                        ),
                    );
                    for mut member in std::mem::take(&mut lag.connections) {
                        member.lag_id = Some(lag.id.clone());
                        if member.location.is_empty() {
                            member.location = lag.location.clone();
                        }
                        if member.bandwidth.is_empty() {
                            member.bandwidth = lag.bandwidth.clone();
                        }
                        // Members sit on the LAG's device unless the scenario says otherwise.
                        if member.aws_device.is_empty() {
                            member.aws_device = lag.aws_device.clone();
                        }
                        if member.aws_device_v2.is_empty() {
                            member.aws_device_v2 = lag.aws_device_v2.clone();
                        }
                        if member.aws_logical_device_id.is_empty() {
                            member.aws_logical_device_id = lag.aws_logical_device_id.clone();
                        }
                        members.push(member);
                    }
                }
                rs.connections.extend(members);
                for (ci, conn) in rs.connections.iter_mut().enumerate() {
                    let cp = format!("{rp}.connections[{ci}]");
                    unique(&conn.id, &cp, "dxcon-")?;
                    conn.owner_account = account.id.clone();
                    conn.region = region.clone();
                    if conn.name.is_empty() {
                        conn.name = conn.id.clone();
                    }
                    if conn.location.is_empty() {
                        conn.location = "EqDC2".into();
                    }
                    if conn.bandwidth.is_empty() {
                        conn.bandwidth = "10Gbps".into();
                    }
                    fill_devices(
                        &conn.location,
                        &conn.id,
                        &mut conn.aws_device,
                        &mut conn.aws_device_v2,
                        &mut conn.aws_logical_device_id,
                    );
                    if conn.mac_sec_capable && conn.mac_sec_keys.is_empty() {
                        conn.mac_sec_keys.push(MacSecKeySpec {
                            secret_arn: format!(
                                "arn:aws:secretsmanager:{region}:{}:secret:directconnect!{}-mkS3cr3t",
                                account.id, conn.id
                            ),
                            ckn: format!("{:064x}", fnv(&conn.id) as u128 * 0x9e37_79b9),
                            state: "associated".into(),
                            start_on: "2026-01-15T00:00:00Z".into(),
                        });
                    }
                    links.insert(
                        (region.clone(), conn.id.clone()),
                        (
                            conn.location.clone(),
                            conn.aws_device_v2.clone(),
                            conn.aws_logical_device_id.clone(),
                            conn.jumbo_frame_capable,
                        ),
                    );
                }
            }
        }
        // Pass 2: VIFs and associations (references may point to other accounts).
        let mut vif_peers: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for (ai, account) in self.accounts.iter_mut().enumerate() {
            let ap = format!("accounts[{ai}]");
            for (si, assoc) in account.associations.iter_mut().enumerate() {
                let sp = format!("{ap}.associations[{si}]");
                unique(&assoc.id, &sp, "")?;
                if !gateways.contains_key(&assoc.gateway_id) {
                    return Err((
                        format!("{sp}.gateway_id"),
                        format!("unknown gateway {:?}", assoc.gateway_id),
                    ));
                }
                assoc.gateway_owner_account = account.id.clone();
                if assoc.associated_gateway.owner_account.is_empty() {
                    assoc.associated_gateway.owner_account = account.id.clone();
                }
                if assoc.associated_gateway.gateway_type.is_empty() {
                    assoc.associated_gateway.gateway_type = "transitGateway".into();
                }
            }
            for (region, rs) in account.regions.iter_mut() {
                let mut vlans: HashMap<(String, u32), String> = HashMap::new();
                for (vi, vif) in rs.virtual_interfaces.iter_mut().enumerate() {
                    let vp = format!("{ap}.regions.{region}.virtual_interfaces[{vi}]");
                    unique(&vif.id, &vp, "dxvif-")?;
                    if !matches!(vif.vif_type.as_str(), "private" | "public" | "transit") {
                        return Err((
                            format!("{vp}.type"),
                            format!("{:?} is not private, public or transit", vif.vif_type),
                        ));
                    }
                    let Some((location, device, logical, jumbo)) =
                        links.get(&(region.clone(), vif.connection.clone()))
                    else {
                        return Err((
                            format!("{vp}.connection"),
                            format!("unknown connection or LAG {:?} in {region}", vif.connection),
                        ));
                    };
                    if vif.vlan == 0 || vif.vlan > 4094 {
                        return Err((format!("{vp}.vlan"), "vlan must be 1..=4094".into()));
                    }
                    if let Some(other) =
                        vlans.insert((vif.connection.clone(), vif.vlan), vif.id.clone())
                    {
                        return Err((
                            format!("{vp}.vlan"),
                            format!(
                                "vlan {} already used by {other} on {}",
                                vif.vlan, vif.connection
                            ),
                        ));
                    }
                    if let Some(gw) = &vif.gateway {
                        match gateways.get(gw) {
                            Some(asn) if vif.amazon_side_asn == 0 => vif.amazon_side_asn = *asn,
                            Some(_) => {}
                            None => {
                                return Err((
                                    format!("{vp}.gateway"),
                                    format!("unknown gateway {gw:?}"),
                                ));
                            }
                        }
                    }
                    if vif.amazon_side_asn == 0 {
                        vif.amazon_side_asn = 64512;
                    }
                    vif.owner_account = account.id.clone();
                    vif.region = region.clone();
                    if vif.name.is_empty() {
                        vif.name = vif.id.clone();
                    }
                    if vif.location.is_empty() {
                        vif.location = location.clone();
                    }
                    if vif.aws_device_v2.is_empty() {
                        vif.aws_device_v2 = device.clone();
                    }
                    if vif.aws_logical_device_id.is_empty() {
                        vif.aws_logical_device_id = logical.clone();
                    }
                    if vif.jumbo_frame_capable.is_none() {
                        vif.jumbo_frame_capable = Some(*jumbo);
                    }
                    if vif.auth_key.is_empty() {
                        vif.auth_key = secret_key(&vif.id);
                    }
                    if vif.peers.is_empty() {
                        vif.peers.push(PeerSpec::default());
                    }
                    let mut families = BTreeSet::new();
                    for (pi, peer) in vif.peers.iter_mut().enumerate() {
                        let pp = format!("{vp}.peers[{pi}]");
                        if !matches!(peer.family.as_str(), "ipv4" | "ipv6") {
                            return Err((
                                format!("{pp}.family"),
                                format!("{:?} is not ipv4 or ipv6", peer.family),
                            ));
                        }
                        if !families.insert(peer.family.clone()) {
                            return Err((
                                format!("{pp}.family"),
                                format!("a VIF has at most one {} peer", peer.family),
                            ));
                        }
                        if peer.id.is_empty() {
                            peer.id = format!(
                                "dxpeer-{:08x}",
                                fnv(&format!("{}/{}", vif.id, peer.family)) as u32
                            );
                        }
                        unique(&peer.id, &pp, "dxpeer-")?;
                        if peer.asn == 0 {
                            peer.asn = vif.asn;
                        }
                        if peer.auth_key.is_empty() {
                            peer.auth_key = vif.auth_key.clone();
                        }
                        if peer.amazon_address.is_empty() && peer.customer_address.is_empty() {
                            let (amazon, customer) = peer_addresses(&peer.family, fnv(&peer.id));
                            peer.amazon_address = amazon;
                            peer.customer_address = customer;
                        }
                        if peer.aws_device_v2.is_empty() {
                            peer.aws_device_v2 = vif.aws_device_v2.clone();
                        }
                        if peer.aws_logical_device_id.is_empty() {
                            peer.aws_logical_device_id = vif.aws_logical_device_id.clone();
                        }
                    }
                    if vif.customer_router_config.is_empty() {
                        vif.customer_router_config = router_config(vif);
                    }
                    vif_peers.insert(
                        vif.id.clone(),
                        vif.peers
                            .iter()
                            .map(|p| (p.id.clone(), p.family.clone()))
                            .collect(),
                    );
                }
            }
        }
        // Pass 3: timeline references.
        for (ti, event) in self.timeline.iter().enumerate() {
            let tp = format!("timeline[{ti}]");
            let set = [
                event.peer.is_some(),
                event.flap.is_some(),
                event.virtual_interface.is_some(),
                event.connection.is_some(),
                event.lag.is_some(),
                event.fault.is_some(),
            ];
            if set.iter().filter(|s| **s).count() != 1 {
                return Err((
                    tp,
                    "needs exactly one of peer, flap, virtual_interface, connection, lag, fault"
                        .into(),
                ));
            }
            let peer_ref =
                |vif: &str, family: &Option<String>, id: &Option<String>, path: String| {
                    let Some(peers) = vif_peers.get(vif) else {
                        return Err((
                            format!("{path}.virtual_interface_id"),
                            format!("unknown VIF {vif:?}"),
                        ));
                    };
                    let found = peers.iter().any(|(pid, fam)| {
                        id.as_deref().is_some_and(|i| i == pid)
                            || (id.is_none() && family.as_deref() == Some(fam))
                    });
                    if found {
                        Ok(())
                    } else {
                        Err((
                            path,
                            format!("no such peer on {vif} (give address_family or bgp_peer_id)"),
                        ))
                    }
                };
            if let Some(p) = &event.peer {
                peer_ref(
                    &p.virtual_interface_id,
                    &p.address_family,
                    &p.bgp_peer_id,
                    format!("{tp}.peer"),
                )?;
            }
            if let Some(f) = &event.flap {
                peer_ref(
                    &f.virtual_interface_id,
                    &f.address_family,
                    &f.bgp_peer_id,
                    format!("{tp}.flap"),
                )?;
                if f.every.0.is_zero() || f.down_for.0 >= f.every.0 {
                    return Err((format!("{tp}.flap"), "need 0 < down_for < every".into()));
                }
            }
            for (what, ev, prefix) in [
                ("virtual_interface", &event.virtual_interface, "dxvif-"),
                ("connection", &event.connection, "dxcon-"),
                ("lag", &event.lag, "dxlag-"),
            ] {
                if let Some(ev) = ev
                    && (!ev.id.starts_with(prefix) || !ids.contains_key(&ev.id))
                {
                    return Err((
                        format!("{tp}.{what}.id"),
                        format!("unknown {what} {:?}", ev.id),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl TimelineEvent {
    /// A flap event starting at 0 (used by the generator).
    fn flap(vif: &str, family: &str, every_s: u64, down_s: u64) -> TimelineEvent {
        TimelineEvent {
            at: PromDuration(Duration::ZERO),
            peer: None,
            flap: Some(FlapEvent {
                virtual_interface_id: vif.to_owned(),
                address_family: Some(family.to_owned()),
                bgp_peer_id: None,
                every: PromDuration(Duration::from_secs(every_s)),
                down_for: PromDuration(Duration::from_secs(down_s)),
            }),
            virtual_interface: None,
            connection: None,
            lag: None,
            fault: None,
        }
    }
}

/// The last line of `text` that mentions the first quoted value of `message` (validation
/// messages quote the offending id or value), as a 1-based line number.
fn offending_line(text: &str, message: &str) -> Option<usize> {
    let needle = message.split('"').nth(1).filter(|n| !n.is_empty())?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .last()
        .map(|(i, _)| i + 1)
}

/// FNV-1a, for deterministic derived ids and addresses.
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A realistic-looking BGP MD5 key derived from `seed` (a secret by design).
pub(crate) fn secret_key(seed: &str) -> String {
    format!("0x{:016x}SiMsecret", fnv(seed))
}

/// Service-assigned peer addresses: a /30 in 169.254.0.0/16 for IPv4, a /125 from an
/// Amazon IPv6 pool for IPv6. Returns (amazon, customer).
pub(crate) fn peer_addresses(family: &str, seed: u64) -> (String, String) {
    if family == "ipv6" {
        let a = (seed >> 16) as u16;
        let b = seed as u16;
        (
            format!("2600:1f18:{a:x}:{b:x}::1/125"),
            format!("2600:1f18:{a:x}:{b:x}::2/125"),
        )
    } else {
        let third = (seed >> 8) as u8;
        let fourth = (seed as u8) & 0xfc;
        (
            format!("169.254.{third}.{}/30", fourth + 1),
            format!("169.254.{third}.{}/30", fourth + 2),
        )
    }
}

/// Fills empty device fields from the location and the resource id.
fn fill_devices(
    location: &str,
    id: &str,
    dev: &mut String,
    dev_v2: &mut String,
    logical: &mut String,
) {
    let h = fnv(id);
    if dev.is_empty() {
        *dev = format!("{location}-{:x}", h as u32);
    }
    if dev_v2.is_empty() {
        *dev_v2 = dev.clone();
    }
    if logical.is_empty() {
        *logical = format!("{location}-{:x}", (h >> 32) as u32);
    }
}

/// A Cisco-style customer router config carrying the auth key (a secret by design).
pub(crate) fn router_config(vif: &VifSpec) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "! AWS Direct Connect virtual interface {}", vif.id);
    let _ = writeln!(out, "interface GigabitEthernet0/1.{}", vif.vlan);
    let _ = writeln!(out, " encapsulation dot1Q {}", vif.vlan);
    for peer in &vif.peers {
        let _ = writeln!(out, "router bgp {}", peer.asn);
        let _ = writeln!(
            out,
            " neighbor {} remote-as {}",
            peer.amazon_address.split('/').next().unwrap_or_default(),
            vif.amazon_side_asn
        );
        let _ = writeln!(
            out,
            " neighbor {} password {}",
            peer.amazon_address.split('/').next().unwrap_or_default(),
            peer.auth_key
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_demo_parses_and_has_two_accounts_and_two_regions() {
        let s = Scenario::demo();
        assert_eq!(s.accounts(), vec!["111111111111", "222222222222"]);
        assert_eq!(s.regions(), vec!["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn the_demo_has_everything_the_dashboards_and_alerts_need() {
        let s = Scenario::demo();
        let regions: Vec<&RegionSpec> =
            s.accounts.iter().flat_map(|a| a.regions.values()).collect();
        let conns: Vec<&ConnectionSpec> = regions.iter().flat_map(|r| &r.connections).collect();
        let lags: Vec<&LagSpec> = regions.iter().flat_map(|r| &r.lags).collect();
        let vifs: Vec<&VifSpec> = regions.iter().flat_map(|r| &r.virtual_interfaces).collect();
        assert!(conns.len() >= 3);
        assert!(lags.iter().any(|l| {
            l.minimum_links == 1
                && conns
                    .iter()
                    .filter(|c| c.lag_id.as_deref() == Some(l.id.as_str()))
                    .count()
                    == 2
        }));
        assert!(vifs.len() >= 8);
        for t in ["private", "public", "transit"] {
            assert!(vifs.iter().any(|v| v.vif_type == t), "{t}");
        }
        for f in ["ipv4", "ipv6"] {
            assert!(
                vifs.iter().flat_map(|v| &v.peers).any(|p| p.family == f),
                "{f}"
            );
        }
        assert!(vifs.iter().any(|v| v.asn == 4_200_000_000));
        assert!(
            vifs.iter()
                .all(|v| v.tags.contains_key("Name") && v.tags.contains_key("env"))
        );
        // A redundant pair: same gateway, different logical devices and locations.
        let gw = "5f294f92-bafb-4011-916d-9b0bec0bd6ab";
        let on_gw: Vec<&&VifSpec> = vifs
            .iter()
            .filter(|v| v.gateway.as_deref() == Some(gw))
            .collect();
        assert!(on_gw.iter().any(|a| on_gw.iter().any(
            |b| a.location != b.location && a.aws_logical_device_id != b.aws_logical_device_id
        )));
        assert!(!s.accounts[0].associations.is_empty());
        // A healthy baseline at t=0 and movement within two minutes.
        assert!(vifs.iter().all(|v| v.state == "available"));
        assert!(
            vifs.iter()
                .flat_map(|v| &v.peers)
                .all(|p| p.status == "up" && p.state == "available")
        );
        assert!(s.timeline.iter().any(|e| {
            e.at.0 < Duration::from_secs(60)
                && e.peer
                    .as_ref()
                    .is_some_and(|p| p.bgp_status.as_deref() == Some("down"))
        }));
        assert!(s.timeline.iter().any(|e| e.flap.is_some()));
        assert!(s.timeline.iter().any(|e| e.virtual_interface.is_some()));
    }

    #[test]
    fn unknown_fields_are_rejected_with_a_line_number() {
        let err = Scenario::from_yaml(
            "accounts:\n  - id: \"111111111111\"\n    colour: red\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("x.yaml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn a_vif_on_an_unknown_connection_is_rejected_with_its_path() {
        let yaml = "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        virtual_interfaces:\n          - {id: dxvif-a, connection: dxcon-nope, vlan: 5}\n";
        let err = Scenario::from_yaml(yaml, "x.yaml").unwrap_err().to_string();
        assert!(err.contains("virtual_interfaces[0].connection"), "{err}");
        assert!(err.starts_with("x.yaml:6: "), "{err}");
    }

    #[test]
    fn two_peers_of_one_family_are_rejected() {
        let yaml = "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        connections: [{id: dxcon-a}]\n        virtual_interfaces:\n          - {id: dxvif-a, connection: dxcon-a, vlan: 5, peers: [{family: ipv4}, {family: ipv4}]}\n";
        let err = Scenario::from_yaml(yaml, "x.yaml").unwrap_err().to_string();
        assert!(err.contains("at most one ipv4"), "{err}");
    }

    #[test]
    fn the_example_in_the_module_docs_is_a_valid_scenario() {
        let source = include_str!("scenario.rs");
        let yaml: String = source
            .lines()
            .skip_while(|l| !l.starts_with("//! ```yaml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| {
                format!(
                    "{}\n",
                    l.strip_prefix("//!")
                        .unwrap_or(l)
                        .strip_prefix(' ')
                        .unwrap_or("")
                )
            })
            .collect();
        assert!(yaml.contains("timeline:"), "{yaml}");
        let s = Scenario::from_yaml(&yaml, "docs").unwrap();
        assert_eq!(s.timeline.len(), 7);
        assert_eq!(s.accounts[0].regions["us-east-1"].connections.len(), 3);
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_the_path() {
        let err = Scenario::load("/nonexistent/scenario.yaml").unwrap_err();
        assert_eq!(err.label(), "read");
        assert!(err.to_string().contains("/nonexistent/scenario.yaml"));
    }

    #[test]
    fn a_timeline_event_needs_exactly_one_kind() {
        let yaml = "accounts: []\ntimeline:\n  - {at: 5s}\n";
        let err = Scenario::from_yaml(yaml, "x.yaml").unwrap_err().to_string();
        assert!(err.contains("exactly one"), "{err}");
        let bad_duration = "timeline:\n  - {at: 5 seconds}\n";
        let err = Scenario::from_yaml(bad_duration, "x.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }

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

    #[test]
    fn the_generator_builds_the_requested_number_of_vifs_and_peers() {
        let s = Scenario::generate(&GenerateSpec {
            accounts: 2,
            regions: 3,
            vifs_per_region: 50,
            peers_per_vif: 2,
            ..GenerateSpec::default()
        });
        assert_eq!(s.accounts(), vec!["111111111111", "222222222222"]);
        assert_eq!(s.regions().len(), 3);
        let vifs: usize = s
            .accounts
            .iter()
            .flat_map(|a| a.regions.values())
            .map(|r| r.virtual_interfaces.len())
            .sum();
        assert_eq!(vifs, 300);
        assert!(
            s.accounts[0].regions["us-east-1"]
                .virtual_interfaces
                .iter()
                .all(|v| v.peers.len() == 2)
        );
    }

    #[test]
    fn generated_ids_survive_revalidation() {
        let s = Scenario::generate(&GenerateSpec {
            vifs_per_region: 20,
            flapping_vifs_per_region: 2,
            ..GenerateSpec::default()
        });
        let yaml = serde_yaml_ng::to_string(&s).unwrap();
        Scenario::from_yaml(&yaml, "generated").unwrap();
    }
}
