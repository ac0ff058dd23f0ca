"""The comparison's side work: both halves of the protocol with a forked child on a second
core, behind one parent-side object, so that :func:`compare.compare` reads as one pipeline.

:func:`side_work` gives :class:`Beside` (the parent's half, talking to the child, whose half
is :func:`_beside`) where a fork is safe and pays (:func:`sidecar.can_fork`), else
:class:`InProcess`, its twin doing the same hand-offs here. Each method is one hand-off
between the pipeline and the child, in the pipeline's order: the words ahead (tokenise), the
weights, the key terms' words, the aligner's pairings and the measures paired beside, the
reading order (classify), the figures' changes, the terms' shifts. The same result either
way.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from itertools import chain
from operator import attrgetter
from typing import Protocol, cast

from .classify import Classifier, key_term_texts
from .measures import (
    MeasureEdits,
    apply_measure_edits,
    measure_edits,
    pair_measures,
    spans_ahead,
)
from .model import LEVELS, Document, Node
from .order import level_positions
from .rating import rate_by_score
from .result import (
    Alignment,
    Pairing,
    Target,
    TargetChange,
    alignment_from_values,
    alignment_values,
)
from .sidecar import ASK, POLL, Staged, can_fork
from .sides import Ahead, WordsAhead, ahead_chunks, texts_looked_up, words_ahead
from .similarity import Vocabulary, rarity
from .terms import (
    READIED_LEVELS,
    full_texts,
    ready_renames,
    shift_alignments,
    shift_level_needed,
    term_shifts,
    term_uses,
)
from .tokens import (
    content_word_tuple,
    forget_given_words,
    forget_words,
    give_words,
    segmenter,
)


class SideWork(Protocol):
    """The hand-offs between the pipeline and the work beside it, in the pipeline's order."""

    def words_ahead(self) -> Ahead | None:
        """``tokenised``'s ``ahead`` for the old body: the words found beside, or None."""
        ...

    def new_words_ahead(self) -> Ahead | None:
        """``tokenised``'s ``ahead`` for the new body (after the old one): the words found
        beside of its texts that the old body's lacks, or None."""
        ...

    def ahead_done(self) -> None:
        """A body is tokenised: the words ahead not taken are passed over."""
        ...

    def weights(self, vocab: Vocabulary) -> dict[str, float]:
        """The words' weights (:func:`similarity.rarity`)."""
        ...

    def measured(
        self,
        front: dict[str, list[Pairing]],
        body: dict[str, list[Pairing]],
        weights: dict[str, float],
        rate: Rate,
    ) -> dict[str, list[Pairing]]:
        """The body's pairings with its measures paired (:func:`measures.pair_measures`) and
        rated (``rate``: :func:`rating.rate` of the aligner's sides); ``front``: the front
        matter's, paired and rated. Its clause pairings may be found beside: then they stand
        only once :meth:`classified` has made them."""
        ...

    def classified(self, classify: Classifier, pairs: dict[str, list[Pairing]]) -> list[Alignment]:
        """The alignments, level by level in reading order."""
        ...

    def targets(self, alignments: list[Alignment]) -> list[TargetChange]:
        """The figures' changes."""
        ...

    def term_shifts(self, alignments: list[Alignment]) -> dict[str, list]:
        """The terms' shifts."""
        ...


@contextmanager
def side_work(
    old: Document, new: Document, old_body: Document, new_body: Document, workers: int | None
) -> Iterator[SideWork]:
    """The side work of comparing ``old`` with ``new``: beside, in a forked child, or here.

    A second core works beside this one in a forked child (sidecar.Staged): it finds the
    words of the old document's first nodes while this one profiles the others from the
    end, and so for the new document's (of the texts the old one lacks), then the words'
    weights, each side's figures and the terms' uses (what the measures, targets and terms
    need of the documents alone) while this one aligns; told the aligner's pairings' ids, it
    pairs the measures while this one rates and classifies the other levels, then finds the
    clauses' reading order and pairs the figures while this one classifies the clauses; told
    the alignments they read, the terms' shifts. Classifying stays here: the child
    classifying the levels settled first while this one aligned the clauses (stops 16-17)
    gained nothing measurable on a quiet machine (real-2m 3.90-4.19 s against 3.94-4.14 s),
    cost ~18 MB of peak, and only took this one's CPU time on a busy one. One child only: a
    second, forked after aligning to classify half the costly pairings, lost more to the
    pages both processes then copy (copy-on-write, ~0.3 GB of heap) than it saved
    (real-1m: classify 0.37 -> 0.41 s)."""
    chars = sum(len(n.text) for doc in (old, new) for n in doc.of_kind("block"))
    if not can_fork(chars, workers):
        yield InProcess(old, new, old_body, new_body)
        return
    segmenter()  # jieba's dictionary, loaded once before the fork: its pages are shared
    with Staged(_beside, old, new, old_body, new_body) as child:
        yield Beside(child, old, new, old_body, new_body)


