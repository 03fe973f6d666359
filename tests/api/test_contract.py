"""The API keeps the promises its OpenAPI schema makes, tested by schemathesis.

Every operation of the schema (as /api/v1/schema/ serves it) is called in-process with
generated requests, both valid (positive) and invalid (negative), as a signed-in
coordinator, and every built-in check runs on every answer: no server error, only
documented status codes and content types, bodies matching the documented schemas, invalid
input refused, valid input accepted, and the session really required.

Generation is derandomized, so CI sends the same requests on every run, and bounded so the
whole module takes about two minutes. Each operation is one test inside pytest-django's
transaction, so the records its writes create are rolled back like any other test's.
"""

from __future__ import annotations

import secrets
from collections import Counter

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.security.world import World, build_world
from tests.signing_in import signed_in_client

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 17,
        "generation": {
            "mode": "all",
            "max-examples": 15,
            "deterministic": True,
            "database": "none",
        },
        # Every phase that tests one operation at a time; the stateful phase needs links
        # between operations that the schema does not declare.
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
        },
        "checks": {"enabled": True},
        "operations": [
            {
                # A body can be valid by the schema and still be refused with a 400 for a
                # rule no schema can state: it names a record the caller may not see (ids
                # are generated, not taken from the database), or dates out of order.
                # Everything else about these answers is still checked.
                "include-method-regex": "^(POST|PATCH)$",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "403", "404", "409"]
                    }
                },
            },
            {
                # The figures' period is given by both of its ends or by neither.
                "include-path": "/api/v1/figures/",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "403", "404"]}
                },
            },
        ],
    }
)

schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = get_wsgi_application()


# The session every generated call carries. Schemathesis applies it when it builds the
# cases, some of them at collection, so the key is fixed here and each test signs the
# coordinator in under it.
SESSION_KEY = secrets.token_hex(16)
CSRF_TOKEN = secrets.token_hex(16)


@schema.auth(refresh_interval=None)
class SessionCookie:
    """The signed-in coordinator's session cookie, the API's documented security scheme,
    with the CSRF token that a write through a session needs."""

    def get(self, case, context):
        return SESSION_KEY

    def set(self, case, data, context):
        case.cookies = {
            **(case.cookies or {}),
            django_settings.SESSION_COOKIE_NAME: data,
            django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        }
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_TOKEN}


# Calls made: (operation, phase, status), reported at the end of the run (conftest.py).
CALLS: Counter[tuple[str, str, int]] = Counter()


@schema.hook
def after_call(context, case, response):
    phase = case.meta.phase.name.value if case.meta is not None else "explicit"
    CALLS[case.operation.label, phase, response.status_code] += 1


def _records(world: World) -> dict[str, list[int]]:
    """The ids of the world's records, by the collection that serves them: the caller's
    own, others it may see, and other boroughs' it may not."""
    w, p = world, world.p
    return {
        "nominals": [w.nominal.pk, w.member_nominal.pk, w.merged_nominal.pk, w.outsider_nominal.pk],
        "memberships": [w.work.membership.pk, w.work.referral.pk, w.outsider_work.membership.pk],
        "meetings": [w.work.meeting.pk, w.outsider_work.meeting.pk],
        "agenda-items": [w.work.agenda_item.pk, w.outsider_work.agenda_item.pk],
        "case-actions": [w.work.case_action.pk, w.outsider_work.case_action.pk],
        "reviews": [w.work.review.pk, w.outsider_work.review.pk],
        "agreements": [p.agreement.pk, w.outsider_agreement.pk],
        "panels": [p.panel.pk, w.outsider_panel.pk],
        "plans": [w.plans.plan.pk, w.outsider_plans.plan.pk],
        "plan-actions": [w.plans.action.pk, w.outsider_plans.action.pk],
        "plan-steps": [w.plans.step.pk, w.outsider_plans.step.pk],
        "plan-updates": [w.plans.update.pk, w.outsider_plans.update.pk],
        "crossref-findings": [
            w.crossref.duplicate.pk,
            w.crossref.overlap.pk,
            w.crossref.hidden_duplicate.pk,
        ],
        "reports": [w.reports.report.pk, w.outsider_reports.report.pk],
    }


# The records of the module's world, by collection (filled in when it is built).
RECORDS: dict[str, list[int]] = {}


@schema.hook
def map_path_parameters(context, path_parameters):
    """A generated record id becomes one of a real record, chosen by the generated number,
    so that valid calls reach records (and their writes run) rather than all answering 404.
    The coverage phase still sends ids no record has."""
    value = (path_parameters or {}).get("id")
    collection = context.operation.path.split("/")[3]
    if isinstance(value, int) and value >= 0 and RECORDS.get(collection):
        ids = RECORDS[collection]
        path_parameters["id"] = ids[value % len(ids)]
    return path_parameters


@pytest.fixture(scope="module")
def contract_world(django_db_setup, django_db_blocker):
    """The access matrix's world, built once for the module inside a transaction rolled
    back when it ends; each operation's test runs in its own savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        RECORDS.update(_records(world))
        yield world
        RECORDS.clear()
        transaction.set_rollback(True)


@pytest.fixture
def coordinator_session(contract_world, db, settings):
    """The council's coordinator, signed in with both factors, calls every operation."""
    # The in-process client names its host "localhost".
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # As Django's test client arranges, a request does not close the database connection
    # when it ends: the test's transaction must outlive each call.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    signed_in = signed_in_client(contract_world.p.coordinator).session
    Session.objects.create(
        session_key=SESSION_KEY,
        session_data=signed_in.encode(dict(signed_in.items())),
        expire_date=signed_in.get_expiry_date(),
    )
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# One signed-in session and one transaction serve all of an operation's generated calls;
# on a busy machine generating the data can be slow, which is no fault of the API.
@hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_api_keeps_its_contract(case, coordinator_session):
    case.call_and_validate()


def test_the_served_schema_is_the_one_tested(contract_world, db):
    client = signed_in_client(contract_world.p.coordinator)
    served = client.get("/api/v1/schema/?format=json")
    assert served.json() == schema.raw_schema
