"""RAG reviews over the API: the history panels record, read only (reviews are
recorded as decisions on agenda items)."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import visible_or_404
from accounts.api import CASEWORK, logged_page
from accounts.audit import log_access
from accounts.http import request_user
from accounts.models import ObjectType
from core.api import int_param
from offenders.selectors import rag_reviews_for
from panels.models import RagReview

REVIEW = ObjectType.RAG_REVIEW


class ReviewSerializer(serializers.ModelSerializer):
    # The reviewing agency, not the person: staff names stay within their own agency.
    author_agency = serializers.CharField(source="author.agency.code", read_only=True)

    class Meta:
        model = RagReview
        fields = [
            "id",
            "panel",
            "nominal",
            "meeting",
            "rag",
            "reviewed_on",
            "author_agency",
            "note",
        ]
        read_only_fields = fields


class ReviewViewSet(viewsets.GenericViewSet):
    """RAG history: `?panel=<id>` and `?nominal=<id>` narrow it. Reviews are recorded as
    decisions on agenda items, so the API reads them only."""

    serializer_class = ReviewSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {"list": CASEWORK, "retrieve": CASEWORK}

    def get_queryset(self):
        return rag_reviews_for(request_user(self.request)).select_related("author__agency")

    def list(self, request: Request) -> Response:
        reviews = self.get_queryset().order_by("-reviewed_on", "-pk")
        for name in ("panel", "nominal"):
            value = int_param(request, name)
            if value is not None:
                reviews = reviews.filter(**{f"{name}_id": value})
        return logged_page(self, request, reviews, object_type=ObjectType.RAG_REVIEW_LIST)

    def retrieve(self, request: Request, pk: str) -> Response:
        review = visible_or_404(request, self.get_queryset(), pk, object_type=REVIEW)
        log_access(request=request, object_type=ObjectType.NOMINAL, object_id=review.nominal_id)
        return Response(self.get_serializer(review).data)
