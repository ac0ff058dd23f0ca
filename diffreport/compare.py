"""The comparison: a pure function from two documents to a :class:`Comparison`.

``compare(old, new)`` accepts paths, text, or parsed :class:`Document` objects; reading is
done by :mod:`diffreport.readers`, and only when given a path.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .align import Aligner, tokenised
from .beside import side_work
from .classify import Classifier
from .measures import pair_measures
from .model import LEVELS, Document, Node, SourceText
from .parse import parse
from .result import Comparison, Pairing
from .similarity import Vocabulary
from .tokens import forget_given_words


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
    from .readers import read_text

    return parse(read_text(source))


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
    # What needs the documents alone, and the reading order, is found beside this process on
    # a second core where that pays, else here at its turn: the same result either way.
    with side_work(old_body, old_doc, new_doc, workers, _reading_positions) as side:
        with _timed(timings, "tokenise"):
            vocab = Vocabulary()
            # (the old side's words first: those of its first nodes may come from beside)
            old_side = tokenised(old_body, vocab, side.words_ahead())
            side.ahead_done()
            forget_given_words()
            aligner = Aligner(old_side, tokenised(new_body, vocab), workers, vocab)
        with _timed(timings, "align"):
            pairs = aligner.run(side.settled)
            weights = side.weights(aligner.vocab)
            pairs = pair_measures(old_body, new_body, pairs, weights)
            front = _align_front(old_doc, new_doc, weights)
            side.tell_pairings(front, pairs)  # (before rating them: their work comes sooner)
            aligner.rate(pairs)
            # The aligner's profiles, postings and caches are a third of the peak at 2 MB a
            # side: freed here, their memory serves the stages after.
            del aligner, old_side, vocab
            for level, front_pairs in front.items():
                pairs[level] = front_pairs + pairs[level]
        with _timed(timings, "classify"):
            alignments = side.classified(Classifier(old_doc, new_doc, weights), pairs, timings)
        with _timed(timings, "targets+terms"):
            targets = side.targets(alignments)
            terms = side.term_shifts(alignments)
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


def _reading_positions(
    pairs: dict[str, list[Pairing]],
    old: Document,
    new: Document,
    levels: tuple[str, ...] = LEVELS,
) -> dict[str, list[int]]:
    """Each level's pairings' indices in reading order (see :func:`reading_order`)."""
    out: dict[str, list[int]] = {}
    for level in levels:
        # A level's pairings hold only its own units: their order among those is all the
        # sort needs (one pass over each side's units of the level, not over all nodes).
        old_units, new_units = old.of_kind(level), new.of_kind(level)
        old_pos = {n.id: i for i, n in enumerate(old_units)}
        new_pos = {n.id: i for i, n in enumerate(new_units)}
        out[level] = reading_positions(pairs[level], old_units, old_pos, new_pos)
    return out


def reading_order(
    pairs: list[Pairing], old_units: list[Node], old_pos: dict[str, int], new_pos: dict[str, int]
) -> list[Pairing]:
    """Alignments in reading order of the new document; a dropped unit sorts right after the
    new-side partner of the nearest paired unit before it in the old document (``old_units``:
    the old units of the level, in reading order)."""
    return [pairs[k] for k in reading_positions(pairs, old_units, old_pos, new_pos)]


def reading_positions(
    pairs: list[Pairing], old_units: list[Node], old_pos: dict[str, int], new_pos: dict[str, int]
) -> list[int]:
    """The index of each pairing of :func:`reading_order`'s, in its order."""
    # Each pairing's key is (its first new position, 0, its first old position) or, dropped,
    # (its anchor, 1, its old position): positions gathered in one pass each, the anchors
    # and the sort in numpy (tens of thousands of pairings a level; a tuple key each and a
    # dictionary of partners were a third of the time).
    # One node or none a side is nearly every pairing: looked up inline, not by `_first`.
    count = len(pairs)
    first_new = np.fromiter(
        (
            new_pos[p.new[0]] if len(p.new) == 1 else _first(p.new, new_pos) if p.new else -1
            for p in pairs
        ),
        np.int64,
        count,
    )
    first_old = np.fromiter(
        (
            old_pos[p.old[0]] if len(p.old) == 1 else _first(p.old, old_pos) if p.old else 0
            for p in pairs
        ),
        np.int64,
        count,
    )
    paired = first_new >= 0
    # partner[i]: the first new position of the pairing that holds old unit i (-1: none)
    partner = np.full(len(old_units), -1, np.int64)
    single = np.fromiter((len(p.old) == 1 for p in pairs), bool, count)
    partner[first_old[paired & single]] = first_new[paired & single]
    for k in np.flatnonzero(paired & ~single).tolist():  # merges; and new units (no old)
        for o in pairs[k].old:
            partner[old_pos[o]] = first_new[k]
    # anchor[i]: the partner of the nearest old unit before i that has one (-1: none)
    holder = np.maximum.accumulate(np.where(partner >= 0, np.arange(len(old_units)), -1))
    before = np.concatenate(([-1], holder[:-1]))[: len(old_units)]
    anchor = np.where(before >= 0, partner[before], -1)
    dropped = np.flatnonzero(~paired)
    # (a dropped pairing is keyed by its first listed old unit, as it was read)
    dropped_old = np.fromiter(
        (old_pos[pairs[k].old[0]] for k in dropped.tolist()), np.int64, len(dropped)
    )
    primary = first_new.copy()
    primary[dropped] = anchor[dropped_old]
    last = first_old.copy()
    last[dropped] = dropped_old
    return np.lexsort((last, (~paired).astype(np.int64), primary)).tolist()


def _first(ids: list[str], pos: dict[str, int]) -> int:
    """The earliest position of ``ids`` (0 for none); most pairings hold one node."""
    if len(ids) == 1:
        return pos[ids[0]]
    return min((pos[i] for i in ids), default=0)
