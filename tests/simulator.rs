//! Black-box tests of the Direct Connect + STS simulator through the real AWS SDK clients.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::future::Future;
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_credential_types::Credentials;
use aws_sdk_directconnect as dx;
use aws_sdk_directconnect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_directconnect::types::{AddressFamily, NewBgpPeer, NewPrivateVirtualInterface};
use directconnect_exporter::simulator::{GenerateSpec, Scenario, Simulator, SimulatorHandle};
use serde_json::{Value, json};

/// Upper bound of every wait in these tests.
const BOUND: Duration = Duration::from_secs(30);
const PRIMARY_KEY: &str = "AKIA111111111111SIM";
const SECOND_KEY: &str = "AKIA222222222222SIM";
/// Demo resources.
const TRANSIT_A: &str = "dxvif-ffhhk8ho";
const PRIVATE_VPC: &str = "dxvif-fg5xnjgk";
const PUBLIC_VIF: &str = "dxvif-fgy8b9n8";
const NYC_PRIMARY: &str = "dxcon-ffre0ec3";
const NYC_LAG: &str = "dxlag-ffrz71kw";
const CORE_GW: &str = "5f294f92-bafb-4011-916d-9b0bec0bd6ab";

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(BOUND, f)
        .await
        .expect("operation did not finish within the bound")
}

async fn start(scenario: Scenario) -> SimulatorHandle {
    bounded(Simulator::start("127.0.0.1:0".parse().unwrap(), scenario))
        .await
        .expect("simulator starts")
}

async fn sdk_config(
    h: &SimulatorHandle,
    creds: Credentials,
    region: &str,
    retries: bool,
) -> aws_config::SdkConfig {
    let retry = if retries {
        RetryConfig::standard()
            .with_initial_backoff(Duration::from_millis(10))
            .with_max_attempts(3)
    } else {
        RetryConfig::disabled()
    };
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(h.endpoint_url())
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(creds)
        .retry_config(retry)
        .load()
        .await
}

fn creds(key: &str) -> Credentials {
    Credentials::new(key, "secret", None, None, "test")
}

async fn client_as(h: &SimulatorHandle, key: &str, region: &str) -> dx::Client {
    dx::Client::new(&sdk_config(h, creds(key), region, false).await)
}

async fn client(h: &SimulatorHandle) -> dx::Client {
    client_as(h, PRIMARY_KEY, "us-east-1").await
}

