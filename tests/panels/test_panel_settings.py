"""The panel settings page: the coordinator sets the RAG scheme and review interval."""

from __future__ import annotations

from accounts.models import AuditEvent, Verb
from panels.models import RagScheme


def _settings(**changes: object) -> dict[str, object]:
    return {"description": "", "rag_scheme": RagScheme.RAG, "review_interval_days": "28"} | changes


def test_coordinator_changes_the_rag_scheme_and_review_interval(partnership, client_for):
    p = partnership
    response = client_for(p.coordinator).post(
        f"/panels/{p.panel.pk}/settings/",
        _settings(rag_scheme=RagScheme.RAG_CUSTODY, review_interval_days="56"),
    )
    assert response.status_code == 302
    p.panel.refresh_from_db()
    assert (p.panel.rag_scheme, p.panel.review_interval_days) == (RagScheme.RAG_CUSTODY, 56)
    event = AuditEvent.objects.get(verb=Verb.PANEL_CHANGED)
    assert event.detail["review_interval_days"] == [28, 56]
    page = client_for(p.coordinator).get(f"/panels/{p.panel.pk}/").content.decode()
    assert "Blue while in custody" in page
    assert "56 days" in page


def test_an_unknown_scheme_is_refused_with_a_message_and_nothing_changes(partnership, client_for):
    p = partnership
    response = client_for(p.coordinator).post(
        f"/panels/{p.panel.pk}/settings/", _settings(rag_scheme="purple")
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    p.panel.refresh_from_db()
    assert p.panel.rag_scheme == RagScheme.RAG
    assert not AuditEvent.objects.filter(verb=Verb.PANEL_CHANGED).exists()


def test_a_member_agency_partner_may_read_the_panel_but_not_change_it(partnership, client_for):
    p = partnership
    client = client_for(p.member_partner)
    assert client.get(f"/panels/{p.panel.pk}/").status_code == 200
    assert "panel settings" not in client.get(f"/panels/{p.panel.pk}/").content.decode()
    response = client.post(f"/panels/{p.panel.pk}/settings/", _settings(review_interval_days="14"))
    assert response.status_code == 403
    p.panel.refresh_from_db()
    assert p.panel.review_interval_days == 28


def test_an_outsider_coordinator_gets_404(partnership, client_for):
    p = partnership
    response = client_for(p.outsider_coordinator).get(f"/panels/{p.panel.pk}/settings/")
    assert response.status_code == 404
