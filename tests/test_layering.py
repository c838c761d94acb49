"""Booth's layering holds: the import contracts in pyproject.toml, checked by import-linter.

The kernel imports no app, nothing imports the composition root, the apps import
downward only (visitors → moderation → displays → experiences → kernel), the experiences
subdomains likewise, and sibling modules have no cycles. A violation names the import.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("booth", "kernel", "experiences", "displays", "moderation", "visitors", "operations")


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


def test_no_module_imports_an_app_inside_a_function_without_saying_why():
    """A function-level import of Booth's own code hides a cycle; the only ones allowed
    say which cycle they break, in a comment on the line or just above it (type-checking
    imports aside)."""
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import):
                        names = [alias.name for alias in inner.names]
                    elif isinstance(inner, ast.ImportFrom) and not inner.level:
                        names = [inner.module or ""]
                    else:
                        continue
                    ours = any(name.split(".")[0] in PACKAGES for name in names)
                    above = lines[inner.lineno - 2].strip() if inner.lineno > 1 else ""
                    said = "#" in lines[inner.lineno - 1] or above.startswith("#")
                    if ours and not said:
                        where = f"{path.relative_to(ROOT)}:{inner.lineno}"
                        offenders.append(f"{where}: {lines[inner.lineno - 1].strip()}")
    assert offenders == []