async fn control(
    h: &SimulatorHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut req = http.request(method, format!("{}{path}", h.endpoint_url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = bounded(req.send()).await.expect("control request");
    let status = resp.status().as_u16();
    let value = bounded(resp.json::<Value>())
        .await
        .expect("control answers JSON");
    (status, value)
}

async fn post(h: &SimulatorHandle, path: &str, body: Value) -> Value {
    let (status, v) = control(h, reqwest::Method::POST, path, Some(body)).await;
    assert_eq!(status, 200, "{path}: {v}");
    v
}

async fn advance(h: &SimulatorHandle, seconds: f64) {
    post(h, "/_sim/clock/advance", json!({"seconds": seconds})).await;
}

fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    ProvideErrorMetadata::code(e).map(str::to_owned)
}

async fn vif(c: &dx::Client, id: &str) -> dx::types::VirtualInterface {
    bounded(
        c.describe_virtual_interfaces()
            .virtual_interface_id(id)
            .send(),
    )
    .await
    .expect("describe vif")
    .virtual_interfaces()
    .first()
    .cloned()
    .expect("one vif")
}

fn peer(v: &dx::types::VirtualInterface, family: &str) -> dx::types::BgpPeer {
    v.bgp_peers()
        .iter()
        .find(|p| p.address_family().map(|f| f.as_str()) == Some(family))
        .cloned()
        .expect("peer of that family")
}

fn status(p: &dx::types::BgpPeer) -> &str {
    p.bgp_status().map(|s| s.as_str()).unwrap_or_default()
}

/// A private VIF on the demo's NYC connection with one IPv4 peer.
async fn create_private(c: &dx::Client, vlan: i32) -> dx::types::VirtualInterface {
    let out = bounded(
        c.create_private_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .new_private_virtual_interface(
                NewPrivateVirtualInterface::builder()
                    .virtual_interface_name(format!("test-{vlan}"))
                    .vlan(vlan)
                    .asn(65123)
                    .direct_connect_gateway_id(CORE_GW)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .expect("create private vif");
    vif(c, out.virtual_interface_id().unwrap()).await
}

#[tokio::test]
async fn every_describe_response_parses_with_the_real_sdk() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;

    let vifs = bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap();
    let vifs = vifs.virtual_interfaces();
    assert_eq!(vifs.len(), 4);
    let transit = vifs
        .iter()
        .find(|v| v.virtual_interface_id() == Some(TRANSIT_A))
        .unwrap();
    assert_eq!(transit.asn(), 0, "4-byte ASNs go out as asn 0");
    assert_eq!(transit.asn_long(), Some(4_200_000_000));
    assert_eq!(transit.virtual_interface_type(), Some("transit"));
    assert_eq!(transit.direct_connect_gateway_id(), Some(CORE_GW));
    assert_eq!(transit.mtu(), Some(8500));
    assert!(
        transit.auth_key().is_some_and(|k| !k.is_empty()),
        "secrets are present"
    );
    assert!(
        transit
            .customer_router_config()
            .is_some_and(|c| c.contains("password"))
    );
    assert_eq!(transit.bgp_peers().len(), 2);
    assert!(
        transit
            .bgp_peers()
            .iter()
            .all(|p| p.bgp_peer_id().is_some() && p.aws_logical_device_id().is_some())
    );
    assert!(
        transit
            .tags()
            .iter()
            .any(|t| t.key() == "Name" && t.value() == Some("prod-transit-a"))
    );
    assert_eq!(transit.region(), Some("us-east-1"));

    let conns = bounded(c.describe_connections().send()).await.unwrap();
    assert_eq!(
        conns.connections().len(),
        4,
        "two standalone connections and two LAG members"
    );
    let nyc = conns
        .connections()
        .iter()
        .find(|c| c.connection_id() == Some(NYC_PRIMARY))
        .unwrap();
    assert_eq!(nyc.bandwidth(), Some("10Gbps"));
    assert_eq!(
        nyc.has_logical_redundancy().map(|h| h.as_str()),
        Some("yes")
    );
    assert!(
        !nyc.mac_sec_keys().is_empty(),
        "MACsec keys are sent so the exporter can drop them"
    );

    let lags = bounded(c.describe_lags().send()).await.unwrap();
    let lag = &lags.lags()[0];
    assert_eq!(lag.lag_id(), Some(NYC_LAG));
    assert_eq!(lag.minimum_links(), 1);
    assert_eq!(lag.number_of_connections(), 2);
    assert_eq!(lag.connections().len(), 2);

    let gws = bounded(c.describe_direct_connect_gateways().send())
        .await
        .unwrap();
    assert_eq!(gws.direct_connect_gateways().len(), 1);
    assert_eq!(
        gws.direct_connect_gateways()[0].amazon_side_asn(),
        Some(64512)
    );

    let att = bounded(
        c.describe_direct_connect_gateway_attachments()
            .direct_connect_gateway_id(CORE_GW)
            .send(),
    )
    .await
    .unwrap();
    let attached: BTreeSet<_> = att
        .direct_connect_gateway_attachments()
        .iter()
        .filter_map(|a| a.virtual_interface_id())
        .collect();
    assert!(
        attached.contains(TRANSIT_A)
            && attached.contains("dxvif-fgq1k4ja")
            && attached.contains("dxvif-fhm2x5kl")
    );

    let assoc = bounded(
        c.describe_direct_connect_gateway_associations()
            .direct_connect_gateway_id(CORE_GW)
            .send(),
    )
    .await
    .unwrap();
    let assoc = assoc.direct_connect_gateway_associations();
    assert_eq!(assoc.len(), 2);
    assert!(
        assoc
            .iter()
            .all(|a| a.associated_gateway().and_then(|g| g.id()).is_some())
    );
    h.shutdown().await;
}

#[tokio::test]
async fn state_is_kept_per_account_and_region() {
    let h = start(Scenario::demo()).await;
    let eu = client_as(&h, PRIMARY_KEY, "eu-west-1").await;
    let ids: Vec<_> = bounded(eu.describe_virtual_interfaces().send())
        .await
        .unwrap()
        .virtual_interfaces()
        .iter()
        .filter_map(|v| v.virtual_interface_id().map(str::to_owned))
        .collect();
    assert_eq!(ids, vec!["dxvif-fhm2x5kl", "dxvif-fhq7p3zt"]);
    let other = client_as(&h, SECOND_KEY, "us-east-1").await;
    let vifs = bounded(other.describe_virtual_interfaces().send())
        .await
        .unwrap();
    assert!(
        vifs.virtual_interfaces()
            .iter()
            .all(|v| v.owner_account() == Some("222222222222"))
    );
    assert_eq!(vifs.virtual_interfaces().len(), 2);
    let nowhere = client_as(&h, PRIMARY_KEY, "ap-south-1").await;
    assert!(
        bounded(nowhere.describe_virtual_interfaces().send())
            .await
            .unwrap()
            .virtual_interfaces()
            .is_empty()
    );
}

#[tokio::test]
async fn gateways_are_the_same_in_every_region_of_an_account() {
    let h = start(Scenario::demo()).await;
    let mut seen = Vec::new();
    for region in ["us-east-1", "eu-west-1", "ap-south-1"] {
        let c = client_as(&h, PRIMARY_KEY, region).await;
        let out = bounded(c.describe_direct_connect_gateways().send())
            .await
            .unwrap();
        seen.push(
            out.direct_connect_gateways()
                .iter()
                .filter_map(|g| g.direct_connect_gateway_id().map(str::to_owned))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(seen[0], vec![CORE_GW]);
    assert!(seen.iter().all(|s| *s == seen[0]));
}

#[tokio::test]
async fn a_second_peer_in_the_same_address_family_is_rejected() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let err = bounded(
        c.create_bgp_peer()
            .virtual_interface_id(TRANSIT_A)
            .new_bgp_peer(
                NewBgpPeer::builder()
                    .asn(65000)
                    .address_family(AddressFamily::IPv4)
                    .build(),
            )
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    assert!(
        err.into_service_error()
            .is_direct_connect_client_exception()
    );
}

#[tokio::test]
async fn an_ipv6_peer_with_addresses_is_rejected_and_without_gets_service_addresses() {
    let h = start(Scenario::demo()).await;
    let c = client_as(&h, PRIMARY_KEY, "eu-west-1").await;
    let target = "dxvif-fhq7p3zt"; // public, IPv4 only
    let err = bounded(
        c.create_bgp_peer()
            .virtual_interface_id(target)
            .new_bgp_peer(
                NewBgpPeer::builder()
                    .asn(65011)
                    .address_family(AddressFamily::IPv6)
                    .amazon_address("2001:db8::1/125")
                    .customer_address("2001:db8::2/125")
                    .build(),
            )
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    let out = bounded(
        c.create_bgp_peer()
            .virtual_interface_id(target)
            .new_bgp_peer(
                NewBgpPeer::builder()
                    .asn(65011)
                    .address_family(AddressFamily::IPv6)
                    .build(),
            )
            .send(),
    )
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
    let h = start(Scenario::demo()).await;
    let c = client_as(&h, PRIMARY_KEY, "eu-west-1").await;
    let out = bounded(
        c.create_bgp_peer()
            .virtual_interface_id("dxvif-fhq7p3zt")
            .new_bgp_peer(
                NewBgpPeer::builder()
                    .asn(65011)
                    .address_family(AddressFamily::IPv6)
                    .build(),
            )
            .send(),
    )
    .await
    .unwrap();
    let v6 = peer(out.virtual_interface().unwrap(), "ipv6");
    assert_eq!(v6.bgp_peer_state().map(|s| s.as_str()), Some("verifying"));
    advance(&h, 11.0).await;
    let v6 = peer(&vif(&c, "dxvif-fhq7p3zt").await, "ipv6");
    assert_eq!(v6.bgp_peer_state().map(|s| s.as_str()), Some("available"));
    assert_eq!(status(&v6), "up");
}

#[tokio::test]
async fn deleting_the_last_peer_is_rejected() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
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
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    assert!(
        ProvideErrorMetadata::message(&err)
            .unwrap_or_default()
            .contains("last BGP peer")
    );

    // With a second peer, deleting one (by ASN and customer address) is fine.
    bounded(
        c.create_bgp_peer()
            .virtual_interface_id(id)
            .new_bgp_peer(
                NewBgpPeer::builder()
                    .asn(65123)
                    .address_family(AddressFamily::IPv6)
                    .build(),
            )
            .send(),
    )
    .await
    .unwrap();
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
    advance(&h, 11.0).await;
    let after = vif(&c, id).await;
    assert_eq!(after.bgp_peers().len(), 1);
    assert_eq!(
        after.bgp_peers()[0].address_family().map(|f| f.as_str()),
        Some("ipv6")
    );
}

#[tokio::test]
async fn new_vifs_and_peers_become_available_after_the_simulated_delay() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let created = create_private(&c, 901).await;
    assert_eq!(
        created.virtual_interface_state().map(|s| s.as_str()),
        Some("pending")
    );
    assert_eq!(
        created.bgp_peers()[0].bgp_peer_state().map(|s| s.as_str()),
        Some("pending")
    );
    let id = created.virtual_interface_id().unwrap();
    advance(&h, 11.0).await;
    let ready = vif(&c, id).await;
    assert_eq!(
        ready.virtual_interface_state().map(|s| s.as_str()),
        Some("available")
    );
    assert_eq!(status(&ready.bgp_peers()[0]), "up");

    // The VLAN is now taken on that connection.
    let err = bounded(
        c.create_private_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .new_private_virtual_interface(
                NewPrivateVirtualInterface::builder()
                    .virtual_interface_name("dup")
                    .vlan(901)
                    .asn(65000)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
}

#[tokio::test]
async fn a_public_vif_is_created_verifying_and_then_becomes_available() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let out = bounded(
        c.create_public_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .new_public_virtual_interface(
                dx::types::NewPublicVirtualInterface::builder()
                    .virtual_interface_name("pub")
                    .vlan(950)
                    .asn(65050)
                    .amazon_address("203.0.113.1/30")
                    .customer_address("203.0.113.2/30")
                    .route_filter_prefixes(
                        dx::types::RouteFilterPrefix::builder()
                            .cidr("203.0.113.0/24")
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        out.virtual_interface_state().map(|s| s.as_str()),
        Some("verifying")
    );
    assert_eq!(out.route_filter_prefixes().len(), 1);
    advance(&h, 11.0).await;
    let v = vif(&c, out.virtual_interface_id().unwrap()).await;
    assert_eq!(
        v.virtual_interface_state().map(|s| s.as_str()),
        Some("available")
    );
}

#[tokio::test]
async fn an_allocated_vif_waits_in_confirming_until_its_owner_confirms() {
    let h = start(Scenario::demo()).await;
    let owner = client(&h).await;
    let partner = client_as(&h, SECOND_KEY, "us-east-1").await;
    let alloc = bounded(
        owner
            .allocate_private_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .owner_account("222222222222")
            .new_private_virtual_interface_allocation(
                dx::types::NewPrivateVirtualInterfaceAllocation::builder()
                    .virtual_interface_name("hosted-private")
                    .vlan(960)
                    .asn(65200)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        alloc.virtual_interface_state().map(|s| s.as_str()),
        Some("confirming")
    );
    assert_eq!(alloc.owner_account(), Some("222222222222"));
    let id = alloc.virtual_interface_id().unwrap();
    advance(&h, 60.0).await;
    assert_eq!(
        vif(&partner, id)
            .await
            .virtual_interface_state()
            .map(|s| s.as_str()),
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
        code(&err).as_deref(),
        Some("DirectConnectClientException"),
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
    assert_eq!(
        confirmed.virtual_interface_state().map(|s| s.as_str()),
        Some("pending")
    );
    let err = bounded(
        partner
            .confirm_private_virtual_interface()
            .virtual_interface_id(id)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("DirectConnectClientException"),
        "only confirming VIFs confirm"
    );
    advance(&h, 11.0).await;
    assert_eq!(
        vif(&partner, id)
            .await
            .virtual_interface_state()
            .map(|s| s.as_str()),
        Some("available")
    );

    // Public allocation and confirmation.
    let alloc = bounded(
        owner
            .allocate_public_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .owner_account("111111111111")
            .new_public_virtual_interface_allocation(
                dx::types::NewPublicVirtualInterfaceAllocation::builder()
                    .virtual_interface_name("hosted-public")
                    .vlan(961)
                    .asn(65201)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        alloc.virtual_interface_state().map(|s| s.as_str()),
        Some("confirming")
    );
    let confirmed = bounded(
        owner
            .confirm_public_virtual_interface()
            .virtual_interface_id(alloc.virtual_interface_id().unwrap())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        confirmed.virtual_interface_state().map(|s| s.as_str()),
        Some("verifying")
    );
}

#[tokio::test]
async fn deleting_a_confirming_vif_rejects_it() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let alloc = bounded(
        c.allocate_private_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .owner_account("111111111111")
            .new_private_virtual_interface_allocation(
                dx::types::NewPrivateVirtualInterfaceAllocation::builder()
                    .virtual_interface_name("to-reject")
                    .vlan(970)
                    .asn(65300)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap();
    let out = bounded(
        c.delete_virtual_interface()
            .virtual_interface_id(alloc.virtual_interface_id().unwrap())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        out.virtual_interface_state().map(|s| s.as_str()),
        Some("rejected")
    );
}

#[tokio::test]
async fn a_deleted_vif_stays_visible_for_fifteen_minutes_then_vanishes() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let out = bounded(
        c.delete_virtual_interface()
            .virtual_interface_id(PRIVATE_VPC)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        out.virtual_interface_state().map(|s| s.as_str()),
        Some("deleting")
    );
    advance(&h, 30.0).await;
    let gone_soon = vif(&c, PRIVATE_VPC).await;
    assert_eq!(
        gone_soon.virtual_interface_state().map(|s| s.as_str()),
        Some("deleted")
    );
    let err = bounded(
        c.delete_virtual_interface()
            .virtual_interface_id(PRIVATE_VPC)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    advance(&h, 14.0 * 60.0).await;
    assert_eq!(
        vif(&c, PRIVATE_VPC)
            .await
            .virtual_interface_state()
            .map(|s| s.as_str()),
        Some("deleted"),
        "still visible before 15 minutes"
    );
    advance(&h, 61.0).await;
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
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
}

#[tokio::test]
async fn pagination_walks_every_vif_exactly_once() {
    let scenario = Scenario::generate(&GenerateSpec {
        accounts: 1,
        regions: 1,
        vifs_per_region: 260,
        peers_per_vif: 2,
        ..GenerateSpec::default()
    });
    let h = start(scenario).await;
    let c = client(&h).await;
    let mut token: Option<String> = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let out = bounded(
            c.describe_virtual_interfaces()
                .max_results(100)
                .set_next_token(token.clone())
                .send(),
        )
        .await
        .unwrap();
        pages += 1;
        assert!(out.virtual_interfaces().len() <= 100);
        ids.extend(
            out.virtual_interfaces()
                .iter()
                .filter_map(|v| v.virtual_interface_id().map(str::to_owned)),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
        assert!(pages < 10, "pagination must end");
    }
    assert_eq!(pages, 3);
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 260);
    assert_eq!(unique.len(), 260, "no duplicates");

    // The default page size is 100 as well.
    let first = bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap();
    assert_eq!(first.virtual_interfaces().len(), 100);
    assert!(first.next_token().is_some());
}

#[tokio::test]
async fn every_describe_paginates_and_rejects_bad_tokens_and_page_sizes() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let first = bounded(c.describe_connections().max_results(3).send())
        .await
        .unwrap();
    assert_eq!(first.connections().len(), 3);
    let rest = bounded(
        c.describe_connections()
            .max_results(3)
            .set_next_token(first.next_token().map(str::to_owned))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(rest.connections().len(), 1);
    assert!(rest.next_token().is_none());

    let one = bounded(
        c.describe_direct_connect_gateway_associations()
            .max_results(1)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(one.direct_connect_gateway_associations().len(), 1);
    assert!(one.next_token().is_some());
    let one = bounded(
        c.describe_direct_connect_gateway_attachments()
            .direct_connect_gateway_id(CORE_GW)
            .max_results(1)
            .send(),
    )
    .await
    .unwrap();
    assert!(one.next_token().is_some());

    let err = bounded(
        c.describe_virtual_interfaces()
            .next_token("not-a-token")
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    // A token from another listing is not valid here either.
    let err = bounded(
        c.describe_lags()
            .set_next_token(first.next_token().map(str::to_owned))
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    for bad in [0, 101] {
        let err = bounded(c.describe_direct_connect_gateways().max_results(bad).send())
            .await
            .unwrap_err();
        assert_eq!(
            code(&err).as_deref(),
            Some("DirectConnectClientException"),
            "maxResults {bad}"
        );
    }
}

#[tokio::test]
async fn gateway_attachments_require_a_gateway_or_a_vif_id() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let err = bounded(c.describe_direct_connect_gateway_attachments().send())
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    let by_vif = bounded(
        c.describe_direct_connect_gateway_attachments()
            .virtual_interface_id(TRANSIT_A)
            .send(),
    )
    .await
    .unwrap();
    let a = &by_vif.direct_connect_gateway_attachments()[0];
    assert_eq!(a.attachment_state().map(|s| s.as_str()), Some("attached"));
    assert_eq!(
        a.attachment_type().map(|s| s.as_str()),
        Some("TransitVirtualInterface")
    );
    assert_eq!(a.virtual_interface_region(), Some("us-east-1"));
}

#[tokio::test]
async fn assume_role_lands_later_calls_in_the_target_account() {
    let h = start(Scenario::demo()).await;
    let base = sdk_config(&h, creds(PRIMARY_KEY), "us-east-1", false).await;
    let sts = aws_sdk_sts::Client::new(&base);
    let me = bounded(sts.get_caller_identity().send()).await.unwrap();
    assert_eq!(me.account(), Some("111111111111"));

    let assumed = bounded(
        sts.assume_role()
            .role_arn("arn:aws:iam::222222222222:role/dx-read")
            .role_session_name("exporter")
            .send(),
    )
    .await
    .unwrap();
    let tmp = assumed.credentials().unwrap();
    assert!(tmp.access_key_id().contains("222222222222"));
    assert_eq!(
        assumed.assumed_role_user().map(|u| u.arn()),
        Some("arn:aws:sts::222222222222:assumed-role/dx-read/exporter")
    );

    // The SDK's own AssumeRoleProvider (what the exporter uses) works against it too.
    let provider =
        aws_config::sts::AssumeRoleProvider::builder("arn:aws:iam::222222222222:role/dx-read")
            .session_name("exporter")
            .configure(&base)
            .build()
            .await;
    let role_config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(h.endpoint_url())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(provider)
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    let who = bounded(
        aws_sdk_sts::Client::new(&role_config)
            .get_caller_identity()
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(who.account(), Some("222222222222"));
    assert!(
        who.arn()
            .unwrap_or_default()
            .contains("assumed-role/dx-read")
    );
    let vifs = bounded(
        dx::Client::new(&role_config)
            .describe_virtual_interfaces()
            .send(),
    )
    .await
    .unwrap();
    assert!(!vifs.virtual_interfaces().is_empty());
    assert!(
        vifs.virtual_interfaces()
            .iter()
            .all(|v| v.owner_account() == Some("222222222222"))
    );
}

#[tokio::test]
async fn assume_role_into_a_denied_account_is_access_denied() {
    let yaml = "accounts:\n  - id: \"111111111111\"\n  - id: \"333333333333\"\n    deny_assume_role: true\n";
    let h = start(Scenario::from_yaml(yaml, "inline").unwrap()).await;
    let sts =
        aws_sdk_sts::Client::new(&sdk_config(&h, creds(PRIMARY_KEY), "us-east-1", false).await);
    let err = bounded(
        sts.assume_role()
            .role_arn("arn:aws:iam::333333333333:role/dx-read")
            .role_session_name("x")
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("AccessDenied"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
}

#[tokio::test]
async fn a_timeline_peer_goes_down_and_comes_back_as_the_clock_advances() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "up");
    advance(&h, 50.0).await; // past 45s
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "down");
    advance(&h, 60.0).await; // past 1m45s
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "up");

    // The flap: down from 2m for 60s, every 4m.
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "up");
    advance(&h, 20.0).await; // ~2m10s
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "down");
    advance(&h, 60.0).await; // ~3m10s
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "up");
    advance(&h, 180.0).await; // ~6m10s: down again, and the EU VIF is down (5m..8m)
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "down");
    let eu = client_as(&h, PRIMARY_KEY, "eu-west-1").await;
    assert_eq!(
        vif(&eu, "dxvif-fhm2x5kl")
            .await
            .virtual_interface_state()
            .map(|s| s.as_str()),
        Some("down")
    );
    advance(&h, 120.0).await; // ~8m10s
    assert_eq!(
        vif(&eu, "dxvif-fhm2x5kl")
            .await
            .virtual_interface_state()
            .map(|s| s.as_str()),
        Some("available")
    );
}

#[tokio::test]
async fn a_scenario_fault_window_throttles_only_inside_the_window() {
    let yaml = r#"
accounts:
  - id: "111111111111"
timeline:
  - {at: 1m, fault: {kind: throttle, for: 30s, operation: DescribeLags, region: us-east-1}}
"#;
    let h = start(Scenario::from_yaml(yaml, "inline").unwrap()).await;
    let c = client(&h).await;
    bounded(c.describe_lags().send()).await.unwrap();
    advance(&h, 65.0).await;
    let err = bounded(c.describe_lags().send()).await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ThrottlingException"));
    bounded(c.describe_connections().send())
        .await
        .expect("other operations are not throttled");
    advance(&h, 30.0).await;
    bounded(c.describe_lags().send())
        .await
        .expect("the window is over");
}

#[tokio::test]
async fn throttling_twice_then_success() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "throttle", "operation": "DescribeConnections", "count": 2}),
    )
    .await;
    for _ in 0..2 {
        let err = bounded(c.describe_connections().send()).await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some("ThrottlingException"));
        assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
    }
    bounded(c.describe_connections().send())
        .await
        .expect("third call succeeds");

    // With the SDK's standard retries, two throttles are absorbed.
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "throttle", "operation": "DescribeConnections", "count": 2}),
    )
    .await;
    let retrying = dx::Client::new(&sdk_config(&h, creds(PRIMARY_KEY), "us-east-1", true).await);
    bounded(retrying.describe_connections().send())
        .await
        .expect("retried to success");
}

