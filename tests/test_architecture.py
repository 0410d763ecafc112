"""The house's rules, read from the source (docs/architecture.md says why): pure cores import neither Flask
nor the database; `kerne.web` stands under every capability and imports none of them; a view is imported by
the factory or by a view of its own package, never by a rule; the top of `kerne/` stays about a dozen entries."""
import ast
from pathlib import Path

import pytest
from conftest import ROOT

KERNE = ROOT / "kerne"
# Named in docs/architecture.md; a package stands for every module in it.
PURE_CORES = ("kerne.matching", "kerne.workshop.merging", "kerne.processes.lifecycle", "kerne.insight.statistics")
CAPABILITIES = ("kerne.people", "kerne.desk", "kerne.workshop", "kerne.processes", "kerne.insight", "kerne.records",
                "kerne.notices")
FRAMEWORK = {"flask", "flask_babel", "flask_login", "flask_wtf", "flask_sqlalchemy", "flask_migrate", "flask_limiter",
             "werkzeug", "jinja2", "jinja2_fragments", "sqlalchemy", "wtforms", "authlib"}


def _name_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imports_of(name: str, tree: ast.Module, is_package: bool, known: set[str]) -> set[str]:
    """Every module ``name`` imports anywhere in its body (functions included), as absolute names."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return found


def is_view(tree: ast.Module) -> bool:
    """A view module defines a blueprint."""
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Blueprint" for node in ast.walk(tree))


def is_pure(name: str, tree: ast.Module) -> bool:
    """A pure core by name, or a module whose docstring says it is pure."""
    return name.startswith(PURE_CORES) or "Pure:" in (ast.get_docstring(tree) or "")


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def package_of(name: str, is_package: bool) -> str:
    return name if is_package else name.rsplit(".", 1)[0]


class House:
    """Kerne's modules with what each imports, whether it is a view, and whether it is pure."""

    def __init__(self, sources: dict[str, tuple[ast.Module, bool]]):
        self.trees = {name: tree for name, (tree, _is_package) in sources.items()}
        self.packages = {name for name, (_tree, is_package) in sources.items() if is_package}
        known = set(sources)
        self.imports = {name: imports_of(name, tree, name in self.packages, known) for name, tree in self.trees.items()}
        self.views = {name for name, tree in self.trees.items() if is_view(tree)}
        self.pure = {name for name, tree in self.trees.items() if is_pure(name, tree)}

    @classmethod
    def of_kerne(cls) -> "House":
        return cls({_name_of(path): (_tree(path), path.name == "__init__.py") for path in KERNE.rglob("*.py")})

    def impure_imports(self) -> list[str]:
        return [f"{name} imports {target}" for name in sorted(self.pure) for target in sorted(self.imports[name])
                if target.split(".")[0] in FRAMEWORK
                or (within(target, "kerne") and target in self.trees and target not in self.pure)]

    def web_imports_of_capabilities(self) -> list[str]:
        return [f"{name} imports {target}" for name in sorted(self.trees) if within(name, "kerne.web")
                for target in sorted(self.imports[name]) if any(within(target, c) for c in CAPABILITIES)]

    def views_imported_from_below(self) -> list[str]:
        """A view may be imported by the factory, or by another view of its own package; never by a rule."""
        wrong = []
        for name in sorted(self.trees):
            for target in sorted(self.imports[name] & self.views - {name}):
                same_package = package_of(name, name in self.packages) == package_of(target, False)
                if name != "kerne" and not (name in self.views and same_package):
                    wrong.append(f"{name} imports the view {target}")
        return wrong


@pytest.fixture(scope="module")
def house() -> House:
    return House.of_kerne()


def test_the_pure_cores_are_there_and_named_pure(house):
    for core in PURE_CORES:
        assert any(within(name, core) for name in house.pure), core
    assert {"kerne.matching.solver", "kerne.workshop.merging", "kerne.insight.statistics"} <= house.pure


def test_pure_cores_import_neither_flask_nor_the_database(house):
    assert house.impure_imports() == []


def test_the_web_platform_imports_no_capability(house):
    assert house.web_imports_of_capabilities() == []


def test_views_import_rules_and_never_the_reverse(house):
    assert len(house.views) >= 20  # every capability's blueprints were found
    assert house.views_imported_from_below() == []


def _planted(sources: dict[str, str]) -> House:
    return House({name: (ast.parse(text), name == "kerne") for name, text in sources.items()})


def test_the_checks_catch_what_they_are_for():
    house = _planted({
        "kerne": "from kerne.desk import views",
        "kerne.workshop.merging": '"""Pure: no Flask."""\nfrom sqlalchemy import select',
        "kerne.insight.statistics": "def figures():\n    from flask import g",
        "kerne.web.templating": "from kerne.people import auth",
        "kerne.people.auth": "from flask import Blueprint\nbp = Blueprint('auth', __name__)",
        "kerne.desk.views": "from flask import Blueprint\nbp = Blueprint('desk', __name__)",
        "kerne.desk.rules": "from kerne.desk.views import bp",
    })
    assert house.impure_imports() == ["kerne.insight.statistics imports flask",
                                      "kerne.workshop.merging imports sqlalchemy"]
    assert house.web_imports_of_capabilities() == ["kerne.web.templating imports kerne.people.auth"]
    assert house.views_imported_from_below() == ["kerne.desk.rules imports the view kerne.desk.views",
                                                 "kerne.web.templating imports the view kerne.people.auth"]


def test_the_top_of_kerne_is_about_a_dozen_entries():
    entries = [p.name for p in KERNE.iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 14, sorted(entries)


def test_the_architecture_page_names_every_package():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = {p.relative_to(ROOT).as_posix() for p in KERNE.rglob("*/__init__.py")}
    missing = [p for p in packages if f"`{Path(p).parent.as_posix()}/`" not in page]
    assert missing == []
