"""Search quality on synthetic data: is the true record found when a name is mistyped?

Probes come from `tests.people.probes`: a generated person of the first
borough with one corruption (a typo in either name, a nickname or variant of the given name,
given and family names swapped, or day and month of birth swapped), no identifiers, as a
partner searching would know them. Each goes through the real `search_nominals` as the
borough's coordinator, whose agency sees every panel of the borough and so every one of its
nominals; the hit is at rank 1 (top-1) or in the first ten (top-10).

Two modes: the name and the date of birth (what the search form asks for), and the name
alone (date-of-birth probes are left out there, their name being exact).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from accounts.models import User
from bench.synthetic import BoroughPlan, borough_people, generated_nominal_ids
from offenders.search import search_nominals
from offenders.selectors import nominals_for
from tests.people import probes

KINDS = ("typo", "nickname", "swap", "dob_transposed")
# The corruptions of the name itself; the bar (99 % in the top ten) is on these.
NAME_KINDS = ("typo", "nickname", "swap")
MODES = ("name and date of birth", "name only")
TOP = 10


@dataclass
class QualityResult:
    mode: str
    # Per kind, one (rank 1, in the top ten) pair per probe.
    found: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)
    samples_ms: list[float] = field(default_factory=list)
    visible: int = 0  # generated people the searcher may see, of whom probes are drawn

    def rate(self, kinds: tuple[str, ...], *, top: int) -> float:
        pairs = [pair for kind in kinds for pair in self.found.get(kind, [])]
        return sum(pair[top != 1] for pair in pairs) / len(pairs) if pairs else float("nan")

    def count(self, kinds: tuple[str, ...]) -> int:
        return sum(len(self.found.get(kind, [])) for kind in kinds)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in KINDS if kind in self.found)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]


def measure_search_quality(
    plan: BoroughPlan, user: User, *, count: int, seed: int
) -> list[QualityResult]:
    """`count` probes of the borough's people, searched in each mode of MODES."""
    ids = generated_nominal_ids(plan)
    people = borough_people(plan, len(ids))
    visible = set(nominals_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    # Only people the searcher may see can be found; in the synthetic data that is everyone.
    kept = [(person, pk) for person, pk in zip(people, ids, strict=True) if pk in visible]
    drawn = probes([person for person, _ in kept], count, seed, kinds=KINDS)
    results = []
    for mode in MODES:
        result = QualityResult(mode=mode, visible=len(kept))
        with_dob = mode == MODES[0]
        for probe, index, kind in drawn:
            if not with_dob and kind.startswith("dob"):
                continue
            started = time.perf_counter_ns()
            hits = search_nominals(
                user,
                name=f"{probe.given} {probe.family}",
                date_of_birth=probe.dob if with_dob else None,
            )
            result.samples_ms.append((time.perf_counter_ns() - started) / 1e6)
            ranked = [hit.nominal.pk for hit in hits[:TOP]]
            true_pk = kept[index][1]
            result.found.setdefault(kind, []).append((ranked[:1] == [true_pk], true_pk in ranked))
        results.append(result)
    return results
