"""Side-by-side rows: a comparison as a 修改前后对照表 reads it — one row per aligned unit in
the new document's reading order, a dropped unit in the row where it stood, headings as their
own rows, the changed words of each side marked.

One function over the comparison (:func:`rows`) that every side-by-side view renders: the
Word 对照表 (:mod:`.writers.docx_table`) and the HTML report (:mod:`.writers.html`). Only
facts: the alignments, each unit's marked runs (:class:`.edits.Marks`) and the nodes'
labels; wording lives in the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter

from .edits import Marks, Segment
from .model import LEVELS, Document, Node
from .result import Alignment, Comparison

# A paired unit whose confidence is below this is flagged for a human look (when the
# comparison reports a numeric confidence; a word such as "low" is taken as it is).
LOW_CONFIDENCE = 0.5


@dataclass(slots=True)
class Cell:
    """One node's text on one side, cut into marked and unmarked runs (joined they give the
    node's text exactly)."""

    node: Node
    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.segments)


@dataclass(slots=True)
class Row:
    """A row of the table.

    ``kind``: ``heading`` (a section alignment), ``unit`` (a block or sentence alignment),
    ``moved-away`` (where a moved unit stood in the old order; its text is in the row of
    ``partner``) or ``collapsed`` (a run of unchanged units, in ``hidden``)."""

    kind: str
    level: str
    status: str
    old: list[Cell] = field(default_factory=list)
    new: list[Cell] = field(default_factory=list)
    alignment: Alignment | None = None
    moved: bool = False
    minor: bool = False
    uncertain: bool = False
    front: bool = False  # front matter (title, enactment history, addressees), when marked
    depth: int = 0  # a heading's section depth
    renumbered: str = ""  # the old label of a unit whose label changed (原第十条)
    moved_from: str = ""  # the old place of a moved unit (a section or block title)
    moved_to: str = ""  # the new place, on a moved-away row
    section: str = ""  # id of the row's section in the outline ("" before the first)
    anchor: str = ""  # a stable id for links: r1, r2, …
    partner: str = ""  # the anchor of the row linked to this one (a move's two places)
    hidden: list[Row] = field(default_factory=list)

    @property
    def old_ids(self) -> list[str]:
        return [c.node.id for c in self.old]

    @property
    def new_ids(self) -> list[str]:
        return [c.node.id for c in self.new]

    @property
    def same_heading(self) -> bool:
        """A heading whose text is the same in both versions: one full-width cell."""
        return (
            self.kind == "heading"
            and len(self.old) == len(self.new) == 1
            and self.old[0].text == self.new[0].text
        )

    @property
    def first_label(self) -> str:
        return _label(self.hidden[0]) if self.hidden else _label(self)

    @property
    def last_label(self) -> str:
        return _label(self.hidden[-1]) if self.hidden else _label(self)


def _label(row: Row) -> str:
    cells = row.new or row.old
    return cells[0].node.label if cells else ""


@dataclass(slots=True)
class Outline:
    """A section in the sticky outline, with the number of changed rows under it."""

    anchor: str
    depth: int
    title: str
    changes: int = 0


def rows(c: Comparison, level: str = "block", changed_only: bool = False) -> list[Row]:
    """The side-by-side rows of ``c`` at ``level`` (``block`` or ``sentence``), with section
    headings; ``changed_only`` folds each run of unchanged units into one ``collapsed`` row."""
    if level not in ("block", "sentence"):
        raise ValueError(f"level must be block or sentence, not {level!r}")
    out = _Builder(c, level).build()
    if changed_only:
        out = _collapse(out)
    section = ""
    for i, row in enumerate(out, 1):
        row.anchor = f"r{i}"
        if row.kind == "heading":
            section = row.anchor
        row.section = section
        for hidden in row.hidden:
            hidden.section = section
    _link_moves(out)
    return out


def heading_rows(c: Comparison) -> list[Row]:
    """The ``heading`` rows of :func:`rows` (``c`` at block level), in its order, without
    its anchors: the unit rows, which a caller of the headings alone would not show, are
    not built."""
    return _Builder(c, "block").build(headings_only=True)


def outline(table: list[Row]) -> list[Outline]:
    """The headings of ``table`` with the changed rows under each (to the next heading)."""
    out: list[Outline] = []
    for row in table:
        if row.kind == "heading":
            cell = (row.new or row.old)[0]
            out.append(Outline(row.anchor, row.depth, cell.text))
        elif out and row.kind == "unit" and (row.status != "unchanged" or row.moved):
            out[-1].changes += 1
    return out


