"""How alike two units are: rapidfuzz scorers over jieba tokens.

Each unit is encoded once as a *code string*, one character per distinct content word, so
rapidfuzz's C++ scorers (and ``process.cdist`` for whole matrices) work on words, not
characters. Two views are blended:

* ``ordered`` — ``fuzz.ratio`` on the words in order: rewording, insertions, deletions;
* ``bag`` — ``fuzz.ratio`` on the words sorted: the Indel similarity of two sorted sequences is
  the Dice coefficient of their word multisets, which ignores reordering.

Scoring two units costs about ``len(a) / 64 * len(b)`` machine words (bit-parallel LCS). For
the rare group of very long units (whole chapters of a long code) whose exact scores would cost
more than :data:`EXACT_BUDGET`, long units are scored on a sample of their words: the words
whose code falls in one residue class (the same words on both sides), which keeps the ratio
and costs 1/64 (or 1/4096) as much.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import filterfalse, pairwise
from operator import attrgetter

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from .model import Document
from .tokens import content_word_tuple

# Above this total cost (machine words, see module doc) a group is scored on samples.
EXACT_BUDGET = 50_000_000
# Units longer than this many words are sampled in such a group: 1 word in 8, or 1 in 64.
SAMPLE_ABOVE = 4096
_RATES = (1, 8, 64)
# A matrix is scored on every core above this cost (machine words, a few milliseconds of
# work) or this many cells, a list of pairs above this many pairs; below, threads cost more
# than they save.
THREADS_ABOVE_COST = 5_000_000
THREADS_ABOVE = 40_000
THREADS_ABOVE_PAIRS = 2_000
# Up to this many cells a matrix is scored pair by pair (same scores, no cdist set-up).
SMALL_GROUP = 16
# The blend of the two views: mostly the bag, since a reworded or reordered unit keeps its
# words; a little order, so that of two units with the same words the one in order wins.
ORDERED_WEIGHT = 0.2
BAG_WEIGHT = 0.8
# Bits of a machine word: bit-parallel LCS compares one unit's 64 words per step.
WORD_BITS = 64
# Above this cost of the bit-parallel LCS of their words in order (machine words, as for
# BY_WORD_ABOVE), two units' ordered view is counted on the words each holds of the other's
# (see _common_in_order; measured on unrelated-1m's sections: their largest group 49 -> 34
# ms, real-1m's 20 -> 19), up to this many cells of the table of who holds which word (a
# table far larger than the words is fresh memory to zero).
HELD_ONLY_ABOVE = 4096
HELD_TABLE_CELLS = 1 << 24
# Above this cost of the bit-parallel LCS of their bags (machine words: the shorter's
# length / 64 times the longer's), two units' shared words are counted word by word (see
# shared_words), which costs about their vocabularies (measured: faster from ~2 000 words).
BY_WORD_ABOVE = 4096
# The first word code: supplementary planes, no clash with any text rapidfuzz might also see.
_FIRST_CODE = 0x10000
# Word codes are below 0x110000 (21 bits): (string, word) packs into one integer.
_CODE_BITS = 21
_CODE_MASK = (1 << _CODE_BITS) - 1
# rapidfuzz's cutoff is inclusive and in percent: this much below the floor keeps a score
# that rounds to the floor.
_CUTOFF_SLACK = 1e-6
# Up to this many words a profile's bag is sorted as a string; above, as an array of codes
# in numpy (measured: as fast at ~32 words, 7 x faster at 256, 100 x at 100 000).
_SORT_OUTRIGHT = 32
# Knuth's multiplicative hash (2^32 / golden ratio), and the low bits it drops: it mixes
# consecutive codes so a sample is not the first-seen words.
_HASH_MULTIPLIER = 2654435761
_HASH_SHIFT = 7
# Order is no evidence of content, yet equal pairs must tie-break the same whichever document
# comes first: across the document a pair keeping relative order gains TIE_BREAK, and of two
# pairs equally far from the diagonal the earlier wins by ORDER_TIE (see :func:`order_prior`).
TIE_BREAK = 1e-6
ORDER_TIE = 1e-8


@dataclass(slots=True)
class Profile:
    """A unit's content words as code strings (see the module doc); no list of the words
    themselves: nothing needs more of them than their number."""

    ordered: str
    _bag: str | None = field(default=None, compare=False, repr=False)
    # (rate → sample, made when first asked: most units are never sampled, and an empty dict
    # for each of the ~100,000 profiles at 2 MB a side was ~6 MB of the peak)
    _samples: dict[int, tuple[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, ordered: str) -> Profile:
        return cls(ordered)

    @property
    def bag(self) -> str:
        """The codes sorted, made when first read: most units are never scored (11 790 of
        the 28 511 made on real-1m), and sorting them all was a fifth of tokenising."""
        got = self._bag
        if got is None:
            got = self._bag = _sorted_codes(self.ordered)
        return got

    @property
    def size(self) -> int:
        """How many words."""
        return len(self.ordered)

    def rate(self) -> int:
        """The sampling rate this unit needs when its group is too costly to score exactly."""
        n = len(self.ordered)
        return 1 if n <= SAMPLE_ABOVE else 8 if n <= SAMPLE_ABOVE * 8 else 64

    def sample(self, rate: int) -> tuple[str, str]:
        """(ordered, bag) restricted to the words whose code is 0 modulo ``rate``."""
        if rate == 1:
            return self.ordered, self.bag
        samples = self._samples
        if samples is None:
            samples = self._samples = {}
        got = samples.get(rate)
        if got is None:
            drop = _drop_table(rate, set(self.ordered))
            # The bag stays sorted with codes taken out.
            got = (self.ordered.translate(drop), self.bag.translate(drop))
            samples[rate] = got
        return got


def _sorted_codes(codes: str) -> str:
    if len(codes) <= _SORT_OUTRIGHT:
        return "".join(sorted(codes))
    # By code point, as sorted() orders one-character strings; a section's codes run to the
    # whole document's words.
    array = np.frombuffer(codes.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.sort(array).tobytes().decode("utf-32-le", "surrogatepass")


# rate → (codes decided, the table for str.translate deleting those outside the sample)
_DROPS: dict[int, tuple[set[str], dict[int, None]]] = {}


def _drop_table(rate: int, codes: set[str]) -> dict[int, None]:
    """Codes are consecutive integers: a residue class is a fixed 1/rate of the vocabulary,
    mixed by a multiplicative hash so it is not the first-seen words. Each code is decided
    once (a cache: the same codes recur in every unit sampled)."""
    decided, table = _DROPS.setdefault(rate, (set(), {}))
    for c in codes - decided:
        if ((ord(c) * _HASH_MULTIPLIER) >> _HASH_SHIFT) % rate != 0:
            table[ord(c)] = None
    decided |= codes
    return table


@dataclass(slots=True)
class Vocabulary:
    """Interns words as characters; shared by both documents of a comparison."""

    codes: dict[str, str] = field(default_factory=dict)
    # Profiles by text: long documents repeat their boilerplate, and every unit is profiled.
    _seen: dict[str, Profile] = field(default_factory=dict, repr=False)

    def encode(self, words: Sequence[str]) -> str:
        codes = self.codes
        try:  # usually every word is known already (a block after its sentences): all in C
            return "".join(map(codes.__getitem__, words))
        except KeyError:
            for w in words:
                if w not in codes:
                    # Supplementary planes: no clash with any text rapidfuzz might also see.
                    codes[w] = chr(_FIRST_CODE + len(codes))
            return "".join(map(codes.__getitem__, words))

    def profile(self, text: str) -> Profile:
        got = self._seen.get(text)
        if got is None:
            got = self._seen[text] = Profile(self.encode(content_word_tuple(text)))
        return got

    @property
    def profiled(self) -> dict[str, Profile]:
        """The profiles made so far, by text (to read, not to change)."""
        return self._seen

    def known(self, text: str) -> Profile | None:
        """:meth:`profile` of a text profiled already, else None."""
        return self._seen.get(text)

    def words(self) -> list[str]:
        """The words by code index (a code is ``chr(_FIRST_CODE + index)``)."""
        return list(self.codes)


def similarity(a: Profile, b: Profile, rate: int = 1, floor: float = 0.0) -> float:
    """0..1: how much of the two units' wording is shared, in order and as a bag of words.
    0.0 when it is below ``floor`` (known early: the ordered view never exceeds the bag)."""
    if not a.ordered and not b.ordered:
        return 1.0
    (ao, ab), (bo, bb) = a.sample(rate), b.sample(rate)
    bag = fuzz.ratio(ab, bb, score_cutoff=max(0.0, floor * 100.0 - _CUTOFF_SLACK))
    if floor > 0.0 and bag < floor * 100.0 - _CUTOFF_SLACK:
        return 0.0
    return blend(fuzz.ratio(ao, bo), bag)


def blend(ordered, bag):
    """The similarity (0..1) from the two views' rapidfuzz ratios (0..100): floats or arrays."""
    return (ORDERED_WEIGHT * ordered + BAG_WEIGHT * bag) / 100.0


