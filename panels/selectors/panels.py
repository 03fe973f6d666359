"""Reads of panels for the person asking."""

from __future__ import annotations

from django.db.models import QuerySet

from panels.models import Panel
from sharing.models import User

PANEL_SORTS = {
    "name": ("name",),
    "kind": ("kind", "name"),
    "coordinator": ("coordinating_agency__name", "name"),
}


def panels_for(user: User, *, sort: str = "name") -> QuerySet[Panel]:
    """Panels the user may see, with what their list and page show, in a fixed number of queries."""
    return (
        Panel.objects.visible_to(user)
        .select_related("coordinating_agency")
        .prefetch_related("member_agencies")
        .order_by(*PANEL_SORTS.get(sort, PANEL_SORTS["name"]))
    )
