"""Measures: pair the clauses that the aligner left new or dropped but that are really one
measure reworded, moved to another priority, or split into parts.

Runs after :mod:`diffreport.align`, before :mod:`diffreport.classify`; scores are word similarity
weighted by rarity in these two documents, plus a bonus for shared rare names (anchors).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import accumulate, chain
from operator import add, attrgetter, itemgetter

import numpy as np

from .model import Document, Node
from .normalise import compiled_later
from .parts import MIN_PART_WORDS, PART_CONTAINMENT
from .result import Pairing
from .similarity import (
    EXACT_BUDGET,
    Vocabulary,
    containment,
    distinct_sorted,
    in_sorted,
    linear_sum_assignment,
    rarity,
    similarity_matrix,
)
from .tokens import (
    LABEL_WORD,
    NUMBER,
    content_word_tuple,
    content_words,
    cut_run,
    display_tokens,
    idf_table,
)

# Measure pairing (see `pair_measures`): a reworded measure inside a paired block, and a
# measure that moved to another block, which must be more convincing.
MEASURE_THRESHOLD = 0.3
MEASURE_MOVE_THRESHOLD = 0.4
# Bonus per shared anchor, counted up to two. An anchor is a run of one to three whole words,
# four to six characters long, found in no other clause of either document: `天拖中学`,
# `西营门外小学`, `航运金融`. One anchor alone counts only if it holds a name (a word jieba's
# general-language IDF table lacks or finds rare), so `全力推动` does not tie two measures.
ANCHOR_BONUS = 0.15
ANCHORS_COUNTED = 2
ANCHOR_MIN_CHARS = 4
ANCHOR_MAX_CHARS = 6
# …and only for units that already share this much wording: anchors confirm, never decide.
ANCHOR_FLOOR = 0.2
# Anchors in this many separate places of both clauses count without a name: two distinct
# shared phrases are no coincidence.
ANCHOR_REGIONS = 2
# A name's word: at least this IDF in jieba's general-language table (rarer than ~1 in 60,000
# documents), or absent from it (scored as _UNSEEN_IDF), and at least two characters.
_RARE_IDF = 11.0
_UNSEEN_IDF = 99.0
_NAME_MIN_CHARS = 2
# A name is used by at most ~10 measures: rarity at least that of a word in 10 clauses (the
# rarest words, in one clause, weigh log(7) more; see similarity.rarity).
_NAME_RARITY_SPAN = math.log(7)
# A measure pair's score: wording (similarity) and shared words weighted by rarity, equally.
WORDING_WEIGHT = 0.5
RARITY_WEIGHT = 0.5
# Equal scores (repeated wording) resolve to the order-keeping choice whichever document is
# old: this much times the squared distance of the two positions is taken off, far below any
# difference of wording.
ORDER_PRIOR = 1e-4
_cjk = compiled_later(r"^[\u3400-\u9fff]+$")
_ID, _OLD, _NEW, _FIRST = attrgetter("id"), attrgetter("old"), attrgetter("new"), itemgetter(0)
_CJK_FIRST, _CJK_LAST = 0x3400, 0x9FFF  # (the same range as code points)


# Last characters of an article or chapter number (`第三十四条`), checked before the pattern.
_LABEL_ENDS = frozenset("条章节编款项")
# Stands for a token that is not CJK: longer than a span, so no run that holds it is one.
_BREAK = "\0" * 7


@lru_cache(maxsize=65536)
def anchor_spans(text: str) -> frozenset[str]:
    """Runs of one to three whole CJK words, four to six characters long. Cached: both
    documents are read whole for anchors, and long codes repeat clauses."""
    toks = display_tokens(text)
    # An article number (`第三十四条`) is unique in its document but names nothing.
    words = [
        t if m and not _is_label(t) else _BREAK
        for t, m in zip(toks, map(_cjk().match, toks), strict=True)
    ]
    # Runs of two and three words, concatenated in C (map) rather than word by word.
    twos = list(map(add, words, words[1:]))
    threes = map(add, twos, words[2:])
    return frozenset(
        g for g in chain(words, twos, threes) if ANCHOR_MIN_CHARS <= len(g) <= ANCHOR_MAX_CHARS
    )


# The runs of Chinese that display_tokens cuts into words (cut_run's inputs): its scan
# (tokens' token pattern) with the same number first, which takes the units after a figure
# (`2025年`, `5万余户`), so a run starts where it ends; the other tokens (Latin, one other
# character) hold no Chinese, and skipping them ends every match where that scan's ends.
_RUN_SCAN = re.compile(rf"{NUMBER.pattern}|([\u3400-\u4dbf\u4e00-\u9fff]+)")
# Characters _cjk takes for a word that no such run holds (each is a token of its own, which
# a span could join to a run's words): a text holding one is read whole.
_CJK_OUTSIDE_RUNS = re.compile(r"[\u4dc0-\u4dff]")


def spans_led_by(text: str, heads: set[str], at: list[int] | None = None) -> frozenset[str]:
    """The :func:`anchor_spans` of ``text`` whose first :data:`ANCHOR_MIN_CHARS` characters are
    one of ``heads``: a span's words are consecutive Chinese words, so it lies in one run of
    Chinese (any other token breaks it) and starts where a word of the run starts; only the
    runs holding a head are cut into words, and only the spans starting at a head are made
    (between unrelated documents, a few of a text's runs and words). ``at``: where a head
    starts in ``text`` (every place, ascending), when found already (:func:`shared_runs_at`):
    then the runs are not read character by character for them."""
    if at is not None and not at:  # (no head in the text: no span it leads)
        return _NO_SPANS
    if _CJK_OUTSIDE_RUNS.search(text):
        return frozenset(g for g in anchor_spans(text) if g[:ANCHOR_MIN_CHARS] in heads)
    found: set[str] = set()
    for run, starts in _runs_led(text, heads, at):
        words = cut_run(run)
        edges = list(accumulate(map(len, words), initial=0))  # (where each word starts)
        for k in starts:
            i = bisect_left(edges, k)
            if edges[i] != k:  # (a head inside a word leads no span)
                continue
            span = ""
            for word in words[i : i + 3]:  # one to three words, as anchor_spans joins them
                if _is_label(word):  # (anchor_spans' break: no span holds it)
                    break
                span += word
                if len(span) > ANCHOR_MAX_CHARS:
                    break
                if len(span) >= ANCHOR_MIN_CHARS:
                    found.add(span)
    return frozenset(found)


def _runs_led(text: str, heads: set[str], at: list[int] | None) -> Iterator[tuple[str, list[int]]]:
    """Each run of Chinese of ``text`` (as :data:`_RUN_SCAN` finds them) where a head starts,
    with where they start in it: read character by character, or from ``at`` (where a head
    starts in the text, ascending)."""
    if at is None:
        for run in _RUN_SCAN.findall(text):  # ("" for a number)
            starts = [
                k
                for k in range(len(run) - ANCHOR_MIN_CHARS + 1)
                if run[k : k + ANCHOR_MIN_CHARS] in heads
            ]
            if starts:
                yield run, starts
        return
    k, count = 0, len(at)
    for m in _RUN_SCAN.finditer(text):
        start, end = m.span(1)  # ((-1, -1) for a number)
        last = end - ANCHOR_MIN_CHARS  # (the last place a head in the run may start)
        while k < count and at[k] < start:
            k += 1
        if k == count:
            return
        if at[k] > last:
            continue
        first = k
        while k < count and at[k] <= last:
            k += 1
        yield m.group(1), [p - start for p in at[first:k]]


def _is_label(word: str) -> bool:
    """An article or chapter number (`第三十四条`): unique in its document, naming nothing."""
    return word[-1] in _LABEL_ENDS and LABEL_WORD.fullmatch(word) is not None


def unique_spans(
    old: Document, new: Document, old_left: list[Node], new_left: list[Node]
) -> dict[str, tuple[str, str]]:
    """The spans found in exactly one clause of each document, among those that a leftover
    of each side holds, each with the ids of those two clauses (old, new): see
    :func:`unique_spans_with_cuts`."""
    return unique_spans_with_cuts(old, new, old_left, new_left)[0]


# (a text that holds no span looked for: shared by the many such leftovers)
_NO_SPANS: frozenset[str] = frozenset()


def unique_spans_with_cuts(
    old: Document,
    new: Document,
    old_left: list[Node],
    new_left: list[Node],
    ahead: dict[str, frozenset[str]] | None = None,
) -> tuple[dict[str, tuple[str, str]], dict[str, frozenset[str]]]:
    """The spans found in exactly one clause of each document, among those that a leftover
    of each side holds (only those are ever looked up), each with the ids of those two
    clauses (old, new). A unit holding a span as words holds it as text (tokens concatenate
    back to the text): the leftovers of the side with fewer are cut into spans; in each
    document, only the clauses whose text holds a span still looked for are cut, each
    span's only until a second one holds it as words; the one clause of the other document
    must be a leftover.

    Also, for each leftover's text (and each other text cut here), what :class:`Anchors`
    may read for it: its spans led by the shared runs (every span found begins with one), or
    none where it holds no span looked for. ``ahead``: texts' spans led by more runs
    (:func:`spans_ahead`), read instead of cutting those texts (those led by the shared
    runs among them)."""
    few_is_old = len(old_left) <= len(new_left)
    few, many = (old_left, new_left) if few_is_old else (new_left, old_left)
    # A span both sides hold as text begins with a run of ANCHOR_MIN_CHARS Chinese characters
    # that both hold: only the texts holding such a run are read (unrelated text: a third).
    # (every span looked for begins with one of those runs: only the runs of Chinese holding
    # one are cut into words, see spans_led_by)
    few_at, many_at, runs, few_starts, many_starts = shared_runs_at(
        [n.text for n in few], [n.text for n in many]
    )
    # where a shared run starts in each text read (the texts of other clauses are read
    # character by character, where looked at)
    starts = dict(zip((few[k].text for k in few_at), few_starts, strict=True))
    starts.update(zip((many[k].text for k in many_at), many_starts, strict=True))
    led: dict[str, frozenset[str]] = {}  # text -> its spans led by runs (texts recur below)

    found_ahead = ahead if ahead is not None else {}

    def spans_of(text: str) -> frozenset[str]:
        got = led.get(text)
        if got is None:
            more = found_ahead.get(text)
            if more is None:
                got = spans_led_by(text, runs, starts.get(text))
            else:  # (a span's head leads it among any heads holding its own: those of runs)
                got = frozenset(g for g in more if g[:ANCHOR_MIN_CHARS] in runs) if more else more
            led[text] = got
        return got

    few_read = [few[k] for k in few_at]
    many_read = [many[k] for k in many_at]
    few_doc, many_doc = (old, new) if few_is_old else (new, old)
    # The spans a leftover of the side with fewer holds (each of those read is cut), held by
    # one clause of its document; of those, the spans held by one clause of the other
    # document, a leftover there (only those holding a shared run may be).
    wanted = set().union(*(spans_of(n.text) for n in few_read))
    few_once = _held_once(few_doc, few, few_read, wanted, spans_of, read_cut=True)
    many_once = _held_once(many_doc, many, many_read, set(few_once), spans_of)
    read = set(map(_ID, many_read))
    found = {g: (few_once[g], c) for g, c in many_once.items() if c in read}
    # A leftover not cut holds no span found: no shared run (not read), or none of the
    # spans held once as text (a span's holders are all cut unless two hold it as words).
    for n in chain(old_left, new_left):
        led.setdefault(n.text, _NO_SPANS)
    if not few_is_old:
        found = {g: (o, n) for g, (n, o) in found.items()}
    return found, led


def _held_once(
    doc: Document,
    left: list[Node],
    read: list[Node],
    spans: set[str],
    spans_of: Callable[[str], frozenset[str]],
    read_cut: bool = False,
) -> dict[str, str]:
    """Of ``spans``, those that exactly one clause of ``doc`` holds (as words: ``spans_of``
    a text), each with its id. A clause holds a span as text first: of the leftovers
    (``left``), only those ``read`` may (they hold a shared run, and each span begins with
    one); the other clauses are all looked at (between unrelated documents, few). With
    ``read_cut``, the texts read are cut already: the spans each holds are read from
    ``spans_of``, not searched for in its text."""
    if not spans:
        return {}
    gone = set(map(_ID, left))
    others = [c for c in doc.of_kind("clause") if c.id not in gone]
    once: dict[str, str | None] = {}  # (None: two clauses hold it)
    if read_cut:
        for c in read:
            for g in spans_of(c.text) & spans:
                once[g] = None if g in once else c.id
    clauses = others if read_cut else read + others
    for g, at in texts_holding([c.text for c in clauses], spans).items():
        if once.get(g, "") is None:  # (two hold it already)
            continue
        for k in at:
            if g in spans_of(clauses[k].text):
                if g in once:
                    once[g] = None
                    break
                once[g] = clauses[k].id
    return {g: c for g, c in once.items() if c is not None}


def texts_holding(texts: list[str], spans: set[str]) -> dict[str, list[int]]:
    """span → the indices (ascending) of the ``texts`` holding it as text. The places where
    a span may start are found in numpy over all the texts at once — those whose first
    three characters hash to a slot that the first three of some span take (a table of
    :data:`_SLOTS_PER_SPAN`) — and only they are read in Python."""
    joined = "\n".join(texts)  # no span holds a line break (spans are Chinese only)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) < ANCHOR_MIN_CHARS or not spans:
        return {}
    slots = 1 << max(_LEAST_SLOTS_BITS, (_SLOTS_PER_SPAN * len(spans)).bit_length())
    taken = np.zeros(slots, dtype=bool)
    firsts = np.array([[ord(c) for c in g[:3]] for g in spans], dtype=np.int64)
    taken[_head_slots(firsts.T, slots)] = True
    codes = codes.astype(np.int64)
    heads = np.stack((codes[:-2], codes[1:-1], codes[2:]))
    at = np.flatnonzero(taken[_head_slots(heads, slots)])
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    text_of = np.searchsorted(np.cumsum(lengths) - lengths, at, side="right") - 1
    out: dict[str, list[int]] = {}
    sizes = range(ANCHOR_MIN_CHARS, ANCHOR_MAX_CHARS + 1)
    for start, k in zip(at.tolist(), text_of.tolist(), strict=True):
        for size in sizes:
            g = joined[start : start + size]
            if g in spans:
                holding = out.setdefault(g, [])
                if not holding or holding[-1] != k:
                    holding.append(k)
    return out


def shared_runs(a: list[str], b: list[str]) -> tuple[list[int], list[int], set[str]]:
    """(the indices of ``a``, of ``b``, holding a run of :data:`ANCHOR_MIN_CHARS` Chinese
    characters that a text of the other also holds; those runs). Found in numpy: each run
    packs into one integer (Chinese characters, as spans take them, are below 2^16)."""
    at_a, at_b, runs, _, _ = shared_runs_at(a, b)
    return at_a, at_b, runs


# :func:`shared_runs_at`: :func:`shared_runs`, and for each text of ``a`` and of ``b`` it
# lists, where a shared run starts in it (ascending).
SharedRuns = tuple[list[int], list[int], set[str], list[list[int]], list[list[int]]]


def shared_runs_at(a: list[str], b: list[str]) -> SharedRuns:
    """:func:`shared_runs`, with where each shared run starts in each text listed (what
    :func:`spans_led_by` reads as ``at``)."""
    keys_a, text_a, place_a = _runs(a)
    keys_b, text_b, place_b = _runs(b)
    if not len(keys_a) or not len(keys_b):  # (one side holds no such run: none shared)
        return [], [], set(), [], []
    distinct_a = distinct_sorted(keys_a)
    both = distinct_a[in_sorted(distinct_a, distinct_sorted(keys_b))]
    if not len(both):
        return [], [], set(), [], []
    held_a, held_b = in_sorted(keys_a, both), in_sorted(keys_b, both)
    shifts = np.arange(ANCHOR_MIN_CHARS - 1, -1, -1, dtype=np.uint64) * 16
    chars = (both[:, None] >> shifts) & 0xFFFF
    text = chars.astype(np.uint32).tobytes().decode("utf-32-le")
    runs = {text[k : k + ANCHOR_MIN_CHARS] for k in range(0, len(text), ANCHOR_MIN_CHARS)}
    # (text_of ascends: the distinct indices in order are where it changes)
    at_a, starts_a = _places_by_text(text_a[held_a], place_a[held_a])
    at_b, starts_b = _places_by_text(text_b[held_b], place_b[held_b])
    return at_a, at_b, runs, starts_a, starts_b


def _places_by_text(text_of: np.ndarray, places: np.ndarray) -> tuple[list[int], list[list[int]]]:
    """(the distinct values of ``text_of``, non-decreasing, in order; the ``places`` of each,
    in order)."""
    if not len(text_of):
        return [], []
    new = np.flatnonzero(np.concatenate(([True], text_of[1:] != text_of[:-1])))
    bounds = [*new.tolist()[1:], len(text_of)]
    listed = places.tolist()
    return text_of[new].tolist(), [listed[s:e] for s, e in zip(new.tolist(), bounds, strict=True)]


def spans_ahead(old: Document, new: Document, found: dict[str, frozenset[str]]) -> Iterator[None]:
    """Finds ahead, into ``found`` (text → spans), the spans of each clause text of both
    documents led by the runs a clause of the other holds too (:func:`spans_led_by`): these
    runs hold those any leftovers share, so :func:`unique_spans_with_cuts` reads its texts'
    spans from here, those led by its runs, instead of cutting the texts then. Worth it
    where most clauses will be left over (between unrelated documents) and a second core
    waits for the pairings; yields after each :data:`AHEAD_TEXTS` texts (a caller stops
    when it has other work: the texts found by then are read, the others cut then)."""
    texts = [list(dict.fromkeys(c.text for c in doc.of_kind("clause"))) for doc in (old, new)]
    old_at, new_at, runs, old_starts, new_starts = shared_runs_at(*texts)
    held = [(texts[0][k], at) for k, at in zip(old_at, old_starts, strict=True)]
    held += [(texts[1][k], at) for k, at in zip(new_at, new_starts, strict=True)]
    for start in range(0, len(held), AHEAD_TEXTS):
        yield
        for text, at in held[start : start + AHEAD_TEXTS]:
            found[text] = spans_led_by(text, runs, at)
    # (a text holding none of these runs holds none of any leftovers' either)
    for text in chain(*texts):
        found.setdefault(text, _NO_SPANS)


# :func:`spans_ahead` yields once in this many texts (~2-3 ms).
AHEAD_TEXTS = 512


def _runs(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(each run of :data:`ANCHOR_MIN_CHARS` Chinese characters of the ``texts``, packed into
    an integer; the index of the text it lies in; where it starts in that text)."""
    joined = "\n".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    if len(codes) < ANCHOR_MIN_CHARS:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.uint64), empty, empty
    chinese = (codes >= _CJK_FIRST) & (codes <= _CJK_LAST)
    n = len(codes) - ANCHOR_MIN_CHARS + 1
    at = np.ones(n, dtype=bool)
    key = np.zeros(n, dtype=np.uint64)
    for k in range(ANCHOR_MIN_CHARS):
        at &= chinese[k : k + n]
        key = key << 16 | codes[k : k + n]
    at = np.flatnonzero(at)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    starts = np.cumsum(lengths) - lengths
    text_of = np.searchsorted(starts, at, side="right") - 1
    return key[at], text_of, at - starts[text_of]


