"""Writes for panels, one module per aggregate: panels, memberships, imports, meetings."""

from panels.services.panels import panel_create, panel_set_members, panel_update

__all__ = ["panel_create", "panel_set_members", "panel_update"]