def pair_similarities(
    old: list[Profile], new: list[Profile], rate: int = 1, floor: float = 0.0
) -> np.ndarray:
    """:func:`similarity` of ``old[k]`` and ``new[k]`` for every k (on samples at ``rate``),
    in C and numpy for all pairs at once; 0.0 where it is below ``floor`` (known from the bag
    view, counted first: the ordered view never exceeds it). Without a floor, a caller
    testing ``score >= floor`` drops the same pairs as :func:`similarity`'s floor would."""
    if rate == 1:  # the profiles themselves (no call per unit: lists of 100 000 pairs)
        units_o, units_n = old, new
    else:
        make_samples([*old, *new], rate)
        units_o = [Profile(*p.sample(rate)) for p in old]
        units_n = [Profile(*p.sample(rate)) for p in new]
    pairs = np.arange(len(old))
    return indexed_similarities(units_o, units_n, pairs, pairs, floor)


def indexed_similarities(
    old: list[Profile],
    new: list[Profile],
    rows: np.ndarray,
    cols: np.ndarray,
    floor: float | np.ndarray = 0.0,
    lengths: tuple[np.ndarray, np.ndarray] | None = None,
    counted: Counted | None = None,
) -> np.ndarray:
    """:func:`similarity` of ``old[rows[k]]`` and ``new[cols[k]]`` for every k (no sampling),
    in C and numpy, with each unit's length and bag read once, not once per pair (a large
    group's candidates are tens of thousands of pairs of a few thousand units); 0.0 below
    ``floor`` as :func:`pair_similarities` (one for all pairs, or one for each). ``lengths``:
    the units' numbers of words, when the caller has them (:func:`unit_lengths`); ``counted``:
    the words shared by pairs counted before (see :class:`SharedCounts`), read, not counted
    again, and those counted here added."""
    out = np.zeros(len(rows))
    if not len(rows):
        return out
    len_o, len_n = lengths if lengths is not None else (unit_lengths(old), unit_lengths(new))
    len_a, len_b = len_o[rows], len_n[cols]
    # The bag view: rapidfuzz's ratio of the bags, from the words they share (counted only
    # where a bound lets the bag reach the floor: elsewhere it is below, and the score 0.0).
    cut = floor * 100.0 - _CUTOFF_SLACK
    floored = np.ndim(floor) > 0 or floor > 0.0
    may = _may_reach(old, new, rows, cols, len_a, len_b, cut) if floored else slice(None)
    bag = np.zeros(len(rows))
    if counted is None:
        shared = _shared_at(old, new, rows[may], cols[may], len_a[may], len_b[may])
    else:
        shared = counted[0].shared_at(
            old, new, rows[may], cols[may], len_a[may], len_b[may], counted[1:]
        )
    bag[may] = _bag_ratio(len_a[may] + len_b[may], shared)
    reach = np.flatnonzero(bag >= cut)
    if len(reach):
        at_o, at_n = rows[reach], cols[reach]
        ordered = np.zeros(len(reach))
        long = _lcs_cost(len_a[reach], len_b[reach]) >= HELD_ONLY_ABOVE
        short = np.flatnonzero(~long)
        if len(short):
            ordered[short] = process.cpdist(
                _each(old, at_o[short], _ORDERED),
                _each(new, at_n[short], _ORDERED),
                scorer=fuzz.ratio,
                dtype=np.float64,
                workers=-1 if len(short) >= THREADS_ABOVE_PAIRS else 1,
            )
        at = np.flatnonzero(long)
        if len(at):
            common = _common_in_order(old, new, at_o[at], at_n[at])
            ordered[at] = _bag_ratio(len_a[reach][at] + len_b[reach][at], common)
        out[reach] = blend(ordered, bag[reach])
    return out


