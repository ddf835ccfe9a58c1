"""The layers import in one direction: queries -> chart data -> page | CSV | API | PDF.

Read from the source (no import runs), so a stray import fails here before it is used.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB_FRAMEWORKS = ("dash", "dash_bootstrap_components", "flask", "flask_caching")
# Only these may import a page module: the pages themselves, the router and the page shell.
MAY_IMPORT_PAGES = ("dashboard/pages/", "dashboard/site/routing.py", "dashboard/site/layout.py", "dashboard/site/page_view.py")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".") if path.name == "__init__.py" else module_name(path).split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, node.module] if node.module else base)
            found.add(stem)
            found |= {f"{stem}.{alias.name}" for alias in node.names}  # 'from . import pages'
    return found


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def uses_framework(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in WEB_FRAMEWORKS}


@pytest.mark.parametrize("path", python_files("queries"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_data_layer_never_imports_dash_or_flask(path):
    assert not uses_framework(imports_of(path))


def test_the_chart_layer_and_all_it_imports_are_free_of_dash_and_flask():
    """Everything reachable from dashboard.chart_data inside the project, followed import by import."""
    files = {module_name(p): p for p in python_files("dashboard", "queries")}
    seen, todo, offenders = set(), [m for m in files if m.startswith("dashboard.chart_data")], {}
    while todo:
        module = todo.pop()
        if module in seen or module not in files:
            continue
        seen.add(module)
        names = imports_of(files[module])
        if uses_framework(names):
            offenders[module] = sorted(uses_framework(names))
        todo += [n for n in names if n in files]
    assert "dashboard.charts.figures" in seen and "dashboard.chart_data.filters" in seen  # the walk reached the builders
    assert offenders == {}


@pytest.mark.parametrize("path", [p for p in python_files("dashboard", "queries", "benchmarks") + [ROOT / "app.py"]
                                  if not str(p.relative_to(ROOT)).startswith(MAY_IMPORT_PAGES)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_only_routing_and_layout_import_page_modules(path):
    pages = {n for n in imports_of(path) if n == "dashboard.pages" or n.startswith("dashboard.pages.")}
    assert not pages, f"{path.relative_to(ROOT)} imports {sorted(pages)}"


def test_the_import_reader_sees_a_page_import():
    """The check above would pass on a reader that found nothing: make sure it finds one."""
    assert "dashboard.pages" in imports_of(ROOT / "dashboard" / "site" / "routing.py")
    assert "dashboard.chart_data.hotspots" in imports_of(ROOT / "dashboard" / "documents" / "pack.py")


# dashboard/'s folders, each importing only those before it (the README's table, in order).
FOLDER_ORDER = ("charts", "chart_data", "server", "documents", "forms", "cli", "api", "widgets", "pages", "site")


def folder_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "dashboard" and parts[1] in FOLDER_ORDER else None


@pytest.mark.parametrize("path", python_files("dashboard"), ids=lambda p: str(p.relative_to(ROOT)))
def test_dashboard_folders_import_only_the_folders_before_them(path):
    own = folder_of(module_name(path))
    if own is None:  # dashboard/__init__.py
        return
    later = {n for n in imports_of(path)
             if (folder := folder_of(n)) and FOLDER_ORDER.index(folder) > FOLDER_ORDER.index(own)}
    assert not later, f"{path.relative_to(ROOT)} imports {sorted(later)}, a folder after its own"


def test_every_dashboard_module_lives_in_a_named_folder():
    """A new module dropped loose in dashboard/ would escape the order above."""
    loose = sorted(p.name for p in (ROOT / "dashboard").glob("*.py") if p.name not in ("__init__.py", "cli.py"))
    assert loose == []
    assert {p.name for p in (ROOT / "dashboard").iterdir() if p.is_dir() and (p / "__init__.py").exists()} == {
        f for f in FOLDER_ORDER if f != "cli"}