# The table of spans' first three characters has at least this many slots per span (a
# power of two, 2^16 at least): under 1 % of the slots taken, few places that begin no
# span are read.
_SLOTS_PER_SPAN = 128
_LEAST_SLOTS_BITS = 16
# Odd multipliers mixing three character codes into a slot.
_HEAD_MIX = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D)


def _head_slots(heads: np.ndarray, slots: int) -> np.ndarray:
    """The slot (of ``slots``, a power of two) of each column of three character codes
    (rows: first, second, third)."""
    a, b, c = _HEAD_MIX
    mixed = heads[0] * a + heads[1] * b + heads[2] * c
    return (mixed ^ (mixed >> 29)) & (slots - 1)


def _regions(text: str, spans: list[str]) -> int:
    """How many separate places of ``text`` the spans cover: `西营门外` and `西营门外小学`
    are one anchor, `航运金融` and `航运科技` two."""
    intervals = sorted((text.find(g), text.find(g) + len(g)) for g in spans)
    count, end = 0, -1
    for start, stop in intervals:
        if start >= end:
            count += 1
        end = max(end, stop)
    return count


def _names_something(span: str, weights: dict[str, float], floor: float) -> bool:
    """Does ``span`` hold a name: a word rare in general language and used by few measures
    here (`天拖`, `西营门`; not the district's own name, which half the measures use)?"""
    table, _ = idf_table()
    return any(
        len(w) >= _NAME_MIN_CHARS
        and table.get(w, _UNSEEN_IDF) >= _RARE_IDF
        and weights.get(w, floor) >= floor
        for w in display_tokens(span)
    )


