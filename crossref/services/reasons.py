"""The reason a coordinator or an agency gives for a decision: one rule for all of them."""

from __future__ import annotations

from django.core.exceptions import ValidationError

REASON_MAX_LENGTH = 1000


def checked_reason(reason: str, *, missing: str) -> str:
    """A decision's reason, trimmed; refused when empty (saying `missing`) or too long."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"}
        )
    return reason
