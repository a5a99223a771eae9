"""A dashboard's frame: its variables, its sections (a row and its panels) and
build_dashboard, which lays them out with stable panel ids."""

from __future__ import annotations

from dataclasses import dataclass, field

from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.models import dashboard as dashboard_models

from .identity import DATASOURCE, TAGS, DashboardRef, links_to_the_others


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


@dataclass
class Section:
    """A row and the panels under it, each sized with .span(width).height(height)."""

    title: str
    panels: list = field(default_factory=list)


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