def pair_measures(
    old: Document,
    new: Document,
    pairs: dict[str, list[Pairing]],
    weights: dict[str, float] | None = None,
) -> dict[str, list[Pairing]]:
    """Pair clauses the aligner left new and dropped when they are one measure reworded.

    The aligner pairs clauses within paired sentences, then across the document with a strict
    threshold; a measure whose sentence was rewritten around it falls through both. Here the
    leftovers are scored by word similarity blended with a rarity-weighted overlap (sharing
    `汾水道消防站` or `天津港集团` counts, sharing `推动` hardly does). Candidates are the
    leftovers of paired blocks (a pair is `changed`) and leftovers anywhere that share an
    anchor (a pair across blocks is `moved`), so the work grows with the leftovers of each
    block, not with their product over the document. Every node stays in exactly one pairing:
    a dropped and a new pairing become one. (:func:`measure_edits`, then
    :func:`apply_measure_edits`: the side child finds the edits from the pairings' ids.)
    """
    return apply_measure_edits(pairs, measure_edits(old, new, pairs, weights))


# What pair_measures changes in the clause pairings, as plain values (sent from the side
# child): the indices of the pairings made one (of the clause pairings); the pairings made
# (old id, new id, score, moved); then, of the pairings kept (those not made one, then those
# made), each part joined (index, to the new side, the part's id), in order, the indices of
# the lone pairings joined, and each split or merge's shares (index, shares).
MeasureEdits = tuple[
    list[int],
    list[tuple[str, str, float, bool]],
    list[tuple[int, bool, str]],
    list[int],
    list[tuple[int, dict[str, float]]],
]


