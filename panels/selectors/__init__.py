"""Reads of panels' data for the person asking, one module per aggregate."""

from panels.selectors.panels import PANEL_SORTS, panels_for

__all__ = ["PANEL_SORTS", "panels_for"]
