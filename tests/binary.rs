//! The built binary as users run it: the standard AWS environment (`AWS_ENDPOINT_URL`),
//! `--demo`, logs, reloading on SIGHUP, and shutdown on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use directconnect_exporter::simulator::SimulatorHandle;

/// A running binary whose stderr lines arrive on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
}

impl Drop for Running {
    /// A test that fails half-way does not leave the process running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// The first log line containing `needle` (already seen, or within 30 s).
    fn wait_for(&mut self, needle: &str) -> String {
        if let Some(line) = self.log.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no log line with {needle:?}; log so far:\n{}",
            self.log.join("\n")
        );
    }

    fn listen_address(&mut self) -> String {
        let line = self.wait_for("msg=listening");
        let addr = line
            .split("address=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        format!("http://{addr}")
    }

    /// Sends `signal` (e.g. `HUP`) to the process.
    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status();
    }

    /// Sends SIGTERM (and returns at once).
    fn sigterm(&self) {
        self.signal("TERM");
    }

    /// Sends SIGTERM and returns the exit code and the full log.
    fn terminate(self) -> (Option<i32>, String) {
        self.sigterm();
        self.wait_exit()
    }

    /// Waits (20 s at most, then kills) for the process to exit: its code and full log.
    fn wait_exit(mut self) -> (Option<i32>, String) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code();
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.log.push(line);
        }
        (code, self.log.join("\n"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_honours_aws_endpoint_url_logs_no_secrets_and_stops_on_sigterm() {
    let sim = start_simulator(fleet()).await;
    let endpoint = sim.endpoint_url();
    let mut exporter = Running::start(
        &[
            "--web.listen-address",
            "127.0.0.1:0",
            "--aws.region",
            "us-east-1",
            "--collector.interval",
            "1s",
            "--log.level",
            "debug",
        ],
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let base = exporter.listen_address();
    wait_ready_at(&base).await;
    let body = scrape_url(&base).await;
    assert!(
        body.contains("virtual_interface_id=\"dxvif-test0001\""),
        "collected through AWS_ENDPOINT_URL"
    );
    assert!(
        body.contains("aws_account_id=\"111111111111\""),
        "account from STS GetCallerIdentity"
    );

    let (code, log) = exporter.terminate();
    assert_eq!(code, Some(0), "clean exit on SIGTERM; log:\n{log}");
    assert!(log.contains("level=debug"), "debug logging was on");
    assert!(log.contains("msg=\"shutting down\""), "{log}");
    let secrets = known_secrets(&sim).await;
    assert!(!secrets.is_empty());
    for s in &secrets {
        assert!(!log.contains(s.as_str()), "secret in logs");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_support_plan_the_maintenance_collector_logs_one_line_and_does_not_retry() {
    let sim = start_simulator(fleet()).await;
    let endpoint = sim.endpoint_url();
    let config = temp_file(
        "maintenance.yml",
        "collectors: [virtual_interfaces, connections, lags, gateways, maintenance]\n\
         maintenance_interval: 200ms\n",
    );
    let config = config.display().to_string();
    // Account 222222222222 has a basic support plan in the fixture: no AWS Health API.
    let mut exporter = Running::start(
        &[
            "--web.listen-address",
            "127.0.0.1:0",
            "--aws.region",
            "us-east-1",
            "--collector.interval",
            "1s",
            "--config.file",
            &config,
        ],
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "AKIA222222222222TEST"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let base = exporter.listen_address();
    wait_ready_at(&base).await;
    let failed = eventually(Duration::from_secs(20), "maintenance failed", || {
        let base = base.clone();
        async move {
            let body = scrape_url(&base).await;
            body.lines()
                .any(|l| {
                    l.starts_with("aws_directconnect_collector_success{")
                        && l.contains("collector=\"maintenance\"")
                        && l.ends_with(" 0")
                })
                .then_some(body)
        }
    })
    .await;
    // Ten intervals of 200 ms later, still the one attempt.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let body = scrape_url(&base).await;
    let attempts: Vec<&str> = body
        .lines()
        .filter(|l| {
            l.starts_with("aws_directconnect_api_requests_total{")
                && l.contains("operation=\"DescribeEvents\"")
                && l.contains("result=\"client_error\"")
        })
        .collect();
    assert_eq!(attempts.len(), 1, "{failed}");
    assert!(attempts[0].ends_with(" 1"), "{attempts:?}");
    let (code, log) = exporter.terminate();
    assert_eq!(code, Some(0), "{log}");
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("SubscriptionRequiredException"))
        .collect();
    assert_eq!(lines.len(), 1, "one clear line: {lines:#?}");
    assert!(lines[0].contains("level=warn"), "{}", lines[0]);
    assert!(lines[0].contains("collector=maintenance"), "{}", lines[0]);
    assert!(
        lines[0].contains("Business"),
        "names the support plan: {}",
        lines[0]
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_serves_a_moving_fleet_with_no_aws_account() {
    let mut demo = Running::start(
        &[
            "--demo",
            "--web.listen-address",
            "127.0.0.1:0",
            "--collector.interval",
            "1s",
        ],
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_PROFILE", "does-not-exist")],
    );
    demo.wait_for("simulator listening");
    let base = demo.listen_address();
    wait_ready_at(&base).await;
    let text = scrape_url(&base).await;
    let samples = parse(&text);
    let accounts: std::collections::BTreeSet<&String> =
        select(&samples, "aws_directconnect_bgp_peer_up", &[])
            .iter()
            .map(|x| &x.labels["aws_account_id"])
            .collect();
    assert!(accounts.len() >= 2, "{accounts:?}");
    let regions: std::collections::BTreeSet<&String> =
        select(&samples, "aws_directconnect_virtual_interface_info", &[])
            .iter()
            .map(|x| &x.labels["aws_region"])
            .collect();
    assert!(regions.len() >= 2, "{regions:?}");
    assert!(select(&samples, "aws_directconnect_virtual_interface_info", &[]).len() >= 8);
    assert!(!select(&samples, "aws_directconnect_gateway_info", &[]).is_empty());
    assert!(
        select(&samples, "aws_directconnect_collector_success", &[])
            .iter()
            .all(|x| x.value == 1.0)
    );
    let (code, log) = demo.terminate();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let mut demo = Running::start(
        &[
            "--demo",
            "--web.listen-address",
            "127.0.0.1:0",
            "--log.format",
            "json",
        ],
        &[],
    );
    let line = demo.wait_for("simulator listening");
    let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON object");
    assert_eq!(v["level"], "INFO", "{line}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("simulator listening"),
        "{line}"
    );
    assert!(
        v["endpoint"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{line}"
    );
    let (code, log) = demo.terminate();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn missing_credentials_are_one_clear_line_per_target_not_a_wall_of_debug() {
    let home = temp_file("empty", "");
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.parent().unwrap())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &home)
        .env("AWS_SHARED_CREDENTIALS_FILE", &home)
        .args([
            "--web.listen-address",
            "127.0.0.1:0",
            "--aws.region",
            "us-east-1",
            "--collector.interval",
            "300ms",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // Ten cycles of four collectors.
    std::thread::sleep(Duration::from_secs(3));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("level=warn") && l.contains("collection failed"))
        .collect();
    assert_eq!(warnings.len(), 1, "one line for the one target:\n{log}");
    let line = warnings[0];
    for hint in ["no AWS credentials found", "AWS_PROFILE", "IRSA", "--demo"] {
        assert!(line.contains(hint), "{hint:?} missing from {line}");
    }
    assert!(
        line.len() < 1200,
        "one short line, not a debug dump: {line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_config_file_and_a_bad_file_keeps_the_running_one() {
    let sim = start_simulator(fleet()).await;
    let endpoint = sim.endpoint_url();
    let config = temp_file("dx.yml", TWO_ACCOUNTS);
    let mut exporter = Running::start(
        &[
            "--web.listen-address",
            "127.0.0.1:0",
            "--config.file",
            config.to_str().unwrap(),
            // Only SIGHUP reloads in this test.
            "--config.reload-interval",
            "0",
        ],
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let base = exporter.listen_address();
    wait_ready_at(&base).await;
    let has = |body: &str, needle: &str| body.lines().any(|l| l.contains(needle));
    let body = scrape_url(&base).await;
    assert!(has(&body, "aws_account_id=\"222222222222\""));
    assert!(has(&body, "aws_directconnect_config_reload_success 1"));

    // A broken file is refused on SIGHUP; the running configuration stays.
    std::fs::write(&config, "interval: soon\n").unwrap();
    exporter.signal("HUP");
    exporter.wait_for("configuration reload failed");
    // The gauge is published by the next publish, just after the log line.
    let body = eventually(Duration::from_secs(10), "config_reload_success 0", || {
        let base = base.clone();
        async move {
            let body = scrape_url(&base).await;
            has(&body, "aws_directconnect_config_reload_success 0").then_some(body)
        }
    })
    .await;
    assert!(has(&body, "aws_account_id=\"222222222222\""));

    // Dropping the second target stops its collectors and removes its series.
    std::fs::write(
        &config,
        "interval: 500ms\ntimeout: 2s\ntargets:\n  - regions: [us-east-1, eu-west-1]\n",
    )
    .unwrap();
    exporter.signal("HUP");
    exporter.wait_for("configuration reloaded");
    let body = eventually(
        Duration::from_secs(10),
        "series of the removed target gone",
        || {
            let base = base.clone();
            async move {
                let body = scrape_url(&base).await;
                (!has(&body, "222222222222") && has(&body, "config_reload_success 1"))
                    .then_some(body)
            }
        },
    )
    .await;
    assert!(has(&body, "aws_account_id=\"111111111111\""));
    let (code, log) = exporter.terminate();
    assert_eq!(code, Some(0), "{log}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_roles_in_the_same_account_and_region_are_collected_once_with_one_warning() {
    let sim = start_simulator(fleet()).await;
    let endpoint = sim.endpoint_url();
    let config = temp_file(
        "dx.yml",
        "interval: 500ms\ntimeout: 2s\ntargets:\n\
         \x20 - role_arn: arn:aws:iam::222222222222:role/dx-read\n    regions: [us-east-1]\n\
         \x20 - role_arn: arn:aws:iam::222222222222:role/dx-audit\n    regions: [us-east-1]\n",
    );
    let (code, plan, _) = run(&["--check-config", "--config.file", config.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        plan.contains(
            "warning: targets[0] and targets[1] both reach account 222222222222 in us-east-1"
        ),
        "{plan}"
    );
    let mut exporter = Running::start(
        &[
            "--web.listen-address",
            "127.0.0.1:0",
            "--config.file",
            config.to_str().unwrap(),
        ],
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let base = exporter.listen_address();
    wait_ready_at(&base).await;
    exporter.wait_for("collecting it once");
    // Several cycles of both targets.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let samples = parse(&scrape_url(&base).await);
    let mut seen = std::collections::BTreeSet::new();
    for s in &samples {
        assert!(
            seen.insert((s.name.clone(), s.labels.clone())),
            "duplicate {s:?}"
        );
    }
    let success = select(
        &samples,
        "aws_directconnect_collector_success",
        &[
            ("aws_account_id", "222222222222"),
            ("collector", "virtual_interfaces"),
        ],
    );
    assert_eq!(success.len(), 1);
    assert_eq!(success[0].value, 1.0);
    let (code, log) = exporter.terminate();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(log.matches("collecting it once").count(), 1, "{log}");
    sim.shutdown().await;
}

/// Starts the binary against `sim` in its first region with extra flags.
fn exporter_for(sim: &SimulatorHandle, region: &str, flags: &[&str]) -> Running {
    let endpoint = sim.endpoint_url();
    let mut args = vec![
        "--web.listen-address",
        "127.0.0.1:0",
        "--aws.region",
        region,
        "--collector.interval",
        "1h",
    ];
    args.extend_from_slice(flags);
    Running::start(
        &args,
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_promptly_while_bcrypt_checks_run() {
    let sim = start_simulator(fleet()).await;
    let web = temp_file(
        "web.yml",
        &format!("basic_auth_users:\n  prometheus: '{HASH_COST_16}'\n"),
    );
    let mut exporter = exporter_for(
        &sim,
        "us-east-1",
        &["--web.config.file", web.to_str().unwrap()],
    );
    let base = exporter.listen_address();
    wait_ready_at(&base).await;
    // Ten wrong passwords at cost 16: both workers busy for seconds, the rest queued.
    let guesses: Vec<_> = (0..10)
        .map(|i| {
            let url = format!("{base}/metrics");
            tokio::spawn(async move {
                http()
                    .get(url)
                    .basic_auth("prometheus", Some(format!("guess-{i}")))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    exporter.sigterm();
    let (code, log) = tokio::task::spawn_blocking(move || exporter.wait_exit())
        .await
        .unwrap();
    let took = started.elapsed();
    eprintln!("exit {took:?} after SIGTERM with 10 cost-16 checks in flight");
    assert_eq!(code, Some(0), "{log}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    for g in guesses {
        // Answered 503 at shutdown, or cut off: never let in.
        assert_ne!(g.await.unwrap().ok(), Some(200));
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_scrape_in_flight_then_exits() {
    use directconnect_exporter::simulator::{GenerateSpec, Scenario};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fleet = Scenario::generate(&GenerateSpec {
        accounts: 1,
        regions: 1,
        vifs_per_region: 2000,
        peers_per_vif: 2,
        connections_per_region: 16,
        flapping_vifs_per_region: 0,
        gateway_per_region: false,
    });
    let region = fleet.regions()[0].clone();
    let sim = start_simulator(fleet).await;
    let mut exporter = exporter_for(&sim, &region, &[]);
    let base = exporter.listen_address();
    wait_ready_at(&base).await;

    let mut s = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let head_end = loop {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before the head");
        got.extend_from_slice(&buf[..n]);
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut body = got.split_off(head_end).len();
    // Read about a sixtieth of the body every 30 ms (about 2 s in all), SIGTERM after the
    // first piece.
    let piece = (length / 60).max(64 * 1024);
    let mut buf = vec![0u8; piece];
    let mut signalled = None;
    while body < length {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "cut off at {body} of {length} bytes");
        body += n;
        if signalled.is_none() {
            exporter.sigterm();
            signalled = Some(std::time::Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let signalled = signalled.unwrap();
    let body_done = signalled.elapsed();
    let (code, log) = tokio::task::spawn_blocking(move || exporter.wait_exit())
        .await
        .unwrap();
    let exited = signalled.elapsed();
    eprintln!(
        "{length} byte scrape finished {body_done:?} after SIGTERM; process exited after {exited:?}"
    );
    assert_eq!(body, length);
    assert_eq!(code, Some(0), "{log}");
    assert!(exited < Duration::from_secs(8), "{exited:?}");
    sim.shutdown().await;
}
