"""The comparison: a pure function from two documents to a :class:`Comparison`.

``compare(old, new)`` accepts paths, text, or parsed :class:`Document` objects; reading is
done by :mod:`diffreport.readers`, and only when given a path.
"""

from __future__ import annotations

import marshal
import time
from collections.abc import Generator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import cast

import numpy as np

from .align import (
    Aligner,
    WordsAhead,
    ahead_chunks,
    take_words_ahead,
    tokenised,
    words_ahead,
)
from .classify import Classifier, forget_key_terms, found_of, rebuilt
from .measures import pair_measures
from .model import LEVELS, Document, Node, SourceText
from .parse import parse
from .result import Alignment, Comparison, Pairing, TargetChange
from .sidecar import ASK, MARSHAL_VERSION, Staged, can_fork, idle_core
from .similarity import Vocabulary, rarity
from .targets import Target, compare_targets, extract_targets, paired_units
from .terms import (
    TermUse,
    full_texts,
    shift_alignments,
    shift_level_needed,
    term_shifts,
    term_uses,
)
from .tokens import forget_given_words, forget_words, segmenter


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
    chars = sum(len(n.text) for doc in (old_doc, new_doc) for n in doc.of_kind("block"))
    # A second core works beside this one in a forked child (sidecar.Staged): it finds the
    # words of the old document's first nodes while this one profiles the others from the
    # end, then the words' weights, each side's figures and the terms' uses (what the
    # measures, targets and terms need of the documents alone) while this one aligns; told
    # the sections', blocks' and sentences' pairings as the aligner settles them, it
    # classifies them while this one aligns the clauses; told the pairings' ids, it finds
    # their reading order and pairs the figures while this one classifies the clauses and
    # finds the terms' shifts. One child only: a second, forked after aligning to classify
    # half the costly pairings, lost more to the pages both processes then copy
    # (copy-on-write, ~0.3 GB of heap) than it saved (real-1m: classify 0.37 -> 0.41 s).
    fork = can_fork(chars, workers)
    if fork:
        segmenter()  # jieba's dictionary, loaded once before the fork: its pages are shared
    # (the levels the child classifies: none when no core is idle, where its work would only
    # take the parent's time)
    beside = CLASSIFIED_BESIDE if fork and idle_core() else ()
    with Staged(_beside, old_body, old_doc, new_doc, beside) if fork else nullcontext() as child:
        with _timed(timings, "tokenise"):
            vocab = Vocabulary()
            ahead = None if child is None else _Ahead(child, _ahead(old_body))
            old_side = tokenised(old_body, vocab, ahead)  # (the old side's words first)
            if ahead is not None:
                ahead.pass_rest()
            forget_given_words()
            aligner = Aligner(old_side, tokenised(new_body, vocab), workers, vocab)
        with _timed(timings, "align"):
            pairs = aligner.run(None if child is None else partial(_tell_settled, child, beside))
            if child is not None and child.ready():  # the child's, found while this aligned
                weights = child.next()
            else:
                if child is not None:
                    child.skip()
                weights = rarity(old_doc, new_doc, aligner.vocab)
            pairs = pair_measures(old_body, new_body, pairs, weights)
            front = _align_front(old_doc, new_doc, weights)
            if child is not None:  # (before rating them: the child's work on them comes sooner)
                _tell_pairings(child, front, pairs, beside)
            aligner.rate(pairs)
            # The aligner's profiles, postings and caches are a third of the peak at 2 MB a
            # side: freed here, their memory serves the stages after.
            del aligner, old_side, vocab
            for level, front_pairs in front.items():
                pairs[level] = front_pairs + pairs[level]
        with _timed(timings, "classify"):
            classify = Classifier(old_doc, new_doc, weights)
            if child is not None:
                fronts = {level: len(front_pairs) for level, front_pairs in front.items()}
                alignments, terms = _classify_beside(
                    child, classify, pairs, fronts, old_doc, new_doc, timings, beside
                )
            else:
                orders = _reading_positions(pairs, old_doc, new_doc)
                alignments = [classify(pairs[lv][k]) for lv in LEVELS for k in orders[lv]]
        with _timed(timings, "targets+terms"):
            if child is not None:
                targets = cast(list[TargetChange], child.next())
                if terms is None:  # (found by the child, told the alignments they read)
                    terms = cast(dict[str, list], child.next())
            else:
                targets = compare_targets(old_doc, new_doc, alignments)
                terms = term_shifts(old_doc, new_doc, alignments)
    return Comparison(old_doc, new_doc, alignments, targets, terms, timings)


