"""Discover every route the project serves, with its name and the HTTP methods it accepts.

The access matrix (matrix.py) must have an entry for each route found here, so a new page
or API endpoint cannot ship without someone deciding who may reach it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Methods a browser or API client sends that can change or read something. HEAD and
# OPTIONS are answered by the frameworks themselves and carry no extra access rule.
INTERESTING_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class DiscoveredRoute:
    name: str | None  # "namespace:name", as `reverse()` takes it
    pattern: str  # the full pattern, e.g. "panels/<int:pk>/"
    methods: frozenset[str]
    # True when the view does not restrict methods (a plain function view without
    # `require_http_methods`): it answers POST the same way as GET.
    unrestricted: bool

    def describe(self) -> str:
        methods = ", ".join(sorted(self.methods))
        extra = " (no method restriction)" if self.unrestricted else ""
        return f"{self.name or '<unnamed>'}  /{self.pattern}  [{methods}]{extra}"


def _class_methods(view_class: type) -> frozenset[str]:
    names = getattr(view_class, "http_method_names", [])
    return frozenset(
        m.upper() for m in names if m.upper() in INTERESTING_METHODS and hasattr(view_class, m)
    )


def _declared_function_methods(callback: Callable) -> frozenset[str] | None:
    """The list given to `require_http_methods` (or require_POST...), if any decorator has one.

    Django's decorators keep the list in their closure and chain views with `__wrapped__`.
    """
    fn: Callable | None = callback
    while fn is not None:
        try:
            nonlocals = inspect.getclosurevars(fn).nonlocals
        except TypeError:
            nonlocals = {}
        if "request_method_list" in nonlocals:
            return frozenset(m.upper() for m in nonlocals["request_method_list"])
        fn = getattr(fn, "__wrapped__", None)
    return None


def route_methods(callback: Callable) -> tuple[frozenset[str], bool]:
    """(methods the view accepts, whether it accepts any method)."""
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset: the router bound these methods to actions
        # (DRF adds "head" to this dict on the first request; HEAD is not interesting.)
        return frozenset(m.upper() for m in actions if m.upper() in INTERESTING_METHODS), False
    for attribute in ("cls", "view_class"):  # a DRF APIView, or a Django class-based view
        view_class = getattr(callback, attribute, None)
        if view_class is not None:
            return _class_methods(view_class), False
    declared = _declared_function_methods(callback)
    if declared is not None:
        return frozenset(declared & set(INTERESTING_METHODS)), False
    # A function view without a method decorator handles every method alike; we ask the
    # matrix to try what a browser can send to it.
    return frozenset({"GET", "POST"}), True


def _walk(
    resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]
) -> Iterator[DiscoveredRoute]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, pattern, namespace)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            methods, unrestricted = route_methods(entry.callback)
            yield DiscoveredRoute(name, pattern, methods, unrestricted)


def discover_routes() -> list[DiscoveredRoute]:
    """Every URL pattern of the project, through includes and the DRF router."""
    return list(_walk(get_resolver(), "", ()))


def routes_by_name() -> dict[str | None, list[DiscoveredRoute]]:
    """Routes grouped by name; DRF's format-suffix variants share their route's name."""
    grouped: dict[str | None, list[DiscoveredRoute]] = {}
    for route in discover_routes():
        grouped.setdefault(route.name, []).append(route)
    return grouped
