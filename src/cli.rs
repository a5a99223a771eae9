//! Command-line flags (clap derive), one struct per concern; every flag also reads an env var.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, ValueEnum};

use crate::duration::PromDuration;

/// Default port of the exporter's HTTP server.
pub const DEFAULT_PORT: u16 = 9840;

/// Prometheus exporter and alerting sidecar for AWS Direct Connect.
///
/// Collects virtual interfaces, BGP peers, connections, LAGs and Direct Connect gateways
/// on a schedule and serves the latest snapshot on /metrics.
#[derive(Debug, Clone, Parser)]
#[command(name = "directconnect-exporter", version, about, long_about = None)]
pub struct Cli {
    /// HTTP server flags.
    #[command(flatten)]
    pub web: WebArgs,
    /// Collection schedule flags.
    #[command(flatten)]
    pub collector: CollectorArgs,
    /// AWS flags.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Logging flags.
    #[command(flatten)]
    pub log: LogArgs,
    /// Simulator and demo flags.
    #[command(flatten)]
    pub simulator: SimulatorArgs,
    /// YAML configuration file (targets, regions, collectors, tag labels, staleness).
    #[arg(
        long = "config.file",
        env = "DX_EXPORTER_CONFIG_FILE",
        value_name = "FILE"
    )]
    pub config_file: Option<PathBuf>,
    /// How often to check --config.file for changes and reload it (SIGHUP also reloads);
    /// 0 turns the check off.
    #[arg(
        long = "config.reload-interval",
        env = "DX_EXPORTER_CONFIG_RELOAD_INTERVAL",
        value_name = "DUR",
        default_value = "10s"
    )]
    pub config_reload_interval: PromDuration,
    /// Validate flags and configuration files, print the collection plan, and exit.
    #[arg(long = "check-config", env = "DX_EXPORTER_CHECK_CONFIG")]
    pub check_config: bool,
}

/// HTTP server flags.
#[derive(Debug, Clone, Args)]
pub struct WebArgs {
    /// Address to listen on for HTTP requests, e.g. :9840, 127.0.0.1:9840, [::1]:9840.
    /// Repeat the flag (or separate with commas in the env var) to listen on several.
    #[arg(
        long = "web.listen-address",
        env = "DX_EXPORTER_WEB_LISTEN_ADDRESS",
        value_name = "ADDR",
        default_value = ":9840",
        value_delimiter = ','
    )]
    pub listen_addresses: Vec<ListenAddress>,
    /// Path under which the metrics are served.
    #[arg(
        long = "web.telemetry-path",
        env = "DX_EXPORTER_WEB_TELEMETRY_PATH",
        value_name = "PATH",
        default_value = "/metrics",
        value_parser = parse_telemetry_path
    )]
    pub telemetry_path: String,
    /// exporter-toolkit style web configuration file (TLS, basic auth).
    #[arg(
        long = "web.config.file",
        env = "DX_EXPORTER_WEB_CONFIG_FILE",
        value_name = "FILE"
    )]
    pub web_config_file: Option<PathBuf>,
    /// Grafana base URL (e.g. https://grafana.example.com): the status page links to the
    /// bundled dashboards under it (by uid).
    #[arg(
        long = "web.grafana-url",
        env = "DX_EXPORTER_WEB_GRAFANA_URL",
        value_name = "URL",
        value_parser = parse_grafana_url
    )]
    pub grafana_url: Option<String>,
}

/// Collection schedule flags (the config file's `interval`/`timeout` override them).
#[derive(Debug, Clone, Args)]
pub struct CollectorArgs {
    /// How often each collector refreshes its data (e.g. 500ms, 30s, 2m) [default: 60s,
    /// or 10s with --demo].
    #[arg(
        long = "collector.interval",
        env = "DX_EXPORTER_COLLECTOR_INTERVAL",
        value_name = "DUR"
    )]
    pub interval: Option<PromDuration>,
    /// Timeout of one AWS API call.
    #[arg(
        long = "collector.timeout",
        env = "DX_EXPORTER_COLLECTOR_TIMEOUT",
        value_name = "DUR",
        default_value = "10s"
    )]
    pub timeout: PromDuration,
}

/// AWS flags. Credentials and endpoints come from the standard AWS chain.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Region to collect with the default credentials (repeatable, or comma separated).
    /// Falls back to AWS_REGION / AWS_DEFAULT_REGION when neither this nor the config
    /// file names a region.
    #[arg(
        long = "aws.region",
        env = "DX_EXPORTER_AWS_REGION",
        value_name = "REGION",
        value_delimiter = ','
    )]
    pub regions: Vec<String>,
}

/// Logging flags.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Least severe level to log.
    #[arg(
        long = "log.level",
        env = "DX_EXPORTER_LOG_LEVEL",
        value_name = "LEVEL",
        default_value = "info"
    )]
    pub level: LogLevel,
    /// Log line format.
    #[arg(
        long = "log.format",
        env = "DX_EXPORTER_LOG_FORMAT",
        value_name = "FORMAT",
        default_value = "logfmt"
    )]
    pub format: LogFormat,
}

