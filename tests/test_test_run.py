"""A plain test run stays light: the benchmark anchors and their data libraries are not
loaded, so a one-module run starts in seconds."""

import subprocess
import sys

HEAVY = ("splink", "recordlinkage", "pandas", "sklearn", "duckdb")


def test_collecting_every_test_loads_no_benchmark_library():
    script = (
        "import sys, pytest\n"
        "code = pytest.main(['--collect-only', '--quiet', '-m', 'not e2e', 'tests'])\n"
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))\n"
        "sys.exit(int(code))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout[-2000:]
