#!/usr/bin/env python3
"""Generates the Grafana dashboards in this directory with grafana-foundation-sdk.

The JSON files next to this script are the product: they import into Grafana as they
are. This script is where they are edited, on Grafana's own dashboards-as-code library
(grafana-foundation-sdk, the build for Grafana 11.6 pinned in tests/requirements.txt), so
that the four dashboards share one set of conventions: the datasource variable, stable
uids, units, links and PromQL shapes.

    python3 dashboards/generate.py           # rewrite the JSON files
    python3 dashboards/generate.py --check   # exit 1 (with a diff) if a file is out of date

scripts/test runs it from its virtual environment (target/venv), where the SDK is
installed; elsewhere: pip install -r tests/requirements.txt.

Layout: a dashboard is a list of sections (a collapsible row and its panels); each section
is one function below, and each kind of panel (stat, bar gauge, time series, state
timeline, table) one builder function. To add panels, add a section function and list it
in its dashboard; the panels of a section fill the 24-column grid left to right, so their
widths per line add up to 24 (tests/dashboards/lint.py checks the grid).

Query shapes: every panel query returns data on a healthy fleet too (zeros rather than
nothing), so an empty panel means a broken query or a missing exporter, never "all good".
Redundancy is computed inline from raw metrics, so the dashboards do not need the
recording rules in alerts/.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    from grafana_foundation_sdk.builders import bargauge, prometheus, stat, statetimeline, table, timeseries
    from grafana_foundation_sdk.builders import common as common_builders
    from grafana_foundation_sdk.builders import dashboard as dashboard_builders
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common
    from grafana_foundation_sdk.models import dashboard as dashboard_models
    from grafana_foundation_sdk.models import prometheus as prometheus_models
except ImportError:
    sys.exit("dashboards/generate.py needs grafana-foundation-sdk: pip install -r tests/requirements.txt "
             "(scripts/test installs it into target/venv; run target/venv/bin/python3 dashboards/generate.py)")

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class DashboardRef:
    """A dashboard's stable identity: links between the dashboards and users' bookmarks use
    the uid and slug, so they never change."""

    uid: str
    title: str
    slug: str
    file: str

    @property
    def short_title(self) -> str:
        return self.title.split(" / ")[1]

    @property
    def url(self) -> str:
        return f"/d/{self.uid}/{self.slug}"


OVERVIEW = DashboardRef("directconnect-overview", "AWS Direct Connect / Overview",
                        "aws-direct-connect-overview", "directconnect-overview.json")
VIF_DETAIL = DashboardRef("directconnect-vif", "AWS Direct Connect / Virtual interface",
                          "aws-direct-connect-virtual-interface", "directconnect-vif.json")
EXPORTER_HEALTH = DashboardRef("directconnect-exporter", "AWS Direct Connect / Exporter health",
                               "aws-direct-connect-exporter-health", "directconnect-exporter.json")
PHYSICAL = DashboardRef("directconnect-physical", "AWS Direct Connect / Physical layer",
                        "aws-direct-connect-physical-layer", "directconnect-physical.json")
DASHBOARDS = (OVERVIEW, VIF_DETAIL, PHYSICAL, EXPORTER_HEALTH)

TAGS = ["aws", "directconnect", "prometheus"]
DATASOURCE = dashboard_models.DataSourceRef(type_val="prometheus", uid="${datasource}")


# --------------------------------------------------------------------------- PromQL

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


# --------------------------------------------------------------------------- field display


def value_mapping(*entries: tuple[str, str, str]) -> dashboard_models.ValueMap:
    """(value, text, color) entries, shown in this order."""
    return dashboard_models.ValueMap(options={
        value: dashboard_models.ValueMappingResult(text=text, color=color, index=i)
        for i, (value, text, color) in enumerate(entries)
    })


# BGP peer status as one number per peer (peer_status_code): state-timeline rows.
PEER_STATUS = value_mapping(("0", "down", "red"), ("1", "unknown", "orange"), ("2", "up", "green"))
PEER_UP = value_mapping(("0", "not up", "red"), ("1", "up", "green"))
COLLECTOR_SUCCESS = value_mapping(("0", "failed", "red"), ("1", "ok", "green"))
CURRENT_STATE = value_mapping(("1", "current", "blue"))


def thresholds(*steps: tuple[str, float | None]) -> dashboard_builders.ThresholdsConfig:
    """(color, from value) steps; the first one's value is None (the base)."""
    return (dashboard_builders.ThresholdsConfig()
            .mode(dashboard_models.ThresholdsMode.ABSOLUTE)
            .steps([dashboard_models.Threshold(value=value, color=color) for color, value in steps]))


