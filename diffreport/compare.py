"""The comparison: a pure function from two documents to a :class:`Comparison`.

``compare(old, new)`` accepts paths, text, or parsed :class:`Document` objects; reading is
done by :mod:`diffreport.readers`, and only when given a path.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .align import Aligner, Pairing
from .classify import Alignment, Classifier, rarity
from .errors import printable
from .measures import pair_measures
from .model import LEVELS, Document, SourceText
from .normalise import to_paragraphs
from .parse import parse
from .targets import TargetChange, compare_targets
from .terms import TermShift, term_shifts

SCHEMA = "diffreport/1"


@dataclass(slots=True)
class Comparison:
    old: Document
    new: Document
    alignments: list[Alignment]
    targets: list[TargetChange] = field(default_factory=list)
    terms: dict[str, list[TermShift]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def same(self) -> bool:
        return all(a.status == "unchanged" for a in self.alignments)

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
            "summary": {level: dict(sorted(self.counts(level).items())) for level in LEVELS},
            "nodes": {
                "old": [n.to_dict() for n in self.old.nodes],
                "new": [n.to_dict() for n in self.new.nodes],
            },
            "alignments": [a.to_dict() for a in self.alignments],
            "targets": [t.to_dict() for t in self.targets],
            "terms": {k: [t.to_dict() for t in v] for k, v in self.terms.items()},
            "renumbered": [
                {
                    "level": a.level,
                    "old": a.old[0],
                    "new": a.new[0],
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
        import json

        data = self.to_dict()
        fast = self._orjson(data) if indent == 2 else None
        if fast is not None:
            return fast.decode("utf-8")
        return json.dumps(data, ensure_ascii=False, indent=indent)

    def to_json_bytes(self) -> bytes:
        """:meth:`to_json` encoded as UTF-8, for a file: orjson's bytes are written as they
        are, not decoded to a string and encoded back (some 60 ms for a 20 MB report)."""
        import json

        data = self.to_dict()
        fast = self._orjson(data)
        if fast is not None:
            return fast
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")

    def _orjson(self, data: dict) -> bytes | None:
        """``data`` as orjson writes it with indent 2, or None where ``json`` would write
        something else."""
        if not self._plain_numbers():
            return None
        import orjson

        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2)
        except (orjson.JSONEncodeError, TypeError):  # lone surrogates, foreign types
            return None

    def _plain_numbers(self) -> bool:
        """Whether every float of the contract (scores, shares, target values) is one that
        orjson and ``json`` write alike: finite, and zero or at least 1e-4 in size (orjson
        writes 0.00005 where ``json`` writes 5e-05)."""
        # Gathered into one list and checked by one map: a generator per alignment cost
        # more than the check itself (23 ms on synthetic-10k).
        numbers = [a.score for a in self.alignments]
        numbers += [v for a in self.alignments if a.shares for v in a.shares.values()]
        numbers += [t.value for c in self.targets for t in (c.old, c.new) if t is not None]
        return all(map(_plain_number, numbers))


def _plain_number(x: object) -> bool:
    return type(x) is not float or x == 0.0 or 1e-4 <= abs(x) < math.inf


def load(source: str | Path | Document | SourceText, max_bytes: int | None = None) -> Document:
    """A path (read from disk), text (a string with a newline, or that is not an existing
    path), a :class:`SourceText`, or an already parsed :class:`Document`."""
    if isinstance(source, Document):
        return source
    if isinstance(source, SourceText):
        return parse(source)
    if isinstance(source, Path) or (
        "\n" not in source and len(source) < 4096 and Path(source).exists()
    ):
        from .readers import read

        return parse(read(source, max_bytes=max_bytes))
    return parse(SourceText(paragraphs=to_paragraphs(source), path="<text>"))


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def compare(
    old: str | Path | Document | SourceText,
    new: str | Path | Document | SourceText,
    *,
    workers: int | None = None,
    max_bytes: int | None = None,
) -> Comparison:
    """Compare two documents: read (if paths), parse, align, classify."""
    timings: dict[str, float] = {}
    # Stages as `--profile` prints them; reading is timed here only when given paths.
    with _timed(timings, "parse"):
        old_doc = load(old, max_bytes)
        new_doc = load(new, max_bytes)
    # Front matter (title, enactment history, addressees) is compared only with the other
    # side's front matter, and the body only with the body: neither can pair with, merge
    # into or split from the other.
    old_body, new_body = old_doc.part(front=False), new_doc.part(front=False)
    with _timed(timings, "tokenise"):
        aligner = Aligner(old_body, new_body, workers)
    with _timed(timings, "align"):
        pairs = aligner.run()
        weights = rarity(old_doc, new_doc)
        pairs = pair_measures(old_body, new_body, pairs, weights)
        aligner.rate(pairs)
        for level, front_pairs in _align_front(old_doc, new_doc, weights).items():
            pairs[level] = front_pairs + pairs[level]
    with _timed(timings, "classify"):
        classify = Classifier(old_doc, new_doc, weights)
        alignments = [classify(p) for p in _in_reading_order(pairs, old_doc, new_doc)]
    with _timed(timings, "targets+terms"):
        targets = compare_targets(old_doc, new_doc, alignments)
        terms = term_shifts(old_doc, new_doc, alignments)
    return Comparison(old_doc, new_doc, alignments, targets, terms, timings)


def _align_front(old: Document, new: Document, weights: dict[str, float]) -> dict:
    """The pairings of the two front matters, aligned as documents of their own."""
    old_front, new_front = old.part(front=True), new.part(front=True)
    if not old_front.nodes or not new_front.nodes:
        return {
            level: [Pairing(level, [n.id], [], None) for n in old_front.of_kind(level)]
            + [Pairing(level, [], [n.id], None) for n in new_front.of_kind(level)]
            for level in LEVELS
        }
    aligner = Aligner(old_front, new_front)
    pairs = pair_measures(old_front, new_front, aligner.run(), weights)
    aligner.rate(pairs)
    return pairs


def _in_reading_order(pairs: dict[str, list[Pairing]], old: Document, new: Document):
    """All pairings, level by level, each level in reading order (see :func:`_ordered`)."""
    # Node positions once for all levels: each level's sort reads them.
    new_pos = {n.id: i for i, n in enumerate(new.nodes)}
    old_pos = {n.id: i for i, n in enumerate(old.nodes)}
    return [p for level in LEVELS for p in _ordered(pairs[level], old, old_pos, new_pos)]


def _ordered(
    pairs: list[Pairing], old: Document, old_pos: dict[str, int], new_pos: dict[str, int]
) -> list[Pairing]:
    """Alignments in reading order of the new document; a dropped unit sorts right after the
    new-side partner of the nearest paired unit before it in the old document."""
    # Sort keys built in one pass (not a key function per pairing): tens of thousands a level.
    first_new = [_first(p.new, new_pos) for p in pairs]
    partner = {o: f for p, f in zip(pairs, first_new, strict=True) if p.new for o in p.old}
    anchor: dict[str, int] = {}
    last = -1
    for node in old.nodes:
        anchor[node.id] = last
        if node.id in partner:
            last = partner[node.id]
    keys = [
        (f, 0, _first(p.old, old_pos)) if p.new else (anchor[p.old[0]], 1, old_pos[p.old[0]])
        for p, f in zip(pairs, first_new, strict=True)
    ]
    return [pairs[k] for k in sorted(range(len(pairs)), key=keys.__getitem__)]


def _first(ids: list[str], pos: dict[str, int]) -> int:
    """The earliest position of ``ids`` (0 for none); most pairings hold one node."""
    if len(ids) == 1:
        return pos[ids[0]]
    return min((pos[i] for i in ids), default=0)
