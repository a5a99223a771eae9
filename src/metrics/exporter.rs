//! The exporter's own families: collector health, AWS API calls, build information, and
//! the HTTP server's live state.

use std::time::UNIX_EPOCH;

use super::{Family, REGIONAL, Samples};
use crate::model::{CollectorSnapshot, Snapshot};

const COLLECTOR: &[&str] = &["aws_account_id", "aws_region", "collector"];

pub static COLLECTOR_SUCCESS: Family = Family::gauge(
    "collector_success",
    "1 if the collector's last cycle succeeded, else 0.",
    COLLECTOR,
);
pub static COLLECTOR_DURATION: Family = Family::gauge(
    "collector_duration_seconds",
    "Wall time of the collector's last cycle in seconds.",
    COLLECTOR,
);
pub static COLLECTOR_LAST_SUCCESS: Family = Family::gauge(
    "collector_last_success_timestamp_seconds",
    "Unix time of the collector's last successful cycle.",
    COLLECTOR,
);
pub static COLLECTOR_INTERVAL: Family = Family::gauge(
    "collector_interval_seconds",
    "Configured interval of the collector in seconds (staleness alerts scale with it).",
    COLLECTOR,
);
pub static COLLECTOR_PANICS: Family = Family::counter(
    "collector_panics",
    "Collector tasks restarted after a panic.",
    COLLECTOR,
);
pub static API_REQUESTS: Family = Family::counter(
    "api_requests",
    "AWS API calls made by the exporter, by operation and result (every attempt, retries included).",
    &[REGIONAL[0], REGIONAL[1], "operation", "result"],
);
pub static CONFIG_RELOAD_SUCCESS: Family = Family::gauge(
    "config_reload_success",
    "1 if the last load of --config.file (at start, on SIGHUP or on a change of the file) succeeded, else 0.",
    &[],
);
pub static BUILD_INFO: Family = Family::info(
    "exporter_build",
    "Version and git revision of the exporter.",
    &["version", "revision"],
);

pub static HTTP_CONNECTIONS: Family =
    Family::gauge("http_connections", "Open HTTP connections.", &[]).live();
pub static HTTP_CONNECTIONS_CLOSED: Family = Family::counter(
    "http_connections_closed",
    "HTTP connections the server closed, by reason: evicted (to admit a new connection at \
     the cap), header_timeout, idle_timeout, max_age, error (including clients that stop \
     reading).",
    &["reason"],
)
.live();
pub static WEB_CONFIG_RELOAD_SUCCESS: Family = Family::gauge(
    "web_config_reload_success",
    "1 if the last load of the web config file and the files it names succeeded, else 0.",
    &[],
)
.live();

/// This domain's families, in exposition order (live families last).
pub static FAMILIES: &[&Family] = &[
    &COLLECTOR_SUCCESS,
    &COLLECTOR_DURATION,
    &COLLECTOR_LAST_SUCCESS,
    &COLLECTOR_INTERVAL,
    &COLLECTOR_PANICS,
    &API_REQUESTS,
    &CONFIG_RELOAD_SUCCESS,
    &BUILD_INFO,
    &HTTP_CONNECTIONS,
    &HTTP_CONNECTIONS_CLOSED,
    &WEB_CONFIG_RELOAD_SUCCESS,
];

/// The HTTP server's state at the time of a request (plain values: the server fills it in).
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    /// Connections open now.
    pub open_connections: usize,
    /// Connections closed so far, by reason label.
    pub closed_connections: [(&'static str, u64); 5],
    /// The last web config (re)load's outcome; `None` without `--web.config.file`.
    pub web_config_reload_success: Option<bool>,
}

/// Writes the live families.
pub fn write_live(live: &LiveState, out: &mut Samples<'_>) {
    out.family(&HTTP_CONNECTIONS)
        .sample(&[], live.open_connections as f64);
    let mut closed = out.family(&HTTP_CONNECTIONS_CLOSED);
    for (reason, n) in live.closed_connections {
        closed.sample(&[reason], n as f64);
    }
    if let Some(ok) = live.web_config_reload_success {
        out.family(&WEB_CONFIG_RELOAD_SUCCESS)
            .sample(&[], if ok { 1.0 } else { 0.0 });
    }
}

/// Writes one collector's health.
pub fn write_collector(c: &CollectorSnapshot, out: &mut Samples<'_>) {
    let labels = [
        c.key.account_id.as_str(),
        c.key.region.as_str(),
        c.key.kind.name(),
    ];
    out.family(&COLLECTOR_SUCCESS)
        .sample(&labels, if c.success { 1.0 } else { 0.0 });
    out.family(&COLLECTOR_DURATION)
        .sample(&labels, c.duration.as_secs_f64());
    if let Some(t) = c
        .last_success
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
    {
        out.family(&COLLECTOR_LAST_SUCCESS)
            .sample(&labels, t.as_secs_f64());
    }
    out.family(&COLLECTOR_INTERVAL)
        .sample(&labels, c.interval.as_secs_f64());
    out.family(&COLLECTOR_PANICS)
        .sample(&labels, c.panics as f64);
}

/// Writes what the publisher adds to the collectors' samples: API call counts and build
/// information.
pub fn write_published(snapshot: &Snapshot, out: &mut Samples<'_>) {
    let mut api = out.family(&API_REQUESTS);
    for (k, n) in &snapshot.api_requests {
        api.sample(
            &[&k.account_id, &k.region, k.operation, k.result.label()],
            *n as f64,
        );
    }
    if let Some(ok) = snapshot.config_reload_success {
        out.family(&CONFIG_RELOAD_SUCCESS)
            .sample(&[], if ok { 1.0 } else { 0.0 });
    }
    out.family(&BUILD_INFO)
        .sample(&[crate::VERSION, crate::REVISION], 1.0);
}
