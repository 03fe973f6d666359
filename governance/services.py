"""The governance pages' audited actions: exports change nothing, but each is a disclosure
the agency must be able to account for, so each is written to the audit trail."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import audit
from accounts.models import User, Verb
from governance.selectors.access_log import LogFilters
from offenders.models import Nominal


def access_log_export_record(
    *, actor: User, filters: LogFilters, rows: int, file_type: str
) -> None:
    """The filters (record numbers, a member of staff's id, dates: never a name) and how
    many rows went out, against the lead's agency."""
    with transaction.atomic():
        audit(
            actor=actor,
            verb=Verb.ACCESS_LOG_EXPORTED,
            target=actor.agency,
            detail={
                "records": list(filters.records),
                "staff": filters.staff.pk if filters.staff else None,
                "start": filters.start.isoformat() if filters.start else None,
                "end": filters.end.isoformat() if filters.end else None,
                "rows": rows,
                "format": file_type,
            },
        )


def subject_access_export_record(*, actor: User, nominal: Nominal) -> None:
    with transaction.atomic():
        audit(
            actor=actor,
            verb=Verb.SUBJECT_ACCESS_EXPORTED,
            target=nominal,
            detail={"agency": actor.agency_id},
        )
