"""People, not pairs: records the batch job matched, grouped so each group is one person.

Joining every matched pair into connected components chains people together: A matches B
(a typo), B matches C (a shared name, no date of birth), and A and C, born twenty years
apart, end up one "person". So a group grows only when the records joining it agree with
most of its members and none of them is clearly someone else (`Agreement`), checked for
every member, not only the pair that brought the records together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

__all__ = ["Agreement", "clusters"]


class Agreement(StrEnum):
    """How two records compare, for grouping."""

    MATCH = "match"  # scored as one person
    UNSURE = "unsure"  # neither
    DIFFERENT = "different"  # clearly two people: a conflicting identifier, date or name


def clusters(
    size: int,
    matches: Iterable[tuple[int, int, float]],
    agreement: Callable[[int, int], Agreement],
) -> list[list[int]]:
    """Groups of record indices (each sorted, largest group first) from matched pairs.

    `matches` are (i, j, score) for pairs scored as one person; they are taken best first,
    and each joins the groups of its two records only if, across the two groups, more than
    half of the pairs of records are matches and none is `Agreement.DIFFERENT` (asked of
    `agreement`, which scores pairs blocking never compared). Records in no match are left
    out.
    """
    group_of = list(range(size))
    members: dict[int, list[int]] = {}

    def find(index: int) -> int:
        while group_of[index] != index:
            group_of[index] = group_of[group_of[index]]
            index = group_of[index]
        return index

    known: dict[tuple[int, int], Agreement] = {}

    def agree(i: int, j: int) -> Agreement:
        pair = (i, j) if i < j else (j, i)
        if pair not in known:
            known[pair] = agreement(*pair)
        return known[pair]

    ordered = sorted(matches, key=lambda match: (-match[2], match[0], match[1]))
    for i, j, _score in ordered:
        known[(i, j) if i < j else (j, i)] = Agreement.MATCH
    for i, j, _score in ordered:
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            continue
        left, right = members.get(root_i, [root_i]), members.get(root_j, [root_j])
        verdicts = [agree(a, b) for a in left for b in right]
        if Agreement.DIFFERENT in verdicts:
            continue
        if 2 * verdicts.count(Agreement.MATCH) <= len(verdicts):
            continue
        group_of[root_j] = root_i
        members[root_i] = left + right
        members.pop(root_j, None)
    grouped = [sorted(group) for group in members.values() if len(group) > 1]
    return sorted(grouped, key=lambda group: (-len(group), group[0]))
