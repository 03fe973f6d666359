"""Charts inside the page: the PNG sent as data, so no second request recomputes them."""

from __future__ import annotations

import base64

from django import template

register = template.Library()


@register.filter
def png_data(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@register.filter
def chart_for(charts: dict, key: str):  # noqa: ANN201
    return charts.get(key)
