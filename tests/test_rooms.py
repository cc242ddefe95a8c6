"""The mathematics keeps to its room: ``batchnet_core.nn`` imports numpy, the standard library and its own
modules, and nothing above it, not even inside a function."""

import ast
import sys
from pathlib import Path

import batchnet_core.nn

ROOM = Path(batchnet_core.nn.__file__).parent
OWN = {path.stem for path in ROOM.glob("*.py")}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, anywhere in it, as (line, what): "numpy", ".state", "..code"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if node.module is None:  # from . import formats: each name is a module
                found += [(node.lineno, base + alias.name) for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def allowed(name: str) -> bool:
    if name.startswith(".."):
        return False
    if name.startswith("."):
        return name[1:].split(".")[0] in OWN
    top = name.split(".")[0]
    return top == "numpy" or top in sys.stdlib_module_names or name.startswith("batchnet_core.nn")


def test_the_room_of_the_mathematics_imports_nothing_above_it():
    files = sorted(ROOM.glob("*.py"))
    assert {path.stem for path in files} >= {"layers", "state", "validation", "numbers", "formats", "compute",
                                             "forward", "training"}
    upward = [f"{path.name}:{line} imports {name}" for path in files for line, name in imports_of(path)
              if not allowed(name)]
    assert upward == []


def test_the_walk_sees_an_import_inside_a_function(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import numpy as np\n\n\ndef f():\n    from ..code import script\n    from . import pandas\n")
    assert [name for _, name in imports_of(sneaky) if not allowed(name)] == ["..code", ".pandas"]
