//! The exporter binary as operators run it, measured from outside: resident memory idle
//! and at peak, CPU per collection cycle, and how much longer 20 regions take to become
//! ready than one when every API call takes 100 ms and pages hold 25 items.
//!
//! The simulator runs in this process and the exporter in its own, so `/proc/PID` of the
//! child counts the exporter alone. `cargo bench --bench process` builds the release binary
//! and measures the sizes of docs/benchmarks.md (about five minutes); `cargo test --bench
//! process` runs the same code at tiny sizes (the test suite does, so it keeps working).
//! Not a test of speed: nothing here asserts a timing or a size.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use directconnect_exporter::simulator::{
    GenerateSpec, Limits, Scenario, Simulator, SimulatorHandle,
};

use common::median;

const BIN: &str = env!("CARGO_BIN_EXE_directconnect-exporter");

/// What one run measures, scaled down for `cargo test`.
struct Plan {
    memory_sizes: Vec<usize>,
    /// Collection interval of the memory and CPU runs.
    interval: Duration,
    /// Cycles run (and scraped once each) before memory is sampled.
    warm_cycles: u32,
    /// VIFs of the CPU run, and the cycles it measures.
    cpu_vifs: usize,
    cpu_cycles: u32,
    /// Fan-out: VIFs per region, regions of the wide run, delay added to every call.
    fanout_vifs: usize,
    fanout_regions: usize,
    fanout_latency_ms: u64,
    fanout_page: usize,
    fanout_runs: usize,
}

impl Plan {
    fn full() -> Plan {
        Plan {
            memory_sizes: vec![200, 2_000, 10_000],
            interval: Duration::from_secs(5),
            warm_cycles: 3,
            cpu_vifs: 2_000,
            cpu_cycles: 8,
            fanout_vifs: 200,
            fanout_regions: 20,
            fanout_latency_ms: 100,
            fanout_page: 25,
            fanout_runs: 3,
        }
    }

    fn tiny() -> Plan {
        Plan {
            memory_sizes: vec![20],
            interval: Duration::from_secs(1),
            warm_cycles: 1,
            cpu_vifs: 20,
            cpu_cycles: 2,
            fanout_vifs: 10,
            fanout_regions: 2,
            fanout_latency_ms: 10,
            fanout_page: 5,
            fanout_runs: 1,
        }
    }
}

/// The exporter as a child process; killed when dropped.
struct Exporter {
    child: Child,
    base: String,
    started: Instant,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Exporter {
    /// Starts the binary on `config` against `sim`, and waits for its listen address.
    fn start(sim: &SimulatorHandle, config: &str) -> Exporter {
        let dir = std::env::temp_dir().join(format!("dx-bench-process-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.yml");
        std::fs::write(&file, config).unwrap();
        let started = Instant::now();
        let mut child = Command::new(BIN)
            .args(["--web.listen-address", "127.0.0.1:0", "--log.level", "info"])
            .arg("--config.file")
            .arg(&file)
            .env("AWS_ENDPOINT_URL", sim.endpoint_url())
            .env("AWS_ACCESS_KEY_ID", "AKIA111111111111BENCH")
            .env("AWS_SECRET_ACCESS_KEY", "x")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Drains the log for the whole run so the pipe never fills.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .expect("the exporter did not log its address");
            if line.contains("msg=listening") {
                let addr = line.split("address=").nth(1).unwrap();
                break addr.split(' ').next().unwrap().to_owned();
            }
        };
        Exporter {
            child,
            base: format!("http://{addr}"),
            started,
        }
    }

    /// Waits for `/-/ready`; the time since the process started.
    async fn ready(&self, client: &reqwest::Client) -> Duration {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let url = format!("{}/-/ready", self.base);
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return self.started.elapsed();
            }
            assert!(Instant::now() < deadline, "the exporter never became ready");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// One scrape as Prometheus makes it (gzip) or as curl does (plain): the body's size.
    /// A plain body is checked: every core collector's last cycle succeeded, so the
    /// figures are of a working exporter.
    async fn scrape(&self, client: &reqwest::Client, gzip: bool) -> usize {
        let mut req = client.get(format!("{}/metrics", self.base));
        if gzip {
            req = req.header("Accept-Encoding", "gzip");
        }
        let body = req.send().await.unwrap().bytes().await.unwrap();
        assert!(!body.is_empty());
        if !gzip {
            let text = String::from_utf8_lossy(&body);
            let core = ["virtual_interfaces", "connections", "lags", "gateways"];
            let successes: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with("aws_directconnect_collector_success{"))
                .filter(|l| {
                    core.iter()
                        .any(|c| l.contains(&format!("collector=\"{c}\"")))
                })
                .collect();
            assert_eq!(successes.len(), 4, "one success gauge per core collector");
            for line in successes {
                assert!(line.ends_with(" 1"), "a core collector failed: {line}");
            }
        }
        body.len()
    }

