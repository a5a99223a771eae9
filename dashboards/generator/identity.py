"""The four dashboards' stable identity (uid, title, slug, file) and the links between them."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.models import dashboard as dashboard_models


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