class InProcess:
    """The side work done here, at its turn in the pipeline (no child: ``workers=1``, small
    documents, not Linux)."""

    def __init__(
        self, old: Document, new: Document, old_body: Document, new_body: Document
    ) -> None:
        self.old, self.new = old, new
        self.old_body, self.new_body = old_body, new_body

    def words_ahead(self) -> None:
        return None

    def new_words_ahead(self) -> None:
        return None

    def ahead_done(self) -> None:
        pass

    def weights(self, vocab: Vocabulary) -> dict[str, float]:
        return rarity(self.old, self.new, vocab)

    def measured(
        self,
        front: dict[str, list[Pairing]],
        body: dict[str, list[Pairing]],
        weights: dict[str, float],
        rate: Rate,
    ) -> dict[str, list[Pairing]]:
        body = pair_measures(self.old_body, self.new_body, body, weights)
        rate(body, LEVELS)
        return body

    def classified(self, classify: Classifier, pairs: dict[str, list[Pairing]]) -> list[Alignment]:
        orders = level_positions(pairs, self.old, self.new)
        return [classify(pairs[lv][k]) for lv in LEVELS for k in orders[lv]]

    def targets(self, alignments: list[Alignment]) -> list[TargetChange]:
        from .targets import compare_targets  # (see _figures)

        return compare_targets(self.old, self.new, alignments)

    def term_shifts(self, alignments: list[Alignment]) -> dict[str, list]:
        return term_shifts(self.old, self.new, alignments)


