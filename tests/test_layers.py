"""The layering of the apps (pyproject.toml's import-linter contract, docs/architecture.md)
holds on the tree, and an import that goes up a layer is caught."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def root_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["root_packages"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def tree_copy(destination: Path) -> Path:
    """The Python files of every root package and the contract, nothing else."""
    for package in root_packages():
        shutil.copytree(
            ROOT / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"),
        )
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def test_the_tree_keeps_the_layers():
    done = lint_imports(ROOT)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("organisations/models.py", "workload.models"),  # a low domain app reads a higher one
        ("cases/services.py", "api.cases"),  # a domain app reads the API
        ("audit/services.py", "cases.models"),  # the trail reaches for a domain model
        ("rendering/tables.py", "taxonomy"),  # the domain-free writers learn a domain word
        ("workload/selectors.py", "evidence.models"),
    ],
)
def test_an_import_up_a_layer_breaks_the_contract(tmp_path, module, upward):
    tree = tree_copy(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"\nimport {upward}  # noqa: E402,F401\n")

    done = lint_imports(tree)

    assert done.returncode != 0
    assert "BROKEN" in done.stdout
    assert f"{module.removesuffix('.py').replace('/', '.')} -> {upward}" in done.stdout
