"""The audit trail is append-only in the database, and refusals are recorded."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction

from accounts.models import AccessLog, AccessOutcome, AuditEvent

pytestmark = pytest.mark.django_db

REFUSED = (InternalError, ProgrammingError, IntegrityError)


def test_access_log_rows_cannot_be_changed_or_deleted(partnership, client_for):
    client_for(partnership.coordinator).get(f"/panels/{partnership.panel.pk}/")
    row = AccessLog.objects.get(object_type="panels.panel")
    for attempt in (
        lambda: AccessLog.objects.filter(pk=row.pk).update(purpose="safeguarding"),
        lambda: AccessLog.objects.filter(pk=row.pk).delete(),
    ):
        # The app role holds no UPDATE or DELETE privilege on it (and the triggers would
        # refuse them anyway: tests/security/test_database_roles.py).
        with pytest.raises(REFUSED, match="permission denied"):
            with transaction.atomic():
                attempt()
    assert AccessLog.objects.get(pk=row.pk).purpose == ""


def test_audit_events_cannot_be_changed_or_deleted(partnership):
    event = AuditEvent.objects.first()
    with pytest.raises(REFUSED):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(verb="signed_in")
    with pytest.raises(REFUSED):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()


def test_reading_a_panel_writes_exactly_one_access_log_row(partnership, client_for):
    client_for(partnership.member_partner).get(f"/panels/{partnership.panel.pk}/")
    rows = AccessLog.objects.filter(object_id=str(partnership.panel.pk))
    assert rows.count() == 1
    row = rows.get()
    assert (row.user, row.agency, row.outcome) == (
        partnership.member_partner,
        partnership.probation,
        AccessOutcome.ALLOWED,
    )
    assert row.endpoint == f"/panels/{partnership.panel.pk}/"


def test_a_refused_read_answers_404_and_is_logged_once(partnership, client_for):
    response = client_for(partnership.outsider_partner).get(f"/panels/{partnership.panel.pk}/")
    assert response.status_code == 404
    denied = AccessLog.objects.filter(outcome=AccessOutcome.DENIED)
    assert denied.count() == 1
    assert denied.get().user == partnership.outsider_partner


def test_missing_and_hidden_panels_get_the_same_answer(partnership, client_for):
    client = client_for(partnership.outsider_partner)
    hidden = client.get(f"/panels/{partnership.panel.pk}/")
    missing = client.get("/panels/999999/")
    assert hidden.status_code == missing.status_code == 404

    def main(response):  # the page body; nonces and tokens differ per response by design
        html = response.content.decode()
        return html[html.index("<main") : html.index("</main>")]

    assert main(hidden) == main(missing)
