"""Import rules (docs/architecture.md): the SDK and the CLI load no server, driver or model, and the
import-linter contracts of pyproject.toml hold over the package as installed."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.layers import installed_tree, lint_imports

HEAVY = {"fastapi", "starlette", "uvicorn", "mcp", "neo4j", "numpy", "torch", "transformers", "spacy", "pykeen"}
"""Libraries of the server, the driver and the models, none of which a client needs."""


def loaded_by(statement: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after ``statement`` runs in a fresh interpreter."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "statement",
    [
        "from memcubedb.api.client import MemCubeClient",
        "from memcubedb.api.client_async import AsyncMemCubeClient",
        "from memcubedb.api.cli.main import app",
    ],
)
def test_sdk_and_cli_load_no_server_driver_or_model(statement: str) -> None:
    loaded = loaded_by(statement)
    assert {"memcubedb", "httpx", "pydantic"} <= loaded
    assert not loaded & HEAVY, f"{statement!r} loads {sorted(loaded & HEAVY)}"


def test_import_contracts_hold(tmp_path: Path) -> None:
    result = lint_imports(installed_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout


def test_contracts_catch_an_upward_import_and_a_heavy_sdk(tmp_path: Path) -> None:
    tree = installed_tree(tmp_path)
    cube = tree / "memcubedb" / "cube.py"
    cube.write_text(cube.read_text() + "\nfrom memcubedb.api.app import create_app  # noqa\n")
    calls = tree / "memcubedb" / "api" / "client_calls.py"
    calls.write_text(calls.read_text() + "\nimport neo4j  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "memcubedb.cube -> memcubedb.api.app" in result.stdout
    assert "memcubedb.api.client_calls -> neo4j" in result.stdout


def test_every_package_folder_is_installed() -> None:
    """A folder with an ``__init__.py`` under a mapped folder is in pyproject's package list (else a
    wheel leaves it out, and so does the import analysis above)."""
    root = Path(__file__).resolve().parents[1]
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join([package, *init.parent.relative_to(root / folder).parts])
        for package, folder in setup["package-dir"].items()
        for init in (root / folder).rglob("__init__.py")
    }
    assert found - set(setup["packages"]) == set()
