//! The status page as server-rendered HTML: one inline style sheet (allowed by its hash in
//! the [`content_security_policy`]), no script, no external assets, every string from AWS
//! escaped, every status in words and colour. It refreshes itself with
//! `<meta http-equiv="refresh">` and says when it was generated.

use std::fmt::Write as _;
use std::sync::LazyLock;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{Health, SinceStatus, Status};
use crate::markup::escape;

mod tables;

use tables::{
    api_requests, changes, collectors, connections, gateways, lags, maintenance, redundancy,
    vif_table,
};

/// Bounds of the page's refresh period; within them it follows the shortest collector
/// interval, so a refresh usually shows a new collection.
const REFRESH_MIN_SECONDS: u64 = 10;
const REFRESH_MAX_SECONDS: u64 = 60;

/// Grafana dashboard uids (the `uid` fields of `dashboards/*.json`).
pub const DASHBOARD_OVERVIEW: &str = "directconnect-overview";
/// The per-VIF dashboard (variables `account`, `region`, `connection`, `vif`).
pub const DASHBOARD_VIRTUAL_INTERFACE: &str = "directconnect-vif";
/// The exporter health dashboard.
pub const DASHBOARD_EXPORTER: &str = "directconnect-exporter";

/// The page's only style sheet. Its SHA-256 is the one `style-src` source of the CSP, so it
/// must be emitted byte for byte, and nothing on the page may carry a `style` attribute.
const CSS: &str = "\
:root{color-scheme:light dark;--down:#c62828;--warn:#a85d00;--ok:#2e7d32;--neutral:#546e7a;--line:#8885;--head:#8882}\
*{box-sizing:border-box}\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0 auto;max-width:1500px;padding:8px 12px 32px}\
h1{font-size:1.35em;margin:.2em 0}\
h2{font-size:1.1em;margin:1.4em 0 .4em;padding-bottom:.15em;border-bottom:2px solid var(--line)}\
h3{font-size:1em;margin:1em 0 .3em}\
p{margin:.3em 0}\
a{color:inherit}\
nav a{display:inline-block;margin:0 1em .2em 0}\
.meta,small,.muted{opacity:.75}\
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.92em;white-space:nowrap}\
.nw{white-space:nowrap}\
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:.6em 0}\
.tile{flex:1 1 9em;border:1px solid var(--line);border-left:6px solid var(--neutral);border-radius:4px;padding:4px 10px}\
.tile b{display:block;font-size:1.5em}\
.tile.down{border-left-color:var(--down)}.tile.degraded{border-left-color:var(--warn)}.tile.ok{border-left-color:var(--ok)}\
.scroll{overflow-x:auto}\
table{border-collapse:collapse;width:100%}\
th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\
th{background:var(--head);font-weight:600;white-space:nowrap}\
td.n,th.n{text-align:right}\
.b{display:inline-block;min-width:4.5em;padding:0 6px;border:2px solid;border-radius:4px;font-weight:700;white-space:nowrap}\
.b.down{background:var(--down);border-color:var(--down);color:#fff}\
.b.degraded{background:var(--warn);border-color:var(--warn);color:#fff}\
.b.transition{border-color:var(--neutral);border-style:dashed;color:var(--neutral)}\
.b.ok{border-color:var(--ok);color:var(--ok)}\
.v.down{color:var(--down);font-weight:700}.v.degraded{color:var(--warn);font-weight:700}.v.ok{color:var(--ok)}.v.transition{color:var(--neutral)}\
ul.l{list-style:none;margin:0;padding:0}\
ul.l li{margin:1px 0}\
.allok{border:2px solid var(--ok);border-radius:4px;padding:6px 10px}\
details>summary{cursor:pointer;font-weight:600;margin:.8em 0 .3em}\
meter{width:5em;vertical-align:middle}\
@media (max-width:760px){\
table.cards thead{display:none}\
table.cards tr{display:block;border:1px solid var(--line);border-radius:4px;margin:8px 0;padding:4px}\
table.cards td,table.cards td.n{display:block;border:0;padding:2px 4px;text-align:left}\
table.cards td[data-label]::before{content:attr(data-label) ': ';font-weight:600}\
}";