def measure_edits(
    old: Document,
    new: Document,
    pairs: dict[str, list[Pairing]],
    weights: dict[str, float] | None = None,
    ahead: dict[str, frozenset[str]] | None = None,
) -> MeasureEdits | None:
    """What :func:`pair_measures` changes in ``pairs``' clause pairings (reads only their
    ids, and the blocks' and clauses'; changes nothing), or None where no clause was left
    dropped or new. ``ahead``: the clauses' spans found by :func:`spans_ahead`, if any."""
    level = "clause"
    plist = pairs.get(level, [])
    dropped = [k for k, p in enumerate(plist) if p.old and not p.new and len(p.old) == 1]
    added = [k for k, p in enumerate(plist) if p.new and not p.old and len(p.new) == 1]
    if not dropped or not added:
        return None
    weights = weights if weights is not None else rarity(old, new)
    block_links: dict[str, set[str]] = {}
    for p in pairs.get("block", []):
        for o in p.old:
            block_links.setdefault(o, set()).update(p.new)
    old_nodes = [old.node(plist[k].old[0]) for k in dropped]
    new_nodes = [new.node(plist[k].new[0]) for k in added]
    holders, cut = unique_spans_with_cuts(old, new, old_nodes, new_nodes, ahead)
    # The rarity a name's word needs (see _names_something): once, not per group scored.
    name_floor = max(weights.values(), default=0.0) - _NAME_RARITY_SPAN
    edges = _measure_edges(old, new, old_nodes, new_nodes, weights, name_floor, pairs, holders, cut)
    # Equal scores resolve to the order-keeping choice (ORDER_PRIOR), as the aligner's do.
    old_units, new_units = old.of_kind(level), new.of_kind(level)  # once: of_kind scans all
    po, pn = _places(old_units), _places(new_units)
    ranked = {
        (i, j): (s - ORDER_PRIOR * (po[old_nodes[i].id] - pn[new_nodes[j].id]) ** 2, moved)
        for (i, j), (s, moved) in edges.items()
    }
    used_old: set[int] = set()
    used_new: set[int] = set()
    made: list[tuple[str, str, float, bool]] = []
    for i, j in _assign_sparse(ranked):
        used_old.add(i)
        used_new.add(j)
        score, moved = edges[(i, j)]
        made.append((old_nodes[i].id, new_nodes[j].id, round(score, 4), moved))
    gone = sorted({dropped[i] for i in used_old} | {added[j] for j in used_new})
    gone_set = set(gone)
    # (the pairings kept, numbered as apply_measure_edits numbers them; none is changed here)
    kept = [p for k, p in enumerate(plist) if k not in gone_set] + [
        Pairing(level, [o], [n], score, moved=moved) for o, n, score, moved in made
    ]
    at = {k: i for i, k in enumerate(k for k in range(len(plist)) if k not in gone_set)}
    # What is still alone may be a part of a measure that was split or merged.
    left_new = [at[added[j]] for j in range(len(added)) if j not in used_new]
    left_old = [at[dropped[i]] for i in range(len(dropped)) if i not in used_old]
    grown, absorbed, shares = _attach_parts(old, new, kept, left_old, left_new, block_links)
    return gone, made, grown, absorbed, shares


