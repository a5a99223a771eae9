//! The wire shapes of the model: specs rendered as Direct Connect JSON (optional fields omitted, as AWS does).
//!
//! A new Describe field is one line here (and its spec field in `scenario/spec/`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::simulator::scenario::{
    AssociationSpec, ConnectionSpec, FailoverTestSpec, GatewaySpec, LagSpec, MacSecKeySpec,
    PeerSpec, PerFamily, VifSpec,
};

/// `(asn, asnLong)` as sent on the wire: a 4-byte ASN above `i32::MAX` goes out as
/// `asn: 0` with the value in `asnLong`; otherwise both carry it.
pub fn asn_pair(asn: u64) -> (u64, u64) {
    if asn > i32::MAX as u64 {
        (0, asn)
    } else {
        (asn, asn)
    }
}

/// Drops null members of a JSON object (optional fields are omitted, as AWS does).
fn compact(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

fn tags_json(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

/// The accepted-route limit of one BGP session: the VIF's prefix pool allocation for the
/// family when set, else 100 (private and transit) or 1,000 (public).
pub fn route_limit(vif: &VifSpec, family: &str) -> u32 {
    match vif.prefix_pool_allocated.get(family) {
        Some(n) => n,
        None if vif.vif_type == "public" => 1_000,
        None => 100,
    }
}

/// Whether a VIF no longer counts against pools and limiters (deleted or rejected).
pub fn inactive(vif: &VifSpec) -> bool {
    matches!(vif.state.as_str(), "deleted" | "rejected")
}

/// The status a client sees: over its accepted-route limit the session is down (AWS puts
/// it to idle); a flap in its down phase wins over the stored status.
pub fn effective_status<'a>(vif: &VifSpec, peer: &'a PeerSpec, now_ms: u64) -> &'a str {
    let overflow = vif.routes.of(&peer.family).accepted > route_limit(vif, &peer.family);
    match peer.flap {
        _ if overflow => "down",
        Some(f) if f.is_down(now_ms) => "down",
        _ => &peer.status,
    }
}

/// What the VIFs on a connection or LAG take from its prefix pool and rate limiters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// IPv4 prefixes allocated to its VIFs.
    pub allocated_ipv4: u32,
    /// IPv6 prefixes allocated to its VIFs.
    pub allocated_ipv6: u32,
    /// VIFs with a rate limit.
    pub rate_limited: u32,
}

/// The capacity fields of a connection or LAG: pool size and what is left, rate limiters.
fn capacity(pool: PerFamily, limiters: Option<u32>, bandwidth: &str, usage: Usage) -> Value {
    let left = |size: Option<u32>, used: u32| size.map(|s| s.saturating_sub(used));
    compact(json!({
        "prefixPoolSizeIpv4": pool.ipv4,
        "prefixPoolSizeIpv6": pool.ipv6,
        "prefixPoolUnallocatedCountIpv4": left(pool.ipv4, usage.allocated_ipv4),
        "prefixPoolUnallocatedCountIpv6": left(pool.ipv6, usage.allocated_ipv6),
        "rateLimiterStatus": limiters.map(|max| json!({
            "maxAllowed": max,
            "inUse": usage.rate_limited.min(max),
            "remaining": max.saturating_sub(usage.rate_limited),
            "totalBandwidth": bandwidth,
        })),
    }))
}

/// Adds the members of object `extra` to object `v`.
fn merge(mut v: Value, extra: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut v, extra) {
        a.extend(b);
    }
    v
}

/// A BGP peer of `vif` in the API shape.
pub fn peer(vif: &VifSpec, peer: &PeerSpec, now_ms: u64) -> Value {
    let (asn, asn_long) = asn_pair(peer.asn);
    json!({
        "bgpPeerId": peer.id,
        "asn": asn,
        "asnLong": asn_long,
        "authKey": peer.auth_key,
        "addressFamily": peer.family,
        "amazonAddress": peer.amazon_address,
        "customerAddress": peer.customer_address,
        "bgpPeerState": peer.state,
        "bgpStatus": effective_status(vif, peer, now_ms),
        "awsDeviceV2": peer.aws_device_v2,
        "awsLogicalDeviceId": peer.aws_logical_device_id,
    })
}