/// The `Content-Security-Policy` of the page: nothing but its own style sheet (by hash);
/// no script, image, font, frame, form or base URL; not framable.
pub fn content_security_policy() -> &'static str {
    static CSP: LazyLock<String> = LazyLock::new(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    });
    &CSP
}

/// Where the page links to.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    /// The metrics path (`--web.telemetry-path`).
    pub telemetry_path: &'a str,
    /// Grafana's base URL (`--web.grafana-url`), without a trailing slash.
    pub grafana_url: Option<&'a str>,
}

impl Links<'_> {
    /// The URL of a dashboard with its variables, when Grafana is configured.
    fn dashboard(&self, uid: &str, vars: &[(&str, &str)]) -> Option<String> {
        let base = self.grafana_url?;
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in vars {
            query.append_pair(&format!("var-{k}"), v);
        }
        let query = query.finish();
        Some(if query.is_empty() {
            format!("{base}/d/{uid}")
        } else {
            format!("{base}/d/{uid}?{query}")
        })
    }
}

/// The page's refresh period for `status`.
pub fn refresh_seconds(status: &Status) -> u64 {
    status
        .collectors
        .iter()
        .map(|c| c.interval_seconds.ceil() as u64)
        .min()
        .unwrap_or(REFRESH_MAX_SECONDS)
        .clamp(REFRESH_MIN_SECONDS, REFRESH_MAX_SECONDS)
}

/// `90` → `1m 30s`: the two largest units.
///
/// ```
/// use directconnect_exporter::status::html::format_age;
/// assert_eq!(format_age(42), "42s");
/// assert_eq!(format_age(90), "1m 30s");
/// assert_eq!(format_age(7_260), "2h 1m");
/// assert_eq!(format_age(2 * 86_400 + 3_600), "2d 1h");
/// ```
pub fn format_age(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

fn marker(h: Health) -> &'static str {
    match h {
        Health::Down => "✖",
        Health::Degraded => "▲",
        Health::Transition => "◆",
        Health::Ok => "✔",
    }
}

/// A status badge: symbol and words, coloured by `health`.
fn badge(out: &mut String, health: Health, text: &str) {
    let _ = write!(
        out,
        "<span class=\"b {}\">{} {}</span>",
        health.label(),
        marker(health),
        escape(text)
    );
}

/// The words for a VIF, connection or LAG: the health, or the state when in transition.
fn health_words(health: Health, state: &str) -> String {
    match health {
        Health::Transition => state.to_owned(),
        h => h.label().to_owned(),
    }
}

fn since(out: &mut String, s: &Option<SinceStatus>) {
    if let Some(s) = s {
        let (prefix, note) = if s.first_seen {
            (
                "≥ ",
                " (when the exporter first saw it; it may have been so for longer)",
            )
        } else {
            ("", "")
        };
        let _ = write!(
            out,
            "<small>for <time datetime=\"{t}\" title=\"since {t}{note}\">{prefix}{age}</time></small>",
            t = escape(&s.time),
            age = format_age(s.age_seconds),
        );
    }
}

fn account_region(account_id: &str, region: &str) -> String {
    if region.is_empty() {
        escape(account_id)
    } else {
        format!(
            "<span class=\"nw\">{} / {}</span>",
            escape(account_id),
            escape(region)
        )
    }
}

