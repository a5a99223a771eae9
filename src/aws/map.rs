//! Mapping from SDK types into model types. Secrets (`authKey`, `customerRouterConfig`,
//! MACsec keys) are not copied: this is the boundary where they are dropped.

use aws_sdk_directconnect::types as sdk;

use crate::model::{
    BgpPeer, Connection, Gateway, GatewayAssociation, GatewayAttachment, Lag, PerFamily,
    PrefixPool, RateLimiters, Tags, VirtualInterface,
};

fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_owned()
}

/// `asnLong` when present and positive, else `asn` (negative values are read as 0).
fn asn(asn: i32, asn_long: Option<i64>) -> u64 {
    match asn_long {
        Some(long) if long > 0 => long as u64,
        _ => u64::try_from(asn).unwrap_or(0),
    }
}

fn tags(list: &[sdk::Tag]) -> Tags {
    list.iter()
        .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
        .collect()
}

pub(super) fn virtual_interface(v: &sdk::VirtualInterface) -> VirtualInterface {
    VirtualInterface {
        id: s(v.virtual_interface_id()),
        name: s(v.virtual_interface_name()),
        vif_type: s(v.virtual_interface_type()),
        connection_id: s(v.connection_id()),
        owner_account: s(v.owner_account()),
        location: s(v.location()),
        vlan: i64::from(v.vlan()),
        asn: asn(v.asn(), v.asn_long()),
        amazon_side_asn: v.amazon_side_asn().and_then(|a| u64::try_from(a).ok()),
        address_family: s(v.address_family().map(|a| a.as_str())),
        direct_connect_gateway_id: s(v.direct_connect_gateway_id()),
        virtual_gateway_id: s(v.virtual_gateway_id()),
        aws_logical_device_id: s(v.aws_logical_device_id()),
        state: s(v.virtual_interface_state().map(|x| x.as_str())),
        mtu: v.mtu().map(i64::from),
        jumbo_frame_capable: v.jumbo_frame_capable(),
        site_link_enabled: v.site_link_enabled(),
        tags: tags(v.tags()),
        bgp_peers: v.bgp_peers().iter().map(bgp_peer).collect(),
        prefix_pool_allocated: per_family(
            v.prefix_pool_allocated_count_ipv4(),
            v.prefix_pool_allocated_count_ipv6(),
        ),
        rate_limit: s(v.rate_limit()),
    }
}

fn per_family(ipv4: Option<i32>, ipv6: Option<i32>) -> PerFamily {
    PerFamily {
        ipv4: ipv4.map(i64::from),
        ipv6: ipv6.map(i64::from),
    }
}

fn rate_limiters(r: Option<&sdk::RateLimiterStatus>) -> Option<RateLimiters> {
    r.map(|r| RateLimiters {
        max_allowed: i64::from(r.max_allowed()),
        in_use: i64::from(r.in_use()),
    })
}

fn bgp_peer(p: &sdk::BgpPeer) -> BgpPeer {
    BgpPeer {
        bgp_peer_id: s(p.bgp_peer_id()),
        asn: asn(p.asn(), p.asn_long()),
        address_family: s(p.address_family().map(|a| a.as_str())),
        amazon_address: s(p.amazon_address()),
        customer_address: s(p.customer_address()),
        state: s(p.bgp_peer_state().map(|x| x.as_str())),
        status: s(p.bgp_status().map(|x| x.as_str())),
        aws_logical_device_id: s(p.aws_logical_device_id()),
    }
}

pub(super) fn connection(c: &sdk::Connection) -> Connection {
    Connection {
        id: s(c.connection_id()),
        name: s(c.connection_name()),
        location: s(c.location()),
        bandwidth: s(c.bandwidth()),
        partner_name: s(c.partner_name()),
        provider_name: s(c.provider_name()),
        lag_id: s(c.lag_id()),
        aws_logical_device_id: s(c.aws_logical_device_id()),
        has_logical_redundancy: s(c.has_logical_redundancy().map(|x| x.as_str())),
        encryption_mode: s(c.encryption_mode()),
        mac_sec_capable: c.mac_sec_capable(),
        jumbo_frame_capable: c.jumbo_frame_capable(),
        state: s(c.connection_state().map(|x| x.as_str())),
        tags: tags(c.tags()),
        prefix_pool: PrefixPool {
            size: per_family(c.prefix_pool_size_ipv4(), c.prefix_pool_size_ipv6()),
            unallocated: per_family(
                c.prefix_pool_unallocated_count_ipv4(),
                c.prefix_pool_unallocated_count_ipv6(),
            ),
        },
        rate_limiters: rate_limiters(c.rate_limiter_status()),
        port_encryption_status: s(c.port_encryption_status()),
        mac_sec_key_states: key_states(c.mac_sec_keys()),
    }
}

/// The state of each MACsec key, and nothing else of it: `ckn` and `secretARN` stay here.
fn key_states(keys: &[sdk::MacSecKey]) -> Vec<String> {
    keys.iter().map(|k| s(k.state())).collect()
}