/// A virtual interface in the API shape (`VirtualInterface`).
pub fn vif(vif: &VifSpec, now_ms: u64) -> Value {
    let (asn, asn_long) = asn_pair(vif.asn);
    let first = vif.peers.first();
    compact(json!({
        "ownerAccount": vif.owner_account,
        "virtualInterfaceId": vif.id,
        "location": vif.location,
        "connectionId": vif.connection,
        "virtualInterfaceType": vif.vif_type,
        "virtualInterfaceName": vif.name,
        "vlan": vif.vlan,
        "asn": asn,
        "asnLong": asn_long,
        "amazonSideAsn": vif.amazon_side_asn,
        "authKey": vif.auth_key,
        "amazonAddress": first.map(|p| p.amazon_address.as_str()),
        "customerAddress": first.map(|p| p.customer_address.as_str()),
        "addressFamily": first.map(|p| p.family.as_str()),
        "virtualInterfaceState": vif.state,
        "customerRouterConfig": vif.customer_router_config,
        "mtu": vif.mtu,
        "jumboFrameCapable": vif.jumbo_frame_capable.unwrap_or(false),
        "virtualGatewayId": vif.virtual_gateway_id,
        "directConnectGatewayId": vif.gateway,
        "routeFilterPrefixes": vif.route_filter_prefixes.iter().map(|c| json!({"cidr": c})).collect::<Vec<_>>(),
        "bgpPeers": vif.peers.iter().map(|p| peer(vif, p, now_ms)).collect::<Vec<_>>(),
        "region": vif.region,
        "awsDeviceV2": vif.aws_device_v2,
        "awsLogicalDeviceId": vif.aws_logical_device_id,
        "tags": tags_json(&vif.tags),
        "siteLinkEnabled": vif.site_link_enabled,
        "prefixPoolAllocatedCountIpv4": vif.prefix_pool_allocated.ipv4,
        "prefixPoolAllocatedCountIpv6": vif.prefix_pool_allocated.ipv6,
        "rateLimit": vif.rate_limit,
    }))
}

/// One route of a VIF, generated from its counts: stable CIDRs, so pages line up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `accepted` or `advertised`.
    pub direction: &'static str,
    /// `ipv4` or `ipv6`.
    pub family: &'static str,
    /// Position within its direction and family.
    pub index: u32,
}

impl Route {
    /// The paging key: direction, family, zero-padded index (sorts in listing order).
    pub fn key(&self) -> String {
        format!("{}|{}|{:08}", self.direction, self.family, self.index)
    }

    /// The route in the API shape (`Route`).
    pub fn to_json(&self, vif: &VifSpec) -> Value {
        let (hi, lo) = (self.index / 256, self.index % 256);
        let second = if self.direction == "accepted" { 16 } else { 32 };
        let cidr = match self.family {
            "ipv6" => format!("2001:db8:{second:x}{hi:02x}:{lo:x}00::/56"),
            _ => format!("10.{}.{}.0/24", second + hi % 16, lo),
        };
        let path = if self.direction == "accepted" {
            vec![vif.asn]
        } else {
            vec![vif.amazon_side_asn.max(1)]
        };
        json!({
            "cidr": cidr,
            "routeDirection": self.direction,
            "addressFamily": self.family,
            "asPath": [{"pathType": "AS_SEQUENCE", "path": path}],
            "communities": [],
            "awsLogicalDeviceId": vif.aws_logical_device_id,
        })
    }
}

/// Every route of `vif`, in paging order: accepted then advertised, IPv4 then IPv6.
pub fn routes(vif: &VifSpec) -> impl Iterator<Item = Route> + '_ {
    ["accepted", "advertised"]
        .into_iter()
        .flat_map(move |direction| {
            ["ipv4", "ipv6"].into_iter().flat_map(move |family| {
                let counts = vif.routes.of(family);
                let n = if direction == "accepted" {
                    counts.accepted
                } else {
                    counts.advertised
                };
                (0..n).map(move |index| Route {
                    direction,
                    family,
                    index,
                })
            })
        })
}

/// A failover test of `vif` in the API shape (`VirtualInterfaceTestHistory`); `unix`
/// turns simulated milliseconds into wire timestamps. A running test has no end.
pub fn failover_test(vif: &VifSpec, t: &FailoverTestSpec, unix: impl Fn(i64) -> f64) -> Value {
    let duration_ms = i64::try_from(t.duration.0.as_millis()).unwrap_or(i64::MAX);
    let end = (t.status != "in_progress").then(|| unix(t.start_ms.saturating_add(duration_ms)));
    compact(json!({
        "testId": t.id,
        "virtualInterfaceId": vif.id,
        "bgpPeers": vif.peers.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        "status": t.status,
        "ownerAccount": vif.owner_account,
        "testDurationInMinutes": t.duration.0.as_secs().div_ceil(60),
        "startTime": unix(t.start_ms),
        "endTime": end,
    }))
}

/// MACsec keys in the API shape (`MacSecKey`), secrets included as AWS sends them.
fn mac_sec_keys(keys: &[MacSecKeySpec]) -> Value {
    Value::Array(
        keys.iter()
            .map(|k| {
                json!({
                    "secretARN": k.secret_arn, "ckn": k.ckn, "state": k.state, "startOn": k.start_on,
                })
            })
            .collect(),
    )
}

