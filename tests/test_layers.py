"""The package's imports go one way (docs/architecture.md): a module imports only modules of
its own layer or of a lower one, and the analysis stages do not import one another (what they
share lives in ``result`` and the helpers below them). No module, and no test, uses another
module's underscore names: what is shared has a public name in the module that owns it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "diffreport"
TESTS = Path(__file__).parents[1] / "tests"

# From the ground up; a folder (readers, writers) is one module here.
LAYERS: list[set[str]] = [
    {"errors", "model", "result", "sidecar"},
    {"normalise"},
    {"parse", "readers"},
    {"tokens", "similarity"},
    {
        "candidates",
        "parts",
        "articles",
        "edits",
        "order",
        "sides",
        "scores",
        "wordstats",
        "rating",
        "figures",
        "ledger",
        "sections",
        "splits",
    },
    {"align", "measures", "classify", "targets", "terms"},
    {"compare", "beside"},
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


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(source: str) -> list[str]:
    """The underscore names of diffreport's modules that ``source`` uses from outside them:
    imported (`from .x import _y`), read through an imported name (`x._y`, `diffreport.x._y`),
    or named to setattr and friends (`monkeypatch.setattr(x, "_y", …)`,
    `monkeypatch.setattr("diffreport.x._y", …)`)."""
    tree = ast.parse(source)
    ours: set[str] = set()  # names bound to diffreport's modules or to what they define
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] == "diffreport"
        ):
            for a in node.names:
                if _private(a.name):
                    out.append(
                        f"line {node.lineno}: from {'.' * node.level}{node.module or ''} "
                        f"import {a.name}"
                    )
                ours.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "diffreport":
                    ours.add(a.asname or "diffreport")
                    out += [f"line {node.lineno}: import {a.name}"] * any(
                        _private(part) for part in a.name.split(".")
                    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in ours:
                out.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and len(node.args) >= 2:
            func, (first, second) = node.func, node.args[:2]
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name in {"setattr", "getattr", "delattr", "hasattr"}
                and isinstance(first, ast.Name)
                and first.id in ours
                and isinstance(second, ast.Constant)
                and isinstance(second.value, str)
                and _private(second.value)
            ):
                out.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("diffreport.")
            and any(_private(part) for part in node.value.split("."))
        ):
            out.append(f"line {node.lineno}: {node.value!r}")
    return out


def test_no_module_nor_test_uses_another_modules_private_names():
    files = _files() + sorted(TESTS.rglob("*.py"))
    wrong = [
        f"{path.relative_to(PACKAGE.parent)} {use}"
        for path in files
        for use in _private_uses(path.read_text(encoding="utf-8"))
    ]
    assert not wrong, wrong


def test_the_private_check_sees_every_form_of_use():
    forms = [
        "from .tokens import _cut_run",
        "from ..parse import _ARTICLE",
        "from diffreport.classify import _LABEL_PREFIX",
        "from diffreport import tokens\ntokens._cache_dir()",
        "import diffreport.tokens\ndiffreport.tokens._IDF_CACHE",
        "import diffreport.tokens as t\nt._DATA",
        "from diffreport import tokens\nmonkeypatch.setattr(tokens, '_DATA', 1)",
        "monkeypatch.setattr('diffreport.tokens._DATA', 1)",
    ]
    for source in forms:
        assert _private_uses(source), source
    # Dunders, public names and other packages' privates are not this rule's business.
    fine = (
        "from .tokens import cut_run\nfrom diffreport import __version__\nimport os\n"
        "os._exit\nsys._getframe()\nfrom . import tokens\ntokens.cut_run.__wrapped__\n"
        "x = object()\nx._private\nmonkeypatch.setattr(tokens, 'DATA_DIR', 1)\n"
    )
    assert _private_uses(fine) == []


def test_numbering_takes_one_numeral_list():
    """`normalise.CN_NUMERALS` is the one list: a list item's label the parser reads
    (`一百零一、`, `（两百）`) is one the reader's line joiner and the classifier's label strip
    see too."""
    from diffreport import classify
    from diffreport.model import Paragraph
    from diffreport.parse import detect_heading
    from diffreport.readers.lines import numbering_marker

    for label in ["一、", "十二、", "一百零一、", "（三）", "（两百）", "（〇）"]:
        heading = detect_heading(Paragraph(label + "加强环境保护"))
        assert heading is not None and heading.label == label, label
        assert numbering_marker().match(label + "加强环境保护"), label
        assert classify.LABEL_PREFIX.sub("", label + "加强环境保护", count=1) == "加强环境保护"