def all_green():
    return thresholds(("green", None))


def bad_if_positive():
    return thresholds(("green", None), ("red", 1))


def redundancy():
    """0 paths red, 1 orange (no redundancy), 2 or more green."""
    return thresholds(("red", None), ("orange", 1), ("green", 2))


def by_thresholds() -> dashboard_builders.FieldColor:
    return dashboard_builders.FieldColor().mode(dashboard_models.FieldColorModeId.THRESHOLDS)


def fixed_color(color: str) -> dashboard_models.DynamicConfigValue:
    """An override property: this colour for the matched series."""
    color_config = dashboard_builders.FieldColor().mode(dashboard_models.FieldColorModeId.FIXED).fixed_color(color)
    return dashboard_models.DynamicConfigValue(id_val="color", value=color_config.build())


def last_value() -> common_builders.ReduceDataOptions:
    return common_builders.ReduceDataOptions().calcs(["lastNotNull"]).fields("").values(False)


def with_field_defaults(panel, title: str, description: str, queries: list, unit: str | None,
                        thresholds_config=None, mappings=None, min_value=None, max_value=None):
    """What every panel shares: title, description, the data source variable, its queries,
    and colours by thresholds (green unless told otherwise)."""
    panel = (panel.title(title)
             .description(description)
             .datasource(DATASOURCE)
             .targets(queries)
             .color_scheme(by_thresholds())
             .thresholds(thresholds_config or all_green())
             .mappings(mappings or []))
    if unit:
        panel = panel.unit(unit)
    if min_value is not None:
        panel = panel.min(min_value)
    if max_value is not None:
        panel = panel.max(max_value)
    return panel


# --------------------------------------------------------------------------- panel kinds


def stat_panel(title: str, description: str, expr: str, unit: str = "none", thresholds_config=None,
               text_mode=common.BigValueTextMode.AUTO, color_mode=common.BigValueColorMode.VALUE,
               legend: str = "", mappings=None, sparkline: bool = True) -> stat.Panel:
    """One big number. Without a sparkline the query is instant, so a label shown as the
    value (text_mode NAME) is the current one, not every one seen in the time range."""
    panel = with_field_defaults(stat.Panel(), title, description,
                                [query(expr, legend=legend, instant=not sparkline)],
                                unit, thresholds_config, mappings)
    return (panel.reduce_options(last_value())
            .orientation(common.VizOrientation.AUTO)
            .text_mode(text_mode)
            .color_mode(color_mode)
            .graph_mode(common.BigValueGraphMode.AREA if sparkline else common.BigValueGraphMode.NONE)
            .justify_mode(common.BigValueJustifyMode.AUTO)
            .wide_layout(True)
            .show_percent_change(False))


def bar_gauge_panel(title: str, description: str, queries: list, unit: str = "none",
                    thresholds_config=None, min_value=0) -> bargauge.Panel:
    """Horizontal bars, one per series (counts by state, headroom, paths per gateway)."""
    panel = with_field_defaults(bargauge.Panel(), title, description, queries, unit,
                                thresholds_config, min_value=min_value)
    return (panel.reduce_options(last_value())
            .orientation(common.VizOrientation.HORIZONTAL)
            .display_mode(common.BarGaugeDisplayMode.GRADIENT)
            .value_mode(common.BarGaugeValueMode.COLOR)
            .name_placement(common.BarGaugeNamePlacement.AUTO)
            .show_unfilled(True)
            .sizing(common.BarGaugeSizing.AUTO)
            .min_viz_height(16)
            .min_viz_width(8)
            .max_viz_height(300))


