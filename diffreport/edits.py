"""The edits from one version to the other, computed here once and rendered by every writer
that shows changes (after difflib's opcodes and unidiff's hunks, on rapidfuzz's opcodes).

Three views of one comparison, each an edit script of ``equal`` / ``insert`` / ``delete``
(plus ``move-from`` / ``move-to`` where text changed place):

* :func:`token_edits` — two texts, token by token (jieba words, Latin words, numbers whole);
  the classifier keeps it on changed pairs (``Alignment.diff``, the JSON's ``diff``).
* :func:`script` — the whole document as paragraphs (:class:`Script`): headings and blocks
  paired by the alignments, sentences inside a pair by the sentence alignments, paired text
  diffed token by token; pairs that keep their relative order are edited in place (the
  longest increasing subsequence of the pairing), the rest are moves; paragraph marks are
  inserted or deleted where units split or merge. Accepting every edit gives the new
  document's paragraphs (``Document.plain_text``), rejecting every edit the old one's. The
  redline and the briefing's appendix render it.
* :class:`Marks` — each aligned unit's text on each side cut into unmarked runs and the runs
  that side deleted or inserted: the side-by-side views (对照表, HTML) render it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from .model import LEVELS, Document, Node
from .result import Alignment, Comparison
from .tokens import display_tokens

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
MOVE_FROM, MOVE_TO = "move-from", "move-to"

Edit = tuple[str, str]  # (op, text): op is equal | insert | delete
# A run of one side's text: mark "" (the same on both sides), "delete" (only the old side
# has it) or "insert" (only the new side).
Segment = tuple[str, str]


# ---------------------------------------------------------------- two texts


def token_edits(old: str, new: str) -> list[Edit]:
    """Token-level edits from ``old`` to ``new`` (rapidfuzz Indel opcodes over the display
    tokens; numbers stay whole). Joined, the equal and deleted runs give ``old`` and the
    equal and inserted runs give ``new``; each change region is one deletion then one
    insertion, with tiny equal runs between changes folded in."""
    a, b = display_tokens(old), display_tokens(new)
    # One character per distinct token, so the opcodes compare whole tokens.
    # (made in C: zip and map, no Python-level loop over the tokens)
    distinct = dict.fromkeys(a + b)
    vocab = dict(zip(distinct, map(chr, range(0x10000, 0x10000 + len(distinct))), strict=True))
    enc_a = "".join(map(vocab.__getitem__, a))
    enc_b = "".join(map(vocab.__getitem__, b))
    ops: list[Edit] = []
    for op in Indel.opcodes(enc_a, enc_b):
        if op.tag == "equal":
            ops.append((EQUAL, "".join(a[op.src_start : op.src_end])))
        else:
            if op.src_end > op.src_start:
                ops.append((DELETE, "".join(a[op.src_start : op.src_end])))
            if op.dest_end > op.dest_start:
                ops.append((INSERT, "".join(b[op.dest_start : op.dest_end])))
    return _merge_runs(ops)


def _merge_runs(ops: list[Edit]) -> list[Edit]:
    """Fold tiny equal runs (a space, a lone `的`) between changes into the change, and give
    each change region as one deletion then one insertion, so the diff reads as phrases,
    not confetti: `[-User Personal Information-]{+personal information+}`."""
    out: list[Edit] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append((DELETE, "".join(deleted)))
        if inserted:
            out.append((INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for i, (op, text) in enumerate(ops):
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        elif (deleted or inserted) and _tiny(text) and i + 1 < len(ops):
            deleted.append(text)
            inserted.append(text)
        else:
            if deleted or inserted:
                flush()
            if out and out[-1][0] == EQUAL:
                out[-1] = (EQUAL, out[-1][1] + text)
            else:
                out.append((EQUAL, text))
    flush()
    return out


def _tiny(text: str) -> bool:
    return not text.strip() or (len(text) == 1 and "\u4e00" <= text <= "\u9fff")


def side(edits: list[Edit], mark: str) -> list[Segment]:
    """One side of ``edits`` (``mark`` "delete": the old side, "insert": the new one): its
    equal runs unmarked, its own changes marked, neighbours of one kind joined."""
    out: list[Segment] = []
    for op, text in edits:
        if op == EQUAL:
            seg = ("", text)
        elif op == mark:
            seg = (mark, text)
        else:
            continue
        if out and out[-1][0] == seg[0]:
            out[-1] = (seg[0], out[-1][1] + seg[1])
        elif seg[1]:
            out.append(seg)
    return out


# ---------------------------------------------------------------- the document as paragraphs


@dataclass(slots=True)
class Op:
    """A run of one paragraph of the script."""

    op: str  # equal | insert | delete | move-from | move-to
    text: str
    old: str | None  # old unit the text belongs to (or stands next to)
    new: str | None
    move: str = ""  # name shared by a move's two ends


@dataclass(slots=True)
class Paragraph:
    """One paragraph of the script: its runs and how its mark is edited (``insert``: only
    the new version ends a paragraph here; ``delete``: only the old one)."""

    ops: list[Op] = field(default_factory=list)
    mark: str = EQUAL  # equal | insert | delete

    @property
    def old_units(self) -> list[str]:
        return list(dict.fromkeys(o.old for o in self.ops if o.old and o.op != INSERT))

    @property
    def new_units(self) -> list[str]:
        return list(dict.fromkeys(o.new for o in self.ops if o.new and o.op != DELETE))

    def accepted(self) -> str:
        return "".join(o.text for o in self.ops if o.op in (EQUAL, INSERT, MOVE_TO))

    def rejected(self) -> str:
        return "".join(o.text for o in self.ops if o.op in (EQUAL, DELETE, MOVE_FROM))


@dataclass(slots=True)
class Script:
    """The whole document's edits, one :class:`Paragraph` per paragraph of either side."""

    paragraphs: list[Paragraph]
    # New units (headings, blocks) that hold text the script moves in from elsewhere, whole
    # or in part (a sentence moved within its block counts).
    moved_in: set[str] = field(default_factory=set)
    # Pairs of equal text written as their equal runs without pairing their sentences again,
    # by how many pieces each had (1: whole; more: cut into sentences).
    direct: list[int] = field(default_factory=list)

    def accepted(self) -> list[str]:
        """What accepting every edit leaves: the new version's paragraphs."""
        return self._resolve(accept=True)

    def rejected(self) -> list[str]:
        """What rejecting every edit leaves: the old version's paragraphs."""
        return self._resolve(accept=False)

    def _resolve(self, accept: bool) -> list[str]:
        out: list[str] = []
        buf = ""
        paras = self.paragraphs
        for i, p in enumerate(paras):
            buf += p.accepted() if accept else p.rejected()
            joined = p.mark == (DELETE if accept else INSERT)
            if not joined or i == len(paras) - 1:
                out.append(buf)
                buf = ""
        return out


