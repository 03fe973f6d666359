"""Limits on guessing passwords and codes that cannot be turned against an account's owner.

django-axes pauses one username from one client address after a few failures. This module
says which address a request comes from, and whether a username has had so many failures
from everywhere that its sign-in should check the password and the code together
(config/settings.py and docs/security.md explain why).
"""

from __future__ import annotations

import ipaddress

from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

# An IPv6 user is usually given a whole /64 network, so one address in it is as much "one
# client" as the network itself: counting per address would give an attacker 2**64 tries.
IPV6_PREFIX = 64


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted against: the connection's peer, not a header.

    Behind TRUSTED_PROXY_COUNT proxies of our own, the address the outermost of them saw is
    the entry that many places from the right of X-Forwarded-For; entries further left were
    written by the client and could be anything."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)


def recent_failures(username: str) -> int:
    """Failed passwords and codes for this username, from every address, in the window."""
    since = timezone.now() - settings.SIGN_IN_GUARD_WINDOW
    return AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).count()


def is_guarded(username: str) -> bool:
    """Whether this username's sign-in checks the password and the code together."""
    return recent_failures(username) >= settings.SIGN_IN_GUARD_FAILURES