#[tokio::test]
async fn a_server_error_fault_is_a_500_server_exception() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "server_error", "account": "111111111111", "region": "us-east-1"}),
    )
    .await;
    let err = bounded(c.describe_lags().send()).await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectServerException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    let eu = client_as(&h, PRIMARY_KEY, "eu-west-1").await;
    bounded(eu.describe_lags().send())
        .await
        .expect("other regions are unaffected");
    let (status, cleared) = control(&h, reqwest::Method::DELETE, "/_sim/faults", None).await;
    assert_eq!((status, cleared["cleared"].as_u64()), (200, Some(1)));
    bounded(c.describe_lags().send()).await.expect("cleared");
}

#[tokio::test]
async fn a_malformed_body_is_an_sdk_error_not_a_hang() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(&h, "/_sim/faults", json!({"kind": "malformed", "count": 1})).await;
    let err = bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::ResponseError(_) | SdkError::ServiceError(_)),
        "{err:?}"
    );
    bounded(c.describe_virtual_interfaces().send())
        .await
        .expect("next call is fine");
}

#[tokio::test]
async fn a_reset_connection_is_an_sdk_error_not_a_hang() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "reset", "operation": "DescribeLags", "count": 1}),
    )
    .await;
    let err = bounded(c.describe_lags().send()).await.unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
        ),
        "{err:?}"
    );
    bounded(c.describe_lags().send())
        .await
        .expect("next call is fine");
}