def time_series_panel(title: str, description: str, queries: list, unit: str, bars: bool = False,
                      min_value=None) -> timeseries.Panel:
    """Lines, or stacked bars for counts per interval (bars=True); legend as a table with
    the last and maximum values."""
    panel = with_field_defaults(timeseries.Panel(), title, description, queries, unit,
                                min_value=min_value)
    return (panel.draw_style(common.GraphDrawStyle.BARS if bars else common.GraphDrawStyle.LINE)
            .line_width(1)
            .fill_opacity(60 if bars else 10)
            .show_points(common.VisibilityMode.NEVER)
            .span_nulls(False)
            .axis_border_show(False)
            .axis_placement(common.AxisPlacement.AUTO)
            .gradient_mode(common.GraphGradientMode.NONE)
            .line_interpolation(common.LineInterpolation.LINEAR)
            .stacking(common_builders.StackingConfig().group("A").mode(
                common.StackingMode.NORMAL if bars else common.StackingMode.NONE))
            .thresholds_style(common_builders.GraphThresholdsStyleConfig().mode(
                common.GraphThresholdsStyleMode.OFF))
            .legend(common_builders.VizLegendOptions()
                    .calcs(["lastNotNull", "max"])
                    .display_mode(common.LegendDisplayMode.TABLE)
                    .placement(common.LegendPlacement.RIGHT)
                    .show_legend(True))
            .tooltip(common_builders.VizTooltipOptions()
                     .mode(common.TooltipDisplayMode.MULTI)
                     .sort(common.SortOrder.DESCENDING)))


def state_timeline_panel(title: str, description: str, queries: list, mappings: list,
                         unit: str = "none") -> statetimeline.Panel:
    """One row per series, coloured by its value mapping (a state over time)."""
    panel = with_field_defaults(statetimeline.Panel(), title, description, queries, unit,
                                mappings=mappings)
    return (panel.fill_opacity(80)
            .line_width(0)
            .hide_from(common_builders.HideSeriesConfig().legend(False).tooltip(False).viz(False))
            .merge_values(True)
            .show_value(common.VisibilityMode.NEVER)
            .align_value(common.TimelineValueAlignment.LEFT)
            .row_height(0.9)
            .legend(common_builders.VizLegendOptions()
                    .display_mode(common.LegendDisplayMode.LIST)
                    .placement(common.LegendPlacement.BOTTOM)
                    .show_legend(True))
            .tooltip(common_builders.VizTooltipOptions()
                     .mode(common.TooltipDisplayMode.SINGLE)
                     .sort(common.SortOrder.NONE)))


@dataclass
class Column:
    """How a table shows one field: `field` is the query's name for it (a label, or `Value`,
    `Value #A` … for the values of queries A, B …)."""

    field: str
    header: str
    unit: str | None = None
    mappings: list | None = None
    thresholds_config: dashboard_builders.ThresholdsConfig | None = None
    colored_background: bool = False
    data_link: dict | None = None

    def override_properties(self) -> list[dashboard_models.DynamicConfigValue]:
        def prop(name, value):
            return dashboard_models.DynamicConfigValue(id_val=name, value=value)

        props = []
        if self.unit:
            props.append(prop("unit", self.unit))
        if self.mappings:
            props.append(prop("mappings", self.mappings))
        if self.thresholds_config:
            props.append(prop("thresholds", self.thresholds_config.build()))
        if self.colored_background:
            props.append(prop("custom.cellOptions", common.TableColoredBackgroundCellOptions(
                mode=common.TableCellBackgroundDisplayMode.BASIC)))
        if self.data_link:
            props.append(prop("links", [self.data_link]))
        return props


def transformation(kind: str, options: dict) -> dashboard_models.DataTransformerConfig:
    return dashboard_models.DataTransformerConfig(id_val=kind, options=options)


