"""The suite's own layout: shared helpers live in tests/kit/, and no module imports a test
module (a `test_*.py`), whose import would run its tests' module-level setup twice and tie
one test file's helpers to another's."""

import ast
from pathlib import Path

from django.conf import settings

SKIPPED_FOLDERS = {".venv", "node_modules", "var", "static"}


def python_modules(root: Path) -> list[Path]:
    return [
        path
        for path in root.rglob("*.py")
        if not SKIPPED_FOLDERS.intersection(path.relative_to(root).parts)
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]


def imported_modules(path: Path, root: Path) -> set[str]:
    """Return the dotted names a module imports, relative imports resolved."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            # `from tests.brokerage import test_x` imports the module test_x
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def imports_of_test_modules(root: Path) -> list[str]:
    found = []
    for path in python_modules(root):
        for name in sorted(imported_modules(path, root)):
            if name.rsplit(".", 1)[-1].startswith("test_"):
                found.append(f"{path.relative_to(root)} imports {name}")
    return sorted(found)


def test_no_module_imports_a_test_module():
    assert imports_of_test_modules(Path(settings.BASE_DIR)) == []


def test_the_check_finds_an_import_of_a_test_module(tmp_path):
    # Given modules importing a test module in each way Python allows
    package = tmp_path / "tests" / "brokerage"
    package.mkdir(parents=True)
    (package / "test_paths.py").write_text("def submit(): ...\n")
    (package / "helpers.py").write_text("from tests.brokerage.test_paths import submit\n")
    (package / "relative.py").write_text("from .test_paths import submit\n")
    (package / "plain.py").write_text("import tests.brokerage.test_paths\n")
    (package / "module.py").write_text("from tests.brokerage import test_paths\n")
    (package / "fine.py").write_text("from tests.kit.steps import submit\n")
    # Then each of them is found, and the import of a helper module is not
    assert imports_of_test_modules(tmp_path) == [
        f"tests/brokerage/{name}.py imports tests.brokerage.test_paths"
        for name in ("helpers", "module", "plain", "relative")
    ]