# The levels the child classifies, told their pairings as the aligner settles them (in this
# order, :data:`align.SETTLED_AFTER`) while it aligns the rest: at real-2m the child would
# otherwise wait ~0.3 s for the clauses to be aligned, and these are two thirds of the
# classifying (sections ~0.1 s, blocks ~0.13, sentences ~0.12; the clauses are paired as
# measures after the aligner). The blocks' are sent at once (the terms' shifts read them
# first), the others' after the pairings' reading order (:data:`SENT_AFTER_ORDER`).
CLASSIFIED_BESIDE = ("section", "block", "sentence")
# The levels whose alignments the child sends after the reading order, in this order (the
# shifts read the sentences when no clause changed: the order is then passed over).
SENT_AFTER_ORDER = ("sentence", "section")


def _tell_settled(child: Staged, beside: tuple[str, ...], level: str, pairs: list[Pairing]) -> None:
    """Tells the child the pairings of a level it classifies, once they stand."""
    if level in beside:
        child.tell([(p.old, p.new, None, p.moved, p.shares) for p in pairs])


def _tell_pairings(
    child: Staged,
    front: dict[str, list[Pairing]],
    body: dict[str, list[Pairing]],
    beside: tuple[str, ...],
) -> None:
    """Tells the child each level's pairings' ids as they will stand, the front matter's
    first (of the levels it classified, only the front matter's: it was told the others as
    they settled)."""
    told = {level: front[level] + ([] if level in beside else body[level]) for level in LEVELS}
    child.tell({level: ([p.old for p in ps], [p.new for p in ps]) for level, ps in told.items()})


def _classify_beside(
    child: Staged,
    classify: Classifier,
    pairs: dict[str, list[Pairing]],
    fronts: dict[str, int],
    old: Document,
    new: Document,
    timings: dict[str, float],
    beside: tuple[str, ...],
) -> tuple[list[Alignment], dict[str, list] | None]:
    """The alignments, level by level in reading order, and the terms' shifts (None: the
    child's, sent after the figures' changes). The child classified the levels ``beside``
    while this aligned (the front matter's are classified here: its pairings come first,
    ``fronts``); told the pairings' ids, it finds their reading order and pairs the figures
    while this classifies the others (a classification does not depend on what was
    classified before it) and finds the terms' shifts from the levels they read, with the
    terms' uses and texts the child found. With no level ``beside`` (no idle core), the
    child finds the shifts, told those levels' alignments, while this classifies the rest."""
    if beside:  # (then the shifts are found here: the child's tail is the longer)
        uses, texts = cast(tuple[dict[str, TermUse], tuple[str, str]], child.next())
    found: dict[str, list[Alignment]] = {}  # each level's alignments, as the aligner paired
    orders: dict[str, list[int]] | None = None  # (the child's, sent after the blocks)
    while (level := shift_level_needed(found)) is not None:
        if level in beside:
            if level != "block" and orders is None:  # (sent after the order: passed over)
                child.skip()
                orders = {}
            found[level] = _classified_beside(child, classify, level, pairs[level], fronts[level])
        else:
            found[level] = [classify(p) for p in pairs[level]]
    if orders is None and child.ready():
        orders = cast(dict[str, list[int]], child.next())
    elif orders is None:  # (a busy machine: found here)
        child.skip()
        orders = {}
    orders |= _reading_positions(pairs, old, new, tuple(lv for lv in found if lv not in orders))
    classified = {level: [found[level][k] for k in orders[level]] for level in found}
    terms = None
    if beside:
        start = time.perf_counter()
        terms = term_shifts(old, new, shift_alignments(classified), uses=uses, texts=texts)
        spent = time.perf_counter() - start  # (a stage of its own in --profile)
        timings["classify"] = timings.get("classify", 0.0) - spent
        timings["targets+terms"] = timings.get("targets+terms", 0.0) + spent
    else:  # (found by the child while this classifies the rest)
        child.tell(shift_alignments(classified))
    orders |= _reading_positions(pairs, old, new, tuple(lv for lv in LEVELS if lv not in orders))
    rest = SENT_AFTER_ORDER + tuple(lv for lv in LEVELS if lv not in SENT_AFTER_ORDER)
    for level in rest:  # (the child's in the order it sends them)
        if level in classified:
            continue
        if level in beside:
            aligned = _classified_beside(child, classify, level, pairs[level], fronts[level])
            classified[level] = [aligned[k] for k in orders[level]]
        else:
            classified[level] = [classify(pairs[level][k]) for k in orders[level]]
    return [a for level in LEVELS for a in classified[level]], terms


def _classified_beside(
    child: Staged, classify: Classifier, level: str, pairs: list[Pairing], front: int
) -> list[Alignment]:
    """A level's alignments: the front matter's (its first ``front`` pairings) classified
    here, the others from what the child found classifying them (:func:`classify.found_of`),
    with the confidences rated since. Waited for, not classified here when the child is
    late: it has been at them since the level was aligned, and a busy machine would only do
    them twice."""
    found = marshal.loads(cast(bytes, child.next()))
    if len(found) != len(pairs) - front:  # (never: the same pairings as told)
        return [classify(p) for p in pairs]
    return [classify(p) for p in pairs[:front]] + list(map(rebuilt, pairs[front:], found))


