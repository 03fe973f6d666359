"""The roles: the governance lead's group, casework is for partners and coordinators only, and agency
administrators may give the information governance lead's role."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group

from accounts.models import CASEWORK_ROLES, Role, User
from accounts.permissions import user_may_see_casework
from accounts.services import ASSIGNABLE_BY_AGENCY_ADMIN


def test_the_migration_creates_the_governance_leads_group(db):
    migration = import_module("accounts.migrations.0003_governance_lead_role")
    Group.objects.filter(name=Role.GOVERNANCE_LEAD).delete()
    migration.create_role(apps, None)
    migration.create_role(apps, None)  # idempotent
    assert Group.objects.filter(name=Role.GOVERNANCE_LEAD).count() == 1


def test_only_partners_and_coordinators_do_casework(partnership):
    p = partnership
    assert CASEWORK_ROLES == {Role.PARTNER, Role.COORDINATOR}
    for user in (p.agency_admin, p.governance_lead, p.committee, p.system_admin):
        assert not user_may_see_casework(user), user.username


def test_an_agency_admin_gives_the_governance_lead_role(partnership, client_for):
    assert Role.GOVERNANCE_LEAD in ASSIGNABLE_BY_AGENCY_ADMIN
    client = client_for(partnership.agency_admin)
    assert "Information governance lead" in client.get("/sharing/accounts/new/").content.decode()
    response = client.post(
        "/sharing/accounts/new/",
        {
            "first_name": "Gwen",
            "last_name": "Price",
            "username": "gprice",
            "email": "gwen.price@council.example.gov.uk",
            "roles": ["governance_lead"],
        },
    )
    assert response.status_code == 200
    assert b"Account created" in response.content
    assert User.objects.get(username="gprice").roles == {Role.GOVERNANCE_LEAD}


def test_the_dashboard_leads_each_role_to_its_work(partnership, client_for):
    p = partnership
    admin = client_for(p.agency_admin).get("/").content.decode()
    assert 'id="dashboard-staff"' in admin and 'id="dashboard-governance"' not in admin
    assert "open actions" not in admin
    lead = client_for(p.governance_lead).get("/").content.decode()
    assert 'id="dashboard-governance"' in lead and 'id="dashboard-staff"' not in lead
    assert "See who has viewed a record" in lead
    partner = client_for(p.partner).get("/").content.decode()
    assert 'id="dashboard-governance"' not in partner and 'id="dashboard-staff"' not in partner
