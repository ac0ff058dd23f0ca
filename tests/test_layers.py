"""The package's imports go one way (docs/architecture.md): a module imports only modules of
its own layer or of a lower one, and the analysis stages do not import one another (what they
share lives in ``result`` and the helpers below them)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "diffreport"

# From the ground up; a folder (readers, writers) is one module here.
LAYERS: list[set[str]] = [
    {"errors", "model", "result"},
    {"normalise"},
    {"parse", "readers"},
    {"tokens", "similarity"},
    {"candidates", "parts", "articles", "edits"},
    {"align", "measures", "classify", "targets", "terms"},
    {"compare"},
    {"history", "sidebyside", "report", "corpus"},
    {"writers"},
    {"batch", "batch_dask", "cli", "__main__"},
]
# The stages each do one job on what the layers below give them; none reads another's code.
STAGES = LAYERS[5]
LAYER = {name: k for k, names in enumerate(LAYERS) for name in names}


def _module(path: Path) -> str:
    """The layer name of a file: its top-level module or folder under diffreport/."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The top-level modules of diffreport that ``path`` imports."""
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for diffreport/x.py
    return _imported(path.read_text(encoding="utf-8"), depth)


def _imported(source: str, depth: int) -> set[str]:
    """The top-level modules of diffreport that ``source`` imports, relatively or absolutely,
    for a file ``depth`` folders below diffreport/ (imports within its own folder left out)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level <= depth:
                continue
            names = [node.module] if node.module else [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            names = [n.removeprefix("diffreport.") for n in names if n.startswith("diffreport.")]
        elif isinstance(node, ast.Import):
            names = [a.name.removeprefix("diffreport.") for a in node.names]
            names = [n for n, a in zip(names, node.names, strict=True) if n != a.name]
        else:
            continue
        out.update(n.split(".")[0] for n in names)
    return out - {"__version__"}


def _files() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE
    )


def test_every_module_has_a_layer():
    assert {_module(p) for p in _files()} <= set(LAYER), sorted(
        {_module(p) for p in _files()} - set(LAYER)
    )


def test_imports_go_down_and_stages_do_not_import_each_other():
    wrong = []
    for path in _files():
        here = _module(path)
        for there in _imports(path):
            if there == here or there not in LAYER:
                continue
            if LAYER[there] > LAYER[here] or (here in STAGES and there in STAGES):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {there}")
    assert not wrong, wrong


def test_the_check_sees_every_form_of_import():
    source = (
        "from .compare import compare\nfrom . import classify\nimport diffreport.report\n"
        "from diffreport.writers import text\nfrom .model import Node\nimport re\n"
    )
    assert _imported(source, 0) == {"compare", "classify", "report", "writers", "model"}
    # In readers/x.py, `.lines` is its own folder and `..parse` the package's.
    assert _imported("from .lines import x\nfrom ..parse import y\n", 1) == {"parse"}
