//! The status page's tables: virtual interfaces and peers, redundancy per gateway, AWS
//! maintenance, recent changes, connections, LAGs, gateways, collectors and API calls.

use std::fmt::Write as _;

use super::super::{
    ApiRequests, ChangeStatus, CollectorStatus, ConnectionStatus, GatewayKind, GatewayPaths,
    GatewayStatus, Health, LagStatus, MaintenanceStatus, PathGroup, Redundancy,
    VirtualInterfaceStatus,
};
use super::{
    DASHBOARD_EXPORTER, DASHBOARD_VIRTUAL_INTERFACE, Links, account_region, badge, format_age,
    health_words, marker, since,
};
use crate::markup::escape;
use crate::model::CallResult;

pub(super) fn vif_table(
    out: &mut String,
    vifs: &[&VirtualInterfaceStatus],
    with_account: bool,
    links: &Links<'_>,
) {
    out.push_str("<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th>");
    if with_account {
        out.push_str("<th>Account / region</th>");
    }
    out.push_str(
        "<th>Virtual interface</th><th>Type</th><th>Connection</th><th>Location</th>\
         <th class=\"n\">VLAN</th><th class=\"n\">ASN</th><th>State</th><th>BGP peers</th></tr></thead><tbody>",
    );
    for v in vifs {
        out.push_str("<tr><td data-label=\"Status\">");
        badge(out, v.health, &health_words(v.health, &v.state));
        out.push_str("</td>");
        if with_account {
            let _ = write!(
                out,
                "<td data-label=\"Account / region\">{}</td>",
                account_region(&v.account_id, &v.region)
            );
        }
        let _ = write!(
            out,
            "<td data-label=\"VIF\"><code>{}</code><br>{}",
            escape(&v.id),
            escape(&v.name)
        );
        if let Some(url) = links.dashboard(
            DASHBOARD_VIRTUAL_INTERFACE,
            &[
                ("account", &v.account_id),
                ("region", &v.region),
                ("connection", &v.connection_id),
                ("vif", &v.id),
            ],
        ) {
            let _ = write!(
                out,
                " <small><a href=\"{}\" rel=\"noopener noreferrer\">graphs</a></small>",
                escape(&url)
            );
        }
        let _ = write!(
            out,
            "</td><td data-label=\"Type\">{}</td><td data-label=\"Connection\"><code>{}</code></td>\
             <td data-label=\"Location\">{}</td><td data-label=\"VLAN\" class=\"n\">{}</td>\
             <td data-label=\"ASN\" class=\"n\">{}</td><td data-label=\"State\">{} ",
            escape(&v.vif_type),
            escape(&v.connection_id),
            escape(&v.location),
            v.vlan,
            v.asn,
            escape(&v.state),
        );
        since(out, &v.since);
        out.push_str("</td><td data-label=\"BGP peers\"><ul class=\"l\">");
        for p in &v.bgp_peers {
            out.push_str("<li>");
            badge(out, p.health, &p.status);
            out.push(' ');
            since(out, &p.since);
            let _ = write!(
                out,
                " · {} AS{} · <small>peer {}</small>",
                escape(&p.address_family),
                p.asn,
                escape(&p.state),
            );
            out.push_str("</li>");
        }
        if v.bgp_peers.is_empty() {
            out.push_str("<li class=\"muted\">no BGP peer</li>");
        }
        out.push_str("</ul></td></tr>");
    }
    out.push_str("</tbody></table></div>");
}

fn redundancy_words(r: Redundancy) -> (Health, &'static str) {
    match r {
        Redundancy::NoHealthyPaths => (Health::Down, "no healthy path"),
        Redundancy::RedundancyLost => (Health::Degraded, "redundancy lost"),
        Redundancy::SingleDevice => (Health::Degraded, "one device"),
        Redundancy::SingleLocation => (Health::Degraded, "one location"),
        Redundancy::Testing => (Health::Transition, "failover test"),
        Redundancy::SinglePath => (Health::Transition, "single path"),
        Redundancy::Ok => (Health::Ok, "redundant"),
    }
}

fn path_groups(out: &mut String, groups: &[PathGroup]) {
    out.push_str("<ul class=\"l\">");
    for g in groups {
        let h = if g.healthy_paths == 0 {
            Health::Down
        } else if g.healthy_paths < g.paths {
            Health::Degraded
        } else {
            Health::Ok
        };
        let _ = write!(
            out,
            "<li><span class=\"v {}\">{} {}/{}</span> {}</li>",
            h.label(),
            marker(h),
            g.healthy_paths,
            g.paths,
            if g.name.is_empty() {
                "(none reported)".to_owned()
            } else {
                escape(&g.name)
            },
        );
    }
    out.push_str("</ul>");
}

