"""Reads of panels for the person asking."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import Agency, ObjectType, User
from panels.models import Panel, grants_in_force

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


def panel_for(request: HttpRequest, pk: int) -> Panel:
    """The panel if the user may see it; otherwise 404, whether or not it exists."""
    panel = (
        Panel.objects.visible_to(request_user(request))
        .select_related("coordinating_agency")
        .filter(pk=pk)
        .first()
    )
    if panel is None:
        refuse(request, object_type=ObjectType.PANEL, object_id=pk)
    return panel


def agencies_seeing_panel(panel: Panel) -> list[Agency]:
    """The agencies granted sight of a panel today, for the panel's own page."""
    granted = grants_in_force().filter(content_object=panel).values("group_id")
    return list(Agency.objects.filter(group_id__in=granted).order_by("name"))
