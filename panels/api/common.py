"""What the panels' API modules share: references to people, agencies and records, input
checks that turn a service's ValidationError into DRF's 400 with field errors, and the
403 (logged) for a record the caller sees but may not change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers

from accounts.models import User
from core.api import AnsweredBooleanField
from offenders.selectors import person_visible


class NominalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """A record named by its id in the request body, looked for only among the records
    the caller may see: one they may not see gets the same 400 as one that does not exist,
    so the answer never confirms that it is there."""

    def __init__(self, *, visible: Callable[[User], QuerySet], model: type[Model], **kwargs: Any):
        self.visible = visible
        # The model's empty queryset tells the schema what the id refers to.
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.visible(self.context["request"].user)


class ConfirmSerializer(serializers.Serializer):
    """A one-step change (share an agenda, publish minutes) is made only when asked for in
    so many words: an empty request changes nothing."""

    confirm = AnsweredBooleanField()

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Send true to confirm.")
        return value


def with_person_visible(queryset: QuerySet, user: User) -> QuerySet:
    """Mark each row with whether the caller may see the person it is about
    (`person_visible`): lists and agendas name only the people the reader sees."""
    return queryset.annotate(person_visible=person_visible(user))
