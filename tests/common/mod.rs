//! Shared fixtures for black-box tests: a simulator and an exporter on 127.0.0.1:0, the
//! built binary run once, a real HTTP client, AWS SDK clients and control-endpoint calls
//! against the simulator, a small text-format parser, and bounded waits.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::process::Command;
use std::time::Duration;

use clap::Parser;
use directconnect_exporter::app::{App, Overrides};
use directconnect_exporter::cli::Cli;
use directconnect_exporter::simulator::{Scenario, Simulator, SimulatorHandle};

/// The exporter binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_directconnect-exporter");

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

/// The core collectors, whose first cycles readiness waits for.
pub const CORE_COLLECTORS: [&str; 4] = ["virtual_interfaces", "connections", "lags", "gateways"];

/// Scrapes until `collector`'s last cycle failed, checks that every core collector's
/// last cycle succeeded all the same, and returns that scrape.
pub async fn scrape_until_it_fails_alone(app: &App, collector: &str) -> Vec<Sample> {
    let s = scrape_until(app, &format!("the {collector} collector failed"), |s| {
        value(s, "collector_success", &[("collector", collector)]) == Some(0.0)
    })
    .await;
    for core in CORE_COLLECTORS {
        assert_eq!(
            value(&s, "collector_success", &[("collector", core)]),
            Some(1.0),
            "{core}"
        );
    }
    s
}

/// `GET /api/v1/status`, parsed.
pub async fn status_json(app: &App) -> serde_json::Value {
    http()
        .get(format!("{}/api/v1/status", base_url(app)))
        .send()
        .await
        .expect("GET /api/v1/status")
        .json()
        .await
        .unwrap()
}

/// The status page at `/`.
pub async fn status_page(app: &App) -> String {
    http()
        .get(base_url(app))
        .send()
        .await
        .expect("GET /")
        .text()
        .await
        .unwrap()
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

/// Waits for a scrape that satisfies `check` (20 s at most); returns its samples.
pub async fn scrape_until(app: &App, what: &str, check: impl Fn(&[Sample]) -> bool) -> Vec<Sample> {
    eventually(Duration::from_secs(20), what, || async {
        let samples = parse(&scrape(app).await);
        check(&samples).then_some(samples)
    })
    .await
}

/// Runs the binary with `args` (and no `AWS_REGION`) to its exit: the exit code (-1 when
/// killed by a signal), stdout and stderr.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("AWS_REGION")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
    control_call(sim, reqwest::Method::POST, path, Some(body))
        .await
        .0
}

/// Upper bound of every single wait on the simulator.
pub const BOUND: Duration = Duration::from_secs(30);

/// Awaits `f`, failing the test if it takes longer than [`BOUND`].
pub async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(BOUND, f)
        .await
        .expect("operation did not finish within the bound")
}

/// Calls the simulator's control endpoint (`body` as JSON, when given) and returns the
/// status and the JSON answer.
pub async fn control_call(
    sim: &SimulatorHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = http().request(method, format!("{}{path}", sim.endpoint_url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = bounded(req.send()).await.expect("control endpoint");
    let status = resp.status().as_u16();
    let value = bounded(resp.json()).await.expect("control answers JSON");
    (status, value)
}

/// POSTs `body` to a control endpoint that must answer 200; returns its answer.
pub async fn control_ok(
    sim: &SimulatorHandle,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let (status, answer) = control_call(sim, reqwest::Method::POST, path, Some(body)).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

/// Injects a fault (`POST /_sim/faults`, e.g. `{"kind": "throttle", "count": 2}`).
pub async fn inject_fault(sim: &SimulatorHandle, fault: serde_json::Value) {
    control_ok(sim, "/_sim/faults", fault).await;
}

/// Moves the simulator's clock forward, applying what becomes due.
pub async fn advance_clock(sim: &SimulatorHandle, seconds: f64) {
    control_ok(
        sim,
        "/_sim/clock/advance",
        serde_json::json!({"seconds": seconds}),
    )
    .await;
}

/// How an SDK client built by [`SimSdk`] retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retries {
    /// Never: every error reaches the caller (the [`SimSdk`] default).
    Off,
    /// The SDK's own default policy.
    SdkDefault,
    /// Standard, 3 attempts, 10 ms backoff: absorbs a couple of throttles quickly.
    Fast,
}

/// AWS SDK clients pointed at the simulator, as one account in one region: by default
/// [`ACCESS_KEY`] (account 111111111111) in us-east-1, without retries.
#[derive(Debug, Clone)]
pub struct SimSdk {
    endpoint: String,
    access_key: String,
    region: String,
    retries: Retries,
}

/// [`SimSdk`] for `sim` with its defaults.
pub fn sim_sdk(sim: &SimulatorHandle) -> SimSdk {
    SimSdk {
        endpoint: sim.endpoint_url(),
        access_key: ACCESS_KEY.to_owned(),
        region: "us-east-1".to_owned(),
        retries: Retries::Off,
    }
}

impl SimSdk {
    /// Calls as account `id` (12 digits, carried in the access key id).
    pub fn account(mut self, id: &str) -> SimSdk {
        self.access_key = format!("AKIA{id}TEST");
        self
    }

    /// Calls region `region`.
    pub fn region(mut self, region: &str) -> SimSdk {
        self.region = region.to_owned();
        self
    }

    /// Retries as `retries` says.
    pub fn retries(mut self, retries: Retries) -> SimSdk {
        self.retries = retries;
        self
    }

    /// The SDK configuration: endpoint, region, static credentials, retry policy.
    pub async fn config(&self) -> aws_config::SdkConfig {
        use aws_config::retry::RetryConfig;
        let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(aws_config::Region::new(self.region.clone()))
            .credentials_provider(aws_credential_types::Credentials::new(
                &self.access_key,
                "secret",
                None,
                None,
                "test",
            ));
        let loader = match self.retries {
            Retries::SdkDefault => loader,
            Retries::Off => loader.retry_config(RetryConfig::disabled()),
            Retries::Fast => loader.retry_config(
                RetryConfig::standard()
                    .with_initial_backoff(Duration::from_millis(10))
                    .with_max_attempts(3),
            ),
        };
        loader.load().await
    }

    /// A Direct Connect client.
    pub async fn direct_connect(&self) -> aws_sdk_directconnect::Client {
        aws_sdk_directconnect::Client::new(&self.config().await)
    }

    /// An STS client.
    pub async fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.config().await)
    }

    /// A CloudWatch client (Smithy RPC v2 CBOR).
    pub async fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.config().await)
    }
}

