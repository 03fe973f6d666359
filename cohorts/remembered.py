"""Decisions on list rows, remembered for the panel's next lists.

A coordinator who settles a row the matching was unsure of (this record, a new person, or
leave it out) should not be asked again next month about the same row. The row is known by
a keyed hash of its identity as the list gives it: names, date of birth and identifiers,
normalised, so a change of case or spacing is the same row, and a new date of birth or a new
identifier is a new question. Addresses are left out: people move, and a new postcode is a
difference to show, not a different person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

from cohorts.importing import ParsedRow


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z]+", " ", folded).split())


def row_signature(parsed: ParsedRow) -> str:
    """The row's identity as a keyed hash: the same for the same person written the same
    way, and not reversible to a name without the service's secret key."""
    born = parsed.date_of_birth.isoformat() if parsed.date_of_birth else ""
    if parsed.dob_approximate and parsed.date_of_birth:
        born = f"~{parsed.date_of_birth.year}"
    identifiers = ";".join(f"{kind}={value}" for kind, value in sorted(parsed.identifiers.items()))
    identity = "|".join([_plain(parsed.family_name), _plain(parsed.given_names), born, identifiers])
    key = f"remembered-row-decisions:{settings.SECRET_KEY}".encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()
