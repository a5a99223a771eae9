"""The Overview dashboard (directconnect-overview): the fleet's VIFs, BGP peers, connections,
LAGs, gateways and redundancy, capacity and headroom, and operational context."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dashboard_models

from .capacity import (
    GATEWAY_ALLOCATIONS_WARNING, GATEWAY_PREFIX_ALLOCATION_LIMIT, PORT_KEY, SESSION_LEGEND, per_port, per_session,
    route_limit_thresholds, route_limit_used,
)
from .fields import PEER_STATUS, PEER_UP, bad_if_positive, redundancy, thresholds
from .identity import OVERVIEW, physical_link, vif_detail_link
from .layout import Section, build_dashboard, label_variable
from .panels import Column, bar_gauge_panel, stat_panel, state_timeline_panel, table_panel, time_series_panel
from .promql import (
    AVAILABLE, FLEET, FLEET_GATEWAYS, METRIC_PREFIX, PEER_KEY, VIF_KEY, distinct_healthy, healthy_paths, metric,
    paren, peer_status_code, query, with_gateway_name,
)


def overview_summary() -> Section:
    return Section("Summary", [
        stat_panel("Virtual interfaces", "Virtual interfaces reported by the Direct Connect API (all states).",
                   f"count({metric('virtual_interface_info', FLEET)})").span(4).height(4),
        stat_panel("VIFs not available",
                   "Virtual interfaces whose state is not `available` (down, pending, confirming, deleted …).",
                   f"sum({metric('virtual_interface_state', FLEET, AVAILABLE)} == bool 0)",
                   thresholds_config=bad_if_positive()).span(4).height(4),
        stat_panel("BGP peers up", "BGP peers whose bgpStatus is `up`.",
                   f"sum({metric('bgp_peer_up', FLEET)})").span(4).height(4),
        stat_panel("BGP peers not up", "BGP peers whose bgpStatus is `down` or `unknown`.",
                   f"sum({metric('bgp_peer_up', FLEET)} == bool 0)",
                   thresholds_config=bad_if_positive()).span(4).height(4),
        stat_panel("Connections not available", "Dedicated and hosted connections whose state is not `available`.",
                   f"sum({metric('connection_state', FLEET, AVAILABLE)} == bool 0)",
                   thresholds_config=bad_if_positive()).span(4).height(4),
        stat_panel("Collectors failing",
                   "Collectors (target × region × kind) whose last cycle failed. See the exporter health dashboard.",
                   f"sum({metric('collector_success', FLEET)} == bool 0)",
                   thresholds_config=bad_if_positive()).span(4).height(4),
    ])


PEER_LEGEND = "{{aws_account_id}} {{aws_region}} {{virtual_interface_id}} {{address_family}} {{bgp_peer_id}}"


def overview_vifs_and_peers() -> Section:
    def count_by(label: str, name: str) -> list:
        return [query(f"sum by ({label}) ({metric(name, FLEET)})", legend=f"{{{{{label}}}}}", instant=True)]

    peers_with_details = (
        f"(\n"
        f"    {metric('bgp_peer_up', FLEET)}\n"
        f"  * on ({PEER_KEY}) group_left (amazon_address, customer_address, aws_logical_device_id)\n"
        f"    {metric('bgp_peer_info', FLEET)}\n"
        f")\n"
        f"* on ({VIF_KEY}) group_left (virtual_interface_name, connection_id, location)\n"
        f"  {metric('virtual_interface_info', FLEET)}"
    )
    return Section("Virtual interfaces and BGP peers", [
        bar_gauge_panel("Virtual interfaces by state", "Count of virtual interfaces in each state of the API's state list.",
                        count_by("state", "virtual_interface_state")).span(8).height(9),
        bar_gauge_panel("BGP peers by status", "Count of BGP peers per bgpStatus (up, down, unknown).",
                        count_by("status", "bgp_peer_status")).span(8).height(9),
        bar_gauge_panel("BGP peers by state", "Count of BGP peers per bgpPeerState (the peer's provisioning state).",
                        count_by("state", "bgp_peer_state")).span(8).height(9),
        table_panel(
            "BGP peers down",
            "BGP peers whose bgpStatus is not `up`, with their virtual interface, ASN, address family and addresses. "
            "The query returns every peer; the panel keeps the rows whose status is not up, so an empty table means "
            "all peers are up. Click a VIF id for its detail dashboard.",
            [query(peers_with_details, instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("virtual_interface_id", "VIF", data_link=vif_detail_link()),
                Column("virtual_interface_name", "VIF name"),
                Column("bgp_peer_id", "Peer"),
                Column("asn", "ASN"),
                Column("address_family", "Address family"),
                Column("amazon_address", "Amazon address"),
                Column("customer_address", "Customer address"),
                Column("aws_logical_device_id", "AWS device"),
                Column("location", "Location"),
                Column("connection_id", "Connection"),
                Column("Value", "Status", mappings=[PEER_UP], colored_background=True),
            ],
            hidden=("job", "instance"),
            only_value_zero=True,
        ).span(24).height(8),
        state_timeline_panel("BGP peer status", "bgpStatus of every BGP peer over time: up, down or unknown.",
                             [query(peer_status_code(FLEET), legend=PEER_LEGEND)],
                             mappings=[PEER_STATUS]).span(24).height(10),
        time_series_panel(
            "BGP peer status changes (flaps)",
            "bgpStatus changes observed by the exporter per peer and rate interval (0 when stable).",
            [query(f"sum by ({PEER_KEY}, address_family) "
                   f"(increase({metric('bgp_peer_status_changes_total', FLEET)}[$__rate_interval]))",
                   legend=PEER_LEGEND)],
            unit="short", bars=True, min_value=0).span(24).height(8),
    ])


def overview_connections_and_lags() -> Section:
    connections = (
        f"({metric('connection_state', FLEET)} == 1)\n"
        f"* on (aws_account_id, aws_region, connection_id) group_left (connection_name, location, bandwidth, "
        f"lag_id, aws_logical_device_id, has_logical_redundancy, partner_name)\n"
        f"  {metric('connection_info', FLEET)}"
    )

    def with_lag_details(expr: str) -> str:
        return (f"{expr}\n* on (aws_account_id, aws_region, lag_id) group_left (lag_name, location, "
                f"aws_logical_device_id)\n  {metric('lag_info', FLEET)}")

    return Section("Connections and LAGs", [
        bar_gauge_panel("Connections by state", "Count of connections in each state.",
                        [query(f"sum by (state) ({metric('connection_state', FLEET)})", legend="{{state}}",
                               instant=True)]).span(6).height(9),
        table_panel(
            "Connections", "Every connection with its current state, location, bandwidth, LAG and AWS logical device. "
            "Click a connection id for its optics, traffic and errors (CloudWatch).",
            [query(connections, instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("connection_id", "Connection", data_link=physical_link()),
                Column("connection_name", "Name"),
                Column("state", "State"),
                Column("location", "Location"),
                Column("bandwidth", "Bandwidth"),
                Column("lag_id", "LAG"),
                Column("aws_logical_device_id", "AWS device"),
                Column("has_logical_redundancy", "Logical redundancy"),
                Column("partner_name", "Partner"),
            ],
            hidden=("job", "instance", "Value"),
        ).span(18).height(9),
        table_panel(
            "LAGs: members available vs minimum links",
            "Per LAG: member connections available, minimum links (below it the LAG goes down) and members in total.",
            [query(with_lag_details(metric("lag_connections_available", FLEET)), "A", instant=True, table_format=True),
             query(with_lag_details(metric("lag_minimum_links", FLEET)), "B", instant=True, table_format=True),
             query(with_lag_details(metric("lag_connections", FLEET)), "C", instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("lag_id", "LAG"),
                Column("lag_name", "Name"),
                Column("location", "Location"),
                Column("aws_logical_device_id", "AWS device"),
                Column("Value #A", "Available"),
                Column("Value #B", "Minimum links"),
                Column("Value #C", "Members"),
            ],
            hidden=("job", "instance"),
            merge=True,
        ).span(14).height(8),
        bar_gauge_panel(
            "LAG headroom (available − minimum links)",
            "Member connections a LAG can lose before it goes down. Below 0 the LAG is down; 0 means no spare member.",
            [query(f"{metric('lag_connections_available', FLEET)}\n- {metric('lag_minimum_links', FLEET)}",
                   legend="{{aws_account_id}} {{aws_region}} {{lag_id}}", instant=True)],
            thresholds_config=thresholds(("red", None), ("orange", 0), ("green", 1)),
            min_value=None).span(10).height(8),
    ])


def overview_gateways_and_redundancy() -> Section:
    gateways = (
        f"({metric('gateway_state', FLEET_GATEWAYS)} == 1)\n"
        f"* on (aws_account_id, direct_connect_gateway_id) group_left (direct_connect_gateway_name, amazon_side_asn)\n"
        f"  {metric('gateway_info', FLEET_GATEWAYS)}"
    )
    healthy_per_gateway = with_gateway_name(healthy_paths("direct_connect_gateway_id"))
    redundancy_columns = [
        Column("direct_connect_gateway_id", "Gateway"),
        Column("direct_connect_gateway_name", "Name"),
    ]
    return Section("Gateways and redundancy", [
        table_panel(
            "Direct Connect gateways", "Direct Connect gateways (global resources) with their state and Amazon-side ASN.",
            [query(gateways, instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("direct_connect_gateway_id", "Gateway"),
                Column("direct_connect_gateway_name", "Name"),
                Column("state", "State"),
                Column("amazon_side_asn", "Amazon ASN"),
            ],
            hidden=("job", "instance", "Value"),
        ).span(12).height(8),
        table_panel(
            "Redundancy per gateway",
            "Per gateway: healthy paths (attached VIFs that are available with at least one BGP peer up), and how many "
            "distinct AWS logical devices and locations carry them. Fewer than 2 devices means one AWS device failure "
            "cuts the gateway off. Select all regions for the complete view of a (global) gateway.",
            [query(healthy_per_gateway, "A", instant=True, table_format=True),
             query(with_gateway_name(distinct_healthy("aws_logical_device_id")), "B", instant=True, table_format=True),
             query(with_gateway_name(distinct_healthy("location")), "C", instant=True, table_format=True)],
            columns=redundancy_columns + [
                Column("Value #A", "Healthy paths", thresholds_config=redundancy(), colored_background=True),
                Column("Value #B", "Devices with a healthy path", thresholds_config=redundancy(),
                       colored_background=True),
                Column("Value #C", "Locations with a healthy path", thresholds_config=redundancy(),
                       colored_background=True),
            ],
            hidden=("job", "instance"),
            merge=True,
        ).span(12).height(8),
        bar_gauge_panel(
            "Healthy paths per gateway",
            "Attached VIFs per gateway that are available with at least one BGP peer up. Red: none; orange: one "
            "(no redundancy).",
            [query(healthy_per_gateway, legend="{{direct_connect_gateway_name}} {{direct_connect_gateway_id}}",
                   instant=True)],
            thresholds_config=redundancy()).span(8).height(8),
        table_panel(
            "Healthy paths per gateway, AWS logical device and location",
            "Healthy paths split by the AWS logical device and location that terminate them. A gateway whose paths "
            "all sit on one device or one location has no device or location redundancy.",
            [query(with_gateway_name(healthy_paths("direct_connect_gateway_id, aws_logical_device_id, location")),
                   instant=True, table_format=True)],
            columns=redundancy_columns + [
                Column("aws_logical_device_id", "AWS device"),
                Column("location", "Location"),
                Column("Value", "Healthy paths", thresholds_config=redundancy(), colored_background=True),
            ],
            hidden=("job", "instance"),
            sort_by=("Gateway", False),
        ).span(16).height(8),
    ])


def overview_capacity() -> Section:
    used = per_session(route_limit_used(FLEET), FLEET)

    def session_count(direction: str) -> str:
        return per_session(metric("bgp_routes", FLEET, f'direction="{direction}"'), FLEET)

    pool_size = per_port("prefix_pool_size", FLEET, "address_family")
    pool_unallocated = per_port("prefix_pool_unallocated", FLEET, "address_family")
    pool_allocated = f"1 - {paren(pool_unallocated)}\n/ on ({PORT_KEY}, address_family)\n{paren(paren(pool_size) + ' > 0')}"
    limiters_max = per_port("rate_limiters_max", FLEET)
    limiters_in_use = per_port("rate_limiters_in_use", FLEET)
    allocations = with_gateway_name(
        f"max by (direct_connect_gateway_id) ({metric('gateway_prefix_pool_allocations', FLEET_GATEWAYS)})")
    port_columns = [
        Column("aws_account_id", "Account"),
        Column("aws_region", "Region"),
        Column("kind", "Kind"),
        Column("port", "Connection or LAG"),
    ]
    return Section("Capacity and headroom", [
        table_panel(
            "BGP sessions: accepted routes vs limit",
            "Per BGP session (VIF × address family): routes accepted from the customer, routes AWS advertises, the "
            "limit (the VIF's prefix pool allocation, else 100 on private and transit VIFs, 1,000 on public ones) and "
            "the share used. Past 100% AWS puts the session to idle; orange from 80%, red from 95% (the "
            "DirectConnectBgpAcceptedRoutesNearLimit alert). Needs the opt-in routes collector. Click a VIF id for "
            "its detail dashboard.",
            [query(used, "A", instant=True, table_format=True),
             query(session_count("accepted"), "B", instant=True, table_format=True),
             query(session_count("advertised"), "C", instant=True, table_format=True),
             query(per_session(metric("bgp_route_limit", FLEET), FLEET), "D", instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("virtual_interface_id", "VIF", data_link=vif_detail_link()),
                Column("virtual_interface_name", "VIF name"),
                Column("connection_id", "Connection"),
                Column("address_family", "Address family"),
                Column("Value #B", "Accepted"),
                Column("Value #C", "Advertised"),
                Column("Value #D", "Limit"),
                Column("Value #A", "Limit used", unit="percentunit", thresholds_config=route_limit_thresholds(),
                       colored_background=True),
            ],
            merge=True,
            sort_by=("Limit used", True),
        ).span(24).height(9),
        time_series_panel(
            "Accepted routes / limit",
            "Share of its limit each BGP session accepts, over time; the dashed lines are the alert thresholds (80% "
            "warning, 95% critical). A line climbing towards 100% is a session about to go idle.",
            [query(route_limit_used(FLEET), legend=SESSION_LEGEND)], unit="percentunit", min_value=0)
        .thresholds(route_limit_thresholds())
        .thresholds_style(common_builders.GraphThresholdsStyleConfig().mode(common.GraphThresholdsStyleMode.DASHED))
        .span(16).height(8),
        bar_gauge_panel(
            f"Gateway prefix allocations (AWS limit {GATEWAY_PREFIX_ALLOCATION_LIMIT:,})",
            "Inbound route prefixes allocated to the VIFs of each Direct Connect gateway (IPv4 and IPv6 together, "
            f"totalPrefixPoolAllocations) against the AWS limit of {GATEWAY_PREFIX_ALLOCATION_LIMIT:,} per gateway; "
            "orange from 90% (the DirectConnectGatewayPrefixAllocationsNearLimit alert).",
            [query(allocations, legend="{{direct_connect_gateway_name}} {{direct_connect_gateway_id}}", instant=True)],
            thresholds_config=thresholds(
                ("green", None), ("orange", GATEWAY_ALLOCATIONS_WARNING * GATEWAY_PREFIX_ALLOCATION_LIMIT),
                ("red", GATEWAY_PREFIX_ALLOCATION_LIMIT)))
        .max(GATEWAY_PREFIX_ALLOCATION_LIMIT).span(8).height(8),
        table_panel(
            "Prefix pools",
            "Per connection and LAG and address family: the prefix pool (prefixPoolSize) from which its VIFs' route "
            "limits are allocated, what is left, and the share allocated. At 100% no VIF on it can get a higher "
            "limit (the DirectConnectPrefixPoolExhausted alert). Ports for which AWS reports no pool (hosted "
            "connections) are not listed.",
            [query(pool_size, "A", instant=True, table_format=True),
             query(pool_unallocated, "B", instant=True, table_format=True),
             query(pool_allocated, "C", instant=True, table_format=True)],
            columns=port_columns + [
                Column("address_family", "Address family"),
                Column("Value #A", "Pool size"),
                Column("Value #B", "Unallocated"),
                Column("Value #C", "Allocated", unit="percentunit",
                       thresholds_config=thresholds(("green", None), ("orange", 0.9), ("red", 1)),
                       colored_background=True),
            ],
            merge=True,
            sort_by=("Allocated", True),
        ).span(14).height(8),
        table_panel(
            "Rate limiters",
            "Per connection and LAG: rate limiters the port allows (rateLimiterStatus.maxAllowed) and those in use by "
            "rate-limited VIFs. When all are in use no further VIF on it can get a rate limit (the "
            "DirectConnectRateLimitersExhausted alert, info).",
            [query(limiters_max, "A", instant=True, table_format=True),
             query(limiters_in_use, "B", instant=True, table_format=True),
             query(f"{paren(limiters_in_use)}\n/ on ({PORT_KEY})\n{paren(paren(limiters_max) + ' > 0')}", "C",
                   instant=True, table_format=True)],
            columns=port_columns + [
                Column("Value #A", "Rate limiters"),
                Column("Value #B", "In use"),
                Column("Value #C", "Share in use", unit="percentunit",
                       thresholds_config=thresholds(("green", None), ("orange", 1)), colored_background=True),
            ],
            merge=True,
            sort_by=("Share in use", True),
        ).span(10).height(8),
    ])


def overview_operational_context() -> Section:
    """MACsec posture, failover-test evidence, AWS maintenance windows and failed gateway
    changes (SPEC 6.4)."""
    encryption = (
        f"({metric('connection_encryption_status', FLEET)} == 1)\n"
        f"* on (aws_account_id, aws_region, connection_id) group_left (connection_name, encryption_mode, location)\n"
        f"  {metric('connection_info', FLEET)}"
    )
    def tests(expr: str) -> str:
        return f"max by (aws_account_id, aws_region, virtual_interface_id) ({expr})"

    def maintenance_window(expr: str) -> str:
        return (f"{expr}\n* on (aws_account_id, aws_region, event_arn, connection_id, virtual_interface_id) "
                f"group_left (event_type, status)\n  {metric('maintenance_event_info', FLEET)}")

    return Section("Operational context", [
        table_panel(
            "MACsec encryption",
            "Per MACsec connection: its port encryption status (portEncryptionStatus: up, down, unknown) and "
            "encryption mode. Down on must_encrypt pages, on should_encrypt warns "
            "(DirectConnectConnectionEncryptionDown).",
            [query(encryption, instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("connection_id", "Connection"),
                Column("connection_name", "Name"),
                Column("location", "Location"),
                Column("encryption_mode", "Encryption mode"),
                Column("status", "Encryption"),
            ],
            hidden=("job", "instance", "Value"),
        ).span(14).height(8),
        bar_gauge_panel(
            "MACsec keys by state",
            "MACsec keys of connections and LAGs in each key state (never the key material). A connection "
            "that must encrypt needs an associated key.",
            [query(f"sum by (state) ({metric('connection_macsec_keys', FLEET)})", "A",
                   legend="connections {{state}}", instant=True),
             query(f"sum by (state) ({metric('lag_macsec_keys', FLEET)})", "B",
                   legend="LAGs {{state}}", instant=True)],
        ).span(10).height(8),
        table_panel(
            "Failover tests",
            "Per VIF: BGP failover tests in its history (0: never tested), and how long ago the newest one "
            "ended (started, while it runs). A VIF on a redundant gateway untested for 180 days raises "
            "DirectConnectVirtualInterfaceFailoverUntested. Needs the opt-in failover_tests collector.",
            [query(tests(metric("virtual_interface_failover_tests", FLEET)), "A",
                   instant=True, table_format=True),
             query(f"time() - {tests(metric('virtual_interface_failover_test_last_timestamp_seconds', FLEET))}",
                   "B", instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("virtual_interface_id", "VIF", data_link=vif_detail_link()),
                Column("Value #A", "Tests"),
                Column("Value #B", "Since the newest", unit="s"),
            ],
            merge=True,
            sort_by=("Since the newest", True),
        ).span(14).height(8),
        bar_gauge_panel(
            "Newest failover test by status",
            "VIFs by the status of their newest BGP failover test (in_progress, completed, failed, unknown). "
            "Needs the opt-in failover_tests collector.",
            [query(f"sum by (status) ({metric('virtual_interface_failover_test_last_status', FLEET)})",
                   legend="{{status}}", instant=True)],
        ).span(10).height(8),
        table_panel(
            "AWS maintenance",
            "Upcoming and open AWS Health scheduled changes of Direct Connect, one row per event and affected "
            "connection, LAG or VIF, with the window (the region is the event's). Within 48 hours on a path "
            "with no healthy alternative: DirectConnectMaintenanceWithoutRedundancy. Needs the opt-in "
            "maintenance collector (AWS Health: Business or Enterprise Support).",
            [query(maintenance_window(metric("maintenance_event_start_timestamp_seconds", FLEET)), "A",
                   instant=True, table_format=True),
             query(maintenance_window(metric("maintenance_event_end_timestamp_seconds", FLEET)), "B",
                   instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("connection_id", "Connection"),
                Column("virtual_interface_id", "VIF"),
                Column("event_type", "Event"),
                Column("status", "Status"),
                Column("Value #A", "Starts", unit="dateTimeAsIso"),
                Column("Value #B", "Ends", unit="dateTimeAsIso"),
                Column("event_arn", "Event ARN"),
            ],
            hidden=("job", "instance"),
            merge=True,
            sort_by=("Starts", False),
        ).span(24).height(8),
        table_panel(
            "Failed attachment changes",
            "Gateway attachments whose last state change failed, with AWS's reason (stateChangeError, at most "
            "200 characters).",
            [query(f"max by (aws_account_id, direct_connect_gateway_id, virtual_interface_id, error) "
                   f"({metric('gateway_attachment_state_change_error_info', FLEET_GATEWAYS)})",
                   instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("direct_connect_gateway_id", "Gateway"),
                Column("virtual_interface_id", "VIF"),
                Column("error", "Error"),
            ],
            hidden=("Value",),
        ).span(12).height(7),
        table_panel(
            "Failed association changes",
            "Gateway associations whose last state change failed, with AWS's reason (stateChangeError, at most "
            "200 characters).",
            [query(f"max by (aws_account_id, direct_connect_gateway_id, association_id, associated_gateway_id, "
                   f"error) ({metric('gateway_association_state_change_error_info', FLEET_GATEWAYS)})",
                   instant=True, table_format=True)],
            columns=[
                Column("aws_account_id", "Account"),
                Column("direct_connect_gateway_id", "Gateway"),
                Column("association_id", "Association"),
                Column("associated_gateway_id", "Associated gateway"),
                Column("error", "Error"),
            ],
            hidden=("Value",),
        ).span(12).height(7),
    ])


def overview() -> dashboard_models.Dashboard:
    vif_info = f"{METRIC_PREFIX}virtual_interface_info"
    return build_dashboard(
        OVERVIEW,
        "AWS Direct Connect fleet: virtual interfaces, BGP peers, connections, LAGs, gateways and redundancy, "
        "capacity and headroom (route limits, prefix pools, gateway allocations, rate limiters), MACsec, "
        "failover tests and AWS maintenance, from directconnect-exporter.",
        variables=[
            label_variable("account", "Account", f"label_values({vif_info}, aws_account_id)",
                           multi=True, include_all=True, all_value=".*"),
            label_variable("region", "Region", f'label_values({vif_info}{{aws_account_id=~"$account"}}, aws_region)',
                           multi=True, include_all=True, all_value=".*"),
        ],
        sections=[
            overview_summary(),
            overview_vifs_and_peers(),
            overview_connections_and_lags(),
            overview_gateways_and_redundancy(),
            overview_capacity(),
            overview_operational_context(),
        ],
    )
