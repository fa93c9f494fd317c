"""Dependencies point one way: registry ← filings, grants, partybuilding ← reporting (the import-linter contract in
pyproject.toml, run by ``make lint``). The contract holds on the tree, and breaks on a planted wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "registry", "filings", "grants", "partybuilding", "reporting")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False)


@pytest.fixture
def tree(tmp_path):
    """The packages' Python files and the contract, in a scratch copy a test may break."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_contract(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line"), [
    ("registry/jobs.py", "from reporting import yearly"),  # the job engine must not know its users
    ("registry/scoping.py", "import filings.models"),  # registry below the case app
    ("grants/services.py", "from filings import numbering"),  # two apps of the middle layer
    ("filings/views.py", "from reporting.dashboard import indicator_rows"),  # up to reporting
])
def test_a_wrong_way_import_breaks_it(tree, module, line):
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    {line}\n", encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
