"""The redline: the old document turned into the new one as native Word tracked changes.

The edit script follows the comparison, not a character diff of the whole text: headings and
blocks are paired by their alignments, sentences inside a pair by the sentence alignments,
and only paired sentences are diffed token by token (``classify.inline_diff``). Pairs that
keep their relative order are edited in place (the longest increasing subsequence of the
pairing); the rest are written as Word moves (``w:moveFrom``/``w:moveTo``), so a reordered
priority reads as one move, not as a large deletion and insertion.

One paragraph per section heading and per block on each side (``Document.plain_text``).
Accept All gives the new document's paragraphs, Reject All the old one's.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..classify import inline_diff
from ..model import Document, Node
from ..result import Alignment, Comparison

BREAK = None  # a paragraph boundary between two pieces of one side
# How a paragraph mark inside a run of text is tracked.
_MARK = {"equal": "equal", "insert": "insert", "delete": "delete"}
_MARK |= {"move-to": "insert", "move-from": "delete"}


@dataclass(slots=True)
class Piece:
    key: str  # what alignments pair: a unit (heading/block) id or a sentence id
    unit: str  # id of the heading or block the text belongs to
    text: str


@dataclass(slots=True)
class Op:
    op: str  # equal | insert | delete | move-from | move-to
    text: str
    old: str | None  # old unit the text belongs to (or stands next to)
    new: str | None
    move: str = ""  # name shared by a move's two ends


@dataclass(slots=True)
class Para:
    """One paragraph of the redline: its runs and how its mark is tracked."""

    ops: list[Op] = field(default_factory=list)
    mark: str = "equal"  # equal | insert | delete

    @property
    def old_units(self) -> list[str]:
        return list(dict.fromkeys(o.old for o in self.ops if o.old and o.op != "insert"))

    @property
    def new_units(self) -> list[str]:
        return list(dict.fromkeys(o.new for o in self.ops if o.new and o.op != "delete"))

    def accepted(self) -> str:
        return "".join(o.text for o in self.ops if o.op in ("equal", "insert", "move-to"))

    def rejected(self) -> str:
        return "".join(o.text for o in self.ops if o.op in ("equal", "delete", "move-from"))


Seq = list["Piece | None"]


def units(doc: Document) -> list[Node]:
    """The paragraphs of a side: section headings and blocks, in reading order."""
    return [n for n in doc.nodes if n.kind in ("section", "block")]


def _with_breaks(pieces_per_unit: list[list[Piece]]) -> Seq:
    out: Seq = []
    for i, pieces in enumerate(pieces_per_unit):
        if i:
            out.append(BREAK)
        out.extend(pieces)
    return out


def _lis(values: list[int]) -> set[int]:
    """Indices of a longest strictly increasing subsequence of ``values``."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def _positions(seq: Seq) -> dict[str, int]:
    return {p.key: i for i, p in enumerate(seq) if p is not None}


def _span(seq: Seq, where: dict[str, int], keys: list[str]) -> tuple[int, int] | None:
    """First and last position of ``keys`` in ``seq`` (``where``: each key's position) when
    they form an unbroken run (paragraph breaks may lie between them), else None."""
    if not keys or any(k not in where for k in keys):
        return None
    pos = sorted(where[k] for k in keys)
    inside = set(keys)
    for i in range(pos[0], pos[-1] + 1):
        if seq[i] is not None and seq[i].key not in inside:
            return None
    return pos[0], pos[-1]


@dataclass(slots=True)
class _Group:
    old: tuple[int, int]
    new: tuple[int, int]
    move: str = ""


def _merge(old: Seq, new: Seq, pairs: list[tuple[list[str], list[str]]], move_prefix: str):
    """Interleave two piece sequences into an edit script.

    Yields ("delete"|"insert", piece, move), ("break", op) and ("group", old_slice, new_slice).
    Pairs that keep their order are groups; the others become moves."""
    groups: list[_Group] = []
    old_where, new_where = _positions(old), _positions(new)  # once: a document has thousands
    for old_keys, new_keys in pairs:
        o, n = _span(old, old_where, old_keys), _span(new, new_where, new_keys)
        if o is not None and n is not None:
            groups.append(_Group(o, n))
    groups.sort(key=lambda g: g.new[0])
    keep = _lis([g.old[0] for g in groups])
    old_group: dict[int, _Group] = {}
    new_group: dict[int, _Group] = {}
    for i, g in enumerate(groups):
        if i not in keep:
            g.move = f"{move_prefix}{i}"
        old_group[g.old[0]] = g
        new_group[g.new[0]] = g
    moved_old = {i: g.move for g in groups if g.move for i in range(g.old[0], g.old[1] + 1)}
    moved_new = {i: g.move for g in groups if g.move for i in range(g.new[0], g.new[1] + 1)}

    oi = ni = 0
    while oi < len(old) or ni < len(new):
        oh = old[oi] if oi < len(old) else BREAK
        nh = new[ni] if ni < len(new) else BREAK
        o_paired = oh is not None and oi in old_group and not old_group[oi].move
        n_paired = nh is not None and ni in new_group and not new_group[ni].move
        o_inside = oh is not None and not o_paired  # a piece of the old side only
        n_inside = nh is not None and not n_paired
        if oi < len(old) and o_inside:
            yield ("delete", oh, moved_old.get(oi, ""))
            oi += 1
        elif ni < len(new) and n_inside:
            yield ("insert", nh, moved_new.get(ni, ""))
            ni += 1
        elif oi < len(old) and ni < len(new) and oh is None and nh is None:
            yield ("break", "equal")
            oi += 1
            ni += 1
        elif oi < len(old) and oh is None:
            yield ("break", "delete")
            oi += 1
        elif ni < len(new) and nh is None:
            yield ("break", "insert")
            ni += 1
        else:
            g = old_group[oi]
            if new_group.get(ni) is not g:  # cannot happen for an increasing pairing
                raise AssertionError("redline: crossing pairs")
            yield ("group", old[g.old[0] : g.old[1] + 1], new[g.new[0] : g.new[1] + 1])
            oi, ni = g.old[1] + 1, g.new[1] + 1