#[tokio::test]
async fn an_access_denied_fault_is_an_access_denied_exception() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "access_denied", "operation": "DescribeDirectConnectGateways"}),
    )
    .await;
    let err = bounded(c.describe_direct_connect_gateways().send())
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("AccessDeniedException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
    let err = bounded(c.describe_direct_connect_gateways().send())
        .await
        .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("AccessDeniedException"),
        "lasts until cleared"
    );
}

#[tokio::test]
async fn a_latency_fault_delays_the_answer() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "latency", "latency_ms": 400, "count": 1}),
    )
    .await;
    let started = Instant::now();
    bounded(c.describe_connections().send()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    bounded(c.describe_connections().send()).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "count 1 means once"
    );
}

#[tokio::test]
async fn an_unsupported_operation_gets_a_clear_400() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let err = bounded(c.describe_locations().send()).await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnknownOperationException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
}

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let h = start(Scenario::demo()).await;
    let resp = bounded(
        reqwest::Client::new()
            .post(h.endpoint_url())
            .header("x-amz-target", "OvertureService.DescribeVirtualInterfaces")
            .header("content-type", "application/x-amz-json-1.1")
            .body("{not json")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        resp.headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("SerializationException")
    );
    let body: Value = bounded(resp.json()).await.unwrap();
    assert_eq!(body["__type"], "SerializationException");
}

