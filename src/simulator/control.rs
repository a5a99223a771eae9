//! The control endpoint under `/_sim/`: set peer, VIF, connection and LAG states, inject faults, advance the clock, read the request log and dump the state.
//!
//! Endpoints (JSON in and out):
//! - `GET /_sim/health` → `{"status": "ok"}`
//! - `GET /_sim/state` → `{"now_seconds", "accounts": {id: {deny_assume_role, gateways,
//!   attachments, associations, regions: {name: {connections, lags, virtual_interfaces}}}}, "faults"}`
//! - `POST /_sim/peer` `{"virtual_interface_id", "address_family"|"bgp_peer_id", "bgp_status"?, "bgp_peer_state"?}` → the VIF
//! - `POST /_sim/routes` `{"virtual_interface_id", "address_family", "accepted"?, "advertised"?}`
//!   → the VIF (accepted routes over its limit put that family's peer down)
//! - `POST /_sim/optics` `{"connection_id", "tx_dbm"?, "rx_dbm"?}` → the connection with
//!   its `optics` (every lane's light level in CloudWatch `AWS/DX`)
//! - `POST /_sim/virtual-interface` `{"virtual_interface_id", "state"}` → the VIF
//! - `POST /_sim/connection` `{"connection_id", "state"?, "port_encryption_status"?}` → the
//!   connection (its state and/or MACsec status, at least one)
//! - `POST /_sim/lag` `{"lag_id", "state"}` → the LAG
//! - `POST /_sim/faults` `{"kind", "operation"?, "account"?, "region"?, "count"?, "latency_ms"?}` → `{"id": n}`;
//!   409 when the fault list is full (see below)
//! - `GET /_sim/faults` → active faults; `DELETE /_sim/faults` → `{"cleared": n}`
//! - `POST /_sim/clock/advance` `{"seconds": number}` → `{"now_seconds": number}`
//! - `GET /_sim/requests` → `[{"seq", "operation", "account", "region", "status", "error_code"}]`
//! - `DELETE /_sim/requests` → `{"cleared": n}`
//!
//! Unknown resource ids answer 404 `{"error": ...}`; a bad body answers 400; a known
//! path with another method answers 405.
//!
//! Who may call it: the endpoint changes state and injects faults, so a web page the
//! operator happens to open must not be able to drive it. Every control request needs a
//! loopback `Host` (`localhost`, `127.0.0.0/8`, `[::1]`, any port), which defeats DNS
//! rebinding, and any `Origin` it carries must be loopback too; otherwise 403. Every
//! control POST needs `Content-Type: application/json`, which a page cannot send
//! cross-origin without a CORS preflight this server never grants; otherwise 415. Both
//! are checked before the body is read.
//!
//! Limits (fields of `simulator::Limits`, defaults in parentheses): the fault list holds
//! at most `max_faults` (1,000) faults, 409 past it (used-up and expired faults leave it,
//! `DELETE /_sim/faults` empties it); one clock advance is at most 10 years; and, as for
//! every request on the port, a body is at most `max_body_bytes` (1 MiB, else 413) and
//! must arrive within `body_read_timeout` (10 s, else 408), headers within
//! `header_read_timeout` (10 s), and at most `max_connections` (256) connections are
//! open at once (more wait to be accepted). The simulator logs a warning when it listens
//! on a non-loopback address.

use std::sync::Mutex;
use std::time::Duration;

use hyper::header::{CONTENT_TYPE, HOST, ORIGIN};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::faults::{FaultKind, FaultSpec};
use super::state::{self, ControlError, State};

