"""Blocking keys: short strings from a name's sounds and the date of birth, so candidates are
found by an index lookup (search, import) or by grouping (the batch job), not by comparing
every pair."""

from __future__ import annotations

from datetime import date

from matching.names import _canonical_forms, name_tokens, phonetic_key
from matching.records import PersonRecord


def _family_key_parts(family: str) -> list[str]:
    """The phonetic keys of a family name: the whole, plus each part of a double-barrel."""
    tokens = name_tokens(family)
    keys = [phonetic_key(family)]
    if len(tokens) > 1:
        keys += [phonetic_key(token) for token in tokens]
    return [key for key in dict.fromkeys(keys) if key]


def match_keys(given: str, family: str, dob: date | None) -> set[str]:
    """Blocking keys for one name and date of birth; records sharing any key are candidates.

    Chosen so that each single error an agency makes still leaves a shared key:
    - "F:<family sound>:<birth year>" survives a wrong or nickname given name and a day or
      month error;
    - "N:<sound>|<sound>" (given and family sounds, sorted) survives any date error and
      swapped given and family names;
    - "V:<canonical given>:<family sound>" joins nicknames (Bill/William) when the date is
      missing or wrong;
    - "D:<date of birth>:<initial>", once for each name's initial, survives a misspelt family
      or given name and a swap.
    Keys are short ASCII strings, fit for a PostgreSQL text[] column with a GIN index.
    """
    given_tokens = name_tokens(given)
    family_tokens = name_tokens(family)
    keys: set[str] = set()
    first_given = given_tokens[0] if given_tokens else ""
    given_sound = phonetic_key(first_given) if first_given else ""
    family_sounds = _family_key_parts(family)
    for family_sound in family_sounds:
        if dob is not None:
            keys.add(f"F:{family_sound}:{dob.year}")
        if given_sound:
            keys.add("N:" + "|".join(sorted((given_sound, family_sound))))
        if first_given:
            keys |= {f"V:{canon}:{family_sound}" for canon in _canonical_forms(first_given)}
    if dob is not None:
        initials = {token[0] for token in given_tokens[:1] + family_tokens[:1]}
        keys |= {f"D:{dob.isoformat()}:{initial}" for initial in initials}
    return keys


def record_match_keys(record: PersonRecord) -> set[str]:
    """Blocking keys for a record: its own name and date of birth and those of its aliases."""
    keys = match_keys(record.given, record.family, record.dob)
    for alias in record.aliases:
        keys |= match_keys(alias.given, alias.family, alias.dob or record.dob)
    return keys


def batch_match_keys(given: str, family: str, dob: date | None, *, approximate: bool) -> set[str]:
    """Narrower blocking keys for comparing every record with every other (the monthly
    cross-reference), built from the same name sounds and forms as `match_keys`.

    `match_keys` suits one record looked up against the register, where a wide block is one
    index lookup. In a batch every pair in a block is scored, and a key of names alone (or a
    family name and a year) holds more records the larger the partnership, so its pairs grow
    with the square of the register. Here every key also pins part of the date of birth,
    and each single error an agency makes still leaves one in common:
    - "B:<date of birth>:<sound>", once for each name's sound: one name misspelt or replaced
      by a nickname, or given and family names swapped;
    - "Y:<sounds>:<year>" (given and family sounds, sorted): a wrong or swapped day or month;
    - "M:<sounds>:<month>:<day>": a wrong year;
    - "V:<canonical given>:<family sound>:<year>": a nickname and a wrong day or month.
    A date of birth that is missing or only approximate pins nothing, so such a record keeps
    the name key "N:<sounds>" of `match_keys`, and `record_batch_match_keys` marks every
    other record's name key "n:" so the batch can compare it with them (see
    `matching.linkage.candidate_pairs`).
    """
    given_tokens = name_tokens(given)
    first_given = given_tokens[0] if given_tokens else ""
    given_sound = phonetic_key(first_given) if first_given else ""
    family_sounds = _family_key_parts(family)
    dated = None if approximate else dob
    keys: set[str] = set()
    for family_sound in family_sounds:
        if given_sound:
            sounds = "|".join(sorted((given_sound, family_sound)))
            keys.add(f"{'N' if dated is None else 'n'}:{sounds}")
            if dob is not None:
                keys.add(f"Y:{sounds}:{dob.year}")
            if dated is not None:
                keys.add(f"M:{sounds}:{dated.month}:{dated.day}")
        if dated is not None and first_given:
            keys |= {
                f"V:{canon}:{family_sound}:{dated.year}" for canon in _canonical_forms(first_given)
            }
    if dated is not None:
        sounds_of_names = {given_sound, *family_sounds} - {""}
        keys |= {f"B:{dated.isoformat()}:{sound}" for sound in sounds_of_names}
    return keys


def record_batch_match_keys(record: PersonRecord) -> set[str]:
    """`batch_match_keys` of a record's own name and date of birth and of its aliases'."""
    keys = batch_match_keys(
        record.given, record.family, record.dob, approximate=record.dob_approximate
    )
    for alias in record.aliases:
        keys |= batch_match_keys(
            alias.given,
            alias.family,
            alias.dob or record.dob,
            approximate=record.dob_approximate and alias.dob is None,
        )
    return keys