    /// A `/proc/PID/status` field of the exporter, in KiB.
    fn status_kib(&self, field: &str) -> u64 {
        common::status_kib(&self.child.id().to_string(), field).unwrap()
    }

    /// VmRSS every 10 ms for `length`, in KiB. Blocks the thread: nothing else of this
    /// process needs to run meanwhile (the simulator has its own worker threads).
    fn rss_samples(&self, length: Duration) -> Vec<u64> {
        let until = Instant::now() + length;
        let mut samples = Vec::new();
        while Instant::now() < until {
            samples.push(self.status_kib("VmRSS:"));
            std::thread::sleep(Duration::from_millis(10));
        }
        samples
    }

    /// User plus system CPU time of the process so far.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = stat.rsplit_once(')').unwrap().1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 1000 / clock_ticks_per_second())
    }
}

/// `getconf CLK_TCK`: 100 on every Linux this runs on, asked rather than assumed.
fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

fn fleet(vifs: usize, regions: usize) -> Scenario {
    fleet_with(vifs, regions, true)
}

/// `vifs` per region; the private and transit VIFs on a gateway of their region's, or on
/// one gateway of the account's when `gateway_per_region` is false.
fn fleet_with(vifs: usize, regions: usize, gateway_per_region: bool) -> Scenario {
    Scenario::generate(&GenerateSpec {
        accounts: 1,
        regions,
        vifs_per_region: vifs,
        peers_per_vif: 2,
        connections_per_region: 16,
        // Some peers change state, so cycles publish new data as in production.
        flapping_vifs_per_region: 10.min(vifs),
        gateway_per_region,
    })
}

/// The opt-in collectors, each added to the four core ones by [`config`] when asked.
const OPT_IN: [&str; 4] = ["routes", "cloudwatch", "failover_tests", "maintenance"];