pub(super) fn redundancy(out: &mut String, gateways: &[GatewayPaths]) {
    out.push_str(
        "<h2 id=\"redundancy\">Redundancy</h2><p class=\"muted\">Healthy paths (virtual \
         interface available with a BGP peer up) out of provisioned paths (available, down or \
         testing), as the alert rules count them.</p>",
    );
    if gateways.is_empty() {
        out.push_str("<p class=\"muted\">No virtual interface is attached to a gateway.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th><th>Gateway</th>\
         <th>Healthy paths</th><th>By AWS device</th><th>By location</th><th>Paths</th></tr></thead><tbody>",
    );
    for g in gateways {
        let (health, words) = redundancy_words(g.status);
        out.push_str("<tr><td data-label=\"Status\">");
        badge(out, health, words);
        let kind = match g.kind {
            GatewayKind::DirectConnectGateway => "Direct Connect gateway",
            GatewayKind::VirtualGateway => "virtual private gateway",
        };
        let _ = write!(
            out,
            "</td><td data-label=\"Gateway\"><code>{}</code> {}<br><small>{kind}",
            escape(&g.id),
            escape(&g.name),
        );
        if !g.account_id.is_empty() {
            let _ = write!(out, ", {}", account_region(&g.account_id, &g.region));
        }
        let _ = write!(
            out,
            "</small></td><td data-label=\"Healthy paths\"><b>{h} of {p}</b> \
             <meter min=\"0\" max=\"{p}\" low=\"1\" high=\"{hi}\" optimum=\"{p}\" value=\"{h}\">{h}/{p}</meter>",
            h = g.healthy_paths,
            p = g.paths,
            hi = g.paths.min(2),
        );
        if g.testing_paths > 0 {
            let _ = write!(
                out,
                "<br><small>{} in failover test</small>",
                g.testing_paths
            );
        }
        out.push_str("</td><td data-label=\"By AWS device\">");
        path_groups(out, &g.by_device);
        out.push_str("</td><td data-label=\"By location\">");
        path_groups(out, &g.by_location);
        out.push_str("</td><td data-label=\"Paths\"><ul class=\"l\">");
        for p in &g.virtual_interfaces {
            let h = if p.healthy {
                Health::Ok
            } else if p.state == "testing" {
                Health::Transition
            } else {
                Health::Down
            };
            let _ = write!(
                out,
                "<li><span class=\"v {}\">{} {}</span> <code>{}</code> {}</li>",
                h.label(),
                marker(h),
                if p.healthy { "healthy" } else { "unhealthy" },
                escape(&p.virtual_interface_id),
                escape(&p.virtual_interface_name),
            );
        }
        out.push_str("</ul></td></tr>");
    }
    out.push_str("</tbody></table></div>");
}

/// The colour class for a value in a change: up and available read as good, down as bad.
fn value_health(v: &str) -> Health {
    match v {
        "up" | "available" => Health::Ok,
        "down" => Health::Down,
        _ => Health::Transition,
    }
}

pub(super) fn changes(out: &mut String, changes: &[ChangeStatus]) {
    let _ = write!(
        out,
        "<h2 id=\"changes\">Recent changes</h2><p class=\"muted\">The last {} VIF state and BGP \
         peer status changes this exporter observed since it started, newest first.</p>",
        crate::history::MAX_CHANGES
    );
    if changes.is_empty() {
        out.push_str("<p class=\"muted\">No change observed yet.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>When</th><th>Account / region</th>\
         <th>Virtual interface</th><th>What</th><th>Change</th></tr></thead><tbody>",
    );
    for cs in changes {
        let c = &cs.change;
        let what = match &c.bgp_peer_id {
            Some(peer) => format!(
                "BGP peer {} <code>{}</code>",
                escape(c.address_family.as_deref().unwrap_or("")),
                escape(peer)
            ),
            None => "VIF state".to_owned(),
        };
        let (from, to) = (value_health(&c.from), value_health(&c.to));
        let _ = write!(
            out,
            "<tr><td data-label=\"When\"><time datetime=\"{t}\" title=\"{t}\">{age} ago</time></td>\
             <td data-label=\"Account / region\">{ar}</td>\
             <td data-label=\"VIF\"><code>{id}</code> {name}</td><td data-label=\"What\">{what}</td>\
             <td data-label=\"Change\"><span class=\"v {fc}\">{fm} {f}</span> → <span class=\"v {tc}\">{tm} {to}</span></td></tr>",
            t = escape(&cs.time),
            age = format_age(cs.age_seconds),
            ar = account_region(&c.account_id, &c.region),
            id = escape(&c.virtual_interface_id),
            name = escape(&c.virtual_interface_name),
            fc = from.label(),
            fm = marker(from),
            f = escape(&c.from),
            tc = to.label(),
            tm = marker(to),
            to = escape(&c.to),
        );
    }
    out.push_str("</tbody></table></div>");
}

pub(super) fn connections(out: &mut String, list: &[ConnectionStatus]) {
    out.push_str("<h2 id=\"connections\">Connections</h2>");
    if list.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th><th>Connection</th>\
         <th>Account / region</th><th>Location</th><th>AWS device</th><th>Bandwidth</th><th>LAG</th>\
         <th>Logical redundancy</th><th>MACsec</th><th>State</th></tr></thead><tbody>",
    );
    for c in list {
        out.push_str("<tr><td data-label=\"Status\">");
        badge(out, c.health, &health_words(c.health, &c.state));
        let _ = write!(
            out,
            "</td><td data-label=\"Connection\"><code>{}</code> {}</td><td data-label=\"Account / region\">{}</td>\
             <td data-label=\"Location\">{}</td><td data-label=\"AWS device\">{}</td><td data-label=\"Bandwidth\">{}</td>\
             <td data-label=\"LAG\">{}</td><td data-label=\"Logical redundancy\">{}</td><td data-label=\"MACsec\">",
            escape(&c.id),
            escape(&c.name),
            account_region(&c.account_id, &c.region),
            escape(&c.location),
            escape(&c.aws_logical_device_id),
            escape(&c.bandwidth),
            escape(&c.lag_id),
            escape(&c.has_logical_redundancy),
        );
        macsec(out, c);
        let _ = write!(
            out,
            "</td><td data-label=\"State\">{}</td></tr>",
            escape(&c.state)
        );
    }
    out.push_str("</tbody></table></div>");
}

/// A connection's MACsec encryption, coloured as the alert rules see it: down is a problem
/// when the encryption mode asks for encryption; a dash when it has no MACsec.
fn macsec(out: &mut String, c: &ConnectionStatus) {
    let Some(status) = c.encryption else {
        out.push('—');
        return;
    };
    let asks = matches!(
        c.encryption_mode.as_str(),
        "must_encrypt" | "should_encrypt"
    );
    let health = match status {
        "up" => Health::Ok,
        "down" if asks => Health::Down,
        _ => Health::Transition,
    };
    let words = if c.encryption_mode.is_empty() {
        status.to_owned()
    } else {
        format!("{status} ({})", c.encryption_mode)
    };
    badge(out, health, &words);
}

/// Upcoming and open AWS maintenance; nothing when the `maintenance` collector is off.
pub(super) fn maintenance(out: &mut String, list: Option<&[MaintenanceStatus]>) {
    let Some(list) = list else { return };
    out.push_str(
        "<h2 id=\"maintenance\">AWS maintenance</h2><p class=\"muted\">Upcoming and open \
         scheduled maintenance of connections and virtual interfaces, from AWS Health.</p>",
    );
    if list.is_empty() {
        out.push_str("<p class=\"muted\">None scheduled.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th><th>Resource</th>\
         <th>Account / region</th><th>Window</th><th>Event</th></tr></thead><tbody>",
    );
    for m in list {
        let words = match m.starts_in_seconds {
            Some(s) if s > 0 => {
                format!("{} — starts in {}", m.status, format_age(s.unsigned_abs()))
            }
            Some(s) => format!("{} — began {} ago", m.status, format_age(s.unsigned_abs())),
            None => m.status.clone(),
        };
        out.push_str("<tr><td data-label=\"Status\">");
        badge(out, Health::Transition, &words);
        // The ARN's last part names the event; the whole ARN is in the tooltip.
        let event_id = m.event_arn.rsplit('/').next().unwrap_or(&m.event_arn);
        let _ = write!(
            out,
            "</td><td data-label=\"Resource\">{kind} <code>{id}</code></td>\
             <td data-label=\"Account / region\">{ar}</td><td data-label=\"Window\">{window}</td>\
             <td data-label=\"Event\">{ty}<br><code title=\"{arn}\">{event_id}</code></td></tr>",
            kind = m.resource_type.replace('_', " "),
            id = escape(&m.resource_id),
            ar = account_region(&m.account_id, &m.region),
            window = escape(&window(m.start.as_deref(), m.end.as_deref())),
            ty = escape(&m.event_type),
            arn = escape(&m.event_arn),
            event_id = escape(event_id),
        );
    }
    out.push_str("</tbody></table></div>");
}

/// A maintenance window from two RFC 3339 times, to the minute, the end's date left out
/// when it is the start's: `2026-12-07 05:03 → 05:09 UTC`; `?` for a missing end.
fn window(start: Option<&str>, end: Option<&str>) -> String {
    // (date, time to the minute) of an RFC 3339 time; anything else is shown as it is.
    let split = |t: &str| match (t.get(..10), t.get(11..16)) {
        (Some(date), Some(time)) => (date.to_owned(), time.to_owned()),
        _ => (t.to_owned(), String::new()),
    };
    let join = |(date, time): (String, String)| format!("{date} {time}").trim_end().to_owned();
    match (start.map(split), end.map(split)) {
        (None, None) => "not given".to_owned(),
        (Some(s), Some(e)) if s.0 == e.0 && !e.1.is_empty() => {
            format!("{} → {} UTC", join(s), e.1)
        }
        (s, e) => format!(
            "{} → {} UTC",
            s.map_or("?".to_owned(), join),
            e.map_or("?".to_owned(), join)
        ),
    }
}

pub(super) fn lags(out: &mut String, list: &[LagStatus]) {
    out.push_str("<h2 id=\"lags\">LAGs</h2>");
    if list.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th><th>LAG</th>\
         <th>Account / region</th><th>Location</th><th>AWS device</th><th>Links available</th>\
         <th>State</th></tr></thead><tbody>",
    );
    for l in list {
        out.push_str("<tr><td data-label=\"Status\">");
        let words = if l.health == Health::Down && l.state == "available" {
            "below minimum links".to_owned()
        } else {
            health_words(l.health, &l.state)
        };
        badge(out, l.health, &words);
        let _ = write!(
            out,
            "</td><td data-label=\"LAG\"><code>{}</code> {}</td><td data-label=\"Account / region\">{}</td>\
             <td data-label=\"Location\">{}</td><td data-label=\"AWS device\">{}</td>\
             <td data-label=\"Links available\">{} of {} × {} <small>(minimum {})</small></td>\
             <td data-label=\"State\">{}</td></tr>",
            escape(&l.id),
            escape(&l.name),
            account_region(&l.account_id, &l.region),
            escape(&l.location),
            escape(&l.aws_logical_device_id),
            l.connections_available,
            l.connections,
            escape(&l.connections_bandwidth),
            l.minimum_links,
            escape(&l.state),
        );
    }
    out.push_str("</tbody></table></div>");
}

pub(super) fn gateways(out: &mut String, list: &[GatewayStatus]) {
    out.push_str("<h2 id=\"gateways\">Direct Connect gateways</h2>");
    if list.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th><th>Gateway</th>\
         <th>Owner</th><th class=\"n\">Amazon ASN</th><th>Attachments and associations</th></tr></thead><tbody>",
    );
    for g in list {
        out.push_str("<tr><td data-label=\"Status\">");
        badge(out, g.health, &health_words(g.health, &g.state));
        let _ = write!(
            out,
            "</td><td data-label=\"Gateway\"><code>{}</code> {}</td><td data-label=\"Owner\">{}</td>\
             <td data-label=\"Amazon ASN\" class=\"n\">{}</td><td data-label=\"Attachments and associations\"><ul class=\"l\">",
            escape(&g.id),
            escape(&g.name),
            escape(&g.owner_account),
            g.amazon_side_asn.map(|a| a.to_string()).unwrap_or_default(),
        );
        for l in &g.links {
            let h = match l.state.as_str() {
                "attached" | "associated" => Health::Ok,
                _ => Health::Transition,
            };
            let _ = write!(
                out,
                "<li><span class=\"v {}\">{} {}</span> <code>{}</code> <small>{}</small></li>",
                h.label(),
                marker(h),
                escape(&l.state),
                escape(&l.id),
                escape(&l.link_type),
            );
        }
        out.push_str("</ul></td></tr>");
    }
    out.push_str("</tbody></table></div>");
}

