//! Describe calls through the real SDK: response shapes, and what each account and region sees.

use std::collections::BTreeSet;

use directconnect_exporter::simulator::Scenario;

use super::*;
use crate::common::*;

#[tokio::test]
async fn every_describe_response_parses_with_the_real_sdk() {
    let (h, c) = demo().await;

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
    let h = start_simulator(Scenario::demo()).await;
    let eu = sim_sdk(&h).region("eu-west-1").direct_connect().await;
    let ids: Vec<_> = bounded(eu.describe_virtual_interfaces().send())
        .await
        .unwrap()
        .virtual_interfaces()
        .iter()
        .filter_map(|v| v.virtual_interface_id().map(str::to_owned))
        .collect();
    assert_eq!(ids, vec!["dxvif-fhm2x5kl", "dxvif-fhq7p3zt"]);
    let other = sim_sdk(&h).account(SECOND_ACCOUNT).direct_connect().await;
    let vifs = bounded(other.describe_virtual_interfaces().send())
        .await
        .unwrap();
    assert!(
        vifs.virtual_interfaces()
            .iter()
            .all(|v| v.owner_account() == Some("222222222222"))
    );
    assert_eq!(vifs.virtual_interfaces().len(), 2);
    let nowhere = sim_sdk(&h).region("ap-south-1").direct_connect().await;
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
    let h = start_simulator(Scenario::demo()).await;
    let mut seen = Vec::new();
    for region in ["us-east-1", "eu-west-1", "ap-south-1"] {
        let c = sim_sdk(&h).region(region).direct_connect().await;
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
async fn describing_vifs_by_connection_returns_only_that_connections_vifs() {
    let (_h, c) = demo().await;
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
async fn gateway_attachments_require_a_gateway_or_a_vif_id() {
    let (_h, c) = demo().await;
    let err = bounded(c.describe_direct_connect_gateway_attachments().send())
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
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
