"""Agency administrators create and deactivate accounts for their own agency only."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import AuditEvent, User, Verb

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {
    "first_name": "Nadia",
    "last_name": "Osei",
    "username": "nosei",
    "email": "nadia.osei@example.gov.uk",
    "job_title": "ASB officer",
    "roles": ["partner"],
}


def test_agency_admin_creates_an_account_in_their_own_agency(partnership, client_for):
    client = client_for(partnership.agency_admin)
    response = client.post("/sharing/accounts/new/", NEW_ACCOUNT)

    assert response.status_code == 200
    assert b"Account created" in response.content
    user = User.objects.get(username="nosei")
    assert user.agency == partnership.council
    assert user.roles == {"partner"}
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(verb=Verb.ACCOUNT_CREATED, object_id=str(user.pk)).exists()
    assert len(mail.outbox) == 1
    assert "/account/set-up/" in mail.outbox[0].body
    assert "Osei" not in mail.outbox[0].body  # the e-mail carries a link, not personal details


def test_new_account_sets_a_password_through_the_link_then_signs_in(partnership, client_for):
    client_for(partnership.agency_admin).post("/sharing/accounts/new/", NEW_ACCOUNT)
    link = next(line for line in mail.outbox[0].body.split() if "/account/set-up/" in line)
    path = link.split("testserver", 1)[1]

    newcomer = Client()
    form_page = newcomer.get(path, follow=True)
    assert b"Choose your password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    response = newcomer.post(
        set_url,
        {
            "new_password1": "a long memorable sentence",
            "new_password2": "a long memorable sentence",
        },
    )
    assert response["Location"] == "/sign-in/"
    assert User.objects.get(username="nosei").check_password("a long memorable sentence")
    assert newcomer.get(path, follow=True).content.count(b"This link has expired") == 1

    signed = Client().post(
        "/sign-in/", {"username": "nosei", "password": "a long memorable sentence"}
    )
    assert signed["Location"] == "/sign-in/set-up/"


def test_weak_first_password_is_refused_with_reasons(partnership, client_for):
    client_for(partnership.agency_admin).post("/sharing/accounts/new/", NEW_ACCOUNT)
    link = next(line for line in mail.outbox[0].body.split() if "/account/set-up/" in line)
    newcomer = Client()
    page = newcomer.get(link.split("testserver", 1)[1], follow=True)
    response = newcomer.post(
        page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    assert b"too common" in response.content


def test_account_form_explains_each_mistake(partnership, client_for):
    client = client_for(partnership.agency_admin)
    response = client.post(
        "/sharing/accounts/new/", {**NEW_ACCOUNT, "email": "not-an-email", "roles": []}
    )
    assert response.status_code == 200
    assert b"Enter an email address in the correct format" in response.content
    assert b"Select at least one role" in response.content
    assert not User.objects.filter(username="nosei").exists()


def test_duplicate_username_is_refused(partnership, client_for):
    client = client_for(partnership.agency_admin)
    response = client.post("/sharing/accounts/new/", {**NEW_ACCOUNT, "username": "ALICE"})
    assert b"That username is already taken" in response.content


def test_agency_admin_cannot_grant_system_admin(partnership, client_for):
    client = client_for(partnership.agency_admin)
    response = client.post("/sharing/accounts/new/", {**NEW_ACCOUNT, "roles": ["system_admin"]})
    assert response.status_code == 200
    assert not User.objects.filter(username="nosei").exists()


def test_agency_admin_lists_only_their_own_agencys_staff(partnership, client_for):
    response = client_for(partnership.agency_admin).get("/sharing/accounts/")
    assert b"alice" in response.content
    assert b"charlie" not in response.content  # outsider agency
    assert b"bob" not in response.content  # probation


def test_deactivating_an_account_stops_its_next_request(partnership, client_for):
    victim = client_for(partnership.partner)
    assert victim.get("/").status_code == 200

    response = client_for(partnership.agency_admin).post(
        f"/sharing/accounts/{partnership.partner.pk}/deactivate/"
    )

    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb=Verb.ACCOUNT_DEACTIVATED).count() == 1


def test_agency_admin_cannot_deactivate_another_agencys_account(partnership, client_for):
    response = client_for(partnership.outsider_admin).post(
        f"/sharing/accounts/{partnership.partner.pk}/deactivate/"
    )
    assert response.status_code == 404
    partnership.partner.refresh_from_db()
    assert partnership.partner.is_active


def test_agency_admin_cannot_deactivate_themselves(partnership, client_for):
    client = client_for(partnership.agency_admin)
    response = client.post(
        f"/sharing/accounts/{partnership.agency_admin.pk}/deactivate/", follow=True
    )
    assert b"You cannot deactivate your own account" in response.content
    partnership.agency_admin.refresh_from_db()
    assert partnership.agency_admin.is_active


def test_reactivated_account_can_sign_in_again(partnership, client_for):
    admin = client_for(partnership.agency_admin)
    admin.post(f"/sharing/accounts/{partnership.partner.pk}/deactivate/")
    admin.post(f"/sharing/accounts/{partnership.partner.pk}/reactivate/")
    response = Client().post(
        "/sign-in/", {"username": "carol", "password": "correct horse battery staple"}
    )
    assert response["Location"] == "/sign-in/code/"


def test_partners_cannot_manage_accounts(partnership, client_for):
    assert client_for(partnership.partner).get("/sharing/accounts/").status_code == 403
