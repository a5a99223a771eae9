//! Collection, encoding and scrape cost on generated fleets, end to end through the real
//! SDK against the simulator on loopback. Run with `cargo bench --bench fleet` (100, 2,000
//! and 10,000 VIFs); prints a Markdown table for docs/benchmarks.md. `cargo test --bench
//! fleet` runs it on 20 VIFs so it keeps working. Not a test: nothing here asserts timings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use clap::Parser;
use directconnect_exporter::app::{App, Overrides};
use directconnect_exporter::cli::Cli;
use directconnect_exporter::metrics;
use directconnect_exporter::simulator::{GenerateSpec, Scenario, Simulator};

use common::{median, rss_kib};

async fn run(vifs: usize) -> String {
    let spec = GenerateSpec {
        accounts: 1,
        regions: 1,
        vifs_per_region: vifs,
        peers_per_vif: 2,
        connections_per_region: 16,
        flapping_vifs_per_region: 0,
        gateway_per_region: false,
    };
    let scenario = Scenario::generate(&spec);
    let region = scenario.regions()[0].clone();
    let sim = Simulator::start("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("dx-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("config.yml");
    std::fs::write(
        &cfg,
        format!("interval: 1h\ntimeout: 30s\ntargets:\n  - regions: [{region}]\n"),
    )
    .unwrap();
    let cli = Cli::try_parse_from([
        "directconnect-exporter",
        "--web.listen-address",
        "127.0.0.1:0",
        "--config.file",
        cfg.to_str().unwrap(),
    ])
    .unwrap();
    let started = Instant::now();
    let app = App::start_with(
        &cli,
        Overrides {
            endpoint_url: Some(sim.endpoint_url()),
            static_credentials: Some(aws_credential_types::Credentials::new(
                "AKIA111111111111BENCH",
                "x",
                None,
                None,
                "bench",
            )),
        },
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !app.store.published().ready {
        assert!(Instant::now() < deadline, "first collection did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first_round = started.elapsed();
    for c in &app.store.published().snapshot.collectors {
        assert!(c.success, "collector {:?} failed in the first round", c.key);
    }

    let snapshot = app.store.published().snapshot.clone();
    let encode: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            let _ = metrics::encode(&snapshot);
            t.elapsed()
        })
        .collect();
    // Compressed as served: no transparent decompression.
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let url = format!("http://{}/metrics", app.local_addrs()[0]);
    let gz = client
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let text = app.store.published().exposition.len(metrics::Format::Text) as usize;

    let mut scrapes = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let body = client
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(body.len() >= text);
        scrapes.push(t.elapsed());
    }
    let rss = rss_kib();
    app.stop().await;
    sim.shutdown().await;
    format!(
        "| {vifs} | {} | {:.0} ms | {:.1} ms | {:.1} ms | {} KiB / {} KiB | {} MiB |",
        vifs * 2,
        first_round.as_secs_f64() * 1e3,
        median(encode).as_secs_f64() * 1e3,
        median(scrapes).as_secs_f64() * 1e3,
        text / 1024,
        gz / 1024,
        rss / 1024,
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| VIFs | peers | first collection (all collectors) | encode (median of 10) | scrape, text (median of 50) | body plain / gzip | process RSS after |"
    );
    println!("|---|---|---|---|---|---|---|");
    // `cargo bench` passes `--bench`; `cargo test --bench fleet` does not: a tiny run.
    let sizes: &[usize] = if std::env::args().any(|a| a == "--bench") {
        &[100, 2_000, 10_000]
    } else {
        &[20]
    };
    for &vifs in sizes {
        println!("{}", rt.block_on(run(vifs)));
    }
}
