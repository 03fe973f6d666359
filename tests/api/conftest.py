"""Says how much the API contract test exercised, so a run that called little is seen."""

from collections import Counter


def pytest_terminal_summary(terminalreporter):
    from tests.api.test_contract import CALLS

    if not CALLS:
        return
    phases: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for (_, phase, status), count in CALLS.items():
        phases[phase] += count
        statuses[f"{status // 100}xx" if status not in (400, 403, 404) else str(status)] += count
    operations = {label for label, _, _ in CALLS}
    terminalreporter.write_line(
        f"API contract: {sum(phases.values())} calls to {len(operations)} operations; "
        f"by phase {dict(sorted(phases.items()))}; by answer {dict(sorted(statuses.items()))}"
    )
