//! CloudWatch `AWS/DX` families (the opt-in `cloudwatch` collector, SPEC 6.3): light levels per optical lane, traffic in bytes and packets, errors and encryption per connection, traffic, BGP status minimum and prefixes per VIF, and how old the newest datapoint is.

use super::{Family, Samples};
use crate::model::{CloudwatchData, CollectorKey, DxFigure};

const CONNECTION: &[&str] = &["aws_account_id", "aws_region", "connection_id"];
const LANE: &[&str] = &[
    "aws_account_id",
    "aws_region",
    "connection_id",
    "optical_lane",
];
const VIF: &[&str] = &["aws_account_id", "aws_region", "virtual_interface_id"];
const VIF_FAMILY: &[&str] = &[
    "aws_account_id",
    "aws_region",
    "virtual_interface_id",
    "address_family",
];

pub static LIGHT_TX: Family = Family::gauge(
    "connection_light_level_tx_dbm",
    "Transmit light level of the optical lane at the AWS side, in dBm (CloudWatch AWS/DX ConnectionLightLevelTx, Average of the newest period).",
    LANE,
);
pub static LIGHT_RX: Family = Family::gauge(
    "connection_light_level_rx_dbm",
    "Receive light level of the optical lane at the AWS side, in dBm (CloudWatch AWS/DX ConnectionLightLevelRx, Average of the newest period).",
    LANE,
);
pub static CONN_EGRESS_BYTES: Family = Family::gauge(
    "connection_egress_bytes_per_second",
    "Traffic leaving AWS on the connection, in bytes per second (CloudWatch ConnectionBpsEgress ÷ 8, Average of the newest period).",
    CONNECTION,
);
pub static CONN_INGRESS_BYTES: Family = Family::gauge(
    "connection_ingress_bytes_per_second",
    "Traffic entering AWS on the connection, in bytes per second (CloudWatch ConnectionBpsIngress ÷ 8, Average of the newest period).",
    CONNECTION,
);
pub static CONN_EGRESS_PACKETS: Family = Family::gauge(
    "connection_egress_packets_per_second",
    "Packets leaving AWS on the connection per second (CloudWatch ConnectionPpsEgress, Average of the newest period).",
    CONNECTION,
);
pub static CONN_INGRESS_PACKETS: Family = Family::gauge(
    "connection_ingress_packets_per_second",
    "Packets entering AWS on the connection per second (CloudWatch ConnectionPpsIngress, Average of the newest period).",
    CONNECTION,
);
pub static CONN_ERRORS: Family = Family::gauge(
    "connection_errors",
    "MAC-level errors (CRC included) on the AWS device's port during the newest period, whose length is the collector's interval in whole minutes (CloudWatch ConnectionErrorCount, Sum).",
    CONNECTION,
);
pub static CONN_ENCRYPTION_UP: Family = Family::gauge(
    "connection_encryption_up",
    "1 when MACsec encryption was up on the connection throughout the newest period, else 0 (CloudWatch ConnectionEncryptionState, Minimum); MACsec-capable connections only.",
    CONNECTION,
);
pub static VIF_EGRESS_BYTES: Family = Family::gauge(
    "virtual_interface_egress_bytes_per_second",
    "Traffic leaving AWS on the virtual interface, in bytes per second (CloudWatch VirtualInterfaceBpsEgress ÷ 8, Average of the newest period).",
    VIF,
);
pub static VIF_INGRESS_BYTES: Family = Family::gauge(
    "virtual_interface_ingress_bytes_per_second",
    "Traffic entering AWS on the virtual interface, in bytes per second (CloudWatch VirtualInterfaceBpsIngress ÷ 8, Average of the newest period).",
    VIF,
);
pub static VIF_EGRESS_PACKETS: Family = Family::gauge(
    "virtual_interface_egress_packets_per_second",
    "Packets leaving AWS on the virtual interface per second (CloudWatch VirtualInterfacePpsEgress, Average of the newest period).",
    VIF,
);
pub static VIF_INGRESS_PACKETS: Family = Family::gauge(
    "virtual_interface_ingress_packets_per_second",
    "Packets entering AWS on the virtual interface per second (CloudWatch VirtualInterfacePpsIngress, Average of the newest period).",
    VIF,
);
pub static VIF_BGP_STATUS_MIN: Family = Family::gauge(
    "virtual_interface_bgp_status_min",
    "Lowest BGP status of the address family during the newest period: 0 when the session was down at any sample, even between two collections (CloudWatch VirtualInterfaceBgpStatus, Minimum).",
    VIF_FAMILY,
);
pub static VIF_BGP_PREFIXES: Family = Family::gauge(
    "virtual_interface_bgp_prefixes",
    "Prefixes of the BGP session in the address family, accepted from the customer or advertised by AWS (CloudWatch VirtualInterfaceBgpPrefixesAccepted/Advertised, Maximum of the newest period).",
    &[
        "aws_account_id",
        "aws_region",
        "virtual_interface_id",
        "address_family",
        "direction",
    ],
);
pub static SAMPLE_AGE: Family = Family::gauge(
    "cloudwatch_sample_age_seconds",
    "Seconds from the start of the newest CloudWatch datapoint's period to the collection that fetched it; absent when no series had a datapoint.",
    &["aws_account_id", "aws_region"],
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[
    &LIGHT_TX,
    &LIGHT_RX,
    &CONN_EGRESS_BYTES,
    &CONN_INGRESS_BYTES,
    &CONN_EGRESS_PACKETS,
    &CONN_INGRESS_PACKETS,
    &CONN_ERRORS,
    &CONN_ENCRYPTION_UP,
    &VIF_EGRESS_BYTES,
    &VIF_INGRESS_BYTES,
    &VIF_EGRESS_PACKETS,
    &VIF_INGRESS_PACKETS,
    &VIF_BGP_STATUS_MIN,
    &VIF_BGP_PREFIXES,
    &SAMPLE_AGE,
];

/// The family each figure is written to, and the `direction` of the prefix figures.
fn family_of(figure: DxFigure) -> (&'static Family, Option<&'static str>) {
    use DxFigure::*;
    match figure {
        LightLevelTx => (&LIGHT_TX, None),
        LightLevelRx => (&LIGHT_RX, None),
        ConnectionEgressBytes => (&CONN_EGRESS_BYTES, None),
        ConnectionIngressBytes => (&CONN_INGRESS_BYTES, None),
        ConnectionEgressPackets => (&CONN_EGRESS_PACKETS, None),
        ConnectionIngressPackets => (&CONN_INGRESS_PACKETS, None),
        ConnectionErrors => (&CONN_ERRORS, None),
        ConnectionEncryptionUp => (&CONN_ENCRYPTION_UP, None),
        VifEgressBytes => (&VIF_EGRESS_BYTES, None),
        VifIngressBytes => (&VIF_INGRESS_BYTES, None),
        VifEgressPackets => (&VIF_EGRESS_PACKETS, None),
        VifIngressPackets => (&VIF_INGRESS_PACKETS, None),
        VifBgpStatusMin => (&VIF_BGP_STATUS_MIN, None),
        VifPrefixesAccepted => (&VIF_BGP_PREFIXES, Some("accepted")),
        VifPrefixesAdvertised => (&VIF_BGP_PREFIXES, Some("advertised")),
    }
}

/// Writes the samples of one cloudwatch collector: the newest datapoint of each series,
/// then the age of the newest of all.
pub fn write(key: &CollectorKey, data: &CloudwatchData, out: &mut Samples<'_>) {
    let (acct, region) = (key.account_id.as_str(), key.region.as_str());
    for d in &data.datapoints {
        let (family, direction) = family_of(d.series.figure);
        let lane = d.series.optical_lane.map(|l| l.to_string());
        let mut labels = vec![acct, region, d.series.resource_id.as_str()];
        labels.extend(lane.as_deref());
        labels.extend(d.series.address_family);
        labels.extend(direction);
        out.family(family).sample(&labels, d.value);
    }
    if let Some(newest) = data.newest() {
        let age = data
            .asked_at
            .duration_since(newest)
            .unwrap_or_default()
            .as_secs_f64();
        out.family(&SAMPLE_AGE).sample(&[acct, region], age.round());
    }
}
