"""A production install (`pip install .`, no extras) has every package lisplan imports at run
time (issue 11: `pypdf` was declared only in the test extra, so the IUP download broke).

Walks every `import` in src/lisplan (ast, so nothing is imported) and checks that each
third-party top-level module is provided by a distribution named in `[project.dependencies]`
of pyproject.toml — not only in an extra, and not only as some other package's dependency.
An import guarded by `try: … except ImportError` (an optional feature) and one under
`if TYPE_CHECKING:` are not run-time imports and are skipped.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "lisplan"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        _canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec).group(0))
        for spec in project["dependencies"]
    }


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside `try: … except ImportError` or `if TYPE_CHECKING:`."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Try) and child in parent.body:
            for handler in parent.handlers:
                names = ast.unparse(handler.type) if handler.type else ""
                if "ImportError" in names or "ModuleNotFoundError" in names:
                    return True
        if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test):
            return True
        child, parent = parent, parents.get(parent)
    return False


def _imports() -> dict[str, set[str]]:
    """Top-level module → the files that import it at run time."""
    found: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if _guarded(node, parents):
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT / "src")))
    return found


def test_every_runtime_import_is_a_declared_dependency():
    declared = _declared()
    providers = packages_distributions()
    missing = []
    for module, files in sorted(_imports().items()):
        if module == "lisplan" or module in sys.stdlib_module_names or module == "__future__":
            continue
        dists = {_canonical(d) for d in providers.get(module, [])}
        if not dists & declared:
            missing.append(f"{module} (from {', '.join(sorted(dists)) or '?'}): {sorted(files)}")
    assert not missing, "imported at run time but not in [project.dependencies]:\n" + "\n".join(
        missing
    )


def test_the_check_sees_a_module_declared_only_in_an_extra():
    """The walk finds the imports it should: pypdf (the case of issue 11) is one of them, and
    pytest (test extra only) is not imported by the application."""
    imports = _imports()
    assert "iup/export.py" in {f.removeprefix("lisplan/") for f in imports["pypdf"]}
    assert "pytest" not in imports
    assert "django" in imports and "pypdf" in _declared()