class Beside:
    """The parent's half: what it takes from the child (:func:`_beside`) and tells it, with
    what it does itself when the child is late or gone."""

    def __init__(
        self, child: Staged, old: Document, new: Document, old_body: Document, new_body: Document
    ) -> None:
        self.child, self.old, self.new = child, old, new
        self.old_body, self.new_body = old_body, new_body
        self.ahead: _Ahead | None = None
        self.lacking = False  # (most units lack a twin: the child finds no key terms' words)
        # (the front matter's clause pairings and the aligner's of the body, while the child
        # pairs the measures)
        self.clauses: tuple[list[Pairing], list[Pairing]] = ([], [])

    def words_ahead(self) -> Ahead:
        self.ahead = _Ahead(self.child, _ahead(self.old_body))
        return self.ahead

    def new_words_ahead(self) -> Ahead:
        self.ahead = _Ahead(self.child, _ahead(self.new_body))
        return self.ahead

    def ahead_done(self) -> None:
        if self.ahead is not None:
            self.ahead.pass_rest()

    def weights(self, vocab: Vocabulary) -> dict[str, float]:
        if self.child.ready():  # the child's, found while this aligned
            weights, self.lacking = cast(tuple[dict[str, float], bool], self.child.next())
            return weights
        self.child.skip()
        self.lacking = most_lacking(lacking_twins(self.old, self.new))
        return rarity(self.old, self.new, vocab)

    def measured(
        self,
        front: dict[str, list[Pairing]],
        body: dict[str, list[Pairing]],
        weights: dict[str, float],
        rate: Rate,
    ) -> dict[str, list[Pairing]]:
        """Tells the child each level's pairings' ids as the aligner left them, the front
        matter's first: the child pairs the measures (:func:`measures.measure_edits`) while
        this rates the other levels' pairings and classifies them (:meth:`classified`, which
        rates the clauses' once they come)."""
        told = {
            level: front[level] + body[level]
            if level in _MEASURED
            else [p for p in chain(front[level], body[level]) if p.old and p.new]
            for level in LEVELS
        }
        self.child.tell(
            (
                {level: ([p.old for p in ps], [p.new for p in ps]) for level, ps in told.items()},
                {level: len(front[level]) for level in _MEASURED},
            )
        )
        self.clauses = (front["clause"], body["clause"])
        rate(body, tuple(lv for lv in LEVELS if lv != "clause"))
        return body

    def classified(self, classify: Classifier, pairs: dict[str, list[Pairing]]) -> list[Alignment]:
        """The alignments, level by level in reading order (``pairs``' clause pairings made
        as they stand once the child's measures come). While the child pairs the measures,
        this classifies the blocks (the terms' shifts read them), then finds the other levels'
        reading order and classifies their pairings until the measures come (a classification
        does not depend on what was classified before it); then the clauses', whose order the
        child finds meanwhile; told the alignments of the levels the terms' shifts read, the
        child finds the shifts while this classifies the rest."""
        child, old, new = self.child, self.old, self.new
        if not self.lacking:
            if child.ready():  # the words of the key terms' texts, found beside (key_words)
                give_words(*cast(KeyWords, child.next()))
            else:
                child.skip()
        found: dict[str, list[Alignment]] = {}  # each level's alignments, as the aligner paired
        found["block"] = [classify(p) for p in pairs["block"]]
        orders: dict[str, list[int]] = {}
        for level in ("orders", "sentence", "section"):
            if child.ready():
                break
            if level == "orders":
                orders = level_positions(
                    pairs, old, new, tuple(lv for lv in LEVELS if lv != "clause")
                )
            else:
                found[level] = [classify(p) for p in pairs[level]]
        front, body = self.clauses
        edits = cast(MeasureEdits | None, child.next())
        body = apply_measure_edits({"clause": body}, edits)["clause"]
        rate_by_score(body)
        pairs["clause"] = front + body
        while (level := shift_level_needed(found)) is not None:
            found[level] = [classify(p) for p in pairs[level]]
        if child.ready():  # the clauses' order
            orders |= cast(dict[str, list[int]], child.next())
        else:  # (a busy machine: found here)
            child.skip()
        orders |= level_positions(pairs, old, new, tuple(lv for lv in found if lv not in orders))
        classified = {level: [found[level][k] for k in orders[level]] for level in found}
        child.tell(list(map(alignment_values, shift_alignments(classified))))  # (marshal's)
        orders |= level_positions(pairs, old, new, tuple(lv for lv in LEVELS if lv not in orders))
        for level in LEVELS:
            if level not in classified:
                classified[level] = [classify(pairs[level][k]) for k in orders[level]]
        forget_given_words()  # (those of new and dropped units: never read)
        return [a for level in LEVELS for a in classified[level]]

    def targets(self, alignments: list[Alignment]) -> list[TargetChange]:
        return cast(list[TargetChange], self.child.next())

    def term_shifts(self, alignments: list[Alignment]) -> dict[str, list]:
        return cast(dict[str, list], self.child.next())