def table_panel(title: str, description: str, queries: list, columns: list[Column],
                hidden: tuple[str, ...] = (), merge: bool = False, only_value_zero: bool = False,
                sort_by: tuple[str, bool] | None = None) -> table.Panel:
    """A table of instant, table-format queries. `columns` are shown in their order, under
    their headers; fields listed in `hidden` (and Time, __name__) are not shown. merge: one
    row per label set across several queries (their values become `Value #A`, `Value #B` …).
    only_value_zero: keep the rows whose `Value` is 0 (e.g. peers that are not up).
    sort_by: (header, descending)."""
    headers = {c.field: c.header for c in columns}
    transformations = []
    if merge:
        transformations.append(transformation("merge", {}))
    if only_value_zero:
        transformations.append(transformation("filterByValue", {
            "type": "include", "match": "any",
            "filters": [{"fieldName": "Value", "config": {"id": "equal", "options": {"value": 0}}}],
        }))
    transformations.append(transformation("organize", {
        "excludeByName": {name: True for name in ("Time", "__name__", *hidden)},
        "indexByName": {c.field: i for i, c in enumerate(columns)},
        "renameByName": headers,
    }))
    panel = with_field_defaults(table.Panel(), title, description, queries, "none")
    for column in columns:
        props = column.override_properties()
        if props:
            # Overrides match the displayed (renamed) column names: what Grafana's editor
            # writes, and what every Grafana version's byName matcher compares against.
            panel = panel.override_by_name(column.header, props)
    panel = (panel.transformations(transformations)
             .show_header(True)
             .cell_height(common.TableCellHeight.SM)
             .footer(common_builders.TableFooterOptions().show(False).reducer(["sum"]).count_rows(False).fields(""))
             .align(common.FieldTextAlignment.AUTO)
             .cell_options(common.TableAutoCellOptions())
             .inspect(False)
             .filterable(True))
    if sort_by:
        panel = panel.sort_by([common_builders.TableSortByFieldState().display_name(sort_by[0]).desc(sort_by[1])])
    return panel


def physical_link() -> dict:
    """Data link from a table row to the physical-layer dashboard of that row's connection."""
    fields = "${__data.fields.%s}"
    return {
        "title": "Physical layer (optics, traffic, errors)",
        "url": (f"{PHYSICAL.url}?var-datasource=${{datasource}}"
                f"&var-account={fields % 'aws_account_id'}&var-region={fields % 'aws_region'}"
                f"&var-connection={fields % 'connection_id'}&${{__url_time_range}}"),
        "targetBlank": False,
    }


def vif_detail_link() -> dict:
    """Data link from a table row to the VIF detail dashboard of that row's VIF."""
    fields = "${__data.fields.%s}"
    return {
        "title": "Virtual interface detail",
        "url": (f"{VIF_DETAIL.url}?var-datasource=${{datasource}}"
                f"&var-account={fields % 'aws_account_id'}&var-region={fields % 'aws_region'}"
                f"&var-connection={fields % 'connection_id'}&var-vif={fields % 'virtual_interface_id'}"
                f"&${{__url_time_range}}"),
        "targetBlank": False,
    }


# --------------------------------------------------------------------------- variables


def datasource_variable() -> dashboard_builders.DatasourceVariable:
    return (dashboard_builders.DatasourceVariable("datasource")
            .label("Data source")
            .description("Prometheus data source that scrapes directconnect-exporter")
            .type("prometheus")
            .regex("")
            .hide(dashboard_models.VariableHide.DONT_HIDE)
            .multi(False)
            .include_all(False))


