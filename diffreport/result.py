"""The comparison's result: what every stage after parsing produces and every writer reads.

The ground floor beside :mod:`diffreport.model`: plain data and the ``diffreport/1`` JSON
contract, no analysis. :class:`Pairing` is the aligner's output (which nodes go together),
:class:`Alignment` the classifier's (status, evidence, inline diff), :class:`TargetChange`
and :class:`TermShift` / :class:`Rename` the targets' and terms' stages', and
:class:`Comparison` holds them all with the two documents.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal, get_args

from . import __version__
from .errors import printable
from .model import LEVELS, Document, Kind, Node

# What became of a unit (an alignment's ``status``): one definition for every stage and writer.
Status = Literal["unchanged", "changed", "new", "dropped", "split", "merged"]
STATUSES: tuple[Status, ...] = get_args(Status)  # in this order in every table
# What became of a quantitative target (a target change's ``change``).
TargetStatus = Literal["raised", "lowered", "unchanged", "new", "dropped", "reworded"]
TARGET_STATUSES: tuple[TargetStatus, ...] = get_args(TargetStatus)


@dataclass(slots=True)
class Pairing:
    """Which nodes of the two sides go together at one level (the aligner's output): one
    old and one new (a pair), none on one side (new, dropped), or several (split, merged)."""

    level: Kind
    old: list[str]
    new: list[str]
    score: float | None
    moved: bool = False
    shares: dict[str, float] = field(default_factory=dict)  # split/merge: part id → share
    confidence: str | None = None  # high | medium | low (articles.confidence)


@dataclass(slots=True)
class Evidence:
    """Key terms of a changed pair: used by both sides, only by the new, only by the old."""

    shared: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Alignment:
    """A classified pairing (the classifier's output): status, evidence, inline diff."""

    level: str
    status: Status
    old: list[str]
    new: list[str]
    score: float | None
    moved: bool = False
    evidence: Evidence | None = None
    shares: dict[str, float] = field(default_factory=dict)
    diff: list[tuple[str, str]] | None = None  # (op, text): op is equal | insert | delete
    # A move's two places: the block (of a sentence or clause) or section (of a block) that
    # held it in the old version, and the one that holds it in the new.
    places: dict[str, str | None] | None = None
    # A `changed` pair whose only differences are punctuation, letter case, script or
    # numbering glyphs (``normalise.minor_key``): shown as minor and easy to collapse.
    minor: bool = False
    # Both labels of a 1:1 pair whose label changed (`第三十条` → `第三十二条`).
    old_label: str | None = None
    new_label: str | None = None
    # How sure the pairing is (high | medium | low; Pairing.confidence), on pairs only.
    confidence: str | None = None

    def to_dict(self) -> dict:
        out: dict = {
            "level": self.level,
            "status": self.status,
            "old": self.old,
            "new": self.new,
            "score": self.score,
            "moved": self.moved,
        }
        if self.evidence is not None:
            out["evidence"] = {
                "shared": self.evidence.shared,
                "added": self.evidence.added,
                "removed": self.evidence.removed,
            }
        if self.shares:
            out["parts"] = [{"id": k, "share": v} for k, v in self.shares.items()]
        if self.diff is not None:
            out["diff"] = [{"op": op, "text": text} for op, text in self.diff]
        if self.places is not None:
            out["places"] = self.places
        if self.minor:
            out["minor"] = True
        if self.old_label is not None:
            out["old_label"] = self.old_label
            out["new_label"] = self.new_label
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


# An alignment's fields in order, as plain values (the evidence as a tuple of its three lists):
# what marshal can send to another process, several times faster than pickle sends the
# dataclasses (1,703 alignments at real-2m: ~22 ms pickled).
_ALIGNMENT_FIELDS = attrgetter(*(f.name for f in fields(Alignment)))
_EVIDENCE_AT = [f.name for f in fields(Alignment)].index("evidence")


def alignment_values(alignment: Alignment) -> tuple:
    """``alignment`` as plain values (:func:`alignment_from_values` makes it again)."""
    values = _ALIGNMENT_FIELDS(alignment)
    evidence = values[_EVIDENCE_AT]
    if evidence is None:
        return values
    plain = (evidence.shared, evidence.added, evidence.removed)
    return values[:_EVIDENCE_AT] + (plain,) + values[_EVIDENCE_AT + 1 :]


def alignment_from_values(values: Sequence) -> Alignment:
    """The alignment :func:`alignment_values` gave ``values`` of."""
    evidence = values[_EVIDENCE_AT]
    if evidence is None:
        return Alignment(*values)
    values = list(values)
    values[_EVIDENCE_AT] = Evidence(*evidence)
    return Alignment(*values)


@dataclass(frozen=True, slots=True)
class Target:
    """One quantitative target or figure found in a clause."""

    indicator: str  # what is measured, e.g. `地区生产总值同比增长`, `口袋公园`, `罚款`
    key: str  # for pairing, e.g. `地区生产总值增长`
    text: str  # the whole phrase, e.g. `地区生产总值同比增长4%以上`
    value: float | None  # None: a qualitative aim in place of a figure (`reworded`)
    unit: str  # as written: `万元` for `二十万元`, `元` for `五千元`
    qualifier: str  # `以上`, `不少于`, `以上…以下` (a range), `内` (a deadline) …
    node: str  # id of the clause it was found in
    low: float | None = None  # lower bound in ``unit`` (`以上`, `不少于`, a range's first)
    high: float | None = None  # upper bound in ``unit`` (`以下`, `以内`, `内`, a range's last)
    block: str = ""  # id of the article, priority or paragraph holding the clause
    block_label: str = ""  # `第十二条`, a priority's title, or its section's heading
    figure: str = ""  # the figure as written: `二百元以上二千元以下`, `十五日内`, `sixty (60) days`

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "node": self.node,
            "low": self.low,
            "high": self.high,
            "block": self.block,
            "block_label": self.block_label,
            "figure": self.figure,
        }


@dataclass(frozen=True, slots=True)
class TargetChange:
    """One indicator's target in the two versions, and what became of it."""

    indicator: str
    old: Target | None
    new: Target | None
    change: TargetStatus

    def to_dict(self) -> dict:
        return {
            "indicator": self.indicator,
            "old": self.old.to_dict() if self.old else None,
            "new": self.new.to_dict() if self.new else None,
            "change": self.change,
        }


@dataclass(slots=True)
class TermShift:
    """A term that appeared, vanished, rose or fell, with its counts on both sides."""

    term: str
    old_count: int
    new_count: int
    where: list[str] = field(default_factory=list)  # ids of blocks that use it

    def to_dict(self) -> dict:
        return {
            "term": self.term,
            "old_count": self.old_count,
            "new_count": self.new_count,
            "where": self.where,
        }


@dataclass(slots=True)
class Rename:
    """A term replaced by another in several paired units while the old one disappears."""

    old: str
    new: str
    count: int  # paired units where the replacement was made
    old_count: int  # uses of the old term in the old document
    new_count: int  # uses of the new term in the new document
    where: list[str] = field(default_factory=list)  # new-side ids of the units

    def to_dict(self) -> dict:
        return {
            "old": self.old,
            "new": self.new,
            "count": self.count,
            "old_count": self.old_count,
            "new_count": self.new_count,
            "where": self.where,
        }


SCHEMA = "diffreport/1"


@dataclass(slots=True)
class Comparison:
    """The two documents and everything found between them; ``to_dict`` is ``diffreport/1``."""

    old: Document
    new: Document
    alignments: list[Alignment]
    targets: list[TargetChange] = field(default_factory=list)
    terms: dict[str, list[TermShift]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # What the caller of compare() made meanwhile (its ``meanwhile``: the CLI's JSON, the
    # nodes' and the alignments' JSON, json_parts_ahead; a Word writer's set-up): not the
    # comparison's.
    prepared: object = field(default=None, repr=False, compare=False)

    @property
    def same(self) -> bool:
        return all(a.status == "unchanged" for a in self.alignments)

    def summary(self) -> dict[str, dict[str, int]]:
        """Each level's :meth:`counts`, statuses in order of name (the contract's
        ``summary``), from one pass over the alignments (a pass a level cost 4-5 ms at 2 MB
        a side)."""
        alignments = self.alignments
        counts = Counter(zip(map(_LEVEL, alignments), map(_STATUS, alignments), strict=True))
        out: dict[str, dict[str, int]] = {level: {} for level in LEVELS}
        for (level, status), count in sorted(counts.items()):
            out.setdefault(level, {})[status] = count
        return {level: out[level] for level in LEVELS}

    def at(self, level: str) -> list[Alignment]:
        return [a for a in self.alignments if a.level == level]

    def counts(self, level: str) -> Counter[str]:
        return Counter(a.status for a in self.at(level))

    @property
    def renumbered(self) -> list[Alignment]:
        """Pairs (1:1, sections and blocks) whose label changed: `第三十条` → `第三十二条`."""
        return [a for a in self.alignments if a.old_label is not None]

    def alignment_of(self, side: str, node_id: str) -> Alignment | None:
        for a in self.alignments:
            if node_id in (a.old if side == "old" else a.new):
                return a
        return None

    def to_dict(self) -> dict:
        data = self._skeleton()
        data["nodes"] = {
            "old": [n.to_dict() for n in self.old.nodes],
            "new": [n.to_dict() for n in self.new.nodes],
        }
        data["alignments"] = [a.to_dict() for a in self.alignments]
        return data

    def _skeleton(self) -> dict:
        """:meth:`to_dict` with its two long parts, the nodes and the alignments, left None."""
        return {
            "schema": SCHEMA,
            "generator": f"diffreport {__version__}",
            # A name's bytes that are not UTF-8 cannot be JSON: written \xNN (errors.printable).
            "old": {
                "path": printable(self.old.path),
                "title": self.old.title,
                "genre": self.old.genre,
            },
            "new": {
                "path": printable(self.new.path),
                "title": self.new.title,
                "genre": self.new.genre,
            },
            "summary": self.summary(),
            "nodes": None,
            "alignments": None,
            "targets": [t.to_dict() for t in self.targets],
            "terms": {k: [t.to_dict() for t in v] for k, v in self.terms.items()},
            "renumbered": [
                {
                    "level": a.level,
                    # of a split or merge, the part that carries the article's number on
                    "old": next(
                        (i for i in a.old if self.old.node(i).label == a.old_label), a.old[0]
                    ),
                    "new": next(
                        (i for i in a.new if self.new.node(i).label == a.new_label), a.new[0]
                    ),
                    "old_label": a.old_label,
                    "new_label": a.new_label,
                    "status": a.status,
                }
                for a in self.renumbered
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON contract as ``json.dumps(..., ensure_ascii=False, indent=indent)`` writes
        it. With the default indent, orjson writes the same bytes some thirty times faster
        (Python's own encoder is pure Python once it indents), unless a number would come
        out differently (below)."""
        return json_text(self.to_dict(), indent, self.plain_numbers)

    def to_json_bytes(self) -> bytes:
        """:meth:`to_json` encoded as UTF-8, for a file: orjson's bytes are written as they
        are, not decoded to a string and encoded back (some 60 ms for a 20 MB report)."""
        return b"".join(self.to_json_parts())

    def to_json_parts(self, ahead: JsonAhead | None = None) -> list[bytes]:
        """:meth:`to_json_bytes` in pieces, to be written one after the other. The nodes and
        the alignments are encoded a slice at a time, so that their dictionaries never all
        exist at once: at 2 MB a side they were 70 MB of the peak, beside the 60 MB of JSON
        (and joining the pieces would cost those 60 MB again). ``ahead``: each side's nodes
        and the alignments encoded beforehand (:func:`json_parts_ahead`), written as they
        are."""
        import json

        if self.plain_numbers():
            import orjson

            data = self._skeleton()
            mark = f"diffreport-part-{uuid.uuid4().hex}"
            # (placeholder, the objects, their dictionaries, the nesting level of the key)
            long: list[tuple[str, Sequence, Callable[[Any], dict], int]] = [
                (f"{mark}-0", self.old.nodes, Node.to_dict, 2),
                (f"{mark}-1", self.new.nodes, Node.to_dict, 2),
                (f"{mark}-2", self.alignments, Alignment.to_dict, 1),
            ]
            ready = ahead if ahead is not None else (None, None, None)
            data["nodes"] = {"old": long[0][0], "new": long[1][0]}
            data["alignments"] = long[2][0]
            try:
                rest = orjson.dumps(data, option=orjson.OPT_INDENT_2)
                parts: list[bytes] = []
                for (placeholder, items, to_dict, level), encoded in zip(long, ready, strict=True):
                    before, rest = rest.split(orjson.dumps(placeholder), 1)
                    parts.append(before)
                    parts.extend(
                        encoded if encoded is not None else _list_parts(items, to_dict, level)
                    )
                parts.append(rest)
                return parts
            except (orjson.JSONEncodeError, TypeError):  # lone surrogates, foreign types
                pass
        return [json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")]

    def plain_numbers(self) -> bool:
        """Whether every float of the contract (scores, shares, figures' values and bounds) is
        one that orjson and ``json`` write alike: finite, and zero or at least 1e-4 in size
        (orjson writes 0.00005 where ``json`` writes 5e-05)."""
        # Gathered in C into a set, each distinct number checked once (the scores repeat:
        # 96,557 numbers, 1,451 distinct at real-2m); reading 95k alignments is most of it.
        alignments = self.alignments
        numbers = set(map(_SCORE, alignments))
        for shares in filter(None, map(_SHARES, alignments)):
            numbers.update(shares.values())
        for change in self.targets:
            for t in (change.old, change.new):
                if t is not None:
                    numbers.update((t.value, t.low, t.high))
        return all(map(plain_number, numbers))


_LEVEL, _STATUS = attrgetter("level"), attrgetter("status")
_SCORE, _SHARES = attrgetter("score"), attrgetter("shares")

# Objects encoded together by :func:`_list_parts`: few calls into orjson, small dictionaries.
JSON_SLICE = 2000


# Each side's nodes and the alignments as :meth:`Comparison.to_json_parts` writes them.
JsonAhead = tuple[list[bytes], list[bytes], list[bytes]]


def json_parts_ahead(
    old: Document, new: Document, alignments: Sequence[Alignment]
) -> JsonAhead | None:
    """Each side's nodes and the alignments as :meth:`Comparison.to_json_parts` writes them
    (``ahead``), made before the comparison is done, while it waits for its side work
    (``compare(meanwhile=json_parts_ahead)``); None where orjson cannot write them."""
    import orjson

    old_parts, new_parts = node_json_parts(old.nodes), node_json_parts(new.nodes)
    if old_parts is None or new_parts is None:
        return None
    try:
        return old_parts, new_parts, _list_parts(alignments, Alignment.to_dict, 1)
    except (orjson.JSONEncodeError, TypeError):
        return None


def node_json_parts(nodes: Sequence[Node]) -> list[bytes] | None:
    """``nodes`` as :meth:`Comparison.to_json_parts` writes a side's list of them (orjson,
    indent 2, under ``nodes``), in pieces; None where orjson cannot write them (a lone
    surrogate: to_json_parts then writes the whole report with ``json``)."""
    import orjson

    try:
        return _list_parts(nodes, Node.to_dict, 2)
    except (orjson.JSONEncodeError, TypeError):
        return None


def _list_parts(items: Sequence, to_dict: Callable[[Any], dict], level: int) -> list[bytes]:
    """A JSON list of ``items`` as orjson writes it with indent 2 as the value of a key at
    nesting ``level``, in pieces: one slice of :data:`JSON_SLICE` items encoded at a time,
    at its depth."""
    if not items:
        return [b"[]"]
    import orjson

    pad = b"  " * level
    close = b"\n" + pad + b"]"
    parts = [b"[\n"]
    for start in range(0, len(items), JSON_SLICE):
        # The slice nested `level` deep, so that orjson indents its items where they go
        # (re-indenting its bytes afterwards cost a quarter of the writing): `{"": {"": [`
        # before them and `]}}` after are cut off.
        nested: object = [to_dict(x) for x in items[start : start + JSON_SLICE]]
        for _ in range(level):
            nested = {"": nested}
        encoded = orjson.dumps(nested, option=orjson.OPT_INDENT_2)
        if start:
            parts.append(b",\n")
        parts.append(encoded[encoded.index(b"[\n") + 2 : encoded.rindex(close)])
    parts.append(close)
    return parts


def orjson_indented(data: dict, plain: Callable[[], bool]) -> bytes | None:
    """``data`` as orjson writes it with indent 2, or None where ``json`` would write
    something else (``plain()``: whether every float in it is one both write alike)."""
    if not plain():
        return None
    import orjson

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # lone surrogates, foreign types
        return None


def json_text(data: dict, indent: int | None, plain: Callable[[], bool]) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=indent)``, by orjson where it writes the
    same (indent 2, plain numbers)."""
    import json

    fast = orjson_indented(data, plain) if indent == 2 else None
    if fast is not None:
        return fast.decode("utf-8")
    return json.dumps(data, ensure_ascii=False, indent=indent)


def plain_number(x: object) -> bool:
    return type(x) is not float or x == 0.0 or 1e-4 <= abs(x) < math.inf