def apply_measure_edits(
    pairs: dict[str, list[Pairing]], edits: MeasureEdits | None
) -> dict[str, list[Pairing]]:
    """``pairs`` with :func:`measure_edits`' ``edits`` made (its clause pairings changed in
    place: the parts joined, the shares set)."""
    if edits is None:
        return pairs
    gone, made, grown, absorbed, shares = edits
    level = "clause"
    plist = pairs.get(level, [])
    gone_set = set(gone)
    kept = [p for k, p in enumerate(plist) if k not in gone_set] + [
        Pairing(level, [o], [n], score, moved=moved) for o, n, score, moved in made
    ]
    for k, to_new, part in grown:
        (kept[k].new if to_new else kept[k].old).append(part)
    for k, part_shares in shares:
        kept[k].shares = part_shares
    if not made and not absorbed:
        return pairs
    out = dict(pairs)
    absorbed_set = set(absorbed)
    out[level] = [p for k, p in enumerate(kept) if k not in absorbed_set]
    return out


def _places(units: list[Node]) -> dict[str, float]:
    """Each unit's id → its index over the number of units (k / n as Python divides: IEEE
    division of exactly converted integers), made in C (tens of thousands of clauses)."""
    places = (np.arange(len(units)) / max(1, len(units))).tolist()
    return dict(zip(map(_ID, units), places, strict=True))