def _beside(
    old: Document, new: Document, old_body: Document, new_body: Document
) -> Generator[object, object, None]:
    """What the child beside the comparison sends: the words of the old body's first nodes
    (:func:`_ahead`), a chunk at a time (:func:`sides.words_ahead`), then those of the new
    body's first nodes that the old body's lack (between unrelated documents, nearly all:
    the parent profiles the new body after the old one); the words' weights
    (:func:`similarity.rarity`: ~0.1 s of the parent's at 2 MB a side, from the aligner's
    codes, ~0.4 s here from the words); the words of the key terms' texts the classifier
    will read (:func:`key_words`); told the aligner's pairings' ids, the measures
    (:func:`measures.measure_edits`: 0.13 s of the parent's at real-1m, 0.26 s at
    unrelated-1m) while the parent rates and classifies the other levels and finds their
    reading order; then the clauses' order and the figures' changes (from the units paired,
    :func:`targets.paired_units`, and each side's figures); told the alignments the terms'
    shifts read, the shifts (from the terms' uses and the texts they are counted in, found
    while the parent aligned)."""
    yield from words_ahead(old_body, _ahead(old_body))
    # (then the new body's, of the texts the old body's profiling lacks)
    yield from words_ahead(new_body, _ahead(new_body), known=texts_looked_up(old_body))
    lacking = lacking_twins(old, new)
    weights = rarity(old, new)  # (the words above still cached: each clause's read once here)
    most = most_lacking(lacking)
    yield weights, most
    kept: KeyWords = ([], [])
    if not most:
        yield key_words(old, new, lacking)  # (their runs still cached)
        kept = clause_words(lacking)
    del lacking
    # The terms' uses first: the keywords read the runs cut for the weights, still cached
    # (real-1m: ~70 ms less than cutting them again).
    texts = full_texts(old, new)
    uses = term_uses(old, new, texts)
    # Where most units lack a twin, the words found stay cached for the measures, most of
    # whose clauses they are (unrelated-1m: 266 ms against 301-362 forgotten); elsewhere
    # their memory serves what follows (this process adds to the peak), but for the words of
    # the clauses lacking a twin (kept): most of those the measures read.
    if not most:
        forget_words()
    figures = _figures(old, new)
    from .targets import compare_targets, paired_units  # (see _figures)

    if not most:
        forget_words()
        give_words(*kept)
    del kept
    # Where most clauses will be left over, their spans are found while the parent aligns
    # (until it tells the pairings), so that the measures read them (unrelated-1m: the
    # child waits ~450 ms for the pairings, and the parent then for the measures)
    ahead: dict[str, frozenset[str]] = {}
    if most:
        for _ in spans_ahead(old_body, new_body, ahead):
            if (yield POLL):
                break
    ids, fronts = cast(_Told, (yield ASK))
    # (pairings made of the levels the measures and the clauses' order read; of the others,
    # the targets read only the ids of both sides)
    pairs = {
        level: [Pairing(level, o, n, None) for o, n in zip(*ids[level], strict=True)]
        for level in _MEASURED
    }
    # (the parent finds the other levels' order while it waits for these)
    body = {level: pairs[level][fronts[level] :] for level in _MEASURED}
    edits = measure_edits(old_body, new_body, body, weights, ahead)
    del weights, ahead
    forget_given_words()  # (the kept words the measures did not read)
    yield edits
    clauses = apply_measure_edits(body, edits)["clause"]
    pairs["clause"] = pairs["clause"][: fronts["clause"]] + clauses
    del body, edits, clauses
    yield level_positions(pairs, old, new, ("clause",))  # (while the parent classifies them)
    paired = [
        unit
        for level in LEVELS
        for unit in (
            paired_units(pairs[level])
            if level in pairs
            else [(level, o, n) for o, n in zip(*ids[level], strict=True) if o and n]
        )
    ]
    # (their memory serves what follows: this process adds to the peak; the pairings' ids
    # the renames are readied from kept)
    told = {level: _ids(pairs[level]) if level in pairs else ids[level] for level in READIED_LEVELS}
    del pairs, ids
    yield compare_targets(old, new, figures=figures, pairs=paired)
    del paired, figures
    # Until the parent tells the alignments the shifts read (while it classifies the
    # clauses), the renames' candidates of the finest level's changes are found ahead, which
    # the shifts then read from the caches (real-1m: the child waits ~80 ms there)
    readied = {level: zip(*level_ids, strict=True) for level, level_ids in told.items()}
    for _ in ready_renames(old, new, readied):
        if (yield POLL):
            break
    del told, readied
    shown = list(map(alignment_from_values, cast(list[tuple], (yield ASK))))
    yield term_shifts(old, new, shown, uses=uses, texts=texts)


# The texts whose words the classifier will read for key terms, and their words.
KeyWords = tuple[list[str], list[tuple[str, ...]]]


# Each side's units (not sections) whose text the other document lacks, and the number of
# units of both sides.
Lacking = tuple[tuple[list[Node], list[Node]], int]


def lacking_twins(old: Document, new: Document) -> Lacking:
    """Each side's units whose text the other document lacks (changed, new or dropped), and
    how many units the two sides hold."""
    lacking, count = [], 0
    for doc, other in ((old, new), (new, old)):
        theirs = set(map(_TEXT, other.nodes))
        units = [n for n in doc.nodes if n.kind != "section"]
        lacking.append([n for n in units if n.text not in theirs])
        count += len(units)
    return (lacking[0], lacking[1]), count


