"""The layering of DESIGN.md §3, read from the source rather than trusted to review.

`core` <- `members` <- `capabilities` <- `orders` <- `brokerage`: an app imports only apps to
its left and `core` imports no app. `demo` and `bench` may import any app; nothing in the
apps imports them (production does not even install `demo`), `bench` is imported by
nothing, and nothing outside `tests` imports `tests`. Every import counts, including those
inside functions and relative ones; names in strings (settings, `mock.patch` targets) do not.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "members", "capabilities", "orders", "brokerage")
PROJECT = (*LAYERS, "demo", "bench", "tests")
# Who may import the packages that sit outside the layers.
IMPORTED_ONLY_BY = {
    "demo": {"tests", "bench"},
    "bench": set(),
    "tests": set(),
}


def module_path(source: Path) -> list[str]:
    """The dotted name of the module in `source`, as parts (a package is its folder)."""
    parts = list(source.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports_of(source: Path, text: str | None = None) -> Iterator[tuple[int, str]]:
    """Each (line, absolute module name) that `source` imports, relative imports resolved."""
    tree = ast.parse(source.read_text() if text is None else text, filename=str(source))
    name = module_path(source)
    package = name if source.name == "__init__.py" else name[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.lineno, node.module


def refusal(importer: str, imported: str) -> str | None:
    """Why package `importer` may not import package `imported`, or None if it may."""
    if importer == imported or imported not in PROJECT:
        return None
    if imported in IMPORTED_ONLY_BY:
        allowed = IMPORTED_ONLY_BY[imported]
        if importer in allowed:
            return None
        if not allowed:
            return f"nothing imports {imported}"
        return f"only {' and '.join(sorted(allowed))} import {imported}"
    if importer in LAYERS:
        left = LAYERS[: LAYERS.index(importer)]
        if imported in left:
            return None
        return f"{importer} may import only {', '.join(left)}" if left else "core imports no app"
    return None  # demo, bench, tests and top-level scripts may import any app


def sources_of(package: str) -> list[Path]:
    if package == "scripts":  # manage.py and any other module at the top
        return sorted(ROOT.glob("*.py"))
    return sorted((ROOT / package).rglob("*.py"))


def violations_in(package: str) -> list[str]:
    found = []
    for source in sources_of(package):
        for line, name in imports_of(source):
            reason = refusal(package, name.split(".")[0])
            if reason:
                found.append(f"{source.relative_to(ROOT)}:{line} imports {name}: {reason}")
    return found


@pytest.mark.parametrize("package", [*PROJECT, "scripts"])
def test_each_package_imports_only_what_the_layering_allows(package):
    # Given every module of the package, migrations and lazy imports included
    # Then none imports a package the layering puts out of its reach
    assert violations_in(package) == []


def test_the_scan_sees_the_imports_that_exist():
    # A scan that read nothing would pass: brokerage imports the apps below it, tests import demo
    seen = {
        (package, name.split(".")[0])
        for package in ("brokerage", "tests")
        for source in sources_of(package)
        for _line, name in imports_of(source)
    }
    assert {("brokerage", "members"), ("brokerage", "orders"), ("tests", "demo")} <= seen


def test_relative_and_lazy_imports_are_resolved_and_judged():
    # Given a module of members with a relative import upward and one inside a function
    source = ROOT / "members" / "services" / "example.py"
    text = "from ..models import Firm\nfrom . import forms\ndef later():\n    import brokerage.x\n"
    # When its imports are read
    found = list(imports_of(source, text))
    # Then they are absolute, and the one into brokerage is refused
    assert found == [(1, "members.models"), (2, "members.services"), (4, "brokerage.x")]
    assert refusal("members", "brokerage") == "members may import only core"
    assert refusal("core", "members") == "core imports no app"
    assert refusal("brokerage", "demo") == "only bench and tests import demo"
    assert refusal("tests", "bench") == "nothing imports bench"
    assert refusal("bench", "tests") == "nothing imports tests"
    assert refusal("demo", "brokerage") is None
