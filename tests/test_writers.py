"""Writers only render: no writer computes a diff (edits.py does), makes a judgement over the
comparison's edits (report.py does) or reaches into python-docx's private attributes (ooxml.py
holds what python-docx lacks)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WRITERS = sorted((Path(__file__).parents[1] / "diffreport" / "writers").glob("*.py"))
# The module that may use python-docx's internals, on the writers' behalf.
DOCX_HELPER = "ooxml.py"
DIFF_LIBRARIES = ("difflib", "rapidfuzz", "Levenshtein", "diff_match_patch")
# edits' functions that compute edits; writers render a script or marks they are given.
COMPUTING = ("token_edits",)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", WRITERS, ids=lambda p: p.name)
def test_no_writer_imports_a_diff_library_or_computes_token_edits(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            assert not name.startswith(DIFF_LIBRARIES), f"{path.name} imports {name}"
            assert name not in COMPUTING, f"{path.name} imports {name}"


@pytest.mark.parametrize(
    "path", [p for p in WRITERS if p.name != DOCX_HELPER], ids=lambda p: p.name
)
def test_no_writer_reaches_into_private_attributes(path):
    """``paragraph._p``, ``table._tbl``, ``document._body``: only ooxml.py may (its own
    ``self._x`` and a module's ``_helper`` are fine)."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if node.attr.startswith("__") and node.attr.endswith("__"):
                continue
            raise AssertionError(f"{path.name}:{node.lineno} uses .{node.attr}")


def test_no_writer_imports_another_writer_to_find_changes():
    """The briefing renders the edit script from edits.py, not the redline writer's."""
    for path in WRITERS:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module in (None, "") and node.level == 1:
                names = {alias.name for alias in node.names}
                assert "docx_redline" not in names, path.name
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("docx_redline"):
                raise AssertionError(f"{path.name} imports docx_redline")


def test_markdown_lists_changed_targets_and_counts_the_unchanged_ones():
    """Like the terminal: a law whose fines did not change gets a count, not a table of them."""
    from conftest import LAW

    from diffreport.compare import compare
    from diffreport.writers import markdown

    revisions = LAW / "revisions"
    for stem in ("生物安全法", "长江河道采砂管理条例"):
        old, new = sorted(revisions.glob(f"{stem}.*.md"))
        c = compare(old, new)
        md = markdown.render(c)
        section = md.split("## Targets", 1)[1].split("\n## ", 1)[0]
        rows = [r for r in section.splitlines() if r.startswith("| ") and "indicator" not in r]
        changed = [t for t in c.targets if t.change != "unchanged"]
        unchanged = len(c.targets) - len(changed)
        assert len(rows) == len(changed)
        assert not any(r.rstrip().endswith("| unchanged |") for r in rows)
        assert (f"{unchanged} unchanged not shown." in section) == (unchanged > 0)
    assert unchanged and changed  # 长江: both kinds, so the test can fail either way