def _inline(old: Seq, new: Seq) -> Iterator[tuple[str, str, str | None, str | None]]:
    """Token diff of two paired runs of pieces, with their paragraph breaks put back at the
    right offsets: yields (op, text, old unit, new unit), op "break-<op>" for a mark."""
    o_text, o_breaks, o_units = _flatten(old)
    n_text, n_breaks, n_units = _flatten(new)
    diff = [("equal", o_text)] if o_text == n_text else inline_diff(o_text, n_text)
    oi = ni = 0
    ob = nb = 0  # next break to emit on each side
    o_starts, n_starts = [u[0] for u in o_units], [u[0] for u in n_units]

    def unit_at(units: list[tuple[int, str]], starts: list[int], pos: int) -> str | None:
        k = bisect.bisect_right(starts, pos) - 1
        return units[max(k, 0)][1] if units else None

    def flush():
        nonlocal ob, nb
        while True:
            o_due = ob < len(o_breaks) and o_breaks[ob] == oi
            n_due = nb < len(n_breaks) and n_breaks[nb] == ni
            if o_due and n_due:
                yield ("break-equal", "", None, None)
                ob, nb = ob + 1, nb + 1
            elif o_due:
                yield ("break-delete", "", None, None)
                ob += 1
            elif n_due:
                yield ("break-insert", "", None, None)
                nb += 1
            else:
                return

    for op, text in diff:
        while text:
            yield from flush()
            # Cut the run at the next break on the side(s) it advances.
            limit = len(text)
            if op in ("equal", "delete") and ob < len(o_breaks):
                limit = min(limit, o_breaks[ob] - oi)
            if op in ("equal", "insert") and nb < len(n_breaks):
                limit = min(limit, n_breaks[nb] - ni)
            chunk, text = text[:limit], text[limit:]
            yield (op, chunk, unit_at(o_units, o_starts, oi), unit_at(n_units, n_starts, ni))
            if op in ("equal", "delete"):
                oi += len(chunk)
            if op in ("equal", "insert"):
                ni += len(chunk)
    yield from flush()


def _flatten(seq: Seq) -> tuple[str, list[int], list[tuple[int, str]]]:
    text, breaks, owners = [], [], []
    pos = 0
    for p in seq:
        if p is None:
            breaks.append(pos)
            continue
        owners.append((pos, p.unit))
        for i, line in enumerate(p.text.split("\n")):
            if i:  # a line break inside a block is a paragraph of its own in the redline
                breaks.append(pos)
            text.append(line)
            pos += len(line)
    return "".join(text), breaks, owners