def _measure_edges(
    old: Document,
    new: Document,
    old_nodes: list[Node],
    new_nodes: list[Node],
    weights: dict[str, float],
    name_floor: float,
    pairs: dict[str, list[Pairing]],
    holders: dict[str, tuple[str, str]],
    cut: dict[str, frozenset[str]] | None = None,
) -> dict[tuple[int, int], tuple[float, bool]]:
    """Candidate pairs (old index, new index) → (score, moved) above their threshold
    (``holders``: the anchors, each with the clauses holding it, and ``cut``: the leftovers'
    spans led by shared runs, see :func:`unique_spans_with_cuts`)."""
    unique = Anchors(set(holders), cut)
    # The leftovers of each paired block (only those are grouped: walked down from the
    # blocks when they are fewer than the leftovers, as between unrelated documents).
    linked = [p for p in pairs.get("block", []) if p.old and p.new]
    by_old_block: dict[str, list[int]] = {}
    block_of_old = _blocks_of(old, [n.id for n in old_nodes], {b for p in linked for b in p.old})
    for i, n in enumerate(old_nodes):
        if (b := block_of_old.get(n.id)) is not None:
            by_old_block.setdefault(b, []).append(i)
    by_new_block: dict[str, list[int]] = {}
    block_of_new = _blocks_of(new, [n.id for n in new_nodes], {b for p in linked for b in p.new})
    for j, n in enumerate(new_nodes):
        if (b := block_of_new.get(n.id)) is not None:
            by_new_block.setdefault(b, []).append(j)
    edges: dict[tuple[int, int], tuple[float, bool]] = {}
    for p in pairs.get("block", []):
        rows = [i for b in p.old for i in by_old_block.get(b, [])]
        cols = [j for b in p.new for j in by_new_block.get(b, [])]
        if not rows or not cols:
            continue
        score, _ = measure_scores(
            [old_nodes[i] for i in rows],
            [new_nodes[j] for j in cols],
            weights,
            name_floor,
            unique,
        )
        for r, c in zip(*np.nonzero(score >= MEASURE_THRESHOLD), strict=True):
            edges[(rows[r], cols[c])] = (float(score[r, c]), False)
    # Across blocks: only leftovers that share an anchor are worth scoring (each anchor is
    # held by one clause of each document: the pair, if both are leftovers).
    old_at = {n.id: i for i, n in enumerate(old_nodes)}
    new_at = {n.id: j for j, n in enumerate(new_nodes)}
    cross: set[tuple[int, int]] = set()
    for old_id, new_id in holders.values():
        i, j = old_at.get(old_id), new_at.get(new_id)
        if i is not None and j is not None and (i, j) not in edges:
            cross.add((i, j))
    # (most pairs across blocks between unrelated documents are far below the threshold:
    # a bound settles them without measure_scores' arrays, ~50 us a pair)
    bound = MoveBound(weights, name_floor, unique)
    for i, j in sorted(cross):
        if bound(old_nodes[i], new_nodes[j]) < MEASURE_MOVE_THRESHOLD:
            continue
        score, _ = measure_scores([old_nodes[i]], [new_nodes[j]], weights, name_floor, unique)
        if score[0, 0] >= MEASURE_MOVE_THRESHOLD:
            edges[(i, j)] = (float(score[0, 0]), True)
    return edges


# Rounding room for a bound on a measure score summed in another order (far below any
# difference a threshold sees).
_BOUND_SLACK = 1e-9


class MoveBound:
    """An upper bound of :func:`measure_scores` of one old and one new clause, from the
    same parts without its arrays: for the wording similarity, its bag view's bound (no more
    words shared, with repeats, than either holds of the words both use); the
    rarity-weighted overlap summed in Python (another order than the matrix products:
    :data:`_BOUND_SLACK`); the anchors as counted there."""

    def __init__(self, weights: dict[str, float], name_floor: float, unique: Anchors) -> None:
        self.weights, self.name_floor, self.unique = weights, name_floor, unique

    def __call__(self, old: Node, new: Node) -> float:
        words_o, words_n = content_word_tuple(old.text), content_word_tuple(new.text)
        if 2 * max(len(words_o), 1) * max(len(words_n), 1) > EXACT_BUDGET:
            return math.inf  # (scored on samples there, which this does not bound)
        set_o, set_n = set(words_o), set(words_n)
        both = set_o & set_n
        length = len(words_o) + len(words_n)
        held = min(sum(map(both.__contains__, words_o)), sum(map(both.__contains__, words_n)))
        sim = 2 * held / length if length else 1.0
        weight = self.weights.get
        total = sum(weight(w, 0.0) for w in set_o) + sum(weight(w, 0.0) for w in set_n)
        shared = sum(weight(w, 0.0) for w in both)
        weighted = 2 * shared / total if total > 0 else 0.0
        base = WORDING_WEIGHT * sim + RARITY_WEIGHT * weighted + _BOUND_SLACK
        if base < ANCHOR_FLOOR:
            return base
        spans = list(self.unique.held_by(old.text) & self.unique.held_by(new.text))
        if not spans:
            return base
        regions = min(_regions(old.text, spans), _regions(new.text, spans))
        if regions >= ANCHOR_REGIONS or any(
            _names_something(g, self.weights, self.name_floor) for g in spans
        ):
            return base + ANCHOR_BONUS * min(regions, ANCHORS_COUNTED)
        return base


