"""PromQL pieces: the variables' label matchers, metric names, the healthy-path expressions
and the query object every panel carries."""

from __future__ import annotations

from grafana_foundation_sdk.builders import prometheus
from grafana_foundation_sdk.models import prometheus as prometheus_models

from .identity import DATASOURCE


METRIC_PREFIX = "aws_directconnect_"

# Label matchers of each dashboard's variables.
FLEET = 'aws_account_id=~"$account",aws_region=~"$region"'  # overview: account/region scoped series
FLEET_GATEWAYS = 'aws_account_id=~"$account"'  # gateway series are global: no aws_region
ONE_VIF = 'aws_account_id="$account",aws_region="$region",virtual_interface_id="$vif"'
ONE_VIF_ON_CONNECTION = ('aws_account_id="$account",aws_region="$region",connection_id=~"$connection",'
                         'virtual_interface_id="$vif"')
ONE_REGION = 'aws_account_id="$account",aws_region="$region"'
ONE_CONNECTION = ONE_REGION + ',connection_id="$connection"'
GET_METRIC_DATA = 'operation="GetMetricData"'
EXPORTER_TARGETS = 'instance=~"$instance",aws_account_id=~"$account",aws_region=~"$region"'
EXPORTER_COLLECTORS = EXPORTER_TARGETS + ',collector=~"$collector"'

VIF_KEY = "aws_account_id, aws_region, virtual_interface_id"
PEER_KEY = "aws_account_id, aws_region, virtual_interface_id, bgp_peer_id"
AVAILABLE = 'state="available"'
THROTTLED = 'result="throttled"'
NOT_SUCCESS = 'result!="success"'
FAILED_NOT_THROTTLED = 'result!~"success|throttled"'


def metric(name: str, *matchers: str) -> str:
    """`aws_directconnect_<name>{<matchers>}`, or the bare name without matchers."""
    inner = ",".join(m for m in matchers if m)
    return f"{METRIC_PREFIX}{name}{{{inner}}}" if inner else f"{METRIC_PREFIX}{name}"


def rate(name: str, *matchers: str) -> str:
    return f"rate({metric(name, *matchers)}[$__rate_interval])"


def indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())


def paren(expr: str) -> str:
    return f"(\n{indent(expr, 2)}\n)"


def peer_status_code(scope: str) -> str:
    """2 up, 1 unknown, 0 down, one series per peer (the status label dropped)."""
    up = metric("bgp_peer_status", scope, 'status="up"')
    unknown = metric("bgp_peer_status", scope, 'status="unknown"')
    return f"{up} * 2\n+ ignoring (status) {unknown}"


def healthy_per_vif(scope: str = FLEET) -> str:
    """1 per VIF that is available with at least one BGP peer up, else 0 (one series per VIF)."""
    available = metric("virtual_interface_state", scope, AVAILABLE)
    return (
        f"(\n"
        f"    {available}\n"
        f"  * on ({VIF_KEY})\n"
        f"    max by ({VIF_KEY}) ({metric('bgp_peer_up', scope)})\n"
        f")\n"
        f"or on ({VIF_KEY})\n"
        f"  {available} * 0"
    )


def healthy_paths(by: str) -> str:
    """Healthy paths (see healthy_per_vif) of gateway-attached VIFs, summed by `by`."""
    attached = metric("virtual_interface_info", FLEET, 'direct_connect_gateway_id!=""')
    return (
        f"sum by ({by}) (\n"
        f"  (\n{indent(healthy_per_vif(), 4)}\n  )\n"
        f"  * on ({VIF_KEY}) group_left (direct_connect_gateway_id, aws_logical_device_id, location)\n"
        f"  {attached}\n"
        f")"
    )


def distinct_healthy(dimension: str) -> str:
    """Per gateway: how many distinct values of `dimension` carry at least one healthy path
    (0 if none)."""
    per_dimension = healthy_paths(f"direct_connect_gateway_id, {dimension}")
    per_gateway = healthy_paths("direct_connect_gateway_id")
    return (
        f"count by (direct_connect_gateway_id) (\n{indent(per_dimension, 2)} > 0\n)\n"
        f"or on (direct_connect_gateway_id)\n{indent(per_gateway, 2)} * 0"
    )


def with_gateway_name(expr: str) -> str:
    """expr (by direct_connect_gateway_id) with the gateway's name added where a gateway_info
    series names it; gateways whose info is not collected keep their row, without a name."""
    return (
        f"(\n{indent(expr, 2)}\n)\n"
        f"* on (direct_connect_gateway_id) group_left (direct_connect_gateway_name)\n"
        f"  max by (direct_connect_gateway_id, direct_connect_gateway_name) ({metric('gateway_info')})\n"
        f"or on (direct_connect_gateway_id)\n"
        f"(\n{indent(expr, 2)}\n)"
    )


def query(expr: str, ref: str = "A", legend: str = "", instant: bool = False,
          table_format: bool = False) -> prometheus.Dataquery:
    """A PromQL query on the dashboard's data source. Instant queries suit tables and
    current-value panels; range queries, graphs and sparklines."""
    q = (prometheus.Dataquery()
         .datasource(DATASOURCE)
         .editor_mode(prometheus_models.QueryEditorMode.CODE)
         .expr(expr)
         .ref_id(ref)
         .legend_format(legend or "__auto"))
    q = q.instant() if instant else q.range()
    if table_format:
        q = q.format(prometheus_models.PromQueryFormat.TABLE)
    return q