/// Upper bound of one clock advance (about 10 years), so `Duration` math cannot overflow.
const MAX_ADVANCE_SECONDS: f64 = 315_360_000.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesRequest {
    virtual_interface_id: String,
    address_family: String,
    #[serde(default)]
    accepted: Option<u32>,
    #[serde(default)]
    advertised: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpticsRequest {
    connection_id: String,
    #[serde(default)]
    tx_dbm: Option<f64>,
    #[serde(default)]
    rx_dbm: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeerRequest {
    virtual_interface_id: String,
    #[serde(default)]
    address_family: Option<String>,
    #[serde(default)]
    bgp_peer_id: Option<String>,
    #[serde(default)]
    bgp_status: Option<String>,
    #[serde(default)]
    bgp_peer_state: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VifStateRequest {
    virtual_interface_id: String,
    state: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionStateRequest {
    connection_id: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    port_encryption_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LagStateRequest {
    lag_id: String,
    state: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    kind: FaultKind,
    #[serde(default)]
    operation: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    latency_ms: Option<u64>,
}

impl FaultRequest {
    /// The fault it asks for, and for how many calls.
    fn into_spec(self) -> (FaultSpec, Option<u32>) {
        let spec = FaultSpec {
            kind: self.kind,
            operation: self.operation,
            account: self.account,
            region: self.region,
            latency_ms: self.latency_ms.unwrap_or(0),
        };
        (spec, self.count)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    seconds: f64,
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> (StatusCode, Value) {
    (status, json!({"error": message.to_string()}))
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, (StatusCode, Value)> {
    serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("invalid request body: {e}"),
        )
    })
}

fn from_control(result: Result<Value, ControlError>) -> (StatusCode, Value) {
    match result {
        Ok(v) => (StatusCode::OK, v),
        Err(e @ ControlError::NotFound(_)) => error(StatusCode::NOT_FOUND, e),
        Err(e @ ControlError::Invalid(_)) => error(StatusCode::BAD_REQUEST, e),
    }
}

/// Whether `path` belongs to the control endpoint.
pub(crate) fn owns(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

/// Refuses a control request from a non-loopback `Host` or `Origin` (403), and a POST
/// whose body is not declared JSON (415), before its body is read.
pub(crate) fn admit(head: &Parts) -> Result<(), (StatusCode, Value)> {
    let header = |name| {
        head.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("\u{fffd}"))
    };
    match header(HOST) {
        Some(host) if is_loopback_host(host) => {}
        Some(host) => {
            return Err(error(
                StatusCode::FORBIDDEN,
                format!(
                    "Host {host:?} is not a loopback name; the control endpoint answers local clients only"
                ),
            ));
        }
        None => {
            return Err(error(
                StatusCode::FORBIDDEN,
                "the control endpoint needs a loopback Host header",
            ));
        }
    }
    if let Some(origin) = header(ORIGIN)
        && !is_loopback_origin(origin)
    {
        return Err(error(
            StatusCode::FORBIDDEN,
            format!(
                "Origin {origin:?} is not a loopback origin; the control endpoint answers local clients only"
            ),
        ));
    }
    if head.method == Method::POST && !header(CONTENT_TYPE).is_some_and(is_json) {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "control POSTs need Content-Type: application/json",
        ));
    }
    Ok(())
}

/// `localhost`, an IPv4 address in 127.0.0.0/8 or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`
        Some(rest) => match rest.split_once(']') {
            Some((v6, "")) => v6,
            Some((v6, port)) if port.strip_prefix(':').is_some_and(is_port) => v6,
            _ => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        },
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// 1 to 5 digits.
fn is_port(digits: &str) -> bool {
    (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `http://` or `https://` and a loopback host (an `Origin` carries no path).
fn is_loopback_origin(origin: &str) -> bool {
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(is_loopback_host)
}

/// `application/json`, any case, parameters (e.g. `charset`) allowed.
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Answers one control request. The lock is held only for the state change itself.
pub(crate) fn handle(
    state: &Mutex<State>,
    method: &Method,
    path: &str,
    body: &[u8],
) -> (StatusCode, Value) {
    match route(state, method, path, body) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn route(
    state: &Mutex<State>,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<(StatusCode, Value), (StatusCode, Value)> {
    let path = path.trim_end_matches('/');
    let allowed: &[Method] = match path {
        "/_sim/health" | "/_sim/state" => &[Method::GET],
        "/_sim/peer"
        | "/_sim/routes"
        | "/_sim/optics"
        | "/_sim/virtual-interface"
        | "/_sim/connection"
        | "/_sim/lag"
        | "/_sim/clock/advance" => &[Method::POST],
        "/_sim/faults" => &[Method::GET, Method::POST, Method::DELETE],
        "/_sim/requests" => &[Method::GET, Method::DELETE],
        _ => {
            return Err(error(
                StatusCode::NOT_FOUND,
                format!("no control endpoint {path}"),
            ));
        }
    };
    if !allowed.contains(method) {
        return Err(error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}"),
        ));
    }
    Ok(match (method.as_str(), path) {
        ("GET", "/_sim/health") => (StatusCode::OK, json!({"status": "ok"})),
        ("GET", "/_sim/state") => (StatusCode::OK, state::lock(state).dump()),
        ("POST", "/_sim/peer") => {
            let r: PeerRequest = parse(body)?;
            if r.bgp_status.is_none() && r.bgp_peer_state.is_none() {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "give bgp_status and/or bgp_peer_state",
                ));
            }
            from_control(state::lock(state).set_peer(
                &r.virtual_interface_id,
                r.address_family.as_deref(),
                r.bgp_peer_id.as_deref(),
                r.bgp_status.as_deref(),
                r.bgp_peer_state.as_deref(),
            ))
        }
        ("POST", "/_sim/routes") => {
            let r: RoutesRequest = parse(body)?;
            from_control(state::lock(state).set_routes(
                &r.virtual_interface_id,
                &r.address_family,
                r.accepted,
                r.advertised,
            ))
        }
        ("POST", "/_sim/optics") => {
            let r: OpticsRequest = parse(body)?;
            if r.tx_dbm.is_none() && r.rx_dbm.is_none() {
                return Err(error(StatusCode::BAD_REQUEST, "give tx_dbm and/or rx_dbm"));
            }
            from_control(state::lock(state).set_optics(&r.connection_id, r.tx_dbm, r.rx_dbm))
        }
        ("POST", "/_sim/virtual-interface") => {
            let r: VifStateRequest = parse(body)?;
            from_control(state::lock(state).set_vif_state(&r.virtual_interface_id, &r.state))
        }
        ("POST", "/_sim/connection") => {
            let r: ConnectionStateRequest = parse(body)?;
            if r.state.is_none() && r.port_encryption_status.is_none() {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "give state and/or port_encryption_status",
                ));
            }
            from_control(state::lock(state).set_connection(
                &r.connection_id,
                r.state.as_deref(),
                r.port_encryption_status.as_deref(),
            ))
        }
        ("POST", "/_sim/lag") => {
            let r: LagStateRequest = parse(body)?;
            from_control(state::lock(state).set_lag_state(&r.lag_id, &r.state))
        }
        ("POST", "/_sim/faults") => {
            let (spec, count) = parse::<FaultRequest>(body)?.into_spec();
            if count == Some(0) {
                return Err(error(StatusCode::BAD_REQUEST, "count must be at least 1"));
            }
            if let Some(problem) = spec.problem() {
                return Err(error(StatusCode::BAD_REQUEST, problem));
            }
            match state::lock(state).add_fault(spec, count) {
                Ok(id) => (StatusCode::OK, json!({"id": id})),
                Err(full) => error(StatusCode::CONFLICT, full),
            }
        }
        ("GET", "/_sim/faults") => (StatusCode::OK, json!(state::lock(state).faults())),
        ("DELETE", "/_sim/faults") => (
            StatusCode::OK,
            json!({"cleared": state::lock(state).clear_faults()}),
        ),
        ("POST", "/_sim/clock/advance") => {
            let r: ClockRequest = parse(body)?;
            if !r.seconds.is_finite() || r.seconds < 0.0 || r.seconds > MAX_ADVANCE_SECONDS {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "seconds must be a finite number in 0..=315360000",
                ));
            }
            let mut st = state::lock(state);
            st.advance_clock(Duration::from_secs_f64(r.seconds));
            (
                StatusCode::OK,
                json!({"now_seconds": st.now_ms() as f64 / 1000.0}),
            )
        }
        ("GET", "/_sim/requests") => (StatusCode::OK, json!(state::lock(state).requests())),
        ("DELETE", "/_sim/requests") => (
            StatusCode::OK,
            json!({"cleared": state::lock(state).clear_requests()}),
        ),
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::Scenario;

    fn sim() -> Mutex<State> {
        Mutex::new(State::new(Scenario::demo(), crate::simulator::MAX_FAULTS))
    }

    /// `handle` on a fresh demo state, for each `(method, path, body)` in turn.
    fn statuses(requests: &[(Method, &str, &str)]) -> Vec<(StatusCode, Value)> {
        let s = sim();
        requests
            .iter()
            .map(|(method, path, body)| handle(&s, method, path, body.as_bytes()))
            .collect()
    }

    #[test]
    fn unknown_ids_are_404_and_bad_bodies_are_400() {
        let vif = r#"{"virtual_interface_id":"dxvif-nope","state":"down"}"#;
        let answers = statuses(&[
            (Method::POST, "/_sim/virtual-interface", vif),
            (Method::POST, "/_sim/virtual-interface", "{"),
            (Method::POST, "/_sim/clock/advance", r#"{"seconds":-1}"#),
            (Method::GET, "/_sim/peer", ""),
            (Method::GET, "/_sim/nope", ""),
        ]);
        let codes: Vec<StatusCode> = answers.into_iter().map(|(st, _)| st).collect();
        assert_eq!(
            codes,
            [
                StatusCode::NOT_FOUND,
                StatusCode::BAD_REQUEST,
                StatusCode::BAD_REQUEST,
                StatusCode::METHOD_NOT_ALLOWED,
                StatusCode::NOT_FOUND,
            ]
        );
    }

    #[test]
    fn loopback_hosts_are_localhost_127_slash_8_and_ipv6_one_with_any_port() {
        for ok in [
            "localhost",
            "LOCALHOST:80",
            "127.0.0.1",
            "127.1.2.3:4599",
            "[::1]",
            "[::1]:9",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "example.com",
            "localhost.example.com",
            "127.0.0.1.nip.io",
            "10.0.0.1:4599",
            "[::2]:1",
            "[::1]x",
            "localhost:http",
            "localhost:123456",
            "::1",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_origins_are_http_or_https_on_a_loopback_host() {
        assert!(is_loopback_origin("http://localhost:4599"));
        assert!(is_loopback_origin("https://[::1]"));
        for bad in ["null", "file://", "http://evil.example", "ftp://localhost"] {
            assert!(!is_loopback_origin(bad), "{bad}");
        }
    }

    #[test]
    fn json_is_application_json_with_any_case_and_parameters() {
        for ok in ["application/json", "Application/JSON ; charset=utf-8"] {
            assert!(is_json(ok), "{ok}");
        }
        for bad in ["text/plain", "application/jsonp", ""] {
            assert!(!is_json(bad), "{bad}");
        }
    }

    #[test]
    fn faults_get_ids_and_can_be_cleared() {
        let answers = statuses(&[
            (
                Method::POST,
                "/_sim/faults",
                r#"{"kind":"throttle","count":2}"#,
            ),
            (Method::DELETE, "/_sim/faults", ""),
        ]);
        assert_eq!(answers[0].0, StatusCode::OK);
        assert_eq!(answers[0].1["id"], 1);
        assert_eq!(answers[1].1["cleared"], 1);
    }
}