/// Renders the whole page.
pub fn render(status: &Status, links: &Links<'_>) -> String {
    let mut out = String::with_capacity(
        16 * 1024 + 1024 * (status.virtual_interfaces.len() + status.recent_changes.len()),
    );
    head(&mut out, status);
    header(&mut out, status, links);
    tiles(&mut out, status);

    let (problems, rest): (Vec<_>, Vec<_>) = status
        .virtual_interfaces
        .iter()
        .partition(|v| v.health.is_problem());
    let (transition, ok): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|v| v.health == Health::Transition);

    out.push_str("<h2 id=\"problems\">Problems</h2>");
    if problems.is_empty() {
        out.push_str(
            "<p class=\"allok\">✔ No problems: no virtual interface is down and every BGP peer \
             of an available virtual interface is up.</p>",
        );
    } else {
        vif_table(&mut out, &problems, true, links);
    }

    redundancy(&mut out, &status.redundancy);
    maintenance(&mut out, status.maintenance.as_deref());

    if !transition.is_empty() {
        out.push_str(
            "<h2 id=\"transition\">In transition</h2><p class=\"muted\">States the alert rules \
             never page on: failover testing, being provisioned or deleted.</p>",
        );
        vif_table(&mut out, &transition, true, links);
    }

    changes(&mut out, &status.recent_changes);

    out.push_str("<h2 id=\"virtual-interfaces\">Virtual interfaces</h2>");
    if ok.is_empty() {
        out.push_str("<p class=\"muted\">None other than those above.</p>");
    }
    let mut start = 0;
    while start < ok.len() {
        let (account, region) = (&ok[start].account_id, &ok[start].region);
        let end = ok[start..]
            .iter()
            .position(|v| &v.account_id != account || &v.region != region)
            .map_or(ok.len(), |n| start + n);
        let _ = write!(
            out,
            "<details open><summary>{} — {} virtual interface{}, all up</summary>",
            account_region(account, region),
            end - start,
            if end - start == 1 { "" } else { "s" }
        );
        vif_table(&mut out, &ok[start..end], false, links);
        out.push_str("</details>");
        start = end;
    }

    connections(&mut out, &status.connections);
    lags(&mut out, &status.lags);
    gateways(&mut out, &status.gateways);
    collectors(&mut out, &status.collectors, links);
    api_requests(&mut out, &status.api_requests);

    let _ = writeln!(
        out,
        "<footer><p class=\"meta\">directconnect-exporter {} ({}). The same view as JSON: \
         <a href=\"/api/v1/status\">/api/v1/status</a>.</p></footer></body></html>",
        escape(status.version),
        escape(status.revision),
    );
    out
}

fn head(out: &mut String, status: &Status) {
    let s = &status.summary;
    let problems = s.virtual_interfaces_down + s.virtual_interfaces_degraded;
    let title = if problems > 0 {
        format!(
            "✖ {problems} VIF problem{} · Direct Connect",
            if problems == 1 { "" } else { "s" }
        )
    } else {
        "✔ Direct Connect".to_owned()
    };
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"{}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style>{CSS}</style></head><body>",
        refresh_seconds(status),
        escape(&title),
    );
}

fn header(out: &mut String, status: &Status, links: &Links<'_>) {
    let _ = write!(
        out,
        "<header><h1>AWS Direct Connect status</h1>\
         <p class=\"meta\">Generated <time datetime=\"{t}\">{shown}</time> · refreshes every {r} s · {ready}</p>\
         <nav><a href=\"{m}\">Metrics</a><a href=\"/api/v1/status\">JSON</a>\
         <a href=\"/-/ready\">Readiness</a><a href=\"/-/healthy\">Health</a>",
        t = escape(&status.generated_at),
        shown = escape(&status.generated_at.replace('T', " ").replace('Z', " UTC")),
        r = refresh_seconds(status),
        ready = if status.ready {
            "every collector has finished its first cycle"
        } else {
            "first collection in progress"
        },
        m = escape(links.telemetry_path),
    );
    for (uid, name) in [
        (DASHBOARD_OVERVIEW, "Grafana: overview"),
        (DASHBOARD_VIRTUAL_INTERFACE, "Grafana: virtual interface"),
        (DASHBOARD_EXPORTER, "Grafana: exporter health"),
    ] {
        if let Some(url) = links.dashboard(uid, &[]) {
            let _ = write!(
                out,
                "<a href=\"{}\" rel=\"noopener noreferrer\">{name}</a>",
                escape(&url)
            );
        }
    }
    out.push_str("</nav></header>");
}

