"""The code's shape: no module too long to enter, no import that goes around the contracts.

The import contracts themselves are in `.importlinter` (run by `make lint` and CI): they read
import statements only, so an import by name at run time would slip past them unseen.
"""

import ast
from pathlib import Path

PORTAIL = Path(__file__).resolve().parents[2] / "portail"
MAX_MODULE_LINES = 400
DYNAMIC_IMPORTS = {"import_string", "import_module", "__import__", "import_by_path"}


def _modules():
    for path in sorted(PORTAIL.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def test_no_app_imports_a_module_by_name():
    offenders = [
        f"{path.relative_to(PORTAIL.parent)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call) and _called_name(node) in DYNAMIC_IMPORTS
    ]
    assert offenders == [], f"imports by name go around the import contracts: {offenders}"


def test_no_module_is_longer_than_the_limit():
    too_long = {
        str(path.relative_to(PORTAIL.parent)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}, f"split these modules by concept: {too_long}"
