"""Capacity and headroom shared by the overview and VIF dashboards: AWS limits, the capacity
alerts' thresholds, and route-limit and per-session/per-port PromQL."""

from __future__ import annotations

from .fields import thresholds
from .promql import VIF_KEY, indent, metric


# AWS limits and the thresholds of the capacity alerts (alerts/src/directconnect.rules.yml):
# the panels colour where the alerts fire.
GATEWAY_PREFIX_ALLOCATION_LIMIT = 10_000
ROUTE_LIMIT_WARNING = 0.8
ROUTE_LIMIT_CRITICAL = 0.95
GATEWAY_ALLOCATIONS_WARNING = 0.9

SESSION_KEY = "aws_account_id, aws_region, virtual_interface_id, address_family"
SESSION_LEGEND = "{{aws_account_id}} {{aws_region}} {{virtual_interface_id}} {{address_family}}"
PORT_KEY = "aws_account_id, aws_region, kind, port"
ACCEPTED = 'direction="accepted"'


def route_limit_used(scope: str) -> str:
    """Accepted routes over bgp_route_limit, one series per VIF and address family (the ratio
    over which AWS puts the session to idle at 1)."""
    return (f"{metric('bgp_routes', scope, ACCEPTED)}\n"
            f"/ ignoring (direction)\n"
            f"{metric('bgp_route_limit', scope)}")


def route_limit_thresholds():
    """Green, orange from the warning, red from the critical of DirectConnectBgpAcceptedRoutesNearLimit."""
    return thresholds(("green", None), ("orange", ROUTE_LIMIT_WARNING), ("red", ROUTE_LIMIT_CRITICAL))


def per_session(expr: str, scope: str) -> str:
    """expr reduced to one series per BGP session (VIF × address family), with the VIF's name
    and connection (for the link to the VIF dashboard)."""
    return (
        f"max by ({SESSION_KEY}) (\n{indent(expr, 2)}\n)\n"
        f"* on ({VIF_KEY}) group_left (virtual_interface_name, connection_id)\n"
        f"  max by ({VIF_KEY}, virtual_interface_name, connection_id) ({metric('virtual_interface_info', scope)})"
    )


def per_port(name: str, scope: str, by: str = "") -> str:
    """`connection_<name>` and `lag_<name>` as one series per port: label `kind` (connection or
    LAG) and `port` (its id), plus `by`; so that one table holds connections and LAGs."""
    keys = f"{PORT_KEY}, {by}" if by else PORT_KEY
    parts = []
    for kind, id_label in (("connection", "connection_id"), ("lag", "lag_id")):
        relabelled = (f'label_replace(\n  label_replace({metric(f"{kind}_{name}", scope)}, "port", "$1", '
                      f'"{id_label}", "(.+)"),\n  "kind", "{kind}", "", ""\n)')
        parts.append(f"max by ({keys}) (\n{indent(relabelled, 2)}\n)")
    return "\nor\n".join(parts)
