"""Field display shared by every panel: value mappings, thresholds, colours and the
defaults (title, data source, queries, unit) that each panel kind starts from."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.models import dashboard as dashboard_models

from .identity import DATASOURCE


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