#[tokio::test]
async fn control_states_outside_the_enums_parse_as_unknown_variants() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    post(
        &h,
        "/_sim/peer",
        json!({"virtual_interface_id": TRANSIT_A, "address_family": "ipv4", "bgp_status": "flux", "bgp_peer_state": "flux"}),
    )
    .await;
    post(
        &h,
        "/_sim/virtual-interface",
        json!({"virtual_interface_id": PUBLIC_VIF, "state": "flux"}),
    )
    .await;
    post(
        &h,
        "/_sim/connection",
        json!({"connection_id": NYC_PRIMARY, "state": "flux"}),
    )
    .await;
    post(&h, "/_sim/lag", json!({"lag_id": NYC_LAG, "state": "flux"})).await;

    let p = peer(&vif(&c, TRANSIT_A).await, "ipv4");
    // The SDK keeps values outside its enum as unknown variants (not Up/Down).
    assert!(!matches!(
        p.bgp_status(),
        Some(dx::types::BgpStatus::Up | dx::types::BgpStatus::Down)
    ));
    assert_eq!(p.bgp_status().map(|s| s.as_str()), Some("flux"));
    assert_eq!(p.bgp_peer_state().map(|s| s.as_str()), Some("flux"));
    let v = vif(&c, PUBLIC_VIF).await;
    assert!(
        v.virtual_interface_state()
            .is_some_and(|s| !dx::types::VirtualInterfaceState::values().contains(&s.as_str()))
    );
    let conns = bounded(c.describe_connections().connection_id(NYC_PRIMARY).send())
        .await
        .unwrap();
    assert_eq!(
        conns.connections()[0]
            .connection_state()
            .map(|s| s.as_str()),
        Some("flux")
    );
    let lags = bounded(c.describe_lags().lag_id(NYC_LAG).send())
        .await
        .unwrap();
    assert_eq!(lags.lags()[0].lag_state().map(|s| s.as_str()), Some("flux"));

    // Setting a peer by id, back to a known value.
    post(
        &h,
        "/_sim/peer",
        json!({"virtual_interface_id": TRANSIT_A, "bgp_peer_id": p.bgp_peer_id().unwrap(), "bgp_status": "down"}),
    )
    .await;
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "down");
}

