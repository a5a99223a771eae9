"""The Physical layer dashboard (directconnect-physical): one connection's optics, traffic and
errors from CloudWatch AWS/DX, with the light-level bands read from alerts/src."""

from __future__ import annotations

import sys
from pathlib import Path

from grafana_foundation_sdk.builders import timeseries
from grafana_foundation_sdk.models import dashboard as dashboard_models

from .fields import fixed_color, thresholds
from .identity import PHYSICAL
from .layout import Section, build_dashboard, label_variable
from .panels import bar_gauge_panel, stat_panel, time_series_panel
from .promql import GET_METRIC_DATA, METRIC_PREFIX, NOT_SUCCESS, ONE_CONNECTION, ONE_REGION, metric, query, rate


RULES_SOURCE = Path(__file__).resolve().parents[2] / "alerts" / "src" / "directconnect.rules.yml"


def light_band(direction: str, bound: str) -> str:
    """The normal light-level band of the selected connection, one bound (`min`/`max`) of
    `direction` (`tx`/`rx`): the expression of the recording rule in alerts/src, the one
    place where the bands are written, scoped to the dashboard's connection. Prometheus
    needs no rules loaded for it."""
    record = f"connection:aws_directconnect_connection_light_level_{direction}_dbm:normal_{bound}"
    lines = RULES_SOURCE.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == f"- record: {record}"), None)
    if start is None or lines[start + 1].strip() != "expr: |":
        sys.exit(f"dashboards/generate.py: recording rule {record} not found in {RULES_SOURCE}")
    body = []
    for line in lines[start + 2:]:
        if not line.strip() or line.lstrip().startswith(("- ", "#")):
            break
        body.append(line.strip())
    return "\n".join(body).replace("__SELECTOR__", ONE_CONNECTION)


def band_line() -> list[dashboard_models.DynamicConfigValue]:
    """Override properties of a band bound: a dashed red line, no fill, out of the tooltip sort."""
    return [
        fixed_color("red"),
        dashboard_models.DynamicConfigValue(id_val="custom.lineStyle", value={"fill": "dash", "dash": [10, 10]}),
        dashboard_models.DynamicConfigValue(id_val="custom.fillOpacity", value=0),
    ]


def light_panel(title: str, direction: str, metric_name: str, description: str) -> timeseries.Panel:
    panel = time_series_panel(
        title, description,
        [query(metric(metric_name, ONE_CONNECTION), "A", legend="lane {{optical_lane}}"),
         query(light_band(direction, "min"), "B", legend="normal min"),
         query(light_band(direction, "max"), "C", legend="normal max")],
        unit="dBm")
    return panel.override_by_name("normal min", band_line()).override_by_name("normal max", band_line())


def physical_optics() -> Section:
    bands = ("The dashed red lines are AWS's normal range for the port speed (1G and 10G: −14.4 to +2.5 dBm; 100G per "
             "lane: transmit −4.3 to +4.5, receive −10.6 to +4.5), taken from the recording rules of the alerts.")
    return Section("Optics of $connection", [
        light_panel("Receive light level per lane", "rx", "connection_light_level_rx_dbm",
                    "Light the AWS device receives from your side, per optical lane (one lane below 100G, four at "
                    "100G), in dBm: CloudWatch ConnectionLightLevelRx, the average of each period. " + bands
                    ).span(12).height(9),
        light_panel("Transmit light level per lane", "tx", "connection_light_level_tx_dbm",
                    "Light the AWS device sends towards you, per optical lane, in dBm: CloudWatch "
                    "ConnectionLightLevelTx, the average of each period. " + bands).span(12).height(9),
    ])