pub(super) fn lag(l: &sdk::Lag) -> Lag {
    let members = l.connections();
    Lag {
        id: s(l.lag_id()),
        name: s(l.lag_name()),
        location: s(l.location()),
        connections_bandwidth: s(l.connections_bandwidth()),
        aws_logical_device_id: s(l.aws_logical_device_id()),
        has_logical_redundancy: s(l.has_logical_redundancy().map(|x| x.as_str())),
        state: s(l.lag_state().map(|x| x.as_str())),
        minimum_links: i64::from(l.minimum_links()),
        connections: i64::try_from(members.len()).unwrap_or(i64::MAX),
        connections_available: i64::try_from(
            members
                .iter()
                .filter(|c| matches!(c.connection_state(), Some(sdk::ConnectionState::Available)))
                .count(),
        )
        .unwrap_or(i64::MAX),
        tags: tags(l.tags()),
        prefix_pool: PrefixPool {
            size: per_family(l.prefix_pool_size_ipv4(), l.prefix_pool_size_ipv6()),
            unallocated: per_family(
                l.prefix_pool_unallocated_count_ipv4(),
                l.prefix_pool_unallocated_count_ipv6(),
            ),
        },
        rate_limiters: rate_limiters(l.rate_limiter_status()),
        mac_sec_capable: l.mac_sec_capable(),
        mac_sec_key_states: key_states(l.mac_sec_keys()),
    }
}

pub(super) fn gateway(g: &sdk::DirectConnectGateway) -> Gateway {
    Gateway {
        id: s(g.direct_connect_gateway_id()),
        name: s(g.direct_connect_gateway_name()),
        amazon_side_asn: g.amazon_side_asn().and_then(|a| u64::try_from(a).ok()),
        owner_account: s(g.owner_account()),
        state: s(g.direct_connect_gateway_state().map(|x| x.as_str())),
        prefix_pool_allocations: g.total_prefix_pool_allocations().map(i64::from),
    }
}

pub(super) fn attachment(a: &sdk::DirectConnectGatewayAttachment) -> GatewayAttachment {
    GatewayAttachment {
        gateway_id: s(a.direct_connect_gateway_id()),
        virtual_interface_id: s(a.virtual_interface_id()),
        state: s(a.attachment_state().map(|x| x.as_str())),
        state_change_error: s(a.state_change_error()),
    }
}

pub(super) fn association(a: &sdk::DirectConnectGatewayAssociation) -> GatewayAssociation {
    let associated = a.associated_gateway();
    GatewayAssociation {
        gateway_id: s(a.direct_connect_gateway_id()),
        association_id: s(a.association_id()),
        associated_gateway_id: associated
            .and_then(|g| g.id())
            .or(a.virtual_gateway_id())
            .unwrap_or_default()
            .to_owned(),
        associated_gateway_type: associated
            .and_then(|g| g.r#type())
            .map(|t| t.as_str().to_owned())
            .unwrap_or_else(|| {
                if a.virtual_gateway_id().is_some() {
                    "virtualPrivateGateway".to_owned()
                } else {
                    String::new()
                }
            }),
        state: s(a.association_state().map(|x| x.as_str())),
        state_change_error: s(a.state_change_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_byte_asns_come_from_asn_long() {
        assert_eq!(asn(0, Some(4_200_000_000)), 4_200_000_000);
        assert_eq!(asn(65000, Some(65000)), 65000);
        assert_eq!(asn(65000, None), 65000);
        assert_eq!(asn(-1, None), 0);
    }

    #[test]
    fn secrets_are_not_carried_into_the_model() {
        let vif = sdk::VirtualInterface::builder()
            .virtual_interface_id("dxvif-1")
            .auth_key("SECRET-AUTH")
            .customer_router_config("SECRET-ROUTER")
            .virtual_interface_state(sdk::VirtualInterfaceState::from("flux"))
            .bgp_peers(
                sdk::BgpPeer::builder()
                    .bgp_peer_id("p1")
                    .auth_key("SECRET-PEER")
                    .asn(0)
                    .asn_long(4_200_000_000)
                    .bgp_status(sdk::BgpStatus::Up)
                    .build(),
            )
            .build();
        let m = virtual_interface(&vif);
        let dump = format!("{m:?}");
        assert!(!dump.contains("SECRET"), "{dump}");
        assert_eq!(m.state, "flux");
        assert_eq!(m.bgp_peers[0].asn, 4_200_000_000);
        assert_eq!(m.bgp_peers[0].status, "up");
    }

    #[test]
    fn macsec_keys_leave_only_their_state_in_the_model() {
        let key = |state: &str| {
            sdk::MacSecKey::builder()
                .secret_arn("arn:aws:secretsmanager:us-east-1:1:secret:SECRET-ARN")
                .ckn("SECRET-CKN")
                .state(state)
                .start_on("2026-01-01T00:00:00Z")
                .build()
        };
        let c = connection(
            &sdk::Connection::builder()
                .connection_id("dxcon-1")
                .port_encryption_status("Encryption Up")
                .mac_sec_keys(key("associated"))
                .mac_sec_keys(key("disassociating"))
                .build(),
        );
        let l = lag(&sdk::Lag::builder()
            .lag_id("dxlag-1")
            .mac_sec_capable(true)
            .mac_sec_keys(key("associating"))
            .build());
        let dump = format!("{c:?}{l:?}");
        assert!(!dump.contains("SECRET"), "{dump}");
        assert_eq!(c.mac_sec_key_states, ["associated", "disassociating"]);
        assert_eq!(c.port_encryption_status, "Encryption Up");
        assert_eq!(l.mac_sec_key_states, ["associating"]);
        assert_eq!(l.mac_sec_capable, Some(true));
    }

    #[test]
    fn lag_counts_available_members() {
        let l = sdk::Lag::builder()
            .lag_id("dxlag-1")
            .minimum_links(1)
            .connections(
                sdk::Connection::builder()
                    .connection_state(sdk::ConnectionState::Available)
                    .build(),
            )
            .connections(
                sdk::Connection::builder()
                    .connection_state(sdk::ConnectionState::Down)
                    .build(),
            )
            .build();
        let m = lag(&l);
        assert_eq!(
            (m.connections, m.connections_available, m.minimum_links),
            (2, 1, 1)
        );
    }
}
