"""The package as it is installed, for import analysis: pyproject maps folders of the checkout onto
one import package (``memcubedb.api`` ← ``api/``, …), which an installed wheel lays out as one tree
but a checkout does not. :func:`installed_tree` copies the Python files into that layout so that
grimp (and so import-linter) sees every subpackage; ``python -m tests.support.layers`` runs
``lint-imports`` with the contracts of ``pyproject.toml`` on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def installed_tree(dest: Path, root: Path = ROOT) -> Path:
    """Copy every ``.py`` file of the packages of ``root/pyproject.toml`` to ``dest`` in their
    installed layout (``dest/memcubedb/api/...``); returns ``dest``."""
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = setup["package-dir"]
    for package in setup["packages"]:
        parent = next(p for p in sorted(folders, key=len, reverse=True) if package == p or package.startswith(p + "."))
        source = root / folders[parent] / Path(*package.split(".")[len(parent.split(".")):])
        target = dest / Path(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for path in source.glob("*.py"):
            shutil.copy2(path, target / path.name)
    return dest


def lint_imports(tree: Path, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` with ``root/pyproject.toml``'s contracts over ``tree`` (an
    :func:`installed_tree`); the output names each contract KEPT or BROKEN."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--config", str(root / "pyproject.toml"),
               "--no-cache", "--no-logo"]  # fmt: skip
    return subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        result = lint_imports(installed_tree(Path(tmp)))
    print(result.stdout + result.stderr)
    sys.exit(result.returncode)