class _Builder:
    def __init__(self, c: Comparison, level: str) -> None:
        self.c = c
        self.level = level
        # The units a row may hold: the chosen level, plus any level the comparison has
        # that this view does not know (nothing of either document is left out).
        self.levels = {"section", level} | {a.level for a in c.alignments if a.level not in LEVELS}
        self.marks = Marks(c, level)

    def build(self, headings_only: bool = False) -> list[Row]:
        c = self.c
        chosen = [a for a in c.alignments if a.level in self.levels]
        new_pos = {n.id: i for i, n in enumerate(c.new.nodes)}
        old_pos = {n.id: i for i, n in enumerate(c.old.nodes)}
        # Where a dropped unit goes: after the new-side partner of the nearest unit before it
        # in the old document that kept its place (a moved one's partner is elsewhere).
        partner: dict[str, int] = {}
        for a in chosen:
            if a.old and a.new and not a.moved:
                new = a.new
                first = new_pos[new[0]] if len(new) == 1 else min(new_pos[i] for i in new)
                for i in a.old:
                    partner[i] = first
        anchor: dict[str, int] = {}
        last = -1
        for node in c.old.nodes:
            anchor[node.id] = last
            last = partner.get(node.id, last)
        keyed: list[tuple[tuple[int, int, int], Row]] = []
        old_nodes = c.old.by_id
        for a in chosen:
            if headings_only and a.level != "section":
                continue  # the dropped headings' places still come from every unit above
            row = self.row(a)
            old, new = a.old, a.new
            if new:
                key = (
                    new_pos[new[0]] if len(new) == 1 else min(new_pos[i] for i in new),
                    0,
                    old_pos[old[0]]
                    if len(old) == 1
                    else min((old_pos[i] for i in old), default=-1),
                )
            else:
                key = (anchor[old[0]], 1, old_pos[old[0]])
            keyed.append((key, row))
            if a.moved and old and new and not headings_only:
                # Where the unit stood in the old order: a row of its own, linked to the move.
                away = Row("moved-away", a.level, a.status, alignment=a, moved=True)
                away.old = [Cell(old_nodes[i], [("", old_nodes[i].text)]) for i in old]
                away.moved_to = row.moved_to
                keyed.append(((anchor[old[0]], 1, old_pos[old[0]]), away))
        keyed.sort(key=_KEY)
        return [r for _, r in keyed]

    def row(self, a: Alignment) -> Row:
        c = self.c
        kind = "heading" if a.level == "section" else "unit"
        old_by, new_by = c.old.by_id, c.new.by_id
        old_nodes = [old_by[i] for i in a.old]
        new_nodes = [new_by[i] for i in a.new]
        old_marks, new_marks = self.marks(a, old_nodes, new_nodes)
        row = Row(
            kind,
            a.level,
            a.status,
            [Cell(n, m) for n, m in zip(old_nodes, old_marks, strict=True)],
            [Cell(n, m) for n, m in zip(new_nodes, new_marks, strict=True)],
            a,
            a.moved,
            a.status == "minor" or bool(getattr(a, "minor", False)),
            _uncertain(getattr(a, "confidence", None)),
        )
        if kind == "heading":
            row.depth = (new_nodes or old_nodes)[0].depth
        elif old_nodes and new_nodes:
            # The comparison's own record of a renumbering when it keeps one (both labels
            # of a 1:1 pair), else the two nodes' labels.
            old_label = getattr(a, "old_label", None) or old_nodes[0].label
            new_label = getattr(a, "new_label", None) or new_nodes[0].label
            if old_label and new_label and old_label != new_label:
                row.renumbered = old_label
        for n in old_nodes:
            if getattr(n, "role", "") == "front":
                row.front = True
                break
        else:
            for n in new_nodes:
                if getattr(n, "role", "") == "front":
                    row.front = True
                    break
        if a.moved and a.places:
            row.moved_from = _place_title(c.old, a.places.get("old"))
            row.moved_to = _place_title(c.new, a.places.get("new"))
        return row


_KEY = itemgetter(0)


def _uncertain(confidence: object) -> bool:
    if isinstance(confidence, bool):
        return False
    if isinstance(confidence, int | float):
        return confidence < LOW_CONFIDENCE
    return isinstance(confidence, str) and confidence.lower() == "low"


def _place_title(doc: Document, node_id: str | None) -> str:
    if node_id is None:
        return ""
    node = doc.node(node_id)
    if node.kind == "section":
        return node.text or node.title
    return node.label or node.title or node.text[:24]


def _collapse(table: list[Row]) -> list[Row]:
    """Runs of unchanged, unmoved units (between headings) folded into one row each."""
    out: list[Row] = []
    run: list[Row] = []

    def flush() -> None:
        if run:
            out.append(Row("collapsed", run[0].level, "unchanged", hidden=list(run)))
            run.clear()

    for row in table:
        if row.kind == "unit" and row.status == "unchanged" and not row.moved:
            run.append(row)
            continue
        flush()
        out.append(row)
    flush()
    return out


def _link_moves(table: list[Row]) -> None:
    """A move's two rows (the unit in its new place, and where it stood) point at each other."""
    first: dict[int, Row] = {}
    for row in table:
        if row.kind in ("unit", "moved-away") and row.moved and row.alignment is not None:
            other = first.setdefault(id(row.alignment), row)
            if other is not row:
                row.partner, other.partner = other.anchor, row.anchor


_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|(\d{4})-(\d{2})-(\d{2})"
    r"|((?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{1,2},\s+\d{4})"
)
# Where a document states its date: its front matter (the units before its first heading
# below the title) or its last few units (a signature date).
DATE_LOOKS_AT = 6


def document_date(doc: Document) -> str:
    """The date a document states for itself, as written: the latest date in its front matter
    (adoption and amendment dates), else in its opening units, else in its closing ones (a
    signature date), else one in its file name; "" when none is found."""
    units = [n for n in doc.nodes if n.kind == "block"]
    # All of the front matter first: a law amended seven times lists seven dates before its
    # first article, the latest last.
    front = [n for n in units if n.role == "front"]
    for group in (front, units[:DATE_LOOKS_AT], units[-2:]):
        found = [m for n in group for m in _DATE.finditer(n.text)]
        if found:
            return max(found, key=_date_key).group(0)
    match = _DATE.search(doc.path.rsplit("/", 1)[-1])
    return match.group(0) if match else ""


def _date_key(m: re.Match) -> tuple[int, int, int]:
    if m.group(1):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m.group(4):
        return int(m.group(4)), int(m.group(5)), int(m.group(6))
    return int(m.group(7)[-4:]), 0, 0
