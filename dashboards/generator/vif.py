"""The Virtual interface dashboard (directconnect-vif): one VIF, its BGP peers, CloudWatch
figures, gateway attachment and routes against their limit."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import stat
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dashboard_models

from .capacity import route_limit_thresholds, route_limit_used
from .fields import CURRENT_STATE, PEER_STATUS, PEER_UP, bad_if_positive, fixed_color, thresholds
from .identity import VIF_DETAIL
from .layout import Section, build_dashboard, label_variable
from .panels import Column, bar_gauge_panel, stat_panel, state_timeline_panel, table_panel, time_series_panel
from .promql import METRIC_PREFIX, ONE_VIF, ONE_VIF_ON_CONNECTION, PEER_KEY, indent, metric, peer_status_code, query


def vif_summary() -> Section:
    def label_as_value(title: str, description: str, expr: str, label: str) -> stat.Panel:
        return stat_panel(title, description, expr, legend=f"{{{{{label}}}}}", text_mode=common.BigValueTextMode.NAME,
                          color_mode=common.BigValueColorMode.NONE, sparkline=False)

    vif_info = metric("virtual_interface_info", ONE_VIF_ON_CONNECTION)
    return Section("Virtual interface $vif", [
        label_as_value("State", "Current state of the virtual interface.",
                       f"{metric('virtual_interface_state', ONE_VIF)} == 1", "state").span(4).height(4),
        stat_panel("BGP peers up", "BGP peers of this VIF whose bgpStatus is up.",
                   f"sum({metric('bgp_peer_up', ONE_VIF)})",
                   thresholds_config=thresholds(("red", None), ("green", 1))).span(4).height(4),
        stat_panel("BGP peers not up", "BGP peers of this VIF whose bgpStatus is down or unknown.",
                   f"sum({metric('bgp_peer_up', ONE_VIF)} == bool 0)",
                   thresholds_config=bad_if_positive()).span(4).height(4),
        stat_panel("MTU", "MTU of the virtual interface (1500, or 8500/9001 with jumbo frames).",
                   metric("virtual_interface_mtu_bytes", ONE_VIF), unit="suffix: bytes", sparkline=False,
                   color_mode=common.BigValueColorMode.NONE).span(4).height(4),
        label_as_value("Location", "Direct Connect location of the virtual interface.",
                       vif_info, "location").span(4).height(4),
        label_as_value("AWS logical device", "AWS logical device that terminates the virtual interface.",
                       vif_info, "aws_logical_device_id").span(4).height(4),
        table_panel(
            "Virtual interface", "Attributes of the virtual interface as reported by DescribeVirtualInterfaces.",
            [query(vif_info, instant=True, table_format=True)],
            columns=[
                Column("virtual_interface_id", "VIF"),
                Column("virtual_interface_name", "Name"),
                Column("virtual_interface_type", "Type"),
                Column("connection_id", "Connection"),
                Column("owner_account", "Owner"),
                Column("location", "Location"),
                Column("aws_logical_device_id", "AWS device"),
                Column("vlan", "VLAN"),
                Column("asn", "Customer ASN"),
                Column("amazon_side_asn", "Amazon ASN"),
                Column("address_family", "Address family"),
                Column("direct_connect_gateway_id", "DX gateway"),
                Column("virtual_gateway_id", "Virtual gateway"),
                Column("jumbo_frame_capable", "Jumbo frames"),
                Column("site_link_enabled", "SiteLink"),
            ],
            hidden=("job", "instance", "Value", "aws_account_id", "aws_region"),
        ).span(24).height(4),
    ])


def vif_bgp_peers() -> Section:
    peers = (
        f"(\n"
        f"    {metric('bgp_peer_up', ONE_VIF)}\n"
        f"  * on ({PEER_KEY}) group_left (amazon_address, customer_address, aws_logical_device_id)\n"
        f"    {metric('bgp_peer_info', ONE_VIF)}\n"
        f")\n"
        f"* on ({PEER_KEY}) group_left (state)\n"
        f"  ({metric('bgp_peer_state', ONE_VIF)} == 1)"
    )
    return Section("BGP peers", [
        table_panel(
            "BGP peers by address family",
            "The VIF's BGP peers (one per address family) with ASN, Amazon and customer addresses, AWS logical "
            "device, peer state and bgpStatus.",
            [query(peers, instant=True, table_format=True)],
            columns=[
                Column("address_family", "Address family"),
                Column("bgp_peer_id", "Peer"),
                Column("asn", "ASN"),
                Column("amazon_address", "Amazon address"),
                Column("customer_address", "Customer address"),
                Column("aws_logical_device_id", "AWS device"),
                Column("state", "Peer state"),
                Column("Value", "BGP status", mappings=[PEER_UP], colored_background=True),
            ],
            hidden=("job", "instance", "aws_account_id", "aws_region", "virtual_interface_id"),
            sort_by=("Address family", False),
        ).span(24).height(5),
        state_timeline_panel("BGP status history", "bgpStatus of each peer of the VIF over time: up, down or unknown.",
                             [query(peer_status_code(ONE_VIF), legend="{{address_family}} {{bgp_peer_id}}")],
                             mappings=[PEER_STATUS]).span(24).height(6),
        time_series_panel(
            "BGP status changes (flaps)", "bgpStatus changes per peer and rate interval (0 when stable).",
            [query(f"sum by (address_family, bgp_peer_id) "
                   f"(increase({metric('bgp_peer_status_changes_total', ONE_VIF)}[$__rate_interval]))",
                   legend="{{address_family}} {{bgp_peer_id}}")],
            unit="short", bars=True, min_value=0).span(12).height(7),
        state_timeline_panel(
            "Virtual interface state history", "State of the virtual interface over time (one row per state it was in).",
            [query(f"{metric('virtual_interface_state', ONE_VIF)} == 1", legend="{{state}}")],
            mappings=[CURRENT_STATE]).span(12).height(7),
    ])


def vif_gateway_attachment() -> Section:
    attachment_state = metric("gateway_attachment_state", 'virtual_interface_id="$vif"')
    attachment = (
        f"(\n"
        f"    max by (virtual_interface_id, direct_connect_gateway_id, state) ({attachment_state} == 1)\n"
        f"  * on (direct_connect_gateway_id) group_left (direct_connect_gateway_name)\n"
        f"    max by (direct_connect_gateway_id, direct_connect_gateway_name) ({metric('gateway_info')})\n"
        f")\n"
        f"or on (virtual_interface_id)\n"
        f"  max by (virtual_interface_id, direct_connect_gateway_id, virtual_gateway_id) "
        f"({metric('virtual_interface_info', ONE_VIF_ON_CONNECTION)})"
    )
    return Section("Gateway attachment", [
        table_panel(
            "Gateway attachment",
            "The Direct Connect gateway this VIF is attached to and the attachment state; for a VIF without a Direct "
            "Connect gateway attachment, the virtual gateway (private VIF) or nothing (public VIF).",
            [query(attachment, instant=True, table_format=True)],
            columns=[
                Column("virtual_interface_id", "VIF"),
                Column("direct_connect_gateway_id", "DX gateway"),
                Column("direct_connect_gateway_name", "Gateway name"),
                Column("state", "Attachment state"),
                Column("virtual_gateway_id", "Virtual gateway"),
            ],
            hidden=("Value",),
        ).span(24).height(4),
    ])


def vif_cloudwatch() -> Section:
    """CloudWatch AWS/DX figures of the VIF (the opt-in cloudwatch collector)."""
    def traffic(name: str) -> str:
        return f"{metric(name, ONE_VIF)} * 8"
    return Section("Traffic and BGP from CloudWatch", [
        time_series_panel(
            "Traffic", "Bits per second leaving (egress) and entering (ingress) AWS on the VIF: CloudWatch "
            "VirtualInterfaceBpsEgress/Ingress, the average of each period (the cloudwatch collector). 0 while the VIF "
            "or its BGP sessions are down.",
            [query(traffic("virtual_interface_egress_bytes_per_second"), "A", legend="egress"),
             query(traffic("virtual_interface_ingress_bytes_per_second"), "B", legend="ingress")],
            unit="bps", min_value=0).span(8).height(7),
        time_series_panel(
            "BGP status minimum", "CloudWatch VirtualInterfaceBgpStatus, Minimum of each period, per address family: "
            "0 when the session was down at any moment of the period, even between two polls of the exporter.",
            [query(metric("virtual_interface_bgp_status_min", ONE_VIF), legend="{{address_family}}")],
            unit="none", min_value=0).span(8).height(7),
        time_series_panel(
            "BGP prefixes", "Prefixes accepted from the customer and advertised by AWS, per address family (CloudWatch "
            "VirtualInterfaceBgpPrefixesAccepted/Advertised, Maximum of each period).",
            [query(metric("virtual_interface_bgp_prefixes", ONE_VIF), legend="{{address_family}} {{direction}}")],
            unit="short", min_value=0).span(8).height(7),
    ])


def vif_routes_and_limits() -> Section:
    def per_family(expr: str, by: str = "address_family") -> str:
        return f"max by ({by}) (\n{indent(expr, 2)}\n)"

    def routes(direction: str) -> str:
        return per_family(metric("bgp_routes", ONE_VIF, f'direction="{direction}"'))

    return Section("Routes and limits", [
        bar_gauge_panel(
            "Route limit used",
            "Per address family: routes the BGP session accepts over its limit. Past 100% AWS puts the session to "
            "idle; orange from 80%, red from 95% (the DirectConnectBgpAcceptedRoutesNearLimit alert). Needs the "
            "opt-in routes collector.",
            [query(route_limit_used(ONE_VIF), legend="{{address_family}}", instant=True)],
            unit="percentunit", thresholds_config=route_limit_thresholds()).max(1).span(8).height(6),
        table_panel(
            "Routes by address family",
            "Per address family: routes accepted from the customer, routes AWS advertises (0 on a session that is up "
            "means nothing goes towards AWS over it), and the limit: the VIF's prefix pool allocation, else 100 on a "
            "private or transit VIF, 1,000 on a public one. Raise an allocation from its connection's or LAG's pool "
            "(overview: Prefix pools).",
            [query(routes("accepted"), "A", instant=True, table_format=True),
             query(routes("advertised"), "B", instant=True, table_format=True),
             query(per_family(metric("bgp_route_limit", ONE_VIF)), "C", instant=True, table_format=True),
             query(per_family(route_limit_used(ONE_VIF)), "D", instant=True, table_format=True)],
            columns=[
                Column("address_family", "Address family"),
                Column("Value #A", "Accepted"),
                Column("Value #B", "Advertised"),
                Column("Value #C", "Limit"),
                Column("Value #D", "Limit used", unit="percentunit", thresholds_config=route_limit_thresholds(),
                       colored_background=True),
            ],
            merge=True,
            sort_by=("Address family", False),
        ).span(16).height(6),
        time_series_panel(
            "Routes",
            "Accepted and advertised routes per address family over time, and the accepted-route limit.",
            [query(per_family(metric("bgp_routes", ONE_VIF), "address_family, direction"), "A",
                   legend="{{address_family}} {{direction}}"),
             query(per_family(metric("bgp_route_limit", ONE_VIF)), "B", legend="{{address_family}} limit")],
            unit="short", min_value=0)
        .override_by_regexp(".* limit", [fixed_color("red")])
        .span(12).height(8),
        time_series_panel(
            "Accepted routes / limit",
            "Share of its limit each BGP session of the VIF accepts, over time; the dashed lines are the alert "
            "thresholds (80% warning, 95% critical).",
            [query(route_limit_used(ONE_VIF), legend="{{address_family}}")], unit="percentunit", min_value=0)
        .thresholds(route_limit_thresholds())
        .thresholds_style(common_builders.GraphThresholdsStyleConfig().mode(common.GraphThresholdsStyleMode.DASHED))
        .span(12).height(8),
    ])


def vif_detail() -> dashboard_models.Dashboard:
    info = f"{METRIC_PREFIX}virtual_interface_info"
    return build_dashboard(
        VIF_DETAIL,
        "One AWS Direct Connect virtual interface: its BGP peers, status history, flaps, traffic and BGP figures from "
        "CloudWatch, device, location, MTU, gateway attachment, and its routes against their limit.",
        variables=[
            label_variable("account", "Account", f"label_values({info}, aws_account_id)"),
            label_variable("region", "Region", f'label_values({info}{{aws_account_id="$account"}}, aws_region)'),
            label_variable("connection", "Connection",
                           f'label_values({info}{{aws_account_id="$account",aws_region="$region"}}, connection_id)',
                           include_all=True, all_value=".*"),
            label_variable("vif", "Virtual interface",
                           f'label_values({info}{{aws_account_id="$account",aws_region="$region",'
                           f'connection_id=~"$connection"}}, virtual_interface_id)'),
        ],
        sections=[vif_summary(), vif_bgp_peers(), vif_cloudwatch(), vif_gateway_attachment(),
                  vif_routes_and_limits()],
    )