#[tokio::test]
async fn unknown_control_ids_are_404_and_bad_bodies_400() {
    let h = start(Scenario::demo()).await;
    let (s, v) = control(
        &h,
        reqwest::Method::POST,
        "/_sim/peer",
        Some(json!({"virtual_interface_id": "dxvif-nope", "address_family": "ipv4", "bgp_status": "down"})),
    )
    .await;
    assert_eq!(s, 404);
    assert!(v["error"].is_string());
    let (s, _) = control(
        &h,
        reqwest::Method::POST,
        "/_sim/faults",
        Some(json!({"kind": "earthquake"})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, v) = control(&h, reqwest::Method::GET, "/_sim/health", None).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
}

#[tokio::test]
async fn the_request_log_records_operations_and_errors() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap();
    post(&h, "/_sim/faults", json!({"kind": "throttle", "count": 1})).await;
    let _ = bounded(c.describe_lags().send()).await;
    let (_, log) = control(&h, reqwest::Method::GET, "/_sim/requests", None).await;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["operation"], "DescribeVirtualInterfaces");
    assert_eq!(log[0]["account"], "111111111111");
    assert_eq!(log[0]["region"], "us-east-1");
    assert_eq!(log[0]["status"], 200);
    assert!(log[0]["error_code"].is_null());
    assert_eq!(log[1]["error_code"], "ThrottlingException");
    assert!(log[1]["seq"].as_u64() > log[0]["seq"].as_u64());
    control(&h, reqwest::Method::DELETE, "/_sim/requests", None).await;
    let (_, log) = control(&h, reqwest::Method::GET, "/_sim/requests", None).await;
    assert!(log.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_state_dump_shows_every_account_and_the_clock() {
    let h = start(Scenario::demo()).await;
    advance(&h, 10.0).await;
    let (s, v) = control(&h, reqwest::Method::GET, "/_sim/state", None).await;
    assert_eq!(s, 200);
    assert!(v["now_seconds"].as_f64().unwrap() >= 10.0);
    let acc = &v["accounts"]["111111111111"];
    assert_eq!(
        acc["regions"]["us-east-1"]["virtual_interfaces"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(acc["gateways"][0]["directConnectGatewayId"], CORE_GW);
    assert!(v["accounts"]["222222222222"].is_object());
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let h = start(Scenario::demo()).await;
    let addr = h.local_addr();
    assert_eq!(h.endpoint_url(), format!("http://{addr}"));
    bounded(h.shutdown()).await;
    let connect = bounded(tokio::net::TcpStream::connect(addr)).await;
    assert!(connect.is_err(), "nothing listens after shutdown");
}

#[tokio::test]
async fn an_ipv6_vif_with_addresses_is_rejected() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let err = bounded(
        c.create_private_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .new_private_virtual_interface(
                NewPrivateVirtualInterface::builder()
                    .virtual_interface_name("v6")
                    .vlan(980)
                    .asn(65000)
                    .address_family(AddressFamily::IPv6)
                    .amazon_address("2001:db8::1/125")
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
    let err = bounded(
        c.create_private_virtual_interface()
            .connection_id("dxcon-doesnotexist")
            .new_private_virtual_interface(
                NewPrivateVirtualInterface::builder()
                    .virtual_interface_name("nowhere")
                    .vlan(981)
                    .asn(65000)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("DirectConnectClientException"),
        "unknown connection"
    );
}

#[tokio::test]
async fn describing_vifs_by_connection_returns_only_that_connections_vifs() {
    let h = start(Scenario::demo()).await;
    let c = client(&h).await;
    let out = bounded(
        c.describe_virtual_interfaces()
            .connection_id(NYC_LAG)
            .send(),
    )
    .await
    .unwrap();
    let ids: Vec<_> = out
        .virtual_interfaces()
        .iter()
        .filter_map(|v| v.virtual_interface_id())
        .collect();
    assert_eq!(ids, vec![PRIVATE_VPC]);
}

#[tokio::test]
async fn sts_faults_apply_only_when_they_name_the_sts_action() {
    let h = start(Scenario::demo()).await;
    let sts =
        aws_sdk_sts::Client::new(&sdk_config(&h, creds(PRIMARY_KEY), "us-east-1", false).await);
    post(&h, "/_sim/faults", json!({"kind": "server_error"})).await;
    bounded(sts.get_caller_identity().send())
        .await
        .expect("a fault without an operation only hits Direct Connect");
    post(
        &h,
        "/_sim/faults",
        json!({"kind": "throttle", "operation": "AssumeRole", "count": 1}),
    )
    .await;
    let err = bounded(
        sts.assume_role()
            .role_arn("arn:aws:iam::222222222222:role/x")
            .role_session_name("s")
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("Throttling"));
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_the_server_keeps_serving() {
    let h = start(Scenario::demo()).await;
    let big = vec![b' '; 2 * 1024 * 1024];
    let result = bounded(
        reqwest::Client::new()
            .post(h.endpoint_url())
            .header("x-amz-target", "OvertureService.DescribeVirtualInterfaces")
            .body(big)
            .send(),
    )
    .await;
    // Either the 413 arrives or the server closed the connection while we were writing.
    if let Ok(resp) = result {
        assert_eq!(resp.status().as_u16(), 413);
    }
    let (s, _) = control(&h, reqwest::Method::GET, "/_sim/health", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_silent_client_does_not_block_others() {
    use tokio::io::AsyncWriteExt;
    let h = start(Scenario::demo()).await;
    let mut idle = bounded(tokio::net::TcpStream::connect(h.local_addr()))
        .await
        .unwrap();
    bounded(idle.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n"))
        .await
        .unwrap();
    let c = client(&h).await;
    bounded(c.describe_connections().send())
        .await
        .expect("served despite the idle client");
}

#[test]
fn starting_logs_the_endpoint_line_others_rely_on() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = tracing::subscriber::with_default(subscriber, || {
        rt.block_on(async {
            let h = start(Scenario::demo()).await;
            let url = h.endpoint_url();
            h.shutdown().await;
            url
        })
    });
    let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let line = out
        .lines()
        .find(|l| l.contains("simulator listening"))
        .expect("a listening line");
    assert!(line.contains(&format!("endpoint={url}")), "{line}");
    assert!(url.starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn a_public_vif_peer_needs_a_private_or_whitelisted_asn() {
    let h = start(Scenario::demo()).await;
    let c = client_as(&h, PRIMARY_KEY, "eu-west-1").await;
    let err = bounded(
        c.create_bgp_peer()
            .virtual_interface_id("dxvif-fhq7p3zt")
            .new_bgp_peer(
                NewBgpPeer::builder()
                    .asn(7224)
                    .address_family(AddressFamily::IPv6)
                    .build(),
            )
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DirectConnectClientException"));
}

#[tokio::test]
async fn a_large_generated_fleet_pages_quickly_in_every_account_and_region() {
    let spec = GenerateSpec {
        accounts: 2,
        regions: 2,
        vifs_per_region: 1500,
        peers_per_vif: 2,
        connections_per_region: 8,
        flapping_vifs_per_region: 10,
    };
    let h = start(Scenario::generate(&spec)).await;
    let started = Instant::now();
    for (key, region) in [(PRIMARY_KEY, "us-east-1"), (SECOND_KEY, "eu-west-1")] {
        let c = client_as(&h, key, region).await;
        let mut token = None;
        let mut ids = BTreeSet::new();
        let mut calls = 0;
        loop {
            let out = bounded(c.describe_virtual_interfaces().set_next_token(token).send())
                .await
                .unwrap();
            calls += 1;
            for v in out.virtual_interfaces() {
                assert!(
                    ids.insert(v.virtual_interface_id().unwrap().to_owned()),
                    "duplicate"
                );
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() || calls > 20 {
                break;
            }
        }
        assert_eq!((ids.len(), calls), (1500, 15), "{key} {region}");
        let conns = bounded(c.describe_connections().send()).await.unwrap();
        assert_eq!(conns.connections().len(), 8);
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}