def script(c: Comparison, shortcut: bool = True) -> Script:
    """The edit script from the old document to the new, one paragraph per section heading
    and per block on each side; ``shortcut``: a pair of equal text whose sentences pair one
    to one in order is written as its equal runs directly (most pairs of a long document;
    the same paragraphs as without, which tests check)."""
    return _ScriptBuilder(c, shortcut).build()


def heading_depths(c: Comparison, paragraphs: list[Paragraph]) -> list[int | None]:
    """The section depth of the heading each paragraph of the script shows (its first new
    unit, else its first old one), or None where it shows a block: the sections' depths
    looked up in one map a side (a long script has tens of thousands of paragraphs)."""
    new_depth = {n.id: n.depth for n in c.new.of_kind("section")}
    old_depth = {n.id: n.depth for n in c.old.of_kind("section")}
    return [_heading_depth(p.ops, new_depth, old_depth) for p in paragraphs]


def _heading_depth(
    ops: list[Op], new_depth: dict[str, int], old_depth: dict[str, int]
) -> int | None:
    for op in ops:  # (loops, not generators: most paragraphs are one run)
        if op.new and op.op != DELETE:
            return new_depth.get(op.new)
    for op in ops:
        if op.old and op.op != INSERT:
            return old_depth.get(op.old)
    return None


