//! The `AWS/DX` series derived from the fleet: which query names a series (its metric and exact dimension set) and the value it samples at a wall-clock time.

use std::f64::consts::TAU;

use super::input::Query;
use crate::simulator::scenario::{ConnectionSpec, VifSpec};
use crate::simulator::state::{RegionState, State, render};

/// The namespace of Direct Connect metrics.
const NAMESPACE: &str = "AWS/DX";
/// Seconds between two samples of a series.
pub(super) const SAMPLE_SECONDS: i64 = 30;
/// Average packet size the packet rates are derived with, in bytes.
const PACKET_BYTES: f64 = 700.0;
/// Receive level of a port with no light (the connection is down), dBm.
const NO_LIGHT_DBM: f64 = -40.0;

/// A value sampled at a wall-clock time (epoch seconds); `None`: no sample then.
pub(super) type Sampler<'a> = Box<dyn Fn(i64) -> Option<f64> + 'a>;

impl State {
    /// How the series query `q` names is sampled, if the caller's region has it.
    pub(super) fn sampler<'a>(
        &'a self,
        region: &'a RegionState,
        q: &'a Query,
    ) -> Option<Sampler<'a>> {
        if q.namespace != NAMESPACE {
            return None;
        }
        let dim = |name: &str| q.dims.get(name).map(String::as_str);
        let names: Vec<&str> = q.dims.keys().map(String::as_str).collect();
        let conn_id = dim("ConnectionId")?;
        match (q.metric.as_str(), names.as_slice()) {
            (
                "ConnectionLightLevelTx" | "ConnectionLightLevelRx",
                ["ConnectionId", "OpticalLaneNumber"],
            ) => {
                let conn = region.connections.get(conn_id)?;
                let lane: u32 = dim("OpticalLaneNumber")?.parse().ok()?;
                if lane == 0 || lane > lanes(conn) {
                    return None;
                }
                let tx = q.metric.ends_with("Tx");
                Some(Box::new(move |t| Some(light(conn, lane, tx, t))))
            }
            (metric, ["ConnectionId"]) if metric.starts_with("Connection") => {
                let conn = region.connections.get(conn_id)?;
                self.connection_sampler(region, conn, metric)
            }
            (metric, ["ConnectionId", "VirtualInterfaceId"]) => {
                let vif = region.vifs.get(dim("VirtualInterfaceId")?)?;
                if vif.connection != conn_id {
                    return None;
                }
                let (packets, egress) = match metric {
                    "VirtualInterfaceBpsEgress" => (false, true),
                    "VirtualInterfaceBpsIngress" => (false, false),
                    "VirtualInterfacePpsEgress" => (true, true),
                    "VirtualInterfacePpsIngress" => (true, false),
                    _ => return None,
                };
                Some(Box::new(move |t| {
                    let bps = self.vif_bps(region, vif, egress, t);
                    Some(if packets {
                        bps / 8.0 / PACKET_BYTES
                    } else {
                        bps
                    })
                }))
            }
            (metric, ["ConnectionId", "IpAddressFamily", "VirtualInterfaceId"]) => {
                let vif = region.vifs.get(dim("VirtualInterfaceId")?)?;
                let family = match dim("IpAddressFamily")? {
                    "IPv4" => "ipv4",
                    "IPv6" => "ipv6",
                    _ => return None,
                };
                if vif.connection != conn_id || !vif.peers.iter().any(|p| p.family == family) {
                    return None;
                }
                let routes = vif.routes.of(family);
                let count = match metric {
                    "VirtualInterfaceBgpStatus" => None,
                    "VirtualInterfaceBgpPrefixesAccepted" => Some(routes.accepted),
                    "VirtualInterfaceBgpPrefixesAdvertised" => Some(routes.advertised),
                    _ => return None,
                };
                Some(Box::new(move |t| {
                    let up = self.bgp_up(vif, family, t);
                    Some(match count {
                        None => f64::from(u8::from(up)),
                        Some(n) if up => f64::from(n),
                        Some(_) => 0.0,
                    })
                }))
            }
            _ => None,
        }
    }

    /// The sampler of a connection metric with the `ConnectionId` dimension alone.
    fn connection_sampler<'a>(
        &'a self,
        region: &'a RegionState,
        conn: &'a ConnectionSpec,
        metric: &str,
    ) -> Option<Sampler<'a>> {
        let rate = |packets: bool, egress: bool| -> Sampler<'a> {
            Box::new(move |t| {
                let bps = self.connection_bps(region, conn, egress, t);
                Some(if packets {
                    bps / 8.0 / PACKET_BYTES
                } else {
                    bps
                })
            })
        };
        Some(match metric {
            "ConnectionBpsEgress" => rate(false, true),
            "ConnectionBpsIngress" => rate(false, false),
            "ConnectionPpsEgress" => rate(true, true),
            "ConnectionPpsIngress" => rate(true, false),
            "ConnectionState" => {
                let up = f64::from(u8::from(conn.state == "available"));
                Box::new(move |_| Some(up))
            }
            "ConnectionErrorCount" => Box::new(move |t| {
                let worst = (1..=lanes(conn))
                    .map(|lane| light(conn, lane, false, t))
                    .fold(f64::INFINITY, f64::min);
                let below = rx_floor(conn) - worst;
                Some(if below > 0.0 {
                    (below * 40.0).ceil()
                } else {
                    0.0
                })
            }),
            "ConnectionEncryptionState" => {
                if !conn.mac_sec_capable && conn.encryption_mode.is_none() {
                    return None;
                }
                let up = conn.port_encryption_status.as_deref() == Some("Encryption Up");
                let value = f64::from(u8::from(up));
                Box::new(move |_| Some(value))
            }
            _ => return None,
        })
    }

    /// Whether the peer of `family` on `vif` is up at wall-clock `t`.
    fn bgp_up(&self, vif: &VifSpec, family: &str, t: i64) -> bool {
        let at = self.clock.sim_ms_at(t as f64);
        vif.state == "available"
            && vif
                .peers
                .iter()
                .any(|p| p.family == family && render::effective_status(vif, p, at) == "up")
    }

    /// Traffic of `vif` at `t` in bits per second, one direction.
    fn vif_bps(&self, region: &RegionState, vif: &VifSpec, egress: bool, t: i64) -> f64 {
        let at = self.clock.sim_ms_at(t as f64);
        let carrying = vif.state == "available"
            && vif
                .peers
                .iter()
                .any(|p| render::effective_status(vif, p, at) == "up");
        if !carrying {
            return 0.0;
        }
        let seed = seed(&vif.id);
        let base = vif.traffic_bps.unwrap_or_else(|| {
            let port = port_bps(region, &vif.connection);
            port * (0.05 + 0.30 * (seed % 1000) as f64 / 1000.0)
        });
        let share = if egress { 1.0 } else { 0.6 };
        let phase = (seed % 360) as f64 / 360.0 + if egress { 0.0 } else { 0.25 };
        base * share * (1.0 + 0.15 * (TAU * (t as f64 / 3600.0 + phase)).sin())
    }

    /// Traffic of connection `conn` at `t`: its VIFs', a LAG member's share of the LAG's.
    fn connection_bps(
        &self,
        region: &RegionState,
        conn: &ConnectionSpec,
        egress: bool,
        t: i64,
    ) -> f64 {
        if conn.state != "available" {
            return 0.0;
        }
        let on = |id: &str| {
            region
                .vifs
                .values()
                .filter(|v| v.connection == id)
                .map(|v| self.vif_bps(region, v, egress, t))
                .sum::<f64>()
        };
        let own = on(&conn.id);
        match &conn.lag_id {
            None => own,
            Some(lag) => {
                let up = region
                    .lag_members(lag)
                    .iter()
                    .filter(|m| m.state == "available")
                    .count()
                    .max(1);
                own + on(lag) / up as f64
            }
        }
    }
}

