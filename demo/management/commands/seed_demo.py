"""Load the demo borough and say how to sign in as each role."""

import os
from base64 import b32encode

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import issue_backup_codes
from demo.borough import ensure_borough, ensure_meeting_rules
from demo.history import ensure_demo_history, history_start
from demo.meetings import ensure_demo_meetings
from demo.nominals import ensure_demo_nominals
from demo.plan import ensure_demo_plan
from demo.reports import ensure_demo_report
from demo.targets import ensure_demo_targets, ensure_demo_unit_costs

# A demo-only password, printed to the newcomer; never used outside seed data.
DEFAULT_DEMO_PASSWORD = "kingsmere-demo-password"  # noqa: S105


class Command(BaseCommand):
    help = "Create the fictional borough of Kingsmere's partnership, safely re-runnable."

    def handle(self, *args, **options) -> None:
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        borough = ensure_borough(password=password)
        people = ensure_demo_nominals(borough)
        meetings = ensure_meeting_rules(borough)
        agenda_items = ensure_demo_meetings(borough)
        plan_actions = ensure_demo_plan(borough)
        # After the minuted meeting and this month's cross-reference, which keep the few
        # named people they had before the history existed.
        history = ensure_demo_history(borough)
        targets = ensure_demo_targets(borough, first_year=history_start(timezone.localdate()).year)
        unit_costs = ensure_demo_unit_costs(borough)
        report = ensure_demo_report(borough)
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo borough of {borough.name} is ready."))
        if people:
            out.write(f"Added {people} demo people to its panels.")
        if meetings:
            out.write(f"Scheduled {meetings} meetings from the panels' meeting rules.")
        if agenda_items:
            out.write(f"Held last month's IOM main panel and put {agenda_items} people on agendas.")
        if plan_actions:
            out.write(f"Imported the reducing reoffending action plan: {plan_actions} actions.")
        if history:
            out.write(
                f"Added the IOM and DIP panels' history since {history.since:%-d %B %Y}: "
                f"{history.people} more people, {history.meetings} meetings held, "
                f"{history.reviews} RAG reviews."
            )
        if targets or unit_costs:
            out.write(f"Set {targets} panel targets and {unit_costs} unit costs of crime.")
        if report:
            out.write("Drafted last financial year's reducing reoffending update for committee.")
        out.write(f"Every demo account's password is: {password}")
        out.write(
            "After the password, enter a backup code below (each works once; running "
            "seed_demo again issues new ones), the current code from "
            "`python manage.py demo_code USERNAME`, or add the set-up key to an "
            "authenticator app.\n"
        )
        for user in borough.staff.values():
            codes = issue_backup_codes(user)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            key = b32encode(device.bin_key).decode().rstrip("=") if device else "-"
            out.write(
                f"  {user.username:<12} {', '.join(user.role_labels):<38} "
                f"{user.agency.name}\n"
                f"               backup codes: {' '.join(codes)}   set-up key: {key}"
            )
