"""The API's pages, in a module of their own: DRF reads its pagination setting while
`rest_framework.generics` is still loading, so this must not import that."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pages(PageNumberPagination):
    """DRF's numbered pages, except that `?page=` with nothing after it is refused like any
    other page that is not a number (404), rather than read as the first page."""

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        page = request.query_params.get(self.page_query_param)
        if page == "":
            raise NotFound(self.invalid_page_message.format(page_number="", message=""))
        return super().get_page_number(request, paginator)