def units(doc: Document) -> list[Node]:
    """The paragraphs of a side in the script: section headings and blocks, in reading order."""
    return [n for n in doc.nodes if n.kind in ("section", "block")]


BREAK = None  # a paragraph boundary between two pieces of one side
# How a paragraph mark inside a run of text is edited.
_MARK = {EQUAL: EQUAL, INSERT: INSERT, DELETE: DELETE, MOVE_TO: INSERT, MOVE_FROM: DELETE}


@dataclass(slots=True)
class _Piece:
    key: str  # what alignments pair: a unit (heading/block) id or a sentence id
    unit: str  # id of the heading or block the text belongs to
    text: str


_Seq = list["_Piece | None"]


def _unit_sequence(doc: Document) -> _Seq:
    """A side's headings and blocks as whole pieces, a paragraph break between each two
    (``_with_breaks`` of one piece a unit, made in one pass)."""
    pieces: _Seq = [_Piece(n.id, n.id, n.text) for n in units(doc)]
    out: _Seq = [BREAK] * (2 * len(pieces) - 1) if pieces else []
    out[::2] = pieces
    return out


def _with_breaks(pieces_per_unit: list[list[_Piece]]) -> _Seq:
    out: _Seq = []
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


def _positions(seq: _Seq) -> dict[str, int]:
    return {p.key: i for i, p in enumerate(seq) if p is not None}


def _span(seq: _Seq, where: dict[str, int], keys: list[str]) -> tuple[int, int] | None:
    """First and last position of ``keys`` in ``seq`` (``where``: each key's position) when
    they form an unbroken run (paragraph breaks may lie between them), else None."""
    if len(keys) == 1:  # most pairs: one unit or sentence on each side
        at = where.get(keys[0])
        return None if at is None else (at, at)
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


def _merge(old: _Seq, new: _Seq, pairs: list[tuple[list[str], list[str]]], move_prefix: str):
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

    # Where a group kept in place starts on each side.
    old_kept = {i for i, g in old_group.items() if not g.move}
    new_kept = {i for i, g in new_group.items() if not g.move}
    n_old, n_new = len(old), len(new)
    oi = ni = 0
    while oi < n_old or ni < n_new:
        oh = old[oi] if oi < n_old else BREAK
        nh = new[ni] if ni < n_new else BREAK
        if oh is not None and oi not in old_kept:  # a piece of the old side only
            yield (DELETE, oh, moved_old.get(oi, ""))
            oi += 1
        elif nh is not None and ni not in new_kept:
            yield (INSERT, nh, moved_new.get(ni, ""))
            ni += 1
        elif oi < n_old and ni < n_new and oh is None and nh is None:
            yield ("break", EQUAL)
            oi += 1
            ni += 1
        elif oi < n_old and oh is None:
            yield ("break", DELETE)
            oi += 1
        elif ni < n_new and nh is None:
            yield ("break", INSERT)
            ni += 1
        else:
            g = old_group[oi]
            if new_group.get(ni) is not g:  # cannot happen for an increasing pairing
                raise AssertionError("edit script: crossing pairs")
            yield ("group", old[g.old[0] : g.old[1] + 1], new[g.new[0] : g.new[1] + 1])
            oi, ni = g.old[1] + 1, g.new[1] + 1


def _inline(
    old: _Seq, new: _Seq, known: list[Edit] | None = None
) -> Iterator[tuple[str, str, str | None, str | None]]:
    """Token edits of two paired runs of pieces, with their paragraph breaks put back at the
    right offsets: yields (op, text, old unit, new unit), op "break-<op>" for a mark.
    ``known``: the token edits of the two runs' texts, when already made."""
    o_text, o_breaks, o_units = _flatten(old)
    n_text, n_breaks, n_units = _flatten(new)
    if known is not None:
        diff = known
    else:
        diff = [(EQUAL, o_text)] if o_text == n_text else token_edits(o_text, n_text)
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
            if op in (EQUAL, DELETE) and ob < len(o_breaks):
                limit = min(limit, o_breaks[ob] - oi)
            if op in (EQUAL, INSERT) and nb < len(n_breaks):
                limit = min(limit, n_breaks[nb] - ni)
            chunk, text = text[:limit], text[limit:]
            yield (op, chunk, unit_at(o_units, o_starts, oi), unit_at(n_units, n_starts, ni))
            if op in (EQUAL, DELETE):
                oi += len(chunk)
            if op in (EQUAL, INSERT):
                ni += len(chunk)
    yield from flush()