def clause_words(lacking: Lacking) -> KeyWords:
    """The texts of the clauses lacking a twin (``lacking``) and their words (as cached:
    found for the weights): the measures' leftovers, and the changed clauses they may have
    been split from (real-1m: 1,659 of the 2,105 texts the measures read; ~15 ms of their
    words)."""
    (old_units, new_units), _ = lacking
    texts = list(dict.fromkeys(n.text for n in chain(old_units, new_units) if n.kind == "clause"))
    return texts, list(map(content_word_tuple, texts))


def most_lacking(lacking: Lacking) -> bool:
    """Do more than :data:`KEY_WORDS_MAX_LACKING` of the units lack a twin (no key terms'
    words are found for the classifier, and most clauses are the measures' leftovers)?"""
    (old_units, new_units), count = lacking
    return len(old_units) + len(new_units) > KEY_WORDS_MAX_LACKING * count


def key_words(old: Document, new: Document, lacking: Lacking | None = None) -> KeyWords:
    """The words the classifier reads for the key terms (:func:`classify.key_term_texts`) of
    the units whose text the other document lacks (``lacking``: changed, new or dropped: the
    changed are read), where the parent has not looked the text up to profile the unit: a
    unit's own text without its label, or a text whose profile was made from its children's
    codes. ~75 ms of the parent's classifying at 2 MB a side; found here while the parent
    aligns. None where more than :data:`KEY_WORDS_MAX_LACKING` of the units lack a twin."""
    lacking = lacking if lacking is not None else lacking_twins(old, new)
    if most_lacking(lacking):
        return [], []
    texts: dict[str, None] = {}
    for doc, units in zip((old, new), lacking[0], strict=True):
        several = doc.branching()
        for node, text in zip(units, key_term_texts(doc, units), strict=True):
            if text != node.text or node.id in several:
                texts[text] = None
    found = list(texts)
    return found, list(map(content_word_tuple, found))


# Above this share of the units lacking a twin (their text not in the other document), most
# are new or dropped, whose key terms are never read: the words cost the parent more to read
# than they save (unrelated-1m, all units: +15 ms of classifying; revisions: 6-13 %).
KEY_WORDS_MAX_LACKING = 0.5


def _ids(pairs: list[Pairing]) -> tuple[list[list[str]], list[list[str]]]:
    """The pairings' ids, old and new (as told)."""
    return [p.old for p in pairs], [p.new for p in pairs]


# The levels whose pairings the measures change (blocks read, clauses paired).
_MEASURED = ("block", "clause")

# What the parent tells the child of the pairings: each level's pairings' ids (old, new), the
# front matter's first (of the levels the measures do not read, only the pairings of units of
# both sides: all the targets and the renames read there; unrelated-1m: 27k of 28k fewer), and
# how many of the measures' levels' are the front matter's.
_Told = tuple[dict[str, tuple[list[list[str]], list[list[str]]]], dict[str, int]]
# rating.rate of the aligner's sides: (pairings, levels) -> None
Rate = Callable[[dict[str, list[Pairing]], tuple[str, ...]], None]


_TEXT = attrgetter("text")


class _Ahead:
    """The child's words of the old body's first nodes, as node_profiles asks for them
    (``ahead``): each message read once it has come, never waited for; those not read by
    the time the two met are passed over (:meth:`pass_rest`)."""

    def __init__(self, child: Staged, count: int) -> None:
        self.child = child
        self.left = ahead_chunks(count)  # (the messages words_ahead sends for them)
        self.covered = 0

    def __call__(self, end: int) -> tuple[int, list[WordsAhead]]:
        taken: list[WordsAhead] = []
        while self.covered < end and self.left and self.child.ready():
            taken.append(cast(WordsAhead, self.child.next()))
            self.covered = taken[-1][-1]
            self.left -= 1
        return self.covered, taken

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


# Each side's figures (old, new): what the targets need of the documents alone, so a second
# core can find them while the first aligns (as the terms' uses).
def _figures(old: Document, new: Document) -> tuple[list[Target], list[Target]]:
    # (the figures' modules imported only where they are read: in the child, or here without
    # one; ~16 ms of a cold run's imports, most of it compiling their patterns)
    from .figures import extract_targets

    return extract_targets(old), extract_targets(new)