fn config(interval: Duration, regions: &[String], every_collector: bool) -> String {
    let secs = interval.as_secs().max(1);
    let mut yaml = format!("interval: {secs}s\ntimeout: 60s\n");
    if every_collector {
        yaml += &format!(
            "collectors: [virtual_interfaces, connections, lags, gateways, {}]\n",
            OPT_IN.join(", ")
        );
        for name in OPT_IN {
            yaml += &format!("{name}_interval: {secs}s\n");
        }
    }
    yaml + &format!("targets:\n  - regions: [{}]\n", regions.join(", "))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Idle and peak resident memory at `vifs` VIFs, after `warm_cycles` cycles each followed by
/// a gzip and a plain scrape; idle is the median of samples over two more intervals, peak
/// the highest sample or the kernel's high-water mark. The
/// four core collectors, or every collector (opt-in ones on the same interval).
async fn memory(plan: &Plan, client: &reqwest::Client, vifs: usize, every: bool) -> String {
    let scenario = fleet(vifs, 1);
    let regions = scenario.regions();
    let sim = Simulator::start("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .unwrap();
    let exporter = Exporter::start(&sim, &config(plan.interval, &regions, every));
    let ready = exporter.ready(client).await;
    let (mut plain, mut gzip) = (0, 0);
    // The kernel's VmHWM misses peaks that jemalloc hands back with madvise rather than
    // munmap, so the peak is also sampled, every 10 ms, through the cycles.
    let mut peak = 0;
    for _ in 0..plan.warm_cycles {
        peak = peak.max(
            exporter
                .rss_samples(plan.interval)
                .into_iter()
                .max()
                .unwrap_or(0),
        );
        gzip = exporter.scrape(client, true).await;
        plain = exporter.scrape(client, false).await;
    }
    let idle = exporter.rss_samples(plan.interval * 2);
    let peak = peak
        .max(idle.iter().copied().max().unwrap_or(0))
        .max(exporter.status_kib("VmHWM:"));
    let row = format!(
        "| {vifs} | {} | {} | {:.2} s | {} / {} KiB | {} | {} |",
        vifs * 2,
        if every { "all eight" } else { "core four" },
        ready.as_secs_f64(),
        plain / 1024,
        gzip / 1024,
        mib(median(idle)),
        mib(peak),
    );
    drop(exporter);
    sim.shutdown().await;
    row
}

/// CPU time per collection cycle: the process's CPU over `cpu_cycles` intervals with no
/// scrapes, divided by the cycles.
async fn cpu(plan: &Plan, client: &reqwest::Client) -> String {
    let scenario = fleet(plan.cpu_vifs, 1);
    let regions = scenario.regions();
    let sim = Simulator::start("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .unwrap();
    let exporter = Exporter::start(&sim, &config(plan.interval, &regions, false));
    exporter.ready(client).await;
    tokio::time::sleep(plan.interval).await;
    let before = exporter.cpu();
    tokio::time::sleep(plan.interval * plan.cpu_cycles).await;
    let per_cycle = exporter.cpu().saturating_sub(before) / plan.cpu_cycles;
    drop(exporter);
    sim.shutdown().await;
    format!(
        "| {} | {} s | {} | {:.0} ms |",
        plan.cpu_vifs,
        plan.interval.as_secs(),
        plan.cpu_cycles,
        per_cycle.as_secs_f64() * 1e3
    )
}

/// Time from process start to `/-/ready` over `regions` regions, every call delayed by
/// `fanout_latency_ms` and listings paged by `fanout_page`; the median of the runs.
async fn ready_time(
    plan: &Plan,
    client: &reqwest::Client,
    regions: usize,
    gateway_per_region: bool,
) -> Duration {
    let mut times = Vec::new();
    for _ in 0..plan.fanout_runs {
        let scenario = fleet_with(plan.fanout_vifs, regions, gateway_per_region);
        let names = scenario.regions();
        let limits = Limits {
            max_page: plan.fanout_page,
            ..Limits::default()
        };
        let sim = Simulator::start_with_limits("127.0.0.1:0".parse().unwrap(), scenario, limits)
            .await
            .unwrap();
        let fault = serde_json::json!({"kind": "latency", "latency_ms": plan.fanout_latency_ms});
        let answer = client
            .post(format!("{}/_sim/faults", sim.endpoint_url()))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        let exporter = Exporter::start(&sim, &config(Duration::from_secs(3600), &names, false));
        times.push(exporter.ready(client).await);
        drop(exporter);
        sim.shutdown().await;
    }
    median(times)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let plan = if full { Plan::full() } else { Plan::tiny() };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    rt.block_on(async {
        println!("Resident memory of the exporter process (2 BGP peers per VIF, interval {} s):\n", plan.interval.as_secs());
        println!("| VIFs | peers | collectors | ready after start | body plain / gzip | RSS idle | RSS peak |");
        println!("|---|---|---|---|---|---|---|");
        for &vifs in &plan.memory_sizes {
            println!("{}", memory(&plan, &client, vifs, false).await);
        }
        println!("{}", memory(&plan, &client, plan.cpu_vifs, true).await);
        println!("\nCPU per collection cycle (user + system, no scrapes):\n");
        println!("| VIFs | interval | cycles measured | CPU per cycle |");
        println!("|---|---|---|---|");
        println!("{}", cpu(&plan, &client).await);
        println!(
            "\nReady after start, {} VIFs per region, every call +{} ms, pages of {} (median of {}):\n",
            plan.fanout_vifs, plan.fanout_latency_ms, plan.fanout_page, plan.fanout_runs
        );
        let one = ready_time(&plan, &client, 1, true).await;
        println!("| regions | gateways | ready after start | vs one region |");
        println!("|---|---|---|---|");
        println!("| 1 | 1 | {:.2} s | 1.00× |", one.as_secs_f64());
        for (per_region, gateways) in [(true, "one per region"), (false, "one for all regions")] {
            let wide = ready_time(&plan, &client, plan.fanout_regions, per_region).await;
            println!(
                "| {} | {gateways} | {:.2} s | {:.2}× |",
                plan.fanout_regions,
                wide.as_secs_f64(),
                wide.as_secs_f64() / one.as_secs_f64()
            );
        }
    });
}