/// Port speed in bits per second ("10Gbps", "500Mbps"); 0 when unparseable.
fn bandwidth_bps(bandwidth: &str) -> f64 {
    let (number, scale) = if let Some(n) = bandwidth.strip_suffix("Gbps") {
        (n, 1e9)
    } else if let Some(n) = bandwidth.strip_suffix("Mbps") {
        (n, 1e6)
    } else {
        (bandwidth, 0.0)
    };
    number.trim().parse::<f64>().map_or(0.0, |n| n * scale)
}

/// The port speed of the connection or LAG `id` (a LAG: its members' total).
fn port_bps(region: &RegionState, id: &str) -> f64 {
    if let Some(c) = region.connections.get(id) {
        return bandwidth_bps(&c.bandwidth);
    }
    region.lags.get(id).map_or(0.0, |l| {
        bandwidth_bps(&l.bandwidth) * region.lag_members(id).len().max(1) as f64
    })
}

/// Optical lanes of a port: 4 at 100G and above, else 1.
fn lanes(conn: &ConnectionSpec) -> u32 {
    if bandwidth_bps(&conn.bandwidth) >= 100e9 {
        4
    } else {
        1
    }
}

/// The lowest normal receive level of a port (per lane at 100G), dBm.
fn rx_floor(conn: &ConnectionSpec) -> f64 {
    if lanes(conn) > 1 { -10.6 } else { -14.4 }
}

/// Light level of one lane at `t`, dBm: the set or healthy level, a fixed offset per
/// lane and a small wave.
fn light(conn: &ConnectionSpec, lane: u32, tx: bool, t: i64) -> f64 {
    if !tx && conn.state == "down" {
        return NO_LIGHT_DBM;
    }
    let multi = lanes(conn) > 1;
    let level = match (tx, multi) {
        (true, _) => conn.optics.tx_dbm.unwrap_or(if multi { 0.9 } else { -1.8 }),
        (false, _) => conn
            .optics
            .rx_dbm
            .unwrap_or(if multi { -2.6 } else { -4.2 }),
    };
    let offset = 0.15 * f64::from(lane) - 0.3;
    let wave = 0.05 * (TAU * (t as f64 / 900.0 + f64::from(lane) / 4.0)).sin();
    ((level + offset + wave) * 100.0).round() / 100.0
}

/// A stable number from an id, to set VIFs apart.
fn seed(id: &str) -> u64 {
    id.bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
}
