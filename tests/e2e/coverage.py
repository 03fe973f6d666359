"""Every page checked with axe: after a full browser run that passed, fail if a page route
was never opened and scanned by a journey.

A plugin (loaded by the root conftest.py) rather than tests/e2e/conftest.py, so that with
parallel workers (pytest-xdist) the controlling process, which collects no tests itself,
can merge what each worker scanned and check the whole run once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Every path an axe scan passed on in this process (and, in the controlling process of a
# parallel run, in every worker).
SCANNED_PATHS: set[str] = set()
# The browser-journey modules collected in this run (in the controller: by the workers).
_COLLECTED_MODULES: set[str] = set()

# Routes that answer GET with something other than a page: files, and the health check.
NOT_PAGES = (".csv", ".xlsx", ".docx", ".pdf")
# An agreement's signed document is a download (PDF, Word or OpenDocument), whatever its name.
NOT_PAGE_NAMES = {"health", "sharing:agreement-document"}
E2E_DIR = Path(__file__).parent


def unscanned_pages() -> list[str]:
    """Page routes (GET, not the API, not downloads) that no axe scan passed on in this run."""
    from django.urls import Resolver404, resolve

    from tests.security.routes import discover_routes

    scanned = set()
    for path in SCANNED_PATHS:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        scanned.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    return sorted(
        route.describe()
        for route in discover_routes()
        if "GET" in route.methods
        and not route.pattern.startswith("api/")
        and not route.pattern.endswith(NOT_PAGES)
        and route.name not in NOT_PAGE_NAMES
        and route.name not in scanned
    )


def _whole_browser_run(config: pytest.Config) -> bool:
    """Every browser journey ran: no -k or marker narrowed it, and every module was collected."""
    option = config.option
    if option.keyword or option.markexpr not in ("", "e2e") or getattr(option, "lf", False):
        return False
    return all(str(module) in _COLLECTED_MODULES for module in E2E_DIR.glob("test_*.py"))


def pytest_collection_finish(session: pytest.Session) -> None:
    _COLLECTED_MODULES.update(
        str(Path(str(item.path)))
        for item in session.items
        if Path(str(item.path)).parent == E2E_DIR
    )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    """In the controller of a parallel run: what the worker scanned and collected."""
    output = getattr(node, "workeroutput", {})
    SCANNED_PATHS.update(output.get("e2e_scanned_paths", ()))
    _COLLECTED_MODULES.update(output.get("e2e_modules", ()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a parallel worker: the controller checks the whole run
        workeroutput["e2e_scanned_paths"] = sorted(SCANNED_PATHS)
        workeroutput["e2e_modules"] = sorted(_COLLECTED_MODULES)
        return
    if exitstatus != 0 or not _whole_browser_run(session.config):
        return
    missing = unscanned_pages()
    if missing:
        session.config.get_terminal_writer().line(
            "Pages no browser journey opened and checked with axe:\n  " + "\n  ".join(missing),
            red=True,
        )
        session.exitstatus = 1
