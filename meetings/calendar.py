"""Days a panel does not usually meet: weekends and bank holidays.

Bank holidays come from the `holidays` package for the United Kingdom region set in
`settings.BANK_HOLIDAY_REGION` (England by default): a well-kept list, updated with each
year's one-off holidays, rather than a list kept by hand here.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=32)
def _bank_holidays(year: int, region: str) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=region, years=year).items())


def unusual_day(day: date) -> str | None:
    """Why a meeting would not usually be held on `day`, in words ("a Sunday", "a bank
    holiday (Christmas Day)"), or None on an ordinary working day."""
    name = _bank_holidays(day.year, settings.BANK_HOLIDAY_REGION).get(day)
    if name:
        return f"a bank holiday ({name})"
    if day.weekday() >= 5:
        return f"a {day:%A}"
    return None