def _flatten(seq: _Seq) -> tuple[str, list[int], list[tuple[int, str]]]:
    text, breaks, owners = [], [], []
    pos = 0
    for p in seq:
        if p is None:
            breaks.append(pos)
            continue
        owners.append((pos, p.unit))
        for i, line in enumerate(p.text.split("\n")):
            if i:  # a line break inside a block is a paragraph of its own in the script
                breaks.append(pos)
            text.append(line)
            pos += len(line)
    return "".join(text), breaks, owners


class _ScriptBuilder:
    """Turns the comparison into :class:`Paragraph` objects (``shortcut``: see :func:`script`)."""

    def __init__(self, c: Comparison, shortcut: bool = True):
        self.c = c
        self.shortcut = shortcut
        self.sentence_pairs: dict[str, Alignment] = {}
        for a in c.at("sentence"):
            if a.old and a.new:
                for i in a.old:
                    self.sentence_pairs[i] = a
        self.paras: list[Paragraph] = [Paragraph()]
        self.moved_in: set[str] = set()
        self.direct: list[int] = []
        self._cuts = {id(c.old): _Cuts(c.old), id(c.new): _Cuts(c.new)}

    def _pieces(self, doc: Document, unit: Node, fine: bool) -> list[_Piece]:
        sentences = self._cuts[id(doc)](unit) if fine else None
        if sentences is not None:
            return [_Piece(s.id, unit.id, s.text) for s in sentences]
        return [_Piece(unit.id, unit.id, unit.text)]

    def _emit(self, op: str, text: str, old: str | None, new: str | None, move: str = ""):
        if op.startswith("break-"):
            self.paras[-1].mark = op.removeprefix("break-")
            self.paras.append(Paragraph())
            return
        if "\n" not in text:  # most runs: one line
            if text:
                self.paras[-1].ops.append(Op(op, text, old, new, move))
                if op == MOVE_TO and new:
                    self.moved_in.add(new)
            return
        for i, line in enumerate(text.split("\n")):
            if i:  # a line break inside a block ends a paragraph, edited like the text
                self._emit("break-" + _MARK[op], "", None, None)
            if line:
                self.paras[-1].ops.append(Op(op, line, old, new, move))
                if op == MOVE_TO and new:
                    self.moved_in.add(new)

    def build(self) -> Script:
        c = self.c
        old, new = _unit_sequence(c.old), _unit_sequence(c.new)
        pairs = [
            (a.old, a.new)
            for a in c.alignments
            if a.old and a.new and (a.level == "section" or a.level == "block")
        ]
        self._run(old, new, pairs, "move", fine=True)
        return Script(self.paras, self.moved_in, self.direct)

    def _run(self, old: _Seq, new: _Seq, pairs, prefix: str, fine: bool) -> None:
        for step in _merge(old, new, pairs, prefix):
            kind = step[0]
            if kind == "break":  # as _emit ends a paragraph (the most common step)
                self.paras[-1].mark = step[1]
                self.paras.append(Paragraph())
            elif kind == DELETE:
                _, piece, move = step
                self._emit(MOVE_FROM if move else DELETE, piece.text, piece.unit, None, move)
            elif kind == INSERT:
                _, piece, move = step
                self._emit(MOVE_TO if move else INSERT, piece.text, None, piece.unit, move)
            elif fine:
                self._pair_units(step[1], step[2], prefix)
            else:
                known = self._known_edits(step[1], step[2])
                for op, text, o, n in _inline(step[1], step[2], known):
                    self._emit(op, text, o, n)

    def _known_edits(self, old: _Seq, new: _Seq) -> list[Edit] | None:
        """The classifier's token edits (``Alignment.diff``) of a changed pair of sentences
        that is all of a group, one line each: ``token_edits`` of the same two texts."""
        if len(old) != 1 or len(new) != 1:
            return None
        o, n = old[0], new[0]
        if o is None or n is None or o.key == o.unit or n.key == n.unit:
            return None  # a break, or a whole unit (no sentence alignment of its own)
        a = self.sentence_pairs.get(o.key)
        if a is None or a.diff is None or len(a.old) != 1 or a.new != [n.key]:
            return None
        if o.text == n.text or "\n" in o.text or "\n" in n.text:
            return None  # (the general path: one equal run; lines joined by _flatten)
        return a.diff

    def _pair_units(self, old: _Seq, new: _Seq, prefix: str) -> None:
        """A paired heading or block (or a split/merge group): pair its sentences."""
        c = self.c
        if self.shortcut and len(old) == len(new) == 1 and old[0].text == new[0].text:
            texts = self._in_step(old[0], new[0])
            if texts is not None:
                self.direct.append(len(texts))
                old_unit, new_unit = old[0].unit, new[0].unit
                ops = self.paras[-1].ops
                for text in texts:
                    if text and "\n" not in text:  # most: one line (as _emit writes it)
                        ops.append(Op(EQUAL, text, old_unit, new_unit))
                    else:
                        self._emit(EQUAL, text, old_unit, new_unit)
                        ops = self.paras[-1].ops
                return
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

    def _in_step(self, old: _Piece, new: _Piece) -> list[str] | None:
        """The texts of the pieces of a pair of equal text when the general path would pair
        them one to one in order, each with itself (both whole, or both cut into the same
        sentences that the sentence alignments pair one to one): each piece is then one
        group, its token edits one equal run. Else None. (The pieces :meth:`_pieces` would
        cut, read without making them: most pairs of a long document come here.)"""
        c = self.c
        old_cuts, new_cuts = self._cuts[id(c.old)], self._cuts[id(c.new)]
        old_sentences = old_cuts(old_cuts.nodes[old.unit])
        new_sentences = new_cuts(new_cuts.nodes[new.unit])
        if old_sentences is None or new_sentences is None:
            # Whole units pair with each other (one piece on each side, the equal texts).
            return [old.text] if old_sentences is None and new_sentences is None else None
        if len(old_sentences) != len(new_sentences):
            return None
        pairs = self.sentence_pairs
        for o, n in zip(old_sentences, new_sentences, strict=True):
            if o.text != n.text:
                return None
            a = pairs.get(o.id)
            if a is None or len(a.old) != 1 or len(a.new) != 1 or a.new[0] != n.id:
                return None  # (a.old[0] is o: the map is by old sentence)
        return [s.text for s in old_sentences]