def _assign_sparse(edges: dict[tuple[int, int], tuple[float, bool]]) -> list[tuple[int, int]]:
    """Optimal one-to-one choice among candidate pairs, solved per connected component."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        parent[find(("o", i))] = find(("n", j))
    components: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for i, j in sorted(edges):
        components.setdefault(find(("o", i)), []).append((i, j))
    chosen: list[tuple[int, int]] = []
    for comp in components.values():
        rows = sorted({i for i, _ in comp})
        cols = sorted({j for _, j in comp})
        m = np.zeros((len(rows), len(cols)))
        ri = {i: k for k, i in enumerate(rows)}
        ci = {j: k for k, j in enumerate(cols)}
        for i, j in comp:
            m[ri[i], ci[j]] = edges[(i, j)][0]
        for r, c in zip(*linear_sum_assignment(-m), strict=True):
            if m[r, c] > 0:
                chosen.append((rows[r], cols[c]))
    return chosen


def _attach_parts(
    old: Document,
    new: Document,
    kept: list[Pairing],
    left_old: list[int],
    left_new: list[int],
    block_links: dict[str, set[str]],
) -> tuple[list[tuple[int, bool, str]], list[int], list[tuple[int, dict[str, float]]]]:
    """Join a lone clause (``left_old``, ``left_new``: the indices of the lone pairings of
    ``kept``) to the 1:1 pairing of ``kept`` in the same paired blocks whose other side holds
    most of its words (`做优高端医疗器械产业集群。` split from `…用好医工所…，发展高端医疗器械
    产业集群；`). Returns, changing nothing: each part joined (the index of the pairing it
    joins, to its new side, the part's id), in order; the indices of the lone pairings
    joined; each split or merge's shares, with the parts joined (its index, shares)."""
    vocab = Vocabulary()
    profiles: dict[tuple[str, str], object] = {}

    def profile(side: str, doc: Document, node_id: str):
        key = (side, node_id)
        if key not in profiles:
            profiles[key] = vocab.profile(doc.node(node_id).text)
        return profiles[key]

    reverse_links: dict[str, set[str]] = {}
    for o, ns in block_links.items():
        for n in ns:
            reverse_links.setdefault(n, set()).add(o)
    lones = [(k, "new") for k in left_new] + [(k, "old") for k in left_old]
    # A lone clause finds wholes only in a paired block: the block of each lone clause of a
    # paired block (the others have none to look in).
    lone_new = _blocks_of(new, [kept[k].new[0] for k in left_new], set(reverse_links))
    lone_old = _blocks_of(
        old, [kept[k].old[0] for k in left_old], {o for o, n in block_links.items() if n}
    )
    blocks = [
        lone_new.get(kept[k].new[0]) if side == "new" else lone_old.get(kept[k].old[0])
        for k, side in lones
    ]
    # The 1:1 pairings by the block holding their clause, of the blocks a lone clause's
    # block is paired with (not every pairing's: most lie in blocks with no lone clause).
    wanted_old: set[str] = set()
    wanted_new: set[str] = set()
    for (_, side), block in zip(lones, blocks, strict=True):
        if block is not None:
            if side == "new":
                wanted_old.update(reverse_links[block])
            else:
                wanted_new.update(block_links[block])
    block_of_old = _clause_blocks(old, wanted_old)
    block_of_new = _clause_blocks(new, wanted_new)
    by_old_block: dict[str, list[int]] = {}
    by_new_block: dict[str, list[int]] = {}
    for k, p in enumerate(kept):
        if len(p.old) == 1 and len(p.new) == 1:
            ob, nb = block_of_old.get(p.old[0]), block_of_new.get(p.new[0])
            if ob:
                by_old_block.setdefault(ob, []).append(k)
            if nb:
                by_new_block.setdefault(nb, []).append(k)
    # All candidates first, then the best shares win: the same result whichever side is old.
    candidates: list[tuple[float, str, str, int, int, str]] = []
    for (lone, side), block in zip(lones, blocks, strict=True):
        doc, other, other_side = (new, old, "old") if side == "new" else (old, new, "new")
        if block is None:
            continue
        node = doc.node((kept[lone].new if side == "new" else kept[lone].old)[0])
        if side == "new":
            pool = [k for ob in sorted(reverse_links[block]) for k in by_old_block.get(ob, [])]
        else:
            pool = [k for nb in sorted(block_links[block]) for k in by_new_block.get(nb, [])]
        if not pool:  # most lone clauses of unrelated text: profiled for nothing
            continue
        prof = profile(side, doc, node.id)
        if prof.size < MIN_PART_WORDS:
            continue
        for k in pool:
            whole_id = kept[k].old[0] if side == "new" else kept[k].new[0]
            share = containment(prof, profile(other_side, other, whole_id))
            if share >= PART_CONTAINMENT:
                whole = other.node(whole_id).text
                candidates.append((share, node.text, whole, lone, k, side))
    grown: list[tuple[int, bool, str]] = []
    absorbed: list[int] = []
    taken: set[int] = set()
    parts: dict[int, tuple[bool, str]] = {}
    for _, _, _, lone, k, side in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if lone in taken or k in parts:
            continue
        node_id = (kept[lone].new if side == "new" else kept[lone].old)[0]
        grown.append((k, side == "new", node_id))
        parts[k] = (side == "new", node_id)
        taken.add(lone)
        absorbed.append(lone)
    shares: list[tuple[int, dict[str, float]]] = []
    for k, p in enumerate(kept):
        olds, news = p.old, p.new
        if k in parts:
            to_new, part = parts[k]
            olds, news = (olds, [*news, part]) if to_new else ([*olds, part], news)
        if len(olds) > 1 or len(news) > 1:
            parts_doc, part_ids = (new, news) if len(news) > 1 else (old, olds)
            sizes = {i: vocab.profile(parts_doc.node(i).text).size or 1 for i in part_ids}
            total = sum(sizes.values())
            shares.append((k, {i: round(v / total, 3) for i, v in sizes.items()}))
    return grown, absorbed, shares


def _blocks_of(doc: Document, clauses: list[str], blocks: set[str]) -> dict[str, str]:
    """clause id → the block holding it, for the ``clauses`` held by one of ``blocks``:
    walked up from each clause, or down from each block when the blocks are fewer (unrelated
    text: tens of thousands of lone clauses, few paired blocks)."""
    if len(blocks) < len(clauses):
        return _clause_blocks(doc, blocks)
    out = {}
    for c in clauses:
        block = doc.block_of(c)
        if block is not None and block.id in blocks:
            out[c] = block.id
    return out


def _clause_blocks(doc: Document, blocks: set[str]) -> dict[str, str]:
    """clause id → the block holding it (its nearest block ancestor), for the clauses of
    ``blocks``."""
    out: dict[str, str] = {}
    for block in blocks:
        todo = doc.children(block)
        while todo:
            node = todo.pop()
            if node.kind == "clause":
                out[node.id] = block
            if node.kind != "block":  # a block within holds its own clauses
                todo.extend(doc.children(node.id))
    return out


class Anchors:
    """The anchors (spans of :func:`unique_spans`) and, for a text, those it holds: found
    among the spans led by the anchors' first characters (:func:`spans_led_by`), once a
    text."""

    def __init__(self, spans: set[str], cut: dict[str, frozenset[str]] | None = None) -> None:
        """``cut``: texts' spans led by runs that lead every one of ``spans`` too (those
        :func:`unique_spans_with_cuts` found), read instead of cutting those texts again."""
        self.spans = spans
        self._heads = {g[:ANCHOR_MIN_CHARS] for g in spans}
        self._held: dict[str, frozenset[str]] = {}
        self._cut = cut if cut is not None else {}

    def __bool__(self) -> bool:
        return bool(self.spans)

    def held_by(self, text: str) -> frozenset[str]:
        """The anchors ``text`` holds (as :func:`anchor_spans` finds them)."""
        got = self._held.get(text)
        if got is None:
            # (an anchor's head leads it among any heads holding its own: the same spans)
            led = self._cut.get(text)
            if led is None:
                led = spans_led_by(text, self._heads)
            got = self._held[text] = led & self.spans
        return got


def measure_scores(
    old_nodes: list[Node],
    new_nodes: list[Node],
    weights: dict[str, float],
    name_floor: float,
    unique: Anchors,
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, anchors): word similarity blended with rarity-weighted overlap, plus the
    anchor bonus; anchors counts the places that hold (0 where none does)."""
    vocab = Vocabulary()
    sim = similarity_matrix(
        [vocab.profile(n.text) for n in old_nodes], [vocab.profile(n.text) for n in new_nodes]
    )
    index: dict[str, int] = {}
    old_sets = [set(content_words(n.text)) for n in old_nodes]
    new_sets = [set(content_words(n.text)) for n in new_nodes]
    for ws in old_sets + new_sets:
        for w in ws:
            index.setdefault(w, len(index))
    wvec = np.zeros(len(index))
    for w, i in index.items():
        wvec[i] = weights.get(w, 0.0)

    def matrix(sets: list[set[str]]) -> np.ndarray:
        m = np.zeros((len(sets), len(index)))
        for r, ws in enumerate(sets):
            m[r, [index[w] for w in ws]] = 1.0
        return m

    mo, mn = matrix(old_sets), matrix(new_sets)
    shared = (mo * wvec) @ mn.T
    total = (mo @ wvec)[:, None] + (mn @ wvec)[None, :]
    weighted = np.divide(2 * shared, total, out=np.zeros_like(shared), where=total > 0)
    anchors = np.zeros_like(weighted)
    if unique:
        where: dict[str, int] = {}
        for j, n in enumerate(new_nodes):
            for g in unique.held_by(n.text):
                where[g] = j
        found: dict[tuple[int, int], list[str]] = {}
        for i, o in enumerate(old_nodes):
            for g in unique.held_by(o.text):
                if g in where:
                    found.setdefault((i, where[g]), []).append(g)
        for (i, j), spans in found.items():
            regions = min(_regions(old_nodes[i].text, spans), _regions(new_nodes[j].text, spans))
            if regions >= ANCHOR_REGIONS or any(
                _names_something(g, weights, name_floor) for g in spans
            ):
                anchors[i, j] = regions
    base = WORDING_WEIGHT * sim + RARITY_WEIGHT * weighted
    bonus = np.where(base >= ANCHOR_FLOOR, ANCHOR_BONUS * np.minimum(anchors, ANCHORS_COUNTED), 0.0)
    return base + bonus, anchors