pub(super) fn collectors(out: &mut String, list: &[CollectorStatus], links: &Links<'_>) {
    out.push_str("<h2 id=\"collectors\">Collectors</h2>");
    if let Some(url) = links.dashboard(DASHBOARD_EXPORTER, &[]) {
        let _ = write!(
            out,
            "<p><a href=\"{}\" rel=\"noopener noreferrer\">Exporter health in Grafana</a></p>",
            escape(&url)
        );
    }
    if list.is_empty() {
        out.push_str("<p class=\"muted\">No collector has reported yet.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Status</th><th>Account / region</th>\
         <th>Collector</th><th>Last success</th><th>Last error</th><th class=\"n\">Duration</th>\
         <th class=\"n\">Interval</th><th class=\"n\">Resources</th></tr></thead><tbody>",
    );
    for c in list {
        out.push_str("<tr><td data-label=\"Status\">");
        if c.success {
            badge(out, Health::Ok, "success");
        } else {
            badge(out, Health::Down, "failed");
        }
        let last = match (&c.last_success, c.last_success_age_seconds) {
            (Some(t), Some(age)) => format!(
                "<time datetime=\"{t}\" title=\"{t}\">{} ago</time>",
                format_age(age),
                t = escape(t)
            ),
            _ => "never".to_owned(),
        };
        let _ = write!(
            out,
            "</td><td data-label=\"Account / region\">{}</td><td data-label=\"Collector\">{}</td>\
             <td data-label=\"Last success\">{last}</td><td data-label=\"Last error\">{}</td>\
             <td data-label=\"Duration\" class=\"n\">{:.2} s</td><td data-label=\"Interval\" class=\"n\">{} s</td>\
             <td data-label=\"Resources\" class=\"n\">{}</td></tr>",
            account_region(&c.account_id, &c.region),
            escape(c.collector),
            c.last_error.as_deref().map(escape).unwrap_or_default(),
            c.duration_seconds,
            c.interval_seconds,
            c.resources.map(|n| n.to_string()).unwrap_or_default(),
        );
        if c.panics > 0 {
            let _ = write!(
                out,
                "<tr><td colspan=\"8\"><small>restarted {} time(s) after a panic</small></td></tr>",
                c.panics
            );
        }
    }
    out.push_str("</tbody></table></div>");
}

pub(super) fn api_requests(out: &mut String, list: &[ApiRequests]) {
    out.push_str(
        "<h2 id=\"api\">AWS API calls</h2><p class=\"muted\">Attempts since start, retries \
         included, by result.</p>",
    );
    if list.is_empty() {
        out.push_str("<p class=\"muted\">None yet.</p>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Account / region</th><th>Operation</th>",
    );
    for r in CallResult::ALL {
        let _ = write!(out, "<th class=\"n\">{}</th>", r.label());
    }
    out.push_str("<th class=\"n\">total</th></tr></thead><tbody>");
    for a in list {
        let _ = write!(
            out,
            "<tr><td data-label=\"Account / region\">{}</td><td data-label=\"Operation\">{}</td>",
            account_region(&a.account_id, &a.region),
            escape(a.operation),
        );
        for r in CallResult::ALL {
            let n = a.results.get(r.label()).copied().unwrap_or(0);
            let class = if r != CallResult::Success && n > 0 {
                " v degraded"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<td data-label=\"{}\" class=\"n{class}\">{n}</td>",
                r.label()
            );
        }
        let _ = write!(
            out,
            "<td data-label=\"total\" class=\"n\">{}</td></tr>",
            a.total
        );
    }
    out.push_str("</tbody></table></div>");
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn a_window_reads_to_the_minute_and_names_the_date_once_when_it_stays_the_same() {
        assert_eq!(
            window(Some("2026-12-07T05:03:24Z"), Some("2026-12-07T05:09:24Z")),
            "2026-12-07 05:03 → 05:09 UTC"
        );
        assert_eq!(
            window(Some("2026-12-07T23:30:00Z"), Some("2026-12-08T01:30:00Z")),
            "2026-12-07 23:30 → 2026-12-08 01:30 UTC"
        );
        assert_eq!(
            window(Some("2026-12-07T23:30:00Z"), None),
            "2026-12-07 23:30 → ? UTC"
        );
        assert_eq!(window(None, None), "not given");
        assert_eq!(window(Some("soon"), Some("later")), "soon → later UTC");
    }
}
