"""The import direction that keeps the core pure: `checks/` and `reports/` do no I/O.

They may not import the project's I/O layers (connectors, flows, sandbox) nor any HTTP
client, SDK, database driver or Prefect (STYLE.md, principle 1). `connectors/` may use
only `checks.schema` / `checks.model` of the core, and those two are all `checks/` holds
outside its packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN_IN_CORE = ("connectors", "flows", "sandbox", "prefect", "httpx", "requests", "jira",
                     "msgraph", "msgraph_core", "kiota_http", "azure", "sqlalchemy", "psycopg", "uvicorn", "starlette")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["checks", "reports"])
def test_the_pure_core_imports_no_io_layer(package: str) -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules_of(package)
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN_IN_CORE
    }
    assert offenders == set()


def test_connectors_use_only_the_schema_and_model_of_the_core() -> None:
    allowed = {"checks.schema", "checks.model"}
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules_of("connectors")
        for name in imported_modules(path)
        if name.split(".")[0] in {"checks", "reports", "flows"} and name not in allowed
    }
    assert offenders == set()


def test_checks_top_level_holds_only_the_shared_data_model() -> None:
    # Everything else lives in a package that names what it does (evaluation, forecast,
    # gates, closeout, quality, risk); test and benchmark fixtures live in `sandbox/`.
    modules = {path.name for path in (ROOT / "checks").glob("*.py")}
    assert modules == {"__init__.py", "schema.py", "model.py"}


def _named_paths(text: str) -> set[str]:
    """Paths `docs/architecture.md` names: `a/b.py` from the root; in a table row whose first
    cell is a directory, bare names (`evaluate.py`, `mapping*.py`, `gen/`) inside it."""
    import re

    paths: set[str] = set()
    for line in text.splitlines():
        names = re.findall(r"`([\w.*/-]+)`", line)
        first = re.match(r"\| `([\w./*-]+/)` \|", line)
        for name in names:
            if "/" in name.rstrip("/") or (first and name == first.group(1)):
                paths.add(name)
            elif first and name.endswith((".py", ".yaml", "/")):
                paths.add(first.group(1) + name)
    return paths


def test_the_architecture_page_names_only_paths_that_exist() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = _named_paths(text)
    assert len(named) > 60
    missing = sorted(p for p in named if not list(ROOT.glob(p.rstrip("/"))))
    assert missing == []
    # every package of the core has its row
    packages = {
        f"checks/{p.name}/" for p in (ROOT / "checks").iterdir() if (p / "__init__.py").exists()
    }
    assert packages <= named
