"""Re-authentication before exports of personal data and merges (SECURITY.md, ASVS 7.5.3).

A member of staff whose last password or code check is older than the configured time is
sent to "Confirm it's you" and nothing happens until they do."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, Verb
from offenders.models import Nominal
from tests.factories import TEST_PASSWORD, make_nominal
from tests.sharing.test_sign_in import current_code
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db

CONFIRM = "/confirm-identity/"


def sent_to_confirm(response) -> str:
    """The `next` of a redirect to "Confirm it's you"; fails if it is not one."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == CONFIRM
    return parse_qs(location.query)["next"][0]


def export_url(panel) -> str:
    return reverse("cohorts:cohort-csv", args=[panel.pk])


@pytest.fixture
def stale(partnership, client_for):
    make_nominal(partnership.coordinator, family_name="Exportable", on_panel=partnership.panel)
    return age_authentication(client_for(partnership.coordinator), minutes=16)


def test_a_fresh_sign_in_exports_without_being_asked(partnership, client_for):
    make_nominal(partnership.coordinator, family_name="Exportable", on_panel=partnership.panel)
    response = client_for(partnership.coordinator).get(export_url(partnership.panel))
    assert response.status_code == 200
    assert b"EXPORTABLE" in response.content


def test_an_old_check_is_asked_again_before_an_export_and_nothing_is_exported(partnership, stale):
    response = stale.get(export_url(partnership.panel) + "?sort=name")
    assert sent_to_confirm(response) == export_url(partnership.panel) + "?sort=name"
    assert not AuditEvent.objects.filter(verb=Verb.COHORT_EXPORTED).exists()


def test_the_password_confirms_and_the_export_then_works(partnership, stale):
    url = export_url(partnership.panel)
    page = stale.get(f"{CONFIRM}?next={url}")
    assert "Confirm it's you" in page.content.decode()
    response = stale.post(CONFIRM, {"password": TEST_PASSWORD, "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert AuditEvent.objects.filter(
        verb=Verb.REAUTHENTICATED, actor=partnership.coordinator
    ).exists()
    exported = stale.get(url)
    assert exported.status_code == 200 and b"EXPORTABLE" in exported.content


def test_a_security_code_confirms_too(partnership, stale):
    device = TOTPDevice.objects.get(user=partnership.coordinator)
    url = export_url(partnership.panel)
    response = stale.post(CONFIRM, {"code": current_code(device), "next": url})
    assert response["Location"] == url
    assert stale.get(url).status_code == 200


def test_a_wrong_password_is_refused_with_a_message_and_changes_nothing(partnership, stale):
    url = export_url(partnership.panel)
    response = stale.post(CONFIRM, {"password": "not the password", "next": url})
    assert response.status_code == 200
    assert b"The password is not correct" in response.content
    assert b"govuk-error-summary" in response.content
    assert sent_to_confirm(stale.get(url)) == url


def test_an_empty_form_says_what_to_enter(stale):
    response = stale.post(CONFIRM, {"next": "/"})
    assert b"Enter your password or a security code" in response.content


def test_wrong_answers_lock_the_account_as_at_sign_in(partnership, stale, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = stale.post(CONFIRM, {"password": "wrong wrong wrong", "next": "/"})
    assert response.status_code == 429
    # The right password no longer helps while the account is locked.
    after = stale.post(CONFIRM, {"password": TEST_PASSWORD, "next": "/"})
    assert after.status_code == 429


def test_next_never_leads_off_the_service(stale):
    response = stale.post(
        CONFIRM, {"password": TEST_PASSWORD, "next": "https://evil.example/steal"}
    )
    assert response["Location"] == "/"


def test_the_time_allowed_is_a_setting(partnership, client_for, settings):
    settings.REAUTHENTICATION_MAX_AGE = timedelta(minutes=1)
    client = age_authentication(client_for(partnership.coordinator), minutes=2)
    sent_to_confirm(client.get(export_url(partnership.panel)))
    settings.REAUTHENTICATION_MAX_AGE = timedelta(minutes=5)
    assert client.get(export_url(partnership.panel)).status_code == 200


def test_a_merge_is_not_made_until_the_user_confirms(partnership, client_for):
    survivor = make_nominal(
        partnership.coordinator, family_name="Okafor", on_panel=partnership.panel
    )
    duplicate = make_nominal(partnership.partner, family_name="Okafor", on_panel=partnership.panel)
    client = age_authentication(client_for(partnership.coordinator), minutes=30)
    url = reverse("offenders:merge-confirm", args=[survivor.pk, duplicate.pk])

    response = client.post(url, {"merge": "yes"})

    assert sent_to_confirm(response) == url
    assert Nominal.objects.get(pk=duplicate.pk).merged_into_id is None
    client.post(CONFIRM, {"password": TEST_PASSWORD, "next": url})
    client.post(url, {"merge": "yes"})
    assert Nominal.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


def test_an_overlap_export_asks_again(partnership, client_for):
    client = age_authentication(client_for(partnership.coordinator), minutes=20)
    url = reverse("crossref:overlaps-csv")
    sent_to_confirm(client.get(url))


def test_a_form_post_comes_back_to_the_page_the_form_was_on(partnership, client_for):
    client = age_authentication(client_for(partnership.coordinator), minutes=20)
    response = client.post(
        reverse("crossref:confirm", args=[1]), HTTP_REFERER="http://testserver/panels/x/"
    )
    assert sent_to_confirm(response) == "/panels/x/"
    htmx = client.post(reverse("crossref:confirm", args=[1]), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(CONFIRM)


def test_an_agenda_pack_asks_again(partnership, client_for):
    client = age_authentication(client_for(partnership.coordinator), minutes=20)
    url = reverse("meetings:agenda-pack", args=[1])
    assert sent_to_confirm(client.get(url)) == url
