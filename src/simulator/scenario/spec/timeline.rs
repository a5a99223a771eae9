//! The timeline: events a scenario applies as simulated time passes (peer status, flaps, resource states, fault windows, routes, MACsec status, failover tests, optics).

use serde::{Deserialize, Serialize};

use crate::duration::PromDuration;
use crate::simulator::faults::FaultKind;

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
