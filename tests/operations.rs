//! Running for months: the config file reloaded on change, overlapping targets collected
//! once, and the exposition free of duplicate series.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use clap::Parser;
use common::*;
use directconnect_exporter::app::{App, Overrides};
use directconnect_exporter::cli::Cli;

/// Starts the exporter on the config file at `path`, checking it for changes every 200 ms.
async fn start_watching(
    sim: &directconnect_exporter::simulator::SimulatorHandle,
    path: &std::path::Path,
) -> App {
    let cli = Cli::try_parse_from([
        "directconnect-exporter",
        "--web.listen-address",
        "127.0.0.1:0",
        "--config.file",
        path.to_str().unwrap(),
        "--config.reload-interval",
        "200ms",
    ])
    .unwrap();
    App::start_with(
        &cli,
        Overrides {
            endpoint_url: Some(sim.endpoint_url()),
            static_credentials: Some(aws_credential_types::Credentials::new(
                ACCESS_KEY, "secret", None, None, "test",
            )),
        },
    )
    .await
    .unwrap()
}

/// Every series identity (name and labels) appears once.
fn assert_no_duplicate_series(samples: &[Sample]) {
    let mut seen = BTreeSet::new();
    for s in samples {
        assert!(
            seen.insert((s.name.clone(), s.labels.clone())),
            "duplicate series {s:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_config_file_is_applied_without_a_restart() {
    let sim = start_simulator(fleet()).await;
    let path = temp_file("dx.yml", TWO_ACCOUNTS);
    let app = start_watching(&sim, &path).await;
    wait_ready(&app).await;
    let samples = parse(&scrape(&app).await);
    assert!(
        !select(
            &samples,
            "aws_directconnect_collector_success",
            &[("aws_account_id", "222222222222")]
        )
        .is_empty()
    );

    std::fs::write(
        &path,
        "interval: 500ms\ntimeout: 2s\ntag_labels: [Name]\ntargets:\n  - regions: [us-east-1]\n",
    )
    .unwrap();
    let samples = eventually(
        Duration::from_secs(15),
        "the new config applied",
        || async {
            let samples = parse(&scrape(&app).await);
            let gone = select(
                &samples,
                "aws_directconnect_collector_success",
                &[("aws_account_id", "222222222222")],
            )
            .is_empty()
                && select(
                    &samples,
                    "aws_directconnect_collector_success",
                    &[("aws_region", "eu-west-1")],
                )
                .is_empty();
            let tagged = select(&samples, "aws_directconnect_virtual_interface_info", &[])
                .iter()
                .all(|s| s.labels.contains_key("tag_Name"));
            (gone && tagged).then_some(samples)
        },
    )
    .await;
    let reload = select(&samples, "aws_directconnect_config_reload_success", &[]);
    assert_eq!(reload.len(), 1);
    assert_eq!(reload[0].value, 1.0);
    assert!(
        !select(
            &samples,
            "aws_directconnect_bgp_peer_up",
            &[("aws_region", "us-east-1")]
        )
        .is_empty()
    );

    // A file that does not validate is refused; the running plan stays.
    std::fs::write(&path, "targets:\n  - regions: [US_EAST]\n").unwrap();
    let samples = eventually(
        Duration::from_secs(15),
        "the bad config refused",
        || async {
            let samples = parse(&scrape(&app).await);
            let r = select(&samples, "aws_directconnect_config_reload_success", &[]);
            (r.len() == 1 && r[0].value == 0.0).then_some(samples)
        },
    )
    .await;
    assert!(
        !select(
            &samples,
            "aws_directconnect_bgp_peer_up",
            &[("aws_region", "us-east-1")]
        )
        .is_empty()
    );
    assert!(app.store.published().ready);
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_realistic_fleet_has_no_duplicate_series() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    assert_no_duplicate_series(&parse(&scrape(&app).await));
    app.stop().await;
    sim.shutdown().await;
}
