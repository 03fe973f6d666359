"""Who may decide about a record at its retention review: one place, closed by default."""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import is_governance_lead


def may_review_retention(user: User) -> bool:
    """Information governance leads review their own agency's records; nobody else does."""
    return is_governance_lead(user)


def may_decide(user: User, agency_id: int) -> bool:
    """Keep or delete a record: a governance lead of the agency that owns it."""
    return may_review_retention(user) and user.agency_id == agency_id
