//! Shared fixtures for black-box tests: a simulator and an exporter on 127.0.0.1:0, a real
//! HTTP client, a small text-format parser, and bounded waits.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use clap::Parser;
use directconnect_exporter::app::{App, Overrides};
use directconnect_exporter::cli::Cli;
use directconnect_exporter::simulator::{Scenario, Simulator, SimulatorHandle};

/// Access key whose digits select account 111111111111 in the simulator.
pub const ACCESS_KEY: &str = "AKIA111111111111TEST";

pub fn fleet() -> Scenario {
    Scenario::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fleet.yaml"
    ))
    .expect("fixture fleet")
}

pub async fn start_simulator(scenario: Scenario) -> SimulatorHandle {
    Simulator::start("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .expect("simulator starts")
}

/// Writes `yaml` to a fresh temp file and returns its path.
pub fn temp_file(name: &str, yaml: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dx-test-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Starts the exporter library against `sim` with the given config file text and flags.
pub async fn start_exporter(sim: &SimulatorHandle, config_yaml: &str, flags: &[&str]) -> App {
    let config = temp_file("config.yml", config_yaml);
    let mut args = vec![
        "directconnect-exporter".to_owned(),
        "--web.listen-address".into(),
        "127.0.0.1:0".into(),
        "--config.file".into(),
        config.display().to_string(),
    ];
    args.extend(flags.iter().map(|s| s.to_string()));
    let cli = Cli::try_parse_from(args).expect("flags parse");
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
    .expect("exporter starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_gzip()
        .build()
        .unwrap()
}

pub fn base_url(app: &App) -> String {
    format!("http://{}", app.local_addrs()[0])
}

pub async fn scrape(app: &App) -> String {
    scrape_url(&base_url(app)).await
}

/// The text exposition at `{base}/metrics`.
pub async fn scrape_url(base: &str) -> String {
    http()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .unwrap()
}

/// Polls `check` every 100 ms until it returns `Some`, failing after `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `/-/ready` answers 200.
pub async fn wait_ready(app: &App) {
    wait_ready_at(&base_url(app)).await
}

/// Waits until `{base}/-/ready` answers 200 (30 s at most).
pub async fn wait_ready_at(base: &str) {
    let url = format!("{base}/-/ready");
    eventually(Duration::from_secs(30), "exporter ready", || {
        let url = url.clone();
        async move {
            let r = http().get(url).send().await.ok()?;
            (r.status() == 200).then_some(())
        }
    })
    .await
}

/// POSTs JSON to the simulator's control endpoint and returns the status code.
pub async fn control(sim: &SimulatorHandle, path: &str, body: serde_json::Value) -> u16 {
    http()
        .post(format!("{}{path}", sim.endpoint_url()))
        .json(&body)
        .send()
        .await
        .expect("control endpoint")
        .status()
        .as_u16()
}

/// One sample of the text format.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Parses the sample lines of the Prometheus text format (enough for these tests).
pub fn parse(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (head, value) = line.rsplit_once(' ').expect("sample line has a value");
        let value: f64 = value.parse().expect("numeric value");
        let (name, labels) = match head.find('{') {
            None => (head.to_owned(), BTreeMap::new()),
            Some(i) => (
                head[..i].to_owned(),
                parse_labels(&head[i + 1..head.len() - 1]),
            ),
        };
        out.push(Sample {
            name,
            labels,
            value,
        });
    }
    out
}

fn parse_labels(s: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        assert_eq!(chars.next(), Some('"'));
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(c) => value.push(c),
                    None => break,
                },
                '"' => break,
                c => value.push(c),
            }
        }
        labels.insert(key.trim_start_matches(',').to_owned(), value);
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    labels
}

/// Samples named `name` whose labels include every pair of `with`.
pub fn select<'a>(samples: &'a [Sample], name: &str, with: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// The config most tests use: both regions with default credentials (account 1111…),
/// plus account 2222… through AssumeRole.
pub const TWO_ACCOUNTS: &str = "interval: 500ms\ntimeout: 2s\n\
targets:\n  - regions: [us-east-1, eu-west-1]\n  - role_arn: arn:aws:iam::222222222222:role/dx-read\n    regions: [us-east-1]\n";

/// Every authKey, customerRouterConfig and MACsec secret the simulator would return.
pub async fn known_secrets(sim: &SimulatorHandle) -> Vec<String> {
    let client = sdk_client(sim, "us-east-1").await;
    let mut secrets = Vec::new();
    let vifs = client.describe_virtual_interfaces().send().await.unwrap();
    for v in vifs.virtual_interfaces() {
        secrets.extend(v.auth_key().map(str::to_owned));
        secrets.extend(v.customer_router_config().map(str::to_owned));
        for p in v.bgp_peers() {
            secrets.extend(p.auth_key().map(str::to_owned));
        }
    }
    let conns = client.describe_connections().send().await.unwrap();
    for c in conns.connections() {
        for k in c.mac_sec_keys() {
            secrets.extend(k.secret_arn().map(str::to_owned));
            secrets.extend(k.ckn().map(str::to_owned));
        }
    }
    secrets.retain(|s| s.len() >= 6);
    secrets
}

pub async fn sdk_client(sim: &SimulatorHandle, region: &str) -> aws_sdk_directconnect::Client {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(sim.endpoint_url())
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(aws_credential_types::Credentials::new(
            ACCESS_KEY, "secret", None, None, "test",
        ))
        .load()
        .await;
    aws_sdk_directconnect::Client::new(&conf)
}
