"""The accounts `make load` signs in as, and the paths each opens, read from a database.

Borough staff are the synthetic boroughs' casework accounts (bench/synthetic.py). Each
opens only what it may see: its agency's panels and people on their cohorts, found through
the same selectors as the pages, so a load run measures pages doing their real work, not
404s. Paths come from the URL names, so they follow the URLconf.
"""

from __future__ import annotations

import random

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from bench.load.scenario import TRIVIAL_PATH, Account
from offenders.models import Nominal
from panels.models import CohortMembership, MembershipStatus, Panel

# The casework accounts of each synthetic borough (demo/borough.py's STAFF).
CASEWORK = ("coordinator", "mappa", "police", "probation", "drugs", "housing", "health")
# People per account to open and to search for: enough that the same few records are not
# all that is read (the database's cache would flatter them), few enough to find quickly.
PROFILES_EACH = 30
NAMES_EACH = 15
# bench/panels.py adds panels of exactly 50 and 1,000 members to the first borough for the
# heavy pages; the mix keeps to the boroughs' own panels.
BENCH_PANEL_PREFIX = "Bench cohort"


def _device_key(user: User) -> str | None:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device.key if device else None


def staff_account(user: User, *, password: str, seed: int) -> Account | None:
    """The account's paths, or None if it sees no panel (nothing of the mix to open)."""
    key = _device_key(user)
    panels = list(
        Panel.objects.visible_to(user)
        .exclude(name__startswith=BENCH_PANEL_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if key is None or not panels:
        return None
    members = list(
        CohortMembership.objects.filter(panel_id__in=panels, status=MembershipStatus.ACTIVE)
        .order_by("pk")
        .values_list("nominal_id", flat=True)
        .distinct()[: 20 * PROFILES_EACH]
    )
    rng = random.Random(f"{seed}:{user.username}")  # noqa: S311 (reproducible, not secret)
    chosen = rng.sample(members, min(len(members), PROFILES_EACH + NAMES_EACH))
    opened, searched = chosen[:PROFILES_EACH], chosen[PROFILES_EACH:]
    names = [
        f"{given.split()[0]} {family}"
        for given, family in Nominal.objects.filter(pk__in=searched)
        .order_by("pk")
        .values_list("given_names", "family_name")
    ]
    return Account(
        username=user.username,
        password=password,
        totp_key=key,
        paths={
            "dashboard": [reverse("dashboard")],
            "search": [reverse("offenders:index")],
            "profile": [reverse("offenders:profile", args=[pk]) for pk in opened],
            "panel": [reverse("panels:detail", args=[pk]) for pk in panels],
            "tracker": [reverse("cohorts:cohort", args=[pk]) for pk in panels],
            "api_list": [reverse("nominal-list")],
            "trivial": [TRIVIAL_PATH],
        },
        names=names,
    )


def staff_accounts(codes: list[str], *, password: str, seed: int) -> list[Account]:
    """Every borough's casework accounts that see a panel, taken borough by borough in
    turn (the first of each borough, then the second...), so that a run of N users spreads
    over as many boroughs as it can."""
    per_borough = []
    for code in codes:
        users = User.objects.filter(
            username__in=[f"{code}-{name}" for name in CASEWORK], is_active=True
        ).select_related("agency")
        by_name = {user.username: user for user in users}
        accounts = [
            staff_account(by_name[f"{code}-{name}"], password=password, seed=seed)
            for name in CASEWORK
            if f"{code}-{name}" in by_name
        ]
        per_borough.append([account for account in accounts if account is not None])
    depth = max((len(accounts) for accounts in per_borough), default=0)
    return [
        accounts[level]
        for level in range(depth)
        for accounts in per_borough
        if level < len(accounts)
    ]


def heavy_account(
    user: User, *, password: str, cohort_1000: int, meeting: int, plan_large: int
) -> Account:
    """The coordinator who owns the heavy pages (bench/panels.py, bench/actions.py)."""
    key = _device_key(user)
    if key is None:
        raise ValueError(f"{user.username} has no confirmed authenticator device")
    return Account(
        username=user.username,
        password=password,
        totp_key=key,
        paths={
            "agenda": [reverse("meetings:agenda", args=[meeting])],
            "tracker_1000": [reverse("cohorts:cohort", args=[cohort_1000])],
            # A plan this long has its Word document made by the worker: its export page.
            "plan_docx": [reverse("actions:plan-export", args=[plan_large])],
        },
    )
