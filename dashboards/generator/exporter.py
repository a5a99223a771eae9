"""The Exporter health dashboard (directconnect-exporter): collectors per target, AWS API
requests and build info."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dashboard_models

from .fields import COLLECTOR_SUCCESS, bad_if_positive, fixed_color, thresholds
from .identity import EXPORTER_HEALTH
from .layout import Section, build_dashboard, label_variable
from .panels import Column, bar_gauge_panel, stat_panel, state_timeline_panel, table_panel, time_series_panel
from .promql import (
    EXPORTER_COLLECTORS, EXPORTER_TARGETS, FAILED_NOT_THROTTLED, METRIC_PREFIX, NOT_SUCCESS, THROTTLED, metric,
    query, rate,
)


COLLECTOR_LEGEND = "{{aws_account_id}} {{aws_region}} {{collector}}"


def exporter_summary() -> Section:
    all_requests = rate("api_requests_total", EXPORTER_TARGETS)
    return Section("Summary", [
        stat_panel("Collectors succeeding", "Collectors whose last cycle succeeded.",
                   f"sum({metric('collector_success', EXPORTER_COLLECTORS)})").span(4).height(4),
        stat_panel("Collectors failing",
                   "Collectors whose last cycle failed; they serve their last good data until max_staleness.",
                   f"sum({metric('collector_success', EXPORTER_COLLECTORS)} == bool 0)",
                   thresholds_config=bad_if_positive()).span(4).height(4),
        stat_panel("Oldest successful collection",
                   "Age of the oldest last-successful collection across the selected collectors.",
                   f"max(time() - {metric('collector_last_success_timestamp_seconds', EXPORTER_COLLECTORS)})",
                   unit="s", thresholds_config=thresholds(("green", None), ("orange", 180), ("red", 600))
                   ).span(4).height(4),
        stat_panel("API requests", "AWS API requests per second, all operations and results.",
                   f"sum({all_requests})", unit="reqps").span(4).height(4),
        stat_panel("Throttled", "Share of AWS API requests answered with ThrottlingException.",
                   f"(sum({rate('api_requests_total', EXPORTER_TARGETS, THROTTLED)}) or sum({all_requests}) * 0)\n"
                   f"/\n(sum({all_requests}) > 0)",
                   unit="percentunit",
                   thresholds_config=thresholds(("green", None), ("orange", 0.01), ("red", 0.1))).span(4).height(4),
        stat_panel("API errors",
                   "AWS API requests per second that failed other than by throttling (client, server, timeout, "
                   "transport).",
                   f"sum({rate('api_requests_total', EXPORTER_TARGETS, FAILED_NOT_THROTTLED)})\nor\n"
                   f"sum({all_requests}) * 0",
                   unit="reqps", thresholds_config=thresholds(("green", None), ("red", 0.001))).span(4).height(4),
    ])


def exporter_collectors() -> Section:
    success = metric("collector_success", EXPORTER_COLLECTORS)
    duration = metric("collector_duration_seconds", EXPORTER_COLLECTORS)
    age = f"time() - {metric('collector_last_success_timestamp_seconds', EXPORTER_COLLECTORS)}"
    interval = metric("collector_interval_seconds", EXPORTER_COLLECTORS)
    return Section("Collectors", [
        state_timeline_panel(
            "Collector success", "Outcome of the last cycle of each collector (target account × region × kind) over time.",
            [query(success, legend=COLLECTOR_LEGEND)], mappings=[COLLECTOR_SUCCESS]).span(24).height(9),
        time_series_panel(
            "Collector duration", "Wall time of each collector's last cycle (all Describe calls and their pages and "
            "retries).",
            [query(duration, legend=COLLECTOR_LEGEND)], unit="s", min_value=0).span(12).height(8),
        time_series_panel(
            "Time since last successful collection",
            "Age of each collector's data. It grows by one collection interval per cycle and drops back on success; "
            "steady growth means the collector keeps failing.",
            [query(age, legend=COLLECTOR_LEGEND)], unit="s", min_value=0).span(12).height(8),
        table_panel(
            "Collectors", "Last cycle of every collector: outcome, duration, age of the last success, and the "
            "collector's interval (DirectConnectDataStale fires past 3 intervals, at least 10 minutes).",
            [query(success, "A", instant=True, table_format=True),
             query(duration, "B", instant=True, table_format=True),
             query(age, "C", instant=True, table_format=True),
             query(interval, "D", instant=True, table_format=True)],
            columns=[
                Column("instance", "Instance"),
                Column("aws_account_id", "Account"),
                Column("aws_region", "Region"),
                Column("collector", "Collector"),
                Column("Value #A", "Last cycle", mappings=[COLLECTOR_SUCCESS], colored_background=True),
                Column("Value #B", "Duration", unit="s"),
                Column("Value #C", "Last success age", unit="s"),
                Column("Value #D", "Interval", unit="s"),
            ],
            hidden=("job",),
            merge=True,
        ).span(24).height(8),
    ])


def exporter_api_requests() -> Section:
    def by(labels: str, *matchers: str) -> str:
        return f"sum by ({labels}) ({rate('api_requests_total', EXPORTER_TARGETS, *matchers)})"

    target_operation = "aws_account_id, aws_region, operation"
    return Section("AWS API requests", [
        time_series_panel(
            "API requests by operation and result",
            "AWS API request rate by operation and result; throttled requests in orange, errors in red.",
            [query(by("operation, result"), legend="{{operation}} {{result}}")], unit="reqps", min_value=0)
        .override_by_regexp(".* throttled", [fixed_color("orange")])
        .override_by_regexp(".* (client_error|server_error|timeout|transport_error)", [fixed_color("red")])
        .span(12).height(8),
        time_series_panel(
            "Throttled requests by operation", "ThrottlingException answers per second by target and operation "
            "(0 when none).",
            [query(f"{by(target_operation, THROTTLED)}\nor\n{by(target_operation)} * 0",
                   legend="{{aws_account_id}} {{aws_region}} {{operation}}")],
            unit="reqps", min_value=0).span(12).height(8),
        time_series_panel(
            "Failed requests by operation and result",
            "Requests per second that did not succeed, by operation and result (0 when none).",
            [query(f"{by('operation, result', NOT_SUCCESS)}\nor on (operation)\n{by('operation')} * 0",
                   legend="{{operation}} {{result}}")],
            unit="reqps", min_value=0).span(12).height(8),
        bar_gauge_panel(
            "API requests by target", "AWS API request rate per target account and region.",
            [query(by("aws_account_id, aws_region"), legend="{{aws_account_id}} {{aws_region}}", instant=True)],
            unit="reqps").span(12).height(8),
    ])


def exporter_build() -> Section:
    return Section("Build", [
        table_panel(
            "Build info", "Version and revision of each exporter instance.",
            [query(metric("exporter_build_info", 'instance=~"$instance"'), instant=True, table_format=True)],
            columns=[
                Column("instance", "Instance"),
                Column("job", "Job"),
                Column("version", "Version"),
                Column("revision", "Revision"),
            ],
            hidden=("Value", "__name__"),
        ).span(24).height(4),
    ])


def exporter_health() -> dashboard_models.Dashboard:
    success = f"{METRIC_PREFIX}collector_success"
    return build_dashboard(
        EXPORTER_HEALTH,
        "Health of directconnect-exporter: collectors per target, AWS API requests (throttling visible), build info.",
        variables=[
            label_variable("instance", "Instance", f"label_values({METRIC_PREFIX}exporter_build_info, instance)",
                           multi=True, include_all=True),
            label_variable("account", "Account", f'label_values({success}{{instance=~"$instance"}}, aws_account_id)',
                           multi=True, include_all=True, all_value=".*"),
            label_variable("region", "Region",
                           f'label_values({success}{{instance=~"$instance",aws_account_id=~"$account"}}, aws_region)',
                           multi=True, include_all=True, all_value=".*"),
            label_variable("collector", "Collector", f'label_values({success}{{instance=~"$instance"}}, collector)',
                           multi=True, include_all=True, all_value=".*"),
        ],
        sections=[exporter_summary(), exporter_collectors(), exporter_api_requests(), exporter_build()],
    )