def _beside(
    old_body: Document, old: Document, new: Document, beside: tuple[str, ...]
) -> Generator[object, object, None]:
    """What the child beside the comparison sends: the words of the old body's first nodes
    (:func:`_ahead`), a chunk at a time (:func:`align.words_ahead`); the words' weights
    (:func:`similarity.rarity`: ~0.1 s of the parent's at 2 MB a side, from the aligner's
    codes, ~0.4 s here from the words); the terms' uses
    and the texts they are counted in; told the sections', blocks' and sentences' pairings
    as the aligner settles them, what classifying them finds (:func:`classify.found_of`:
    the blocks' at once, the others' after the reading order); told each level's pairings'
    ids, their reading order (~0.1 s of the parent's) and the figures' changes (from the
    units paired, :func:`targets.paired_units`, and each side's figures)."""
    yield from words_ahead(old_body, _ahead(old_body))
    weights = rarity(old, new)  # (the words above still cached: each clause's read once here)
    yield weights
    forget_words()  # (sent: their memory serves the side facts)
    figures, uses, texts = _side_facts(old, new)
    if beside:  # (the parent finds the shifts: see _classify_beside)
        yield uses, texts
    classify = Classifier(old, new, weights)
    settled: dict[str, list[Pairing]] = {}
    held: dict[str, bytes] = {}  # what classifying found, sent after the reading order
    for level in beside:  # (CLASSIFIED_BESIDE, or none)
        settled[level] = [Pairing(level, *fields) for fields in cast(list, (yield ASK))]
        if level == "block":  # (the parent needs them first: sent at once)
            yield _found(classify, settled["block"])
            held["section"] = _found(classify, settled["section"])
        elif level == "sentence":
            held["sentence"] = _found(classify, settled["sentence"])
    del classify, weights
    forget_words()  # (their caches' memory serves what follows: this process adds to the peak)
    forget_key_terms()
    ids = cast(dict[str, tuple[list[list[str]], list[list[str]]]], (yield ASK))
    pairs = {
        level: [Pairing(level, o, n, None) for o, n in zip(olds, news, strict=True)]
        + settled.get(level, [])
        for level, (olds, news) in ids.items()
    }
    del ids, settled  # (the pairings' memory serves what follows: this process adds to the peak)
    yield _reading_positions(pairs, old, new)
    for level in SENT_AFTER_ORDER:
        if level in held:
            yield held.pop(level)
    paired = paired_units(p for level in LEVELS for p in pairs[level])
    del pairs
    yield compare_targets(old, new, figures=figures, pairs=paired)
    if not beside:
        shown = cast(list[Alignment], (yield ASK))
        yield term_shifts(old, new, shown, uses=uses, texts=texts)


def _found(classify: Classifier, pairs: list[Pairing]) -> bytes:
    """What classifying ``pairs`` finds beyond them (:func:`classify.found_of`), as bytes."""
    return marshal.dumps([found_of(classify(p)) for p in pairs], MARSHAL_VERSION)


class _Ahead:
    """The child's words of the old body's first nodes, as node_profiles asks for them
    (``ahead``): each message read once it has come, never waited for; those not read by
    the time the two met are passed over (:meth:`pass_rest`)."""

    def __init__(self, child: Staged, count: int) -> None:
        self.child = child
        self.left = ahead_chunks(count)  # (the messages words_ahead sends for them)
        self.covered = 0

    def __call__(self, end: int) -> int:
        while self.covered < end and self.left and self.child.ready():
            self.covered = take_words_ahead(cast(WordsAhead, self.child.next()))
            self.left -= 1
        return self.covered

    def pass_rest(self) -> None:
        """Passes over the messages not read (dropped on a thread as the child sends them),
        so that the child's next value can be read once it comes."""
        if self.left:
            self.child.skip(self.left)
        self.left = 0


# The share of the old body's nodes whose words the child finds, from the first one on, while
# this process profiles the others from the end (the two meet where they meet: at real-2m
# at ~0.6-0.8 of the nodes), before it finds the words' weights, which read the clauses'
# words too (those found here are not lost to it).
AHEAD_SHARE = 0.8


def _ahead(body: Document) -> int:
    return int(len(body.nodes) * AHEAD_SHARE)


# Each side's figures (old, new), the candidate terms' uses and the texts they are counted
# in: what the targets and terms need of the documents alone, so a second core can find them
# while the first aligns.
_SideFacts = tuple[tuple[list[Target], list[Target]], dict[str, TermUse], tuple[str, str]]


def _side_facts(old: Document, new: Document) -> _SideFacts:
    texts = full_texts(old, new)
    return (extract_targets(old), extract_targets(new)), term_uses(old, new, texts), texts


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