def physical_traffic() -> Section:
    bandwidth = f"max by (connection_id) ({metric('connection_bandwidth_bytes_per_second', ONE_CONNECTION)}) * 8"
    vifs_on_connection = (
        f"sum by (virtual_interface_id, virtual_interface_name) (\n"
        f"  ({metric('virtual_interface_egress_bytes_per_second', ONE_REGION)} * 8)\n"
        f"  * on (aws_account_id, aws_region, virtual_interface_id) group_left (virtual_interface_name)\n"
        f"  max by (aws_account_id, aws_region, virtual_interface_id, virtual_interface_name) (\n"
        f"    {metric('virtual_interface_info', ONE_CONNECTION)}\n"
        f"  )\n"
        f")"
    )
    egress = metric("connection_egress_bytes_per_second", ONE_CONNECTION)
    ingress = metric("connection_ingress_bytes_per_second", ONE_CONNECTION)
    egress_labelled = 'label_replace(' + egress + ', "direction", "egress", "", "")'
    ingress_labelled = 'label_replace(' + ingress + ', "direction", "ingress", "", "")'
    utilisation = (
        f"max by (connection_id) (\n"
        f"  {egress_labelled}\n"
        f"  or {ingress_labelled}\n"
        f")\n"
        f"/ on (connection_id) max by (connection_id) ({metric('connection_bandwidth_bytes_per_second', ONE_CONNECTION)})"
    )
    traffic = time_series_panel(
        "Traffic against bandwidth",
        "Bits per second leaving (egress) and entering (ingress) AWS on the connection (CloudWatch "
        "ConnectionBpsEgress/Ingress, the average of each period), and the port speed as a dashed line. The alert "
        "DirectConnectConnectionUtilizationHigh fires above 80 % for 15 minutes.",
        [query(f"{metric('connection_egress_bytes_per_second', ONE_CONNECTION)} * 8", "A", legend="egress"),
         query(f"{metric('connection_ingress_bytes_per_second', ONE_CONNECTION)} * 8", "B", legend="ingress"),
         query(bandwidth, "C", legend="bandwidth")],
        unit="bps", min_value=0).override_by_name("bandwidth", band_line())
    return Section("Traffic", [
        traffic.span(12).height(8),
        bar_gauge_panel(
            "Utilisation (busier direction)",
            "The busier direction's share of the port speed in the newest CloudWatch period. Orange from 80 %.",
            [query(utilisation, legend="{{connection_id}}", instant=True)],
            unit="percentunit", thresholds_config=thresholds(("green", None), ("orange", 0.8), ("red", 0.95)),
        ).max(1).span(4).height(8),
        time_series_panel(
            "Egress per virtual interface",
            "Bits per second leaving AWS on each VIF of the connection (CloudWatch VirtualInterfaceBpsEgress).",
            [query(vifs_on_connection, legend="{{virtual_interface_name}} {{virtual_interface_id}}")],
            unit="bps", min_value=0).span(8).height(8),
        time_series_panel(
            "Packets per second",
            "Packets per second leaving (egress) and entering (ingress) AWS on the connection (CloudWatch "
            "ConnectionPpsEgress/Ingress).",
            [query(metric("connection_egress_packets_per_second", ONE_CONNECTION), "A", legend="egress"),
             query(metric("connection_ingress_packets_per_second", ONE_CONNECTION), "B", legend="ingress")],
            unit="pps", min_value=0).span(12).height(7),
        time_series_panel(
            "Errors per period",
            "MAC-level errors (CRC included) the AWS device counted on the port in each CloudWatch period "
            "(ConnectionErrorCount, Sum). Errors with a low receive light level point at the optics or the fibre.",
            [query(metric("connection_errors", ONE_CONNECTION), legend="errors")],
            unit="short", bars=True, min_value=0).span(12).height(7),
    ])


def physical_freshness() -> Section:
    return Section("CloudWatch data", [
        stat_panel("Age of the newest datapoint",
                   "Seconds from the start of the newest CloudWatch period to the collection that fetched it "
                   "(AWS/DX data lands minutes after its period ends).",
                   metric("cloudwatch_sample_age_seconds", ONE_REGION),
                   unit="s", thresholds_config=thresholds(("green", None), ("orange", 900), ("red", 1800)),
                   ).span(8).height(4),
        stat_panel("GetMetricData requests", "CloudWatch GetMetricData calls per second, all results.",
                   f"sum({rate('api_requests_total', ONE_REGION, GET_METRIC_DATA)})",
                   unit="reqps").span(8).height(4),
        stat_panel("GetMetricData failures", "Share of GetMetricData calls that did not succeed (throttled included).",
                   f"sum({rate('api_requests_total', ONE_REGION, GET_METRIC_DATA, NOT_SUCCESS)})\n"
                   f"/ sum({rate('api_requests_total', ONE_REGION, GET_METRIC_DATA)})",
                   unit="percentunit", thresholds_config=thresholds(("green", None), ("orange", 0.01), ("red", 0.1)),
                   ).span(8).height(4),
    ])


def physical() -> dashboard_models.Dashboard:
    rx = f"{METRIC_PREFIX}connection_light_level_rx_dbm"
    return build_dashboard(
        PHYSICAL,
        "The physical layer of one AWS Direct Connect connection from CloudWatch AWS/DX (the exporter's opt-in "
        "cloudwatch collector): light levels per optical lane against AWS's normal range, traffic against the port "
        "speed, packets and errors.",
        variables=[
            label_variable("account", "Account", f"label_values({rx}, aws_account_id)"),
            label_variable("region", "Region", f'label_values({rx}{{aws_account_id="$account"}}, aws_region)'),
            label_variable("connection", "Connection",
                           f'label_values({rx}{{aws_account_id="$account",aws_region="$region"}}, connection_id)'),
        ],
        sections=[physical_optics(), physical_traffic(), physical_freshness()],
    )