class _Cuts:
    """Where the script cuts a side's units: a block into its sentences when they make up its
    text, else nothing (a heading, or sentences that do not). The sentences are grouped by
    block in one pass, not asked of each block (most of a long document's blocks)."""

    def __init__(self, doc: Document) -> None:
        self.nodes = doc.by_id
        self._sentences: dict[str | None, list[Node]] = {}
        for s in doc.of_kind("sentence"):  # in reading order, as Document.children
            held = self._sentences.get(s.parent)
            if held is None:
                self._sentences[s.parent] = [s]
            else:
                held.append(s)

    def __call__(self, unit: Node) -> list[Node] | None:
        if unit.kind == "block":
            sentences = self._sentences.get(unit.id)
            if sentences and "".join([s.text for s in sentences]) == unit.text:
                return sentences
        return None


# ---------------------------------------------------------------- each unit's two sides


class Marks:
    """Each aligned unit's nodes with their text cut into runs (:data:`Segment`): unmarked
    where both versions have it, marked where one side deleted or inserted it. Joined, a
    node's runs give its text exactly.

    ``level`` is the unit the views show (``block`` or ``sentence``): a split, merged or long
    unit without the classifier's token edits is marked by what became of its parts at the
    level below."""

    def __init__(self, c: Comparison, level: str) -> None:
        self.c = c
        self.level = level
        below = LEVELS[LEVELS.index(level) + 1] if level in LEVELS[:-1] else None
        self.below: dict[tuple[str, str], Alignment] = {}
        for a in c.alignments:
            if a.level == below:
                for i in a.old:
                    self.below[("old", i)] = a
                for i in a.new:
                    self.below[("new", i)] = a

    def __call__(
        self, a: Alignment, old_nodes: list[Node], new_nodes: list[Node]
    ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """The runs of each of ``a``'s nodes (``old_nodes``, ``new_nodes``), side by side."""
        if not old_nodes or not new_nodes:
            mark = INSERT if new_nodes else DELETE
            return (
                [[(mark, n.text)] for n in old_nodes],
                [[(mark, n.text)] for n in new_nodes],
            )
        if len(old_nodes) == len(new_nodes) == 1:
            old, new = old_nodes[0], new_nodes[0]
            if old.text == new.text:
                return [[("", old.text)]], [[("", new.text)]]
            if a.diff is not None:
                return [side(a.diff, DELETE)], [side(a.diff, INSERT)]
        # Split, merged, or a long unit the classifier gave no edits: each node marked by
        # what became of its parts at the level below; a unit without parts by token edits
        # of its own text.
        old_marks = [self._by_parts(n, "old", set(a.new)) for n in old_nodes]
        new_marks = [self._by_parts(n, "new", set(a.old)) for n in new_nodes]
        if len(old_nodes) == len(new_nodes) == 1 and (old_marks[0] is None or new_marks[0] is None):
            ops = token_edits(old_nodes[0].text, new_nodes[0].text)
            old_marks, new_marks = [side(ops, DELETE)], [side(ops, INSERT)]
        return (
            [s or [(DELETE, n.text)] for n, s in zip(old_nodes, old_marks, strict=True)],
            [s or [(INSERT, n.text)] for n, s in zip(new_nodes, new_marks, strict=True)],
        )

    def _by_parts(self, node: Node, side_: str, partners: set[str]) -> list[Segment] | None:
        """``node``'s text with each part below marked unless it was paired with a part of
        a partner node in the same unit and is unchanged (or carries its own edits); None
        when the parts do not make up the text."""
        doc = self.c.old if side_ == "old" else self.c.new
        mark = DELETE if side_ == "old" else INSERT
        other = "new" if side_ == "old" else "old"
        parts = doc.children(node.id)
        if not parts:
            return None
        out: list[Segment] = []
        at = 0
        for part in parts:
            where = node.text.find(part.text, at) if part.text else -1
            if where < 0:
                return None
            if where > at:
                out.append(("", node.text[at:where]))
            at = where + len(part.text)
            a = self.below.get((side_, part.id))
            partner_nodes = getattr(a, other) if a else []
            inside = bool(partner_nodes) and all(
                self._holder(other, i) in partners for i in partner_nodes
            )
            if not inside or a is None:
                out.append((mark, part.text))
            elif a.status == "unchanged":
                out.append(("", part.text))
            elif a.diff is not None and len(a.old) == len(a.new) == 1:
                out.extend(side(a.diff, mark))
            else:
                out.append((mark, part.text))
        if at < len(node.text):
            out.append(("", node.text[at:]))
        return _joined(out)

    def _holder(self, side_: str, node_id: str) -> str | None:
        """The id of the node at the views' level that holds ``node_id``."""
        doc = self.c.old if side_ == "old" else self.c.new
        parent = doc.node(node_id).parent
        while parent is not None:
            node = doc.node(parent)
            if node.kind == self.level:
                return node.id
            parent = node.parent
        return None


def _joined(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for mark, text in segments:
        if not text:
            continue
        if out and out[-1][0] == mark:
            out[-1] = (mark, out[-1][1] + text)
        else:
            out.append((mark, text))
    return out