def label_variable(name: str, label: str, label_values: str, multi: bool = False,
                   include_all: bool = False, all_value: str | None = None) -> dashboard_builders.QueryVariable:
    """A variable listing the values of a label (`label_values(...)`), refreshed when the
    time range changes, sorted alphabetically; with "All" selected by default if offered."""
    variable = (dashboard_builders.QueryVariable(name)
                .label(label)
                .description("")
                .datasource(DATASOURCE)
                .query({"qryType": 1, "query": label_values,
                        "refId": "PrometheusVariableQueryEditor-VariableQuery"})
                .refresh(dashboard_models.VariableRefresh.ON_TIME_RANGE_CHANGED)
                .regex("")
                .sort(dashboard_models.VariableSort.ALPHABETICAL_ASC)
                .multi(multi)
                .include_all(include_all)
                .options([])
                .hide(dashboard_models.VariableHide.DONT_HIDE))
    if include_all:
        text, value = (["All"], ["$__all"]) if multi else ("All", "$__all")
        variable = variable.current(dashboard_models.VariableOption(selected=True, text=text, value=value))
    if all_value is not None:
        variable = variable.all_value(all_value)
    return variable


# --------------------------------------------------------------------------- dashboards


@dataclass
class Section:
    """A row and the panels under it, each sized with .span(width).height(height)."""

    title: str
    panels: list = field(default_factory=list)


def links_to_the_others(own: DashboardRef) -> list[dashboard_builders.DashboardLink]:
    return [
        (dashboard_builders.DashboardLink(other.short_title)
         .type(dashboard_models.DashboardLinkType.LINK)
         .tooltip(other.title)
         .url(other.url)
         .icon("dashboard")
         .keep_time(True)
         .include_vars(True)
         .as_dropdown(False)
         .target_blank(False)
         .tags([]))
        for other in DASHBOARDS if other != own
    ]


def build_dashboard(ref: DashboardRef, description: str, variables: list, sections: list[Section],
                    refresh: str = "1m") -> dashboard_models.Dashboard:
    builder = (dashboard_builders.Dashboard(ref.title)
               .uid(ref.uid)
               .description(description)
               .tags(TAGS)
               .timezone("browser")
               .editable()
               .tooltip(dashboard_models.DashboardCursorSync.CROSSHAIR)
               .fiscal_year_start_month(0)
               .live_now(False)
               .refresh(refresh)
               .version(1)
               .week_start("")
               .time("now-6h", "now")
               .annotation(dashboard_builders.AnnotationQuery()
                           .built_in(1)
                           .datasource(dashboard_models.DataSourceRef(type_val="grafana", uid="-- Grafana --"))
                           .enable(True)
                           .hide(True)
                           .icon_color("rgba(0, 211, 255, 1)")
                           .name("Annotations & Alerts")
                           .type("dashboard"))
               .links(links_to_the_others(ref))
               .with_variable(datasource_variable()))
    for variable in variables:
        builder = builder.with_variable(variable)
    for section in sections:
        builder = builder.with_row(dashboard_builders.Row(section.title).collapsed(False))
        for panel in section.panels:
            builder = builder.with_panel(panel)
    dashboard = builder.build()
    # Panel ids in layout order (rows included): stable, so links to a panel keep working.
    for panel_id, panel in enumerate(dashboard.panels, start=1):
        panel.id_val = panel_id
    return dashboard


# --------------------------------------------------------------------------- overview


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


# --------------------------------------------------------------------------- capacity and headroom

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


def paren(expr: str) -> str:
    return f"(\n{indent(expr, 2)}\n)"


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


# --------------------------------------------------------------------------- VIF detail


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


# --------------------------------------------------------------------------- physical layer

RULES_SOURCE = HERE.parent / "alerts" / "src" / "directconnect.rules.yml"


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


# --------------------------------------------------------------------------- exporter health

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


# --------------------------------------------------------------------------- main

BUILDERS = {
    OVERVIEW.file: overview,
    VIF_DETAIL.file: vif_detail,
    PHYSICAL.file: physical,
    EXPORTER_HEALTH.file: exporter_health,
}


def render(build) -> str:
    return json.dumps(build(), cls=JSONEncoder, indent=2, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a JSON file differs from what this script generates")
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: this directory)")
    args = ap.parse_args(argv)
    stale = []
    for name, build in BUILDERS.items():
        path = args.out / name
        text = render(build)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
            continue
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            stale.append(name)
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), f"{name} (committed)",
                                        f"{name} (generated)", lineterm="", n=2)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
    if stale:
        print(f"out of date (run python3 dashboards/generate.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
