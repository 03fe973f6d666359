"""Set-up shared by the retention tests: a record whose every date is long past."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from cohorts.models import CohortImport
from meetings.models import CaseAction, Meeting
from offenders.models import CaseEvent, Identifier, Nominal

LONG_AGO = date(2014, 6, 2)


def age(nominal: Nominal, *, on: date = LONG_AGO) -> None:
    """Move every date the services stamp with "now" on the person's rows back to `on`, as
    if all of it happened then (test set-up writes the columns directly)."""
    moment = timezone.make_aware(datetime.combine(on, time(12)))
    ids = [nominal.pk, *Nominal.objects.filter(merged_into=nominal).values_list("pk", flat=True)]
    Nominal.objects.filter(pk__in=ids).update(created_at=moment, updated_at=moment)
    CaseEvent.objects.filter(nominal_id__in=ids).update(occurred_on=on, created_at=moment)
    Identifier.objects.filter(nominal_id__in=ids).update(created_at=moment)
    CaseAction.objects.filter(nominal_id__in=ids).update(created_at=moment)
    Meeting.objects.filter(items__nominal_id__in=ids).update(date=on)
    CohortImport.objects.filter(rows__nominal_id__in=ids).update(uploaded_at=moment)
