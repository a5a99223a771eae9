//! Soak: thousands of collection cycles while the fleet churns (VIFs and BGP peers created
//! and deleted through the real SDK), to show that resident memory stays flat and that
//! removed resources' series go. The exporter runs in-process against the simulator on
//! loopback at a 100 ms interval. Not a timed test: it prints figures (and fails only if a
//! removed resource's series survive).
//!
//! `cargo bench --bench soak` (2,000 cycles, a few minutes); `cargo test --bench soak` runs
//! a short version (50 cycles), as CI does.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_directconnect as dx;
use clap::Parser;
use directconnect_exporter::app::{App, Overrides};
use directconnect_exporter::cli::Cli;
use directconnect_exporter::simulator::{GenerateSpec, Scenario, Simulator};

use common::rss_kib;

const ACCESS_KEY: &str = "AKIA111111111111SOAK";
const INTERVAL_MS: u64 = 100;

async fn client(endpoint: &str) -> dx::Client {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            ACCESS_KEY, "x", None, None, "soak",
        ))
        .load()
        .await;
    dx::Client::new(&conf)
}

async fn post(endpoint: &str, path: &str, body: serde_json::Value) {
    let status = reqwest::Client::new()
        .post(format!("{endpoint}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{path}: {status}");
}

/// The unix time of the last successful VIF collection, as served.
async fn last_success(base: &str) -> Option<String> {
    let body = reqwest::get(format!("{base}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    body.lines()
        .find(|l| {
            l.starts_with("aws_directconnect_collector_last_success_timestamp_seconds{")
                && l.contains("collector=\"virtual_interfaces\"")
        })
        .and_then(|l| l.rsplit(' ').next())
        .map(str::to_owned)
}

/// Counts successful VIF collection cycles: each has a new last-success time. Polls far
/// faster than the interval, so none is missed.
fn count_cycles(base: String) -> Arc<AtomicU64> {
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        let mut seen = None;
        loop {
            let now = last_success(&base).await;
            if now.is_some() && now != seen {
                counter.fetch_add(1, Ordering::Relaxed);
                seen = now;
            }
            tokio::time::sleep(Duration::from_millis(INTERVAL_MS / 5)).await;
        }
    });
    count
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --bench soak` (CI) does not: a short run.
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    let (target_cycles, base_vifs) = if quick { (50, 20) } else { (2_000, 200) };
    let scenario = Scenario::generate(&GenerateSpec {
        accounts: 1,
        regions: 1,
        vifs_per_region: base_vifs,
        peers_per_vif: 2,
        connections_per_region: 4,
        flapping_vifs_per_region: 10.min(base_vifs),
        gateway_per_region: false,
    });
    // The generator numbers resources from 1: its first connection.
    let connection = "dxcon-g0000001".to_owned();
    let sim = Simulator::start("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .unwrap();
    let endpoint = sim.endpoint_url();
    let dir = std::env::temp_dir().join(format!("dx-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("config.yml");
    std::fs::write(
        &cfg,
        format!("interval: {INTERVAL_MS}ms\ntimeout: 5s\nmax_staleness: 2s\ntargets:\n  - regions: [us-east-1]\n"),
    )
    .unwrap();
    let cli = Cli::try_parse_from([
        "directconnect-exporter",
        "--web.listen-address",
        "127.0.0.1:0",
        "--config.file",
        cfg.to_str().unwrap(),
        "--log.level",
        "error",
    ])
    .unwrap();
    let app = App::start_with(
        &cli,
        Overrides {
            endpoint_url: Some(endpoint.clone()),
            static_credentials: Some(aws_credential_types::Credentials::new(
                ACCESS_KEY, "x", None, None, "soak",
            )),
        },
    )
    .await
    .unwrap();
    let dx = client(&endpoint).await;
    let cycles = count_cycles(format!("http://{}", app.local_addrs()[0]));
    let started = Instant::now();
    let mut alive: VecDeque<String> = VecDeque::new();
    let mut gone: Vec<String> = Vec::new();
    let (mut created, mut deleted, mut peers) = (0u32, 0u32, 0u32);
    let mut samples: Vec<(u64, u64)> = Vec::new();
    let mut vlan = 2000;
    loop {
        let done = cycles.load(Ordering::Relaxed);
        if samples
            .last()
            .is_none_or(|(c, _)| done - c >= target_cycles / 10)
        {
            samples.push((done, rss_kib()));
        }
        if done >= target_cycles {
            break;
        }
        // Churn: a new VIF each round, an IPv6 peer on it, and the oldest beyond 40 deleted.
        vlan += 1;
        let new = dx::types::NewPrivateVirtualInterface::builder()
            .virtual_interface_name(format!("churn-{vlan}"))
            .vlan(vlan)
            .asn(65500)
            .build()
            .unwrap();
        let out = dx
            .create_private_virtual_interface()
            .connection_id(&connection)
            .new_private_virtual_interface(new)
            .send()
            .await
            .unwrap();
        let id = out.virtual_interface_id().unwrap().to_owned();
        created += 1;
        let peer = dx::types::NewBgpPeer::builder()
            .asn(65500)
            .address_family(dx::types::AddressFamily::IPv6)
            .build();
        if dx
            .create_bgp_peer()
            .virtual_interface_id(&id)
            .new_bgp_peer(peer)
            .send()
            .await
            .is_ok()
        {
            peers += 1;
        }
        alive.push_back(id);
        if alive.len() > 40 {
            let old = alive.pop_front().unwrap();
            dx.delete_virtual_interface()
                .virtual_interface_id(&old)
                .send()
                .await
                .unwrap();
            deleted += 1;
            gone.push(old);
        }
        // Settle new VIFs, and purge deleted ones (they stay visible 15 simulated minutes).
        post(
            &endpoint,
            "/_sim/clock/advance",
            serde_json::json!({"seconds": 60}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(INTERVAL_MS)).await;
    }
    // Past the retention of every deleted VIF, then a few more cycles.
    post(
        &endpoint,
        "/_sim/clock/advance",
        serde_json::json!({"seconds": 1200}),
    )
    .await;
    let settle_from = cycles.load(Ordering::Relaxed);
    while cycles.load(Ordering::Relaxed) < settle_from + 5 {
        tokio::time::sleep(Duration::from_millis(INTERVAL_MS)).await;
    }
    samples.push((cycles.load(Ordering::Relaxed), rss_kib()));
    let body = reqwest::get(format!("http://{}/metrics", app.local_addrs()[0]))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let survivors: Vec<&String> = gone
        .iter()
        .filter(|id| body.contains(&format!("virtual_interface_id=\"{id}\"")))
        .collect();
    let elapsed = started.elapsed();
    app.stop().await;
    sim.shutdown().await;

    println!(
        "soak: {} VIF collection cycles in {:.0} s at a {INTERVAL_MS} ms interval; {base_vifs} VIFs + churn: {created} VIFs created, {deleted} deleted, {peers} peers added",
        samples.last().map_or(0, |s| s.0),
        elapsed.as_secs_f64()
    );
    println!("| cycles | process RSS |");
    println!("|---|---|");
    for (c, kib) in &samples {
        println!("| {c} | {:.1} MiB |", *kib as f64 / 1024.0);
    }
    println!("deleted VIFs whose series survived: {}", survivors.len());
    assert!(
        survivors.is_empty(),
        "series of deleted VIFs survived: {survivors:?}"
    );
}
