//! CloudWatch `AWS/DX` as the simulator publishes it: GetMetricData over series derived from the fleet's state at each sample time.
//!
//! The namespace, as AWS documents it (Direct Connect User Guide, "Monitor with Amazon
//! CloudWatch", and the CloudWatch OpenTelemetry enrichment tables, which list each
//! metric's dimension set; read December 2026). A query matches a series only with
//! exactly that dimension set, as in CloudWatch, where any other set finds no data:
//!
//! | metric | dimensions | unit |
//! |---|---|---|
//! | `ConnectionBpsEgress`, `ConnectionBpsIngress` | `ConnectionId` | bits/s |
//! | `ConnectionPpsEgress`, `ConnectionPpsIngress` | `ConnectionId` | packets/s |
//! | `ConnectionErrorCount` | `ConnectionId` | count since the last sample (MAC errors, CRC included) |
//! | `ConnectionEncryptionState` | `ConnectionId` | 1 up, 0 down (MACsec connections only) |
//! | `ConnectionState` | `ConnectionId` | 1 up, 0 down |
//! | `ConnectionLightLevelTx`, `ConnectionLightLevelRx` | `ConnectionId`, `OpticalLaneNumber` | dBm |
//! | `VirtualInterfaceBpsEgress`, `…BpsIngress`, `…PpsEgress`, `…PpsIngress` | `ConnectionId`, `VirtualInterfaceId` | bits/s, packets/s |
//! | `VirtualInterfaceBgpStatus` | `ConnectionId`, `IpAddressFamily`, `VirtualInterfaceId` | 1 up, 0 down |
//! | `VirtualInterfaceBgpPrefixesAccepted`, `…Advertised` | `ConnectionId`, `IpAddressFamily`, `VirtualInterfaceId` | count |
//!
//! `ConnectionId` of a VIF metric is the VIF's connection or LAG id. `OpticalLaneNumber` is
//! `1` below 100G and `1`..`4` at 100G and above. `IpAddressFamily` is `IPv4` or `IPv6`
//! (AWS's user guide does not list the values; the values seen in the wild are these).
//!
//! How the series are derived (AWS sends a sample every 30 s; a datapoint aggregates the
//! samples of its period with the query's statistic):
//! - traffic: a VIF carries its `traffic_bps` (else a share of the port speed taken from
//!   its id) egress and 60 % of it ingress, waving ±15 % over an hour, while it is
//!   `available` with a peer up, else 0; a connection carries the sum of its VIFs' (a LAG
//!   member an equal share of the LAG's VIFs'), 0 unless `available`; packets are bytes
//!   ÷ 700;
//! - light: the connection's `optics` (else healthy for the port speed), a little apart
//!   per lane; receive falls to −40 dBm while the connection is `down`;
//! - errors: 0 while the receive level is within the normal band for the port speed
//!   (≥ −14.4 dBm below 100G, ≥ −10.6 dBm per lane at 100G), then more the further below;
//! - BGP status per family from the peer's status at each sample (a flap shows in the
//!   Minimum), prefixes from the VIF's route counts while that peer is up (else 0).
//!
//! State other than flaps has no history: every sample of a window sees the current
//! state. A period is published [`PUBLICATION_DELAY_SECONDS`] after it ends, as AWS/DX
//! data lands minutes late; so the newest datapoint is always at least that old.
//! Pages hold at most [`MAX_METRIC_RESULTS_PAGE`] results and `MaxDatapoints` values.
//!
//! The files: `series.rs` derives the series (which query names one, and what it samples
//! at a time), `input.rs` reads and checks the GetMetricData input, `get_metric_data.rs`
//! answers it (periods, statistics, the publication delay, pages).

mod get_metric_data;
mod input;
mod series;
#[cfg(test)]
mod tests;

pub use get_metric_data::{MAX_METRIC_RESULTS_PAGE, PUBLICATION_DELAY_SECONDS};
