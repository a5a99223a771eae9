"""The panel kinds, one builder each: stat, bar gauge, time series, state timeline and table
(with its columns)."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import bargauge, stat, statetimeline, table, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dashboard_models

from .fields import last_value, with_field_defaults
from .promql import query


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