/// Built-in Direct Connect simulator flags (demo and test bed).
#[derive(Debug, Clone, Args)]
pub struct SimulatorArgs {
    /// Run against the built-in Direct Connect simulator with a moving demo fleet; no AWS
    /// account or credentials needed.
    #[arg(long = "demo", env = "DX_EXPORTER_DEMO")]
    pub demo: bool,
    /// Run only the simulator (no exporter) until SIGTERM/SIGINT.
    #[arg(
        long = "simulator.only",
        env = "DX_EXPORTER_SIMULATOR_ONLY",
        conflicts_with = "demo"
    )]
    pub only: bool,
    /// Address of the simulator (default 127.0.0.1:0 with --demo, 127.0.0.1:4599 with
    /// --simulator.only).
    #[arg(
        long = "simulator.listen-address",
        env = "DX_EXPORTER_SIMULATOR_LISTEN_ADDRESS",
        value_name = "ADDR"
    )]
    pub listen_address: Option<SocketAddr>,
    /// Scenario YAML for the simulator (default: the bundled demo fleet).
    #[arg(
        long = "simulator.scenario",
        env = "DX_EXPORTER_SIMULATOR_SCENARIO",
        value_name = "FILE"
    )]
    pub scenario: Option<PathBuf>,
}

/// Log levels accepted by `--log.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Errors and warnings.
    Warn,
    /// The default: start-up, listeners, collection failures.
    Info,
    /// Every AWS call and request; never bodies or secrets.
    Debug,
}

impl LogLevel {
    /// The tracing directive for this level.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

/// Log formats accepted by `--log.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// `key=value` pairs, one event per line.
    Logfmt,
    /// One JSON object per line.
    Json,
}

/// A listen address as Prometheus exporters write it: `:9840` means every IPv4 interface.
///
/// ```
/// use directconnect_exporter::cli::ListenAddress;
/// let any: ListenAddress = ":9840".parse().unwrap();
/// assert_eq!(any.0.to_string(), "0.0.0.0:9840");
/// let v6: ListenAddress = "[::1]:9840".parse().unwrap();
/// assert_eq!(v6.0.to_string(), "[::1]:9840");
/// let local: ListenAddress = "localhost:9840".parse().unwrap();
/// assert_eq!(local.0.to_string(), "127.0.0.1:9840");
/// assert!("9840".parse::<ListenAddress>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenAddress(pub SocketAddr);

impl FromStr for ListenAddress {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("invalid listen address {s:?} (expected :PORT, HOST:PORT or [IPv6]:PORT)");
        if let Some(port) = s.strip_prefix(':') {
            let port: u16 = port.parse().map_err(|_| bad())?;
            return Ok(Self(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                port,
            )));
        }
        if let Some(port) = s.strip_prefix("localhost:") {
            let port: u16 = port.parse().map_err(|_| bad())?;
            return Ok(Self(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)));
        }
        s.parse().map(Self).map_err(|_| bad())
    }
}

impl fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn parse_telemetry_path(s: &str) -> Result<String, String> {
    if !s.starts_with('/') || s.len() < 2 || s.contains(['?', '#', ' ']) {
        return Err(format!(
            "invalid telemetry path {s:?} (expected e.g. /metrics)"
        ));
    }
    if ["/", "/-/healthy", "/-/ready", "/api/v1/status"].contains(&s) {
        return Err(format!(
            "telemetry path {s:?} collides with a built-in endpoint"
        ));
    }
    Ok(s.to_owned())
}

/// An absolute http(s) URL without a trailing slash, query or fragment.
fn parse_grafana_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.contains(['?', '#'])
            && r.chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\'))
    });
    if !ok {
        return Err(format!(
            "invalid Grafana URL {s:?} (expected e.g. https://grafana.example.com)"
        ));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_flag_has_an_env_var_and_help() {
        for arg in Cli::command().get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_env().is_some(), "{id} has no env var");
            assert!(arg.get_help().is_some(), "{id} has no help");
        }
    }

    #[test]
    fn listen_addresses_accept_go_style_forms() {
        assert_eq!(
            ":9840".parse::<ListenAddress>().unwrap().0,
            "0.0.0.0:9840".parse().unwrap()
        );
        assert_eq!(
            "localhost:1".parse::<ListenAddress>().unwrap().0,
            "127.0.0.1:1".parse().unwrap()
        );
        assert_eq!(
            "[::1]:80".parse::<ListenAddress>().unwrap().0,
            "[::1]:80".parse().unwrap()
        );
        assert!("9840".parse::<ListenAddress>().is_err());
        assert!(":99999".parse::<ListenAddress>().is_err());
    }

    #[test]
    fn defaults_match_the_spec() {
        let cli = Cli::try_parse_from(["directconnect-exporter"]).unwrap();
        assert_eq!(cli.web.listen_addresses[0].0.port(), DEFAULT_PORT);
        assert_eq!(cli.web.telemetry_path, "/metrics");
        assert_eq!(cli.collector.interval, None);
        assert_eq!(cli.collector.timeout.to_string(), "10s");
        assert_eq!(cli.log.level, LogLevel::Info);
        assert_eq!(cli.log.format, LogFormat::Logfmt);
    }

    #[test]
    fn bad_durations_and_paths_are_rejected() {
        assert!(Cli::try_parse_from(["x", "--collector.interval", "soon"]).is_err());
        assert!(Cli::try_parse_from(["x", "--web.telemetry-path", "metrics"]).is_err());
        assert!(Cli::try_parse_from(["x", "--web.telemetry-path", "/-/ready"]).is_err());
        assert!(Cli::try_parse_from(["x", "--web.telemetry-path", "/api/v1/status"]).is_err());
    }

    #[test]
    fn grafana_urls_must_be_absolute_http_urls() {
        let url =
            |s: &str| Cli::try_parse_from(["x", "--web.grafana-url", s]).map(|c| c.web.grafana_url);
        assert_eq!(
            url("https://grafana.example.com/").unwrap(),
            Some("https://grafana.example.com".into())
        );
        assert_eq!(
            url("http://10.0.0.1:3000/grafana").unwrap(),
            Some("http://10.0.0.1:3000/grafana".into())
        );
        for bad in [
            "grafana.example.com",
            "javascript:alert(1)",
            "https://",
            "https://g/\"x",
            "https://g/?a=1",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }
}