_ORDERED = attrgetter("ordered")


def _common_in_order(
    old: Sequence[Profile], new: Sequence[Profile], rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """For every k, the longest common subsequence of ``old[rows[k]]`` and ``new[cols[k]]``
    (their words in order), counted on each one's words that the other holds: a word the
    other lacks is in no common subsequence (between unrelated sections, most of their
    words). Where the pairs' units and words are too many to mark who holds what in a
    table (:data:`HELD_TABLE_CELLS`), on their words as they are."""
    units_o, at_o = distinct_at(rows)
    units_n, at_n = distinct_at(cols)
    codes_o, owner_o, len_o = _codes_by_unit([old[i] for i in units_o.tolist()])
    codes_n, owner_n, len_n = _codes_by_unit([new[j] for j in units_n.tolist()])
    # The pairs' words numbered 0.. (their codes are a vocabulary's: a table by code; the
    # pairs are long, so no unit is empty).
    low = min(int(codes_o.min()), int(codes_n.min()))
    high = max(int(codes_o.max()), int(codes_n.max()))
    number = np.zeros(high - low + 1, dtype=np.int64)
    number[codes_o - low] = 1
    number[codes_n - low] = 1
    words = int(number.sum())
    workers = -1 if len(rows) >= THREADS_ABOVE_PAIRS else 1
    if (len(units_o) + len(units_n)) * words > HELD_TABLE_CELLS:
        return process.cpdist(
            _each(old, rows, _ORDERED),
            _each(new, cols, _ORDERED),
            scorer=LCSseq.similarity,
            workers=workers,
        )
    number = np.cumsum(number) - 1
    word_o, word_n = number[codes_o - low], number[codes_n - low]
    held_o = np.zeros(len(units_o) * words, dtype=bool)
    held_o[owner_o * words + word_o] = True
    held_n = np.zeros(len(units_n) * words, dtype=bool)
    held_n[owner_n * words + word_n] = True
    kept_o = _held_by(codes_o, word_o, len_o, at_o, held_n, at_n, words)
    kept_n = _held_by(codes_n, word_n, len_n, at_n, held_o, at_o, words)
    return process.cpdist(kept_o, kept_n, scorer=LCSseq.similarity, workers=workers)


def _held_by(
    codes: np.ndarray,
    word: np.ndarray,
    lengths: np.ndarray,
    at: np.ndarray,
    held: np.ndarray,
    other_at: np.ndarray,
    words: int,
) -> list[str]:
    """For each pair k, the codes of its unit of one side (``at[k]``: units' ``codes`` one
    after another, of these ``lengths``; ``word``: each code's number) that its unit of the
    other side (``other_at[k]``) holds (``held``: that side's (unit, word number) table), in
    order, as a code string."""
    size = lengths[at]
    pair = np.repeat(np.arange(len(at), dtype=np.int64), size)
    place = np.repeat((np.cumsum(lengths) - lengths)[at] - (np.cumsum(size) - size), size)
    place += np.arange(int(size.sum()))
    kept = held[other_at[pair] * words + word[place]]
    ends = np.cumsum(np.bincount(pair[kept], minlength=len(at)))
    return _cut(_text_of(codes[place[kept]]), ends)


def unit_lengths(units: Sequence[Profile]) -> np.ndarray:
    """Each unit's number of words, read in C."""
    return np.fromiter(map(len, map(_ORDERED, units)), dtype=np.int64, count=len(units))


# A profile's bag once made (None before: see Profile.bag), read without the property's call.
_MADE_BAG = attrgetter("_bag")


def _each(units: Sequence[Profile], at: np.ndarray, view: Callable[[Profile], str]) -> list[str]:
    """``view(units[k])`` for each k of ``at``, each unit read once: gathered in numpy (the
    pairs of a large group run to a hundred thousand, a Python lookup each cost a third of
    rapidfuzz's scoring of them)."""
    distinct, where = distinct_at(at)
    return _objects(map(view, map(units.__getitem__, distinct.tolist())))[where].tolist()


def _objects(values: Iterable[object]) -> np.ndarray:
    """``values`` as a one-dimensional array of objects (strings stay whole)."""
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _bag_ratio(total: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """rapidfuzz's ratio (0..100) of two bags of ``total`` words together sharing ``shared``
    (non-decreasing in ``shared``: each step is a monotonic IEEE operation)."""
    bag = (1.0 - (total - 2 * shared) / np.maximum(total, 1)) * 100.0
    bag[total == 0] = 100.0
    return bag


def bags_reaching(
    old: list[Profile],
    new: list[Profile],
    rows: np.ndarray,
    cols: np.ndarray,
    floor: float,
    lengths: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The k for which :func:`indexed_similarities` of ``old[rows[k]]`` and ``new[cols[k]]``
    with this ``floor`` counts the ordered view (its bag view reaches the floor): the others
    score 0.0. Words are counted only for the pairs whose lengths let the bag reach it (no
    more words shared than the shorter has). ``lengths`` as for indexed_similarities."""
    len_o, len_n = lengths if lengths is not None else (unit_lengths(old), unit_lengths(new))
    len_a, len_b = len_o[rows], len_n[cols]
    cut = floor * 100.0 - _CUTOFF_SLACK
    may = _may_reach(old, new, rows, cols, len_a, len_b, cut)
    shared = _shared_at(old, new, rows[may], cols[may], len_a[may], len_b[may])
    return may[_bag_ratio(len_a[may] + len_b[may], shared) >= cut]


def _may_reach(
    old: Sequence[Profile],
    new: Sequence[Profile],
    rows: np.ndarray,
    cols: np.ndarray,
    len_a: np.ndarray,
    len_b: np.ndarray,
    cut: float | np.ndarray,
) -> np.ndarray:
    """The k (ascending) for which the bag view of ``old[rows[k]]`` and ``new[cols[k]]`` may
    reach ``cut`` (percent; or ``cut[k]``) by two bounds on the words they share, both from above: the
    shorter's length, and per bucket of words (:func:`bucket_counts`) the smaller count
    summed (the smaller of two sums is at least the sum of the smaller counts). Between
    unrelated units that share a rare word the second leaves about one pair in fifty. Below
    :data:`BUCKETS_FROM_FLOOR`, long units are bounded per range of codes instead
    (:func:`_range_bound`)."""
    total = len_a + len_b
    may = np.flatnonzero(_bag_ratio(total, np.minimum(len_a, len_b)) >= cut)
    if len(may) < BUCKETS_ABOVE_PAIRS:
        return may
    if np.min(cut) < BUCKETS_FROM_FLOOR * 100.0:
        if np.mean(total[may]) < 2 * RANGES_FROM_WORDS:
            return may
        bound = _range_bound(old, new, rows[may], cols[may])
        return may[_bag_ratio(total[may], bound) >= (cut if np.ndim(cut) == 0 else cut[may])]
    if len(may) >= len(old) + len(new):  # (every unit's counts: no search for the pairs')
        counts_o, counts_n, at_o, at_n = (
            bucket_counts(old),
            bucket_counts(new),
            rows[may],
            cols[may],
        )
    else:
        units_o, at_o = distinct_at(rows[may])
        units_n, at_n = distinct_at(cols[may])
        counts_o = bucket_counts([old[i] for i in units_o.tolist()])
        counts_n = bucket_counts([new[j] for j in units_n.tolist()])
    bound = np.minimum(counts_o[at_o], counts_n[at_n]).sum(axis=1, dtype=np.int64)
    return may[_bag_ratio(total[may], bound) >= (cut if np.ndim(cut) == 0 else cut[may])]


def _range_bound(
    old: Sequence[Profile], new: Sequence[Profile], rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """For each k, a bound from above on the words ``old[rows[k]]`` and ``new[cols[k]]``
    share: per range of word codes, the smaller count summed. The :data:`WORD_RANGES` ranges
    hold about as many of the units' words each (a frequent word fills one alone, where its
    smaller count is exact), and a vocabulary's codes follow first use, so two unrelated
    texts' words mostly fall in different ranges (sections: one pair in twenty left, where
    hashed buckets leave nearly all)."""
    units_o, at_o = distinct_at(rows)
    units_n, at_n = distinct_at(cols)
    codes_o, owner_o, _ = _codes_by_unit([old[i] for i in units_o.tolist()])
    codes_n, owner_n, _ = _codes_by_unit([new[j] for j in units_n.tolist()])
    low = min(int(codes_o.min(initial=0)), int(codes_n.min(initial=0)))
    span = max(int(codes_o.max(initial=0)), int(codes_n.max(initial=0))) - low + 1
    codes_o, codes_n = codes_o - low, codes_n - low
    uses = np.bincount(codes_o, minlength=span) + np.bincount(codes_n, minlength=span)
    # each code's range: the words before it, in WORD_RANGES equal shares of all
    range_of = (np.cumsum(uses) - uses) * WORD_RANGES // max(1, int(uses.sum()))
    counts_o = np.bincount(
        owner_o * WORD_RANGES + range_of[codes_o], minlength=len(units_o) * WORD_RANGES
    ).astype(np.int32)
    counts_n = np.bincount(
        owner_n * WORD_RANGES + range_of[codes_n], minlength=len(units_n) * WORD_RANGES
    ).astype(np.int32)
    counts_o = counts_o.reshape(len(units_o), WORD_RANGES)
    counts_n = counts_n.reshape(len(units_n), WORD_RANGES)
    return np.minimum(counts_o[at_o], counts_n[at_n]).sum(axis=1, dtype=np.int64)


def distinct_at(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct ``values``, ascending; where each value stands among them): from one
    sort, each value's place scattered back (a binary search of each among the distinct
    ones cost several times as much on a hundred thousand pairs' units)."""
    if not len(values):
        return values, np.zeros(0, dtype=np.int64)
    ascending = np.argsort(values)
    ordered = values[ascending]
    rise = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    where = np.empty(len(values), dtype=np.int64)
    where[ascending] = np.cumsum(rise) - 1
    return ordered[rise], where


def bucket_counts(units: Sequence[Profile]) -> np.ndarray:
    """(unit, bucket) → how many of the unit's words (with repeats) fall in the bucket:
    :data:`SHARE_BUCKETS` residue classes of their codes, mixed by a multiplicative hash."""
    codes, owner, lengths = _codes_by_unit(list(units))
    bucket = ((codes * _HASH_MULTIPLIER) >> _HASH_SHIFT) % SHARE_BUCKETS
    counts = np.bincount(owner * SHARE_BUCKETS + bucket, minlength=len(units) * SHARE_BUCKETS)
    # (most units are short: a byte a count keeps the bound's pass over memory small)
    small = int(lengths.max(initial=0)) <= np.iinfo(np.uint8).max
    return counts.astype(np.uint8 if small else np.int64).reshape(len(units), SHARE_BUCKETS)


def cost(old: list[Profile], new: list[Profile]) -> float:
    """Machine words to score every pair of ``old`` × ``new`` exactly (both views)."""
    # (each unit's length read in C: the groups across a document run to thousands of units)
    steps = sum(map(WORD_BITS.__rfloordiv__, map(len, map(_ORDERED, old)))) + len(old)
    return 2.0 * steps * sum(map(len, map(_ORDERED, new)))


def similarity_matrix(
    old: list[Profile], new: list[Profile], workers: int | None = None
) -> np.ndarray:
    """All pairs at once with ``process.cdist`` (C++, multi-threaded for large matrices)."""
    if not old or not new:
        return np.zeros((len(old), len(new)))
    if cost(old, new) <= EXACT_BUDGET:
        if len(old) * len(new) <= SMALL_GROUP:
            # Most groups (the sentences of one block) are tiny: cdist's set-up costs more.
            return np.array([[similarity(a, b) for b in new] for a in old])
        return _cdist(old, new, 1, workers)
    # Too costly: score each block of (old rate × new rate) on the coarser sample of the two.
    out = np.zeros((len(old), len(new)))
    rows = {r: [i for i, p in enumerate(old) if p.rate() == r] for r in _RATES}
    cols = {r: [j for j, p in enumerate(new) if p.rate() == r] for r in _RATES}
    for ro, ri in rows.items():
        for rn, cj in cols.items():
            if ri and cj:
                block = _cdist([old[i] for i in ri], [new[j] for j in cj], max(ro, rn), workers)
                out[np.ix_(ri, cj)] = block
    return out


def _cdist(old: list[Profile], new: list[Profile], rate: int, workers: int | None) -> np.ndarray:
    if workers is None:
        many = len(old) * len(new) >= THREADS_ABOVE or cost(old, new) >= THREADS_ABOVE_COST
        workers = -1 if many else 1
    if rate != 1:
        make_samples([*old, *new], rate)
    views = [p.sample(rate) for p in old], [p.sample(rate) for p in new]
    ordered = process.cdist(
        [v[0] for v in views[0]],
        [v[0] for v in views[1]],
        scorer=fuzz.ratio,
        workers=workers,
        dtype=np.float64,
    )
    bag = process.cdist(
        [v[1] for v in views[0]],
        [v[1] for v in views[1]],
        scorer=fuzz.ratio,
        workers=workers,
        dtype=np.float64,
    )
    return blend(ordered, bag)


def containment(part: Profile, whole: Profile) -> float:
    """Share of ``part``'s words that also occur in ``whole`` (multiset), 0..1; both profiled
    with one :class:`Vocabulary`. The multiset overlap is the longest common subsequence of
    the sorted codes (the bags), counted in C (for long units, word by word:
    :func:`shared_words`)."""
    if not part.ordered:
        return 0.0
    if _lcs_cost(len(part.ordered), len(whole.ordered)) < BY_WORD_ABOVE:
        return LCSseq.similarity(part.bag, whole.bag) / len(part.ordered)
    return int(shared_words([part], [whole])[0]) / len(part.ordered)


def shared_words(a: Sequence[Profile], b: Sequence[Profile]) -> np.ndarray:
    """For every k, how many words ``a[k]`` and ``b[k]`` share as multisets (the sum over
    words of the smaller count): ``LCSseq.similarity`` of their bags. Pairs of long units are
    counted per distinct word, in numpy (linear in their vocabularies, where the bit-parallel
    LCS costs the product of their lengths: sections running to a document's words); the
    others by that LCS, in C."""
    pairs = np.arange(len(a))
    return _shared_at(a, b, pairs, pairs)


def _shared_at(
    old: Sequence[Profile],
    new: Sequence[Profile],
    rows: np.ndarray,
    cols: np.ndarray,
    len_a: np.ndarray | None = None,
    len_b: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`shared_words` of ``old[rows[k]]`` and ``new[cols[k]]`` for every k, each unit's
    bag read once (``len_a``, ``len_b``: the pairs' lengths when known)."""
    out = np.zeros(len(rows), dtype=np.int64)
    if not len(rows):
        return out
    if len_a is None or len_b is None:
        len_a = np.fromiter(map(len, map(_ORDERED, old)), dtype=np.int64, count=len(old))[rows]
        len_b = np.fromiter(map(len, map(_ORDERED, new)), dtype=np.int64, count=len(new))[cols]
    long = _lcs_cost(len_a, len_b) >= BY_WORD_ABOVE
    short = np.flatnonzero(~long)
    if len(short):
        # Each unit's bag read once, gathered for the pairs in numpy (a Python lookup a pair
        # cost a third of rapidfuzz's scoring of them: large groups run to 100 000 pairs).
        i_s, at_o = distinct_at(rows[short])
        j_s, at_n = distinct_at(cols[short])
        units_o = list(map(old.__getitem__, i_s.tolist()))
        units_n = list(map(new.__getitem__, j_s.tolist()))
        _make_bags(units_o + units_n)
        out[short] = process.cpdist(
            _objects(map(_MADE_BAG, units_o))[at_o].tolist(),
            _objects(map(_MADE_BAG, units_n))[at_n].tolist(),
            scorer=LCSseq.similarity,
            workers=-1 if len(short) >= THREADS_ABOVE_PAIRS else 1,
        )
    at = np.flatnonzero(long)
    if len(at):
        out[at] = _shared_by_word(
            [old[i].ordered for i in rows[at].tolist()], [new[j].ordered for j in cols[at].tolist()]
        )
    return out


class SharedCounts:
    """The words shared (:func:`shared_words`) by pairs of one set of old units and one of new
    units, counted so far: a later pass over some of the same units (the relative pass of
    blocks after the moved one: two thirds of its pairs between unrelated documents) reads
    them instead of counting again. Each unit is known by its number in the sets (the
    caller's: an index into the lists both passes take their units from)."""

    def __init__(self, n_new: int) -> None:
        self._n_new = n_new
        self._keys = np.zeros(0, dtype=np.int64)  # (old number × n_new + new number, sorted)
        self._counts = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        """How many pairs' counts are kept."""
        return len(self._keys)

    def shared_at(
        self,
        old: Sequence[Profile],
        new: Sequence[Profile],
        rows: np.ndarray,
        cols: np.ndarray,
        len_a: np.ndarray,
        len_b: np.ndarray,
        numbers: tuple[np.ndarray, np.ndarray],
    ) -> np.ndarray:
        """:func:`_shared_at` of the pairs (``old[rows[k]]``, ``new[cols[k]]``, of lengths
        ``len_a[k]`` and ``len_b[k]``), given the units' ``numbers`` (of ``old``, of ``new``):
        those counted before read, the others counted and kept."""
        keys = numbers[0][rows] * self._n_new + numbers[1][cols]
        out = counts_at(self._keys, self._counts, keys)
        todo = np.flatnonzero(~in_sorted(keys, self._keys))
        if len(todo):
            out[todo] = _shared_at(old, new, rows[todo], cols[todo], len_a[todo], len_b[todo])
            keys = np.concatenate((self._keys, keys[todo]))
            order = np.argsort(keys, kind="stable")
            keep = np.concatenate(([True], keys[order][1:] != keys[order][:-1]))
            self._keys = keys[order][keep]
            self._counts = np.concatenate((self._counts, out[todo]))[order][keep]
        return out


# A :class:`SharedCounts` with the numbers of a call's old units and new units.
Counted = tuple[SharedCounts, np.ndarray, np.ndarray]


# Words fall in this many buckets for a bound on the words two units share (see _may_reach):
# measured on unrelated-1m's clauses, 32 leave ~1 % of the pairs sharing a rare word, and cost
# less than 64 to count.
SHARE_BUCKETS = 32
# Below this many pairs, or below this floor, the bound costs more than the counting it saves
# (measured on unrelated-1m's blocks: at a floor of 0.3 it keeps half the pairs, at 0.12 all).
BUCKETS_ABOVE_PAIRS = 2_000
BUCKETS_FROM_FLOOR = 0.5
# Below that floor, pairs of units this long on average (sections) are bounded per range of
# word codes instead (see _range_bound): measured on unrelated-1m's sections moved at 0.3,
# 256 ranges leave 278 of 4,849 pairs; blocks (~20 words) it leaves most, so they are not.
RANGES_FROM_WORDS = 128
WORD_RANGES = 256
# Below this many bags to make, each is made when first read (numpy's set-up costs more).
BAGS_AT_ONCE = 64
# ... and samples, unless they hold this many words together: a few sections of a document's
# words each cost milliseconds a unit to sample one by one (str.translate looks up every code).
SAMPLE_WORDS_AT_ONCE = 4096


def _make_bags(units: list[Profile]) -> None:
    """Make the bags not made yet of ``units``: many at once, by one sort of all their codes
    by (unit, code) in numpy, instead of a sort per unit (thousands of units a group)."""
    todo = list(filterfalse(_MADE_BAG, units))  # (an empty bag is made again: "")
    todo = list(dict(zip(map(id, todo), todo, strict=True)).values())  # (each unit once)
    if len(todo) < BAGS_AT_ONCE:
        for p in todo:
            p._bag = _sorted_codes(p.ordered)
        return
    codes, owner, lengths = _codes_by_unit(todo)
    bags = _bags(codes, owner)
    for p, bag in zip(todo, _cut(bags, np.cumsum(lengths)), strict=True):
        p._bag = bag


def make_samples(units: Sequence[Profile], rate: int) -> None:
    """Make the samples at ``rate`` (:meth:`Profile.sample`) not made yet of ``units`` at
    once: one pass over all their codes in numpy (the same residue class as _drop_table,
    kept in order; the bag sorted by (unit, code)), instead of two ``str.translate`` and a
    set of its codes per unit (sections run to a document's words)."""
    todo = list({id(p): p for p in units if rate not in (p._samples or ())}.values())
    if len(todo) < BAGS_AT_ONCE and sum(map(len, map(_ORDERED, todo))) < SAMPLE_WORDS_AT_ONCE:
        return
    codes, owner, _ = _codes_by_unit(todo)
    # (codes below 2^21 times a 32-bit multiplier: exact in int64)
    kept = ((codes * _HASH_MULTIPLIER) >> _HASH_SHIFT) % rate == 0
    codes, owner = codes[kept], owner[kept]
    ends = np.cumsum(np.bincount(owner, minlength=len(todo)))
    ordered, bags = _cut(_text_of(codes), ends), _cut(_bags(codes, owner), ends)
    for p, sample in zip(todo, zip(ordered, bags, strict=True), strict=True):
        if p._samples is None:
            p._samples = {}
        p._samples[rate] = sample


def _codes_by_unit(units: list[Profile]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the codes of ``units``' words one unit after another, the unit each belongs to, each
    unit's number of words)."""
    wordings = list(map(_ORDERED, units))  # (each unit read once, in C)
    lengths = np.fromiter(map(len, wordings), dtype=np.int64, count=len(units))
    joined = "".join(wordings).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
    return codes, np.repeat(np.arange(len(units), dtype=np.int64), lengths), lengths


def _text_of(codes: np.ndarray) -> str:
    """Codes as the characters a profile keeps them in."""
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def _bags(codes: np.ndarray, owner: np.ndarray) -> str:
    """Each unit's codes sorted (its bag), one unit after another, as one text."""
    return _text_of(np.sort(owner << _CODE_BITS | codes) & _CODE_MASK)


def _cut(text: str, ends: np.ndarray) -> list[str]:
    """``text`` cut before each of ``ends`` (ascending; the last is its length)."""
    starts = [0, *ends.tolist()]
    return [text[a:b] for a, b in pairwise(starts)]


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by a sort: numpy 2.3+ finds the distinct values of a plain
    ``np.unique`` call by hashing, some fifty times slower on the hundreds of thousands of
    candidate pair keys of a large group (measured with numpy 2.4: 0.12 s against 2 ms)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def in_sorted(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``ordered`` (sorted): ``np.isin`` by binary search."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def counts_at(keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of ``wanted``, the count of the equal key (``keys`` sorted and distinct, each
    with its count), else 0."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=counts.dtype)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, counts[at], 0)


def _lcs_cost(len_a, len_b):
    """Machine words of a bit-parallel LCS of sequences this long (ints or arrays)."""
    shorter = np.minimum(len_a, len_b)
    return (shorter // WORD_BITS + 1) * np.maximum(len_a, len_b)


def _shared_by_word(a: list[str], b: list[str]) -> np.ndarray:
    """:func:`shared_words` of code strings, counted per distinct word: each distinct code string's
    (string, word) keys with their counts, sorted; each pair looks up the words of its side
    with fewer of them among the other side's keys."""
    ids: dict[str, int] = {}
    id_a = [ids.setdefault(s, len(ids)) for s in a]
    id_b = [ids.setdefault(s, len(ids)) for s in b]
    strings = list(ids)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    codes = np.frombuffer(
        "".join(strings).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
    ).astype(np.int64)
    owner = np.repeat(np.arange(len(strings), dtype=np.int64), lengths)
    keys, counts = np.unique(owner << _CODE_BITS | codes, return_counts=True)
    distinct = np.bincount(keys >> _CODE_BITS, minlength=len(strings))
    start = np.concatenate(([0], np.cumsum(distinct)[:-1]))
    sa, sb = np.array(id_a, dtype=np.int64), np.array(id_b, dtype=np.int64)
    # Each pair walks the side with fewer distinct words.
    swap = distinct[sa] > distinct[sb]
    walk, other = np.where(swap, sb, sa), np.where(swap, sa, sb)
    n = distinct[walk]
    pair = np.repeat(np.arange(len(a), dtype=np.int64), n)
    entry = np.repeat(start[walk] - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
    wanted = np.repeat(other, n) << _CODE_BITS | (keys[entry] & _CODE_MASK)
    both = np.minimum(counts[entry], counts_at(keys, counts, wanted))
    return np.bincount(pair, weights=both, minlength=len(a)).astype(np.int64)


@lru_cache(maxsize=1)
def _lsap():
    """scipy's ``linear_sum_assignment``, loaded without ``scipy.optimize``'s ``__init__``
    (which imports most of scipy: a third of a second of start-up). The solver is a
    self-contained extension module; if it is not where scipy 1.x keeps it, import it the
    ordinary way."""
    import importlib.machinery
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("scipy")
    folders = (spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for path in sorted(Path(folder, "optimize").glob("_lsap.*")):
            if path.suffix not in (".so", ".pyd"):
                continue
            try:
                loader = importlib.machinery.ExtensionFileLoader("scipy.optimize._lsap", str(path))
                module_spec = importlib.util.spec_from_file_location(
                    "scipy.optimize._lsap", path, loader=loader
                )
                module = importlib.util.module_from_spec(module_spec)
                loader.exec_module(module)
                return module.linear_sum_assignment
            except (ImportError, AttributeError, OSError):
                break
    from scipy.optimize import linear_sum_assignment as solver

    return solver


def linear_sum_assignment(score: np.ndarray, maximize: bool = False):
    """``scipy.optimize.linear_sum_assignment`` (same arguments, same result), loaded lazily."""
    return _lsap()(score, maximize)


def position(i, n: int):
    """Where the ``i``-th of ``n`` units sits, 0..1 (the middle of its share): ints or arrays."""
    return (i + 0.5) / max(1, n)


def order_prior(pos_old, pos_new, weight: float):
    """A tiny bonus for keeping relative order, for positions from :func:`position` (floats or
    arrays): ``weight`` on the diagonal, less the further off it. Squared, not absolute: with
    a convex cost the order-keeping assignment is the unique best among equally good pairs, so
    swapping the documents cannot flip a tie (symmetry). Two units equally far from a third on
    either side still tie: the earlier pair wins (:data:`ORDER_TIE`, a function of both
    positions that is the same whichever document is old)."""
    return weight * (1.0 - (pos_old - pos_new) ** 2) - ORDER_TIE * (pos_old + pos_new) ** 2


def rarity(old: Document, new: Document, vocab: Vocabulary | None = None) -> dict[str, float]:
    """Inverse document frequency of each content word over the clauses of both documents:
    a word used in one measure (`天拖中学`) says more than one used in forty (`推动`).
    The clauses ``vocab`` has profiled (the aligner's) are counted from their codes, all at
    once in numpy; the others (the front matter's) word by word."""
    df: Counter[str] = Counter()
    profiled: list[str] = []
    n = 0
    for doc in (old, new):
        for clause in doc.of_kind("clause"):
            n += 1
            known = vocab.known(clause.text) if vocab is not None else None
            if known is not None:
                profiled.append(known.ordered)
            else:
                df.update(set(content_word_tuple(clause.text)))  # counted in C
    counts: dict[str, int] = dict(df)  # (a plain dict: Counter's missing keys cost a call)
    if profiled and vocab is not None:
        words = vocab.words()
        codes, held = _clause_counts(profiled)
        if counts:
            for w, c in zip(map(words.__getitem__, codes), held, strict=True):
                counts[w] = counts.get(w, 0) + c
        else:
            counts = dict(zip(map(words.__getitem__, codes), held, strict=True))
    # (n + 1) / (c + 0.5) in numpy is the same IEEE division as in Python; the log is
    # math.log's (numpy's may differ in the last bit).
    ratios = ((n + 1) / (np.fromiter(counts.values(), dtype=np.int64) + 0.5)).tolist()
    return dict(zip(counts, map(math.log, ratios), strict=True))


def _clause_counts(units: list[str]) -> tuple[list[int], list[int]]:
    """(code indices, in how many of ``units`` each occurs) of every code the units hold,
    ascending."""
    lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
    codes = np.frombuffer("".join(units).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(units), dtype=np.int64), lengths)
    held = distinct_sorted((codes - _FIRST_CODE) << 32 | owner) >> 32  # once a unit
    if not len(held):
        return [], []
    starts = np.flatnonzero(np.concatenate(([True], held[1:] != held[:-1])))
    counts = np.diff(np.append(starts, len(held)))
    return held[starts].tolist(), counts.tolist()
