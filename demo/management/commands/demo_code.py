"""The current sign-in code of a demo account, for trying the demo without an authenticator
app: `python manage.py demo_code coordinator`.

Only the demo borough's own accounts (the usernames seed_demo creates, with their example.org
addresses) are answered, so the command reveals nothing about real staff."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.borough import STAFF

DEMO_USERNAMES = {row[0] for row in STAFF}


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="A demo account, for example coordinator")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        device = TOTPDevice.objects.filter(
            user__username=username, user__email=f"{username}@example.org", confirmed=True
        ).first()
        if username not in DEMO_USERNAMES or device is None:
            raise CommandError(
                f"{username!r} is not a demo account. Demo accounts: "
                + ", ".join(sorted(DEMO_USERNAMES))
            )
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
