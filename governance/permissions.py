"""Who may use the governance pages: one module, as every app has."""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import is_governance_lead, may_run_the_service


def may_open_governance(user: User) -> bool:
    """The landing page: information governance leads, and system administrators (who
    reach the retention review from it, never the access log)."""
    return is_governance_lead(user) or may_run_the_service(user)


def may_read_access_log(user: User) -> bool:
    """The access log, its flags and subject access exports: information governance leads
    only, each for their own agency."""
    return is_governance_lead(user)
