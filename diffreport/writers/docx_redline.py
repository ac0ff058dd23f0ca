"""The redline: the old document turned into the new one as native Word tracked changes.

It renders the comparison's edit script (:func:`diffreport.edits.script`): one paragraph per
section heading and per block on each side, paired text edited in place token by token,
reordered pairs as Word moves (``w:moveFrom``/``w:moveTo``), so a reordered priority reads as
one move, not as a large deletion and insertion. Accept All gives the new document's
paragraphs, Reject All the old one's.
"""

from __future__ import annotations

from ..edits import heading_depths, script
from ..result import Comparison
from .ooxml import Revisions, level_style, save, set_core_properties, write_tracked

HEADINGS = ("Heading 1", "Heading 2", "Heading 3")


def render(c: Comparison) -> bytes:
    """The tracked-changes document alone (``diffreport redline``)."""
    from .templates import empty_document

    document = empty_document()
    revisions = Revisions(document)
    set_core_properties(document, c.new.title or "redline", revisions.when)
    paragraphs = script(c).paragraphs
    write_tracked(revisions, paragraphs, [_style(depth) for depth in heading_depths(c, paragraphs)])
    return save(document, revisions.when)


def _style(depth: int | None) -> str | None:
    return None if depth is None else level_style(depth, HEADINGS)