/// A connection in the API shape (`Connection`), MACsec keys included; `usage` is what
/// its VIFs take from its pool and limiters.
pub fn connection(c: &ConnectionSpec, usage: Usage) -> Value {
    let capacity = capacity(c.prefix_pool_size, c.rate_limiters, &c.bandwidth, usage);
    merge(
        compact(json!({
            "ownerAccount": c.owner_account,
            "connectionId": c.id,
            "connectionName": c.name,
            "connectionState": c.state,
            "region": c.region,
            "location": c.location,
            "bandwidth": c.bandwidth,
            "vlan": (c.vlan > 0).then_some(c.vlan),
            "partnerName": c.partner_name,
            "lagId": c.lag_id,
            "awsDevice": c.aws_device,
            "awsDeviceV2": c.aws_device_v2,
            "awsLogicalDeviceId": c.aws_logical_device_id,
            "jumboFrameCapable": c.jumbo_frame_capable,
            "hasLogicalRedundancy": c.has_logical_redundancy,
            "tags": tags_json(&c.tags),
            "providerName": c.provider_name,
            "macSecCapable": c.mac_sec_capable,
            "portEncryptionStatus": c.port_encryption_status,
            "encryptionMode": c.encryption_mode,
            "macSecKeys": mac_sec_keys(&c.mac_sec_keys),
        })),
        capacity,
    )
}

/// A LAG in the API shape (`Lag`) with its member connections; `usage` gives what the
/// VIFs on a connection or LAG take from its pool and limiters.
pub fn lag(lag: &LagSpec, members: &[&ConnectionSpec], usage: impl Fn(&str) -> Usage) -> Value {
    let capacity = capacity(
        lag.prefix_pool_size,
        lag.rate_limiters,
        &lag.bandwidth,
        usage(&lag.id),
    );
    merge(
        compact(json!({
            "lagId": lag.id,
            "lagName": lag.name,
            "lagState": lag.state,
            "connectionsBandwidth": lag.bandwidth,
            "numberOfConnections": members.len(),
            "minimumLinks": lag.minimum_links,
            "location": lag.location,
            "region": lag.region,
            "ownerAccount": lag.owner_account,
            "awsDevice": lag.aws_device,
            "awsDeviceV2": lag.aws_device_v2,
            "awsLogicalDeviceId": lag.aws_logical_device_id,
            "connections": members.iter().map(|c| connection(c, usage(&c.id))).collect::<Vec<_>>(),
            "allowsHostedConnections": false,
            "jumboFrameCapable": lag.jumbo_frame_capable,
            "hasLogicalRedundancy": lag.has_logical_redundancy,
            "tags": tags_json(&lag.tags),
            "providerName": lag.provider_name,
            "macSecCapable": lag.mac_sec_capable,
            "encryptionMode": lag.encryption_mode,
            "macSecKeys": mac_sec_keys(&lag.mac_sec_keys),
        })),
        capacity,
    )
}

/// A Direct Connect gateway in the API shape; `allocations` is the prefix pool total of
/// the VIFs attached to it.
pub fn gateway(g: &GatewaySpec, allocations: u32) -> Value {
    json!({
        "totalPrefixPoolAllocations": allocations,
        "directConnectGatewayId": g.id,
        "directConnectGatewayName": g.name,
        "amazonSideAsn": g.amazon_side_asn,
        "ownerAccount": g.owner_account,
        "directConnectGatewayState": g.state,
    })
}

/// The gateway attachment derived from a VIF with a gateway.
pub fn attachment(vif: &VifSpec) -> Value {
    let state = match vif.state.as_str() {
        "deleting" => "detaching",
        "deleted" | "rejected" => "detached",
        "pending" | "verifying" | "confirming" => "attaching",
        _ => vif.attachment_state.as_str(),
    };
    let kind = if vif.vif_type == "transit" {
        "TransitVirtualInterface"
    } else {
        "PrivateVirtualInterface"
    };
    compact(json!({
        "directConnectGatewayId": vif.gateway,
        "virtualInterfaceId": vif.id,
        "virtualInterfaceRegion": vif.region,
        "virtualInterfaceOwnerAccount": vif.owner_account,
        "attachmentState": state,
        "attachmentType": kind,
        "stateChangeError": vif.attachment_state_change_error,
    }))
}

/// A gateway association in the API shape.
pub fn association(a: &AssociationSpec) -> Value {
    let g = &a.associated_gateway;
    let mut v = json!({
        "directConnectGatewayId": a.gateway_id,
        "directConnectGatewayOwnerAccount": a.gateway_owner_account,
        "associationState": a.state,
        "associationId": a.id,
        "associatedGateway": {"id": g.id, "type": g.gateway_type, "ownerAccount": g.owner_account, "region": g.region},
        "allowedPrefixesToDirectConnectGateway": a.allowed_prefixes.iter().map(|c| json!({"cidr": c})).collect::<Vec<_>>(),
    });
    if let Some(e) = &a.state_change_error {
        v["stateChangeError"] = json!(e);
    }
    if g.gateway_type == "virtualPrivateGateway" {
        v["virtualGatewayId"] = json!(g.id);
        v["virtualGatewayRegion"] = json!(g.region);
        v["virtualGatewayOwnerAccount"] = json!(g.owner_account);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_byte_asns_go_out_as_zero_plus_asn_long() {
        assert_eq!(asn_pair(65000), (65000, 65000));
        assert_eq!(asn_pair(2_147_483_647), (2_147_483_647, 2_147_483_647));
        assert_eq!(asn_pair(4_200_000_000), (0, 4_200_000_000));
    }
}