class _Builder:
    """Turns the comparison into :class:`Para` objects."""

    def __init__(self, c: Comparison):
        self.c = c
        self.sentence_pairs: dict[str, Alignment] = {}
        for a in c.at("sentence"):
            if a.old and a.new:
                for i in a.old:
                    self.sentence_pairs[i] = a
        self.paras: list[Para] = [Para()]

    def _pieces(self, doc: Document, unit: Node, fine: bool) -> list[Piece]:
        if fine and unit.kind == "block":
            sentences = doc.children(unit.id, "sentence")
            if sentences and "".join(s.text for s in sentences) == unit.text:
                return [Piece(s.id, unit.id, s.text) for s in sentences]
        return [Piece(unit.id, unit.id, unit.text)]

    def _emit(self, op: str, text: str, old: str | None, new: str | None, move: str = ""):
        if op.startswith("break-"):
            self.paras[-1].mark = op.removeprefix("break-")
            self.paras.append(Para())
            return
        for i, line in enumerate(text.split("\n")):
            if i:  # a line break inside a block ends a paragraph, tracked like the text
                self._emit("break-" + _MARK[op], "", None, None)
            if line:
                self.paras[-1].ops.append(Op(op, line, old, new, move))

    def build(self) -> list[Para]:
        c = self.c
        old = _with_breaks([self._pieces(c.old, u, False) for u in units(c.old)])
        new = _with_breaks([self._pieces(c.new, u, False) for u in units(c.new)])
        pairs = [(a.old, a.new) for a in c.alignments if a.level in ("section", "block")]
        pairs = [p for p in pairs if p[0] and p[1]]
        self._run(old, new, pairs, "move", fine=True)
        return self.paras

    def _run(self, old: Seq, new: Seq, pairs, prefix: str, fine: bool) -> None:
        for step in _merge(old, new, pairs, prefix):
            kind = step[0]
            if kind == "break":
                self._emit("break-" + step[1], "", None, None)
            elif kind == "delete":
                _, piece, move = step
                self._emit("move-from" if move else "delete", piece.text, piece.unit, None, move)
            elif kind == "insert":
                _, piece, move = step
                self._emit("move-to" if move else "insert", piece.text, None, piece.unit, move)
            elif fine:
                self._pair_units(step[1], step[2], prefix)
            else:
                for op, text, o, n in _inline(step[1], step[2]):
                    self._emit(op, text, o, n)

    def _pair_units(self, old: Seq, new: Seq, prefix: str) -> None:
        """A paired heading or block (or a split/merge group): pair its sentences."""
        c = self.c
        old_fine = _with_breaks(
            [self._pieces(c.old, c.old.node(p.unit), True) for p in old if p is not None]
        )
        new_fine = _with_breaks(
            [self._pieces(c.new, c.new.node(p.unit), True) for p in new if p is not None]
        )
        old_keys = {p.key for p in old_fine if p is not None}
        new_keys = {p.key for p in new_fine if p is not None}
        pairs: list[tuple[list[str], list[str]]] = []
        seen: set[int] = set()
        for key in old_keys:
            a = self.sentence_pairs.get(key)
            if a is not None and id(a) not in seen:
                seen.add(id(a))
                if set(a.old) <= old_keys and set(a.new) <= new_keys:
                    pairs.append((a.old, a.new))
        # Headings (and unsplit blocks) are their own single piece: pair them directly.
        heads_old = [p.key for p in old_fine if p is not None and p.key == p.unit]
        heads_new = [p.key for p in new_fine if p is not None and p.key == p.unit]
        if heads_old and heads_new:
            pairs.append((heads_old, heads_new))
        pairs.sort(key=lambda p: p[0][0])
        start = len(self.paras)
        self._run(old_fine, new_fine, pairs, f"{prefix}.{start}.", fine=False)


def redline_paragraphs(c: Comparison) -> list[Para]:
    """The edit script from the old document to the new, one :class:`Para` per paragraph."""
    return _Builder(c).build()


def accepted_text(paras: list[Para]) -> list[str]:
    """What Accept All leaves: paragraphs joined where an inserted-side mark was deleted."""
    return _resolve(paras, accept=True)


def rejected_text(paras: list[Para]) -> list[str]:
    return _resolve(paras, accept=False)


def _resolve(paras: list[Para], accept: bool) -> list[str]:
    out: list[str] = []
    buf = ""
    for i, p in enumerate(paras):
        buf += p.accepted() if accept else p.rejected()
        joined = p.mark == ("delete" if accept else "insert")
        if not joined or i == len(paras) - 1:
            out.append(buf)
            buf = ""
    return out


# ---------------------------------------------------------------- writing


def heading_style(node: Node | None, headings: tuple[str, ...]) -> str | None:
    if node is None or node.kind != "section":
        return None
    return headings[min(max(node.depth, 1), len(headings)) - 1]


def write(
    revisions,
    paras: list[Para],
    c: Comparison,
    *,
    headings: tuple[str, ...],
    body: str | None,
    comments: dict[tuple[str, str], list[str]] | None = None,
) -> None:
    """Append the paragraphs to ``revisions.document`` with tracked changes; ``comments``
    maps ("old"|"new", unit id) to notes anchored on the first paragraph holding that unit."""
    pending = dict(comments or {})
    for para in paras:
        new_units, old_units = para.new_units, para.old_units
        node = (
            c.new.node(new_units[0])
            if new_units
            else c.old.node(old_units[0])
            if old_units
            else None
        )
        tp = revisions.paragraph(heading_style(node, headings) or body)
        for op in para.ops:
            tp.add(op.op, op.text, move=op.move)
        tp.mark(para.mark)
        keys = [("new", u) for u in new_units] + [("old", u) for u in old_units]
        for key in keys:
            for note in pending.pop(key, []):
                tp.comment(note)


def render(c: Comparison) -> bytes:
    """The tracked-changes document alone (``diffreport redline``)."""
    from .ooxml import Revisions, reproducible, set_core_properties
    from .templates import empty_document

    document = empty_document()
    revisions = Revisions(document)
    set_core_properties(document, c.new.title or "redline", revisions.when)
    write(
        revisions,
        redline_paragraphs(c),
        c,
        headings=("Heading 1", "Heading 2", "Heading 3"),
        body=None,
    )
    buf = io.BytesIO()
    document.save(buf)
    return reproducible(buf.getvalue(), revisions.when)
