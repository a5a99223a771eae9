//! Pagination: every listing pages, tokens are checked, and large fleets page quickly.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use directconnect_exporter::simulator::{GenerateSpec, Scenario};

use super::*;
use crate::common::*;

#[tokio::test]
async fn pagination_walks_every_vif_exactly_once() {
    let scenario = Scenario::generate(&GenerateSpec {
        accounts: 1,
        regions: 1,
        vifs_per_region: 260,
        peers_per_vif: 2,
        ..GenerateSpec::default()
    });
    let h = start_simulator(scenario).await;
    let c = sim_sdk(&h).direct_connect().await;
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
    let (_h, c) = demo().await;
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
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    // A token from another listing is not valid here either.
    let err = bounded(
        c.describe_lags()
            .set_next_token(first.next_token().map(str::to_owned))
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), CLIENT_ERROR);
    for bad in [0, 101] {
        let err = bounded(c.describe_direct_connect_gateways().max_results(bad).send())
            .await
            .unwrap_err();
        assert_eq!(
            error_code(&err).as_deref(),
            CLIENT_ERROR,
            "maxResults {bad}"
        );
    }
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
        gateway_per_region: false,
    };
    let h = start_simulator(Scenario::generate(&spec)).await;
    let started = Instant::now();
    for (account, region) in [("111111111111", "us-east-1"), (SECOND_ACCOUNT, "eu-west-1")] {
        let c = sim_sdk(&h)
            .account(account)
            .region(region)
            .direct_connect()
            .await;
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
        assert_eq!((ids.len(), calls), (1500, 15), "{account} {region}");
        let conns = bounded(c.describe_connections().send()).await.unwrap();
        assert_eq!(conns.connections().len(), 8);
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}
