//! The documented Direct Connect rules for VIFs and BGP peers, through the real SDK.

use aws_sdk_directconnect::error::ProvideErrorMetadata;
use aws_sdk_directconnect::types::AddressFamily::{IPv4, IPv6};
use directconnect_exporter::simulator::Scenario;

use super::*;
use crate::common::*;

#[tokio::test]
async fn a_second_peer_in_the_same_address_family_is_rejected() {
    let (_h, c) = demo().await;
    let err = create_peer(&c, TRANSIT_A, new_peer(65000, IPv4))
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    assert!(
        err.into_service_error()
            .is_direct_connect_client_exception()
    );
}

#[tokio::test]
async fn an_ipv6_peer_with_addresses_is_rejected_and_without_gets_service_addresses() {
    let h = start_simulator(Scenario::demo()).await;
    let c = sim_sdk(&h).region("eu-west-1").direct_connect().await;
    let with_addresses = new_peer(65011, IPv6)
        .amazon_address("2001:db8::1/125")
        .customer_address("2001:db8::2/125");
    let err = create_peer(&c, EU_PUBLIC_VIF, with_addresses)
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    let out = create_peer(&c, EU_PUBLIC_VIF, new_peer(65011, IPv6))
        .await
        .unwrap();
    let v6 = peer(out.virtual_interface().unwrap(), "ipv6");
    assert!(
        v6.amazon_address().is_some_and(|a| a.contains(':')),
        "service-assigned IPv6"
    );
    assert!(v6.customer_address().is_some_and(|a| a.contains(':')));
}

#[tokio::test]
async fn a_peer_on_a_public_vif_starts_verifying() {
    let h = start_simulator(Scenario::demo()).await;
    let c = sim_sdk(&h).region("eu-west-1").direct_connect().await;
    let out = create_peer(&c, EU_PUBLIC_VIF, new_peer(65011, IPv6))
        .await
        .unwrap();
    let v6 = peer(out.virtual_interface().unwrap(), "ipv6");
    assert_eq!(v6.bgp_peer_state().map(|s| s.as_str()), Some("verifying"));
    advance_clock(&h, 11.0).await;
    let v6 = peer(&vif(&c, EU_PUBLIC_VIF).await, "ipv6");
    assert_eq!(v6.bgp_peer_state().map(|s| s.as_str()), Some("available"));
    assert_eq!(status(&v6), "up");
}

#[tokio::test]
async fn a_public_vif_peer_needs_a_private_or_whitelisted_asn() {
    let h = start_simulator(Scenario::demo()).await;
    let c = sim_sdk(&h).region("eu-west-1").direct_connect().await;
    let err = create_peer(&c, EU_PUBLIC_VIF, new_peer(7224, IPv6))
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
}