fn tiles(out: &mut String, status: &Status) {
    let s = &status.summary;
    let tile = |out: &mut String, class: Health, value: String, label: &str| {
        let _ = write!(
            out,
            "<div class=\"tile {}\"><b>{} {value}</b>{label}</div>",
            class.label(),
            marker(class)
        );
    };
    out.push_str("<section class=\"tiles\">");
    let flag = |bad: bool, worse: Health| if bad { worse } else { Health::Ok };
    tile(
        out,
        flag(s.virtual_interfaces_down > 0, Health::Down),
        s.virtual_interfaces_down.to_string(),
        "VIFs down",
    );
    tile(
        out,
        flag(s.virtual_interfaces_degraded > 0, Health::Degraded),
        s.virtual_interfaces_degraded.to_string(),
        "VIFs with a peer down",
    );
    tile(
        out,
        flag(s.bgp_peers_up < s.bgp_peers, Health::Degraded),
        format!("{}/{}", s.bgp_peers_up, s.bgp_peers),
        "BGP peers up",
    );
    tile(
        out,
        flag(s.gateways_at_risk > 0, Health::Down),
        s.gateways_at_risk.to_string(),
        "gateways at risk",
    );
    tile(
        out,
        flag(s.connections_down > 0, Health::Down),
        s.connections_down.to_string(),
        "connections and LAGs down",
    );
    tile(
        out,
        if s.virtual_interfaces_in_transition > 0 {
            Health::Transition
        } else {
            Health::Ok
        },
        s.virtual_interfaces_in_transition.to_string(),
        "VIFs in transition",
    );
    tile(
        out,
        flag(s.collectors_failing > 0, Health::Degraded),
        s.collectors_failing.to_string(),
        "collectors failing",
    );
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_allows_exactly_the_inline_style_sheet() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!csp.contains("unsafe"));
        assert!(!csp.contains("script-src"));
        // The hash is of the exact text emitted between the style tags.
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS));
        assert!(csp.contains(&hash));
    }

    #[test]
    fn dashboard_links_carry_the_variables_url_encoded() {
        let links = Links {
            telemetry_path: "/metrics",
            grafana_url: Some("https://grafana.example.com/sub"),
        };
        assert_eq!(
            links.dashboard(DASHBOARD_VIRTUAL_INTERFACE, &[("vif", "a b&c"), ("region", "us-east-1")]),
            Some("https://grafana.example.com/sub/d/directconnect-vif?var-vif=a+b%26c&var-region=us-east-1".into())
        );
        let none = Links {
            telemetry_path: "/metrics",
            grafana_url: None,
        };
        assert_eq!(none.dashboard(DASHBOARD_OVERVIEW, &[]), None);
    }

    #[test]
    fn the_dashboard_uids_exist_in_the_shipped_dashboards() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/dashboards");
        let mut uids = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                uids.push(v["uid"].as_str().unwrap().to_owned());
            }
        }
        for uid in [
            DASHBOARD_OVERVIEW,
            DASHBOARD_VIRTUAL_INTERFACE,
            DASHBOARD_EXPORTER,
        ] {
            assert!(uids.iter().any(|u| u == uid), "{uid} not in {uids:?}");
        }
    }

    #[test]
    fn ages_read_in_the_two_largest_units() {
        assert_eq!(format_age(0), "0s");
        assert_eq!(format_age(59), "59s");
        assert_eq!(format_age(3_600), "1h 0m");
        assert_eq!(format_age(86_399), "23h 59m");
    }
}