/// The HTTP status of a failed SDK call, if a response arrived.
pub fn http_status<E>(e: &aws_sdk_directconnect::error::SdkError<E>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// The error code of a failed SDK call (`ThrottlingException`, ...), if the service sent one.
pub fn error_code<E, R>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> Option<String>
where
    E: aws_sdk_directconnect::error::ProvideErrorMetadata,
{
    aws_sdk_directconnect::error::ProvideErrorMetadata::code(e).map(str::to_owned)
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

/// The full name of the exporter's metric `n`: `aws_directconnect_<n>`.
pub fn name(n: &str) -> String {
    format!("aws_directconnect_{n}")
}

/// The value of the one sample of the exporter's metric `metric` (`name(metric)`) whose
/// labels include every pair of `with`; `None` when there is none, a failure when several.
pub fn value(samples: &[Sample], metric: &str, with: &[(&str, &str)]) -> Option<f64> {
    let found = select(samples, &name(metric), with);
    assert!(found.len() <= 1, "{metric} {with:?}: {found:?}");
    found.first().map(|s| s.value)
}

/// The config most tests use: both regions with default credentials (account 1111…),
/// plus account 2222… through AssumeRole.
pub const TWO_ACCOUNTS: &str = "interval: 500ms\ntimeout: 2s\n\
targets:\n  - regions: [us-east-1, eu-west-1]\n  - role_arn: arn:aws:iam::222222222222:role/dx-read\n    regions: [us-east-1]\n";

/// A bcrypt hash of `right-pass` at cost 16 (about 7 s of one core in a debug build).
pub const HASH_COST_16: &str = "$2b$16$SY2yhh5.r5.QQOaUQCtPYetouj8bAlcUdxWbghN/Bm2M7/93tlBr.";

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
    let mac_sec = |keys: &[aws_sdk_directconnect::types::MacSecKey], out: &mut Vec<String>| {
        for k in keys {
            out.extend(k.secret_arn().map(str::to_owned));
            out.extend(k.ckn().map(str::to_owned));
        }
    };
    let conns = client.describe_connections().send().await.unwrap();
    for c in conns.connections() {
        mac_sec(c.mac_sec_keys(), &mut secrets);
    }
    let lags = client.describe_lags().send().await.unwrap();
    for l in lags.lags() {
        mac_sec(l.mac_sec_keys(), &mut secrets);
        for c in l.connections() {
            mac_sec(c.mac_sec_keys(), &mut secrets);
        }
    }
    secrets.retain(|s| s.len() >= 6);
    secrets
}

/// A Direct Connect client on the simulator as [`ACCESS_KEY`] in `region`, with the SDK's
/// default retries.
pub async fn sdk_client(sim: &SimulatorHandle, region: &str) -> aws_sdk_directconnect::Client {
    sim_sdk(sim)
        .region(region)
        .retries(Retries::SdkDefault)
        .direct_connect()
        .await
}