#[tokio::test]
async fn deleting_the_last_peer_is_rejected() {
    let (h, c) = demo().await;
    let created = create_private(&c, 900).await;
    let id = created.virtual_interface_id().unwrap();
    let only = &created.bgp_peers()[0];
    let err = bounded(
        c.delete_bgp_peer()
            .virtual_interface_id(id)
            .bgp_peer_id(only.bgp_peer_id().unwrap())
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    assert!(
        ProvideErrorMetadata::message(&err)
            .unwrap_or_default()
            .contains("last BGP peer")
    );

    // With a second peer, deleting one (by ASN and customer address) is fine.
    create_peer(&c, id, new_peer(65123, IPv6)).await.unwrap();
    let out = bounded(
        c.delete_bgp_peer()
            .virtual_interface_id(id)
            .asn(65123)
            .customer_address(only.customer_address().unwrap())
            .send(),
    )
    .await
    .unwrap();
    let v4 = peer(out.virtual_interface().unwrap(), "ipv4");
    assert_eq!(v4.bgp_peer_state().map(|s| s.as_str()), Some("deleting"));
    advance_clock(&h, 11.0).await;
    let after = vif(&c, id).await;
    assert_eq!(after.bgp_peers().len(), 1);
    assert_eq!(
        after.bgp_peers()[0].address_family().map(|f| f.as_str()),
        Some("ipv6")
    );
}

#[tokio::test]
async fn new_vifs_and_peers_become_available_after_the_simulated_delay() {
    let (h, c) = demo().await;
    let created = create_private(&c, 901).await;
    assert_eq!(state(created.virtual_interface_state()), Some("pending"));
    assert_eq!(
        created.bgp_peers()[0].bgp_peer_state().map(|s| s.as_str()),
        Some("pending")
    );
    let id = created.virtual_interface_id().unwrap();
    advance_clock(&h, 11.0).await;
    let ready = vif(&c, id).await;
    assert_eq!(state(ready.virtual_interface_state()), Some("available"));
    assert_eq!(status(&ready.bgp_peers()[0]), "up");

    // The VLAN is now taken on that connection.
    let err = create_private_vif(&c, NYC_PRIMARY, private_vif("dup", 901, 65000))
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
}

#[tokio::test]
async fn a_public_vif_is_created_verifying_and_then_becomes_available() {
    let (h, c) = demo().await;
    let new = dx::types::NewPublicVirtualInterface::builder()
        .virtual_interface_name("pub")
        .vlan(950)
        .asn(65050)
        .amazon_address("203.0.113.1/30")
        .customer_address("203.0.113.2/30")
        .route_filter_prefixes(
            dx::types::RouteFilterPrefix::builder()
                .cidr("203.0.113.0/24")
                .build(),
        );
    let out = bounded(
        c.create_public_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .new_public_virtual_interface(new.build().unwrap())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(state(out.virtual_interface_state()), Some("verifying"));
    assert_eq!(out.route_filter_prefixes().len(), 1);
    advance_clock(&h, 11.0).await;
    let v = vif(&c, out.virtual_interface_id().unwrap()).await;
    assert_eq!(state(v.virtual_interface_state()), Some("available"));
}

#[tokio::test]
async fn an_ipv6_vif_with_addresses_is_rejected() {
    let (_h, c) = demo().await;
    let v6 = private_vif("v6", 980, 65000)
        .address_family(IPv6)
        .amazon_address("2001:db8::1/125");
    let err = create_private_vif(&c, NYC_PRIMARY, v6).await.unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    let nowhere = private_vif("nowhere", 981, 65000);
    let err = create_private_vif(&c, "dxcon-doesnotexist", nowhere)
        .await
        .unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        CLIENT_ERROR,
        "unknown connection"
    );
}

#[tokio::test]
async fn an_allocated_vif_waits_in_confirming_until_its_owner_confirms() {
    let h = start_simulator(Scenario::demo()).await;
    let owner = sim_sdk(&h).direct_connect().await;
    let partner = sim_sdk(&h).account(SECOND_ACCOUNT).direct_connect().await;
    let alloc = allocate_private(&owner, SECOND_ACCOUNT, "hosted-private", 960, 65200)
        .await
        .unwrap();
    assert_eq!(state(alloc.virtual_interface_state()), Some("confirming"));
    assert_eq!(alloc.owner_account(), Some("222222222222"));
    let id = alloc.virtual_interface_id().unwrap();
    advance_clock(&h, 60.0).await;
    assert_eq!(
        state(vif(&partner, id).await.virtual_interface_state()),
        Some("confirming"),
        "an allocated VIF waits for its owner"
    );
    let err = bounded(
        partner
            .confirm_public_virtual_interface()
            .virtual_interface_id(id)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        CLIENT_ERROR,
        "wrong confirm for the type"
    );
    let confirmed = bounded(
        partner
            .confirm_private_virtual_interface()
            .virtual_interface_id(id)
            .direct_connect_gateway_id(CORE_GW)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(state(confirmed.virtual_interface_state()), Some("pending"));
    let err = bounded(
        partner
            .confirm_private_virtual_interface()
            .virtual_interface_id(id)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        CLIENT_ERROR,
        "only confirming VIFs confirm"
    );
    advance_clock(&h, 11.0).await;
    assert_eq!(
        state(vif(&partner, id).await.virtual_interface_state()),
        Some("available")
    );

    // Public allocation and confirmation.
    let new = dx::types::NewPublicVirtualInterfaceAllocation::builder()
        .virtual_interface_name("hosted-public")
        .vlan(961)
        .asn(65201);
    let alloc = bounded(
        owner
            .allocate_public_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .owner_account("111111111111")
            .new_public_virtual_interface_allocation(new.build().unwrap())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(state(alloc.virtual_interface_state()), Some("confirming"));
    let confirmed = bounded(
        owner
            .confirm_public_virtual_interface()
            .virtual_interface_id(alloc.virtual_interface_id().unwrap())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        state(confirmed.virtual_interface_state()),
        Some("verifying")
    );
}

#[tokio::test]
async fn deleting_a_confirming_vif_rejects_it() {
    let (_h, c) = demo().await;
    let alloc = allocate_private(&c, "111111111111", "to-reject", 970, 65300)
        .await
        .unwrap();
    let out = delete_vif(&c, alloc.virtual_interface_id().unwrap())
        .await
        .unwrap();
    assert_eq!(state(out.virtual_interface_state()), Some("rejected"));
}

#[tokio::test]
async fn a_deleted_vif_stays_visible_for_fifteen_minutes_then_vanishes() {
    let (h, c) = demo().await;
    let out = delete_vif(&c, PRIVATE_VPC).await.unwrap();
    assert_eq!(state(out.virtual_interface_state()), Some("deleting"));
    advance_clock(&h, 30.0).await;
    let gone_soon = vif(&c, PRIVATE_VPC).await;
    assert_eq!(state(gone_soon.virtual_interface_state()), Some("deleted"));
    let err = delete_vif(&c, PRIVATE_VPC).await.unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    advance_clock(&h, 14.0 * 60.0).await;
    assert_eq!(
        state(vif(&c, PRIVATE_VPC).await.virtual_interface_state()),
        Some("deleted"),
        "still visible before 15 minutes"
    );
    advance_clock(&h, 61.0).await;
    let all = bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap();
    assert!(
        all.virtual_interfaces()
            .iter()
            .all(|v| v.virtual_interface_id() != Some(PRIVATE_VPC))
    );
    let err = bounded(
        c.describe_virtual_interfaces()
            .virtual_interface_id(PRIVATE_VPC)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
}
