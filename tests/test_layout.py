"""The layout's promises: the import contract holds on the code, and it would catch an
upward import even one hidden inside a function; the matching engine runs without Django."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = "from importlinter.cli import lint_imports_command as c; c()"
    args = [sys.executable, "-c", script]
    if config is not None:
        args += ["--config", str(config)]
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_apps_keep_their_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    (tmp_path / "upper").mkdir()
    (tmp_path / "upper" / "__init__.py").write_text("")
    (tmp_path / "upper" / "views.py").write_text("def page():\n    return 1\n")
    (tmp_path / "lower").mkdir()
    (tmp_path / "lower" / "__init__.py").write_text("")
    (tmp_path / "lower" / "models.py").write_text(
        "def hidden():\n    from upper.views import page\n\n    return page()\n"
    )
    config = tmp_path / "contract.toml"
    config.write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_packages = ["upper", "lower"]

            [[tool.importlinter.contracts]]
            name = "layers"
            type = "layers"
            layers = ["upper", "lower"]
            """
        )
    )
    result = lint_imports(tmp_path, config)
    assert result.returncode != 0
    assert "lower.models -> upper.views" in result.stdout


def test_the_matching_engine_imports_without_django():
    script = (
        "import sys, matching.scoring, matching.linkage, matching.identifiers\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
