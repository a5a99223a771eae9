//! Virtual interfaces as a scenario declares them: their BGP peers and flaps, routes per address family, and failover test history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PerFamily;
use crate::duration::PromDuration;

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
