"""Split and merge: the paired unit that holds most of a leftover's words.

:class:`Wholes` indexes the units of one side that are paired one to one; its
:meth:`Wholes.best` finds, for a leftover of the other side, the unit holding the largest
share of its words, exactly and without scoring every unit (prefix filtering). The lookups of
all the leftovers given are done together, in numpy. A :class:`Remainder` holds what a whole
has beyond its partner, which a part must account for (:func:`share_in`, :func:`share_of`).
"""

from __future__ import annotations

from collections import Counter
from operator import attrgetter

import numpy as np

from .similarity import Profile, counts_at, distinct_sorted

# A leftover is part of a split/merge when this share of its words lies in the other unit.
PART_CONTAINMENT = 0.7
# ... and has at least this many words: two words (`（一）总则`) fit inside almost anything.
MIN_PART_WORDS = 3
_ORDERED = attrgetter("ordered")
# Word codes are below 0x110000 (21 bits): (leftover, word) packs into one integer.
_CODE_BITS = 21
_CODE_MASK = (1 << _CODE_BITS) - 1
# Up to this many cells (units × distinct words) the candidate units' word counts are a
# table read directly (section level: ~100 units of thousands of words); above, sorted keys.
SHARED_TABLE_CELLS = 1 << 22
# ... and only up to this many cells per word read or looked up: a table far larger than the
# work is fresh memory to zero and fault in (real-1m's sentences: 4 M cells for 66 000
# words, 20-80 ms in a fresh process against 2 ms for the sorted keys).
SHARED_TABLE_PER_WORD = 4
# Above this many words (a whole and its partner together) a whole's words that its partner
# lacks are counted in numpy (measured: as fast as Counter at ~300 words, 10 x at 3 000).
RESIDUAL_BY_ARRAY = 512


class Wholes:
    """Paired units that a leftover may be part of; each leftover's largest share is found
    once (:meth:`_largest_shares`)."""

    def __init__(
        self,
        ids: list[str],
        profiles: dict[str, Profile],
        parts: list[Profile],
        frequency: np.ndarray,
    ) -> None:
        """``frequency``: how often each word occurs (indexed by code, see
        :func:`code_frequency`), which orders words by rarity; codes beyond it occur never."""
        self.profiles = list(map(profiles.__getitem__, ids))
        self._frequency = frequency
        # part's codes → (its largest share, the units holding it): long documents repeat
        # the same leftover many times, at different places.
        self._best: dict[str, tuple[float, list[int]]] = {}
        self._look_up(list(dict(zip(map(_ORDERED, parts), parts, strict=True)).values()))

    def best(self, part: Profile, order=None) -> int | None:
        """The unit holding the largest share of ``part``'s words (a tie goes to the first in
        ``order``, a key on unit indices), if that share is at least PART_CONTAINMENT."""
        if part.ordered not in self._best:
            self._look_up([part])
        share, units = self._best[part.ordered]
        if share < PART_CONTAINMENT or not units:
            return None
        return min(units, key=order) if order else min(units)

    def may_hold(self, part: Profile) -> bool:
        """Does some unit hold PART_CONTAINMENT of ``part``'s words (:meth:`best` is not
        None)? Most leftovers of unrelated text: no, known without ordering ties."""
        if part.ordered not in self._best:
            self._look_up([part])
        share, units = self._best[part.ordered]
        return share >= PART_CONTAINMENT and bool(units)

    def held(self) -> set[str]:
        """The wordings of the parts looked up so far that some unit may hold (those for
        which :meth:`may_hold` is true), at once."""
        return {
            w for w, (share, units) in self._best.items() if share >= PART_CONTAINMENT and units
        }

    def _look_up(self, parts: list[Profile]) -> None:
        parts = [p for p in parts if p.ordered]
        for p, got in zip(parts, self._largest_shares(parts), strict=True):
            self._best[p.ordered] = got
        self._best.setdefault("", (-1.0, []))

    def _largest_shares(self, parts: list[Profile]) -> list[tuple[float, list[int]]]:
        """For each part (its codes), the largest share of its words that one unit holds,
        and every unit holding it. Exact without scoring every unit (prefix filtering): a
        unit holding none of the part's prefix words — its rarest in the documents, covering
        more than (1 - PART_CONTAINMENT) of its word positions — holds less than
        PART_CONTAINMENT of them; and a unit's hits among those words bound its share from
        above, so only units whose bound reaches it are scored. (Any such prefix gives the
        same answer; rare words give few units to score.)"""
        if not parts:
            return []
        # Every unit's codes, one after another (no index per code: only the few codes of
        # prefix words need to know their unit).
        unit_len, unit_word = _lengths_codes(list(map(_ORDERED, self.profiles)))
        # A part can reach PART_CONTAINMENT in a unit only if that share of its words lies in
        # the units' vocabulary at all (the caller's float test): between unrelated documents
        # most leftovers do not, and are settled here without being indexed.
        wordings = list(map(_ORDERED, parts))
        total = np.fromiter(map(len, wordings), dtype=np.int64, count=len(wordings))
        part, word = _codes(wordings)
        inside = _members(unit_word, word)[word]
        held = np.bincount(part, weights=inside, minlength=len(wordings))
        possible = held / np.maximum(total, 1) >= PART_CONTAINMENT
        out: list[tuple[float, list[int]]] = [(-1.0, []) for _ in wordings]
        kept = np.flatnonzero(possible).tolist()
        if kept:
            got = self._shares([parts[k] for k in kept], unit_len, unit_word)
            for k, share in zip(kept, got, strict=True):
                out[k] = share
        return out

    def _shares(
        self, parts: list[Profile], unit_len: np.ndarray, unit_word: np.ndarray
    ) -> list[tuple[float, list[int]]]:
        """:meth:`_largest_shares` of parts that may reach it, given every unit's codes (one
        after another) and their lengths."""
        wordings = list(map(_ORDERED, parts))
        total = np.fromiter(map(len, wordings), dtype=np.int64, count=len(wordings))
        part, word = _codes(wordings)
        # Each part's distinct words with their counts, rarest first (ties: by code).
        packed, count = np.unique(part << _CODE_BITS | word, return_counts=True)
        distinct = np.bincount(packed >> _CODE_BITS, minlength=len(wordings))
        all_words, all_counts = packed & _CODE_MASK, count  # by part, then code: for shares
        part, word = packed >> _CODE_BITS, packed & _CODE_MASK
        codes, at = np.unique(word, return_inverse=True)
        known = codes < len(self._frequency)
        freq = np.where(known, self._frequency[np.where(known, codes, 0)], 0)
        order = np.lexsort((word, freq[at.reshape(-1)], part))
        part, word, count = part[order], word[order], count[order]
        # The prefix: words until they cover int(len * (1 - PART_CONTAINMENT)) + 2 positions.
        need = (total * (1.0 - PART_CONTAINMENT)).astype(np.int64) + 2
        covered = np.cumsum(count)
        start = np.searchsorted(part, np.arange(len(wordings)))
        before = covered - count - np.concatenate(([0], covered))[start[part]]
        prefix = before < need[part]
        part, word, count = part[prefix], word[prefix], count[prefix]
        rest = total - np.bincount(part, weights=count, minlength=len(wordings)).astype(np.int64)
        # The fewest hits whose bound reaches PART_CONTAINMENT (the same float test as the
        # caller's, so that no unit that could pass is left out).
        low = np.maximum(0, (PART_CONTAINMENT * total).astype(np.int64) - rest - 1)
        while (short := (low <= total) & ((low + rest) / total < PART_CONTAINMENT)).any():
            low[short] += 1
        # The units holding each prefix word, and each (part, unit)'s hits.
        unit_end = np.cumsum(unit_len)
        at_code = np.flatnonzero(_members(word, unit_word)[unit_word])
        unit_of = np.searchsorted(unit_end, at_code, side="right")
        pair = distinct_sorted(unit_word[at_code].astype(np.int64) << 32 | unit_of)
        post_word, post_unit = pair >> 32, pair & 0xFFFFFFFF
        first = np.searchsorted(post_word, word)
        n_post = np.searchsorted(post_word, word, side="right") - first
        offsets = np.repeat(first - (np.cumsum(n_post) - n_post), n_post)
        unit = post_unit[offsets + np.arange(int(n_post.sum()))]
        hits_key, where = np.unique(np.repeat(part, n_post) << 32 | unit, return_inverse=True)
        hits = np.bincount(where.reshape(-1), weights=np.repeat(count, n_post))
        cand_part, cand_unit = hits_key >> 32, hits_key & 0xFFFFFFFF
        keep = hits >= low[cand_part]
        # ... and a unit shorter than PART_CONTAINMENT of the part cannot hold that share.
        keep &= unit_len[cand_unit] / total[cand_part] >= PART_CONTAINMENT
        cand_part, cand_unit = cand_part[keep], cand_unit[keep]
        # The words two units share (as multisets: similarity.containment's count), for all
        # the pairs at once.
        shared = _shared(
            (all_words, all_counts, distinct), cand_part, cand_unit, unit_len, unit_word
        )
        most = np.zeros(len(wordings), dtype=np.int64)
        np.maximum.at(most, cand_part, shared)
        best = shared == most[cand_part]
        units: list[list[int]] = [[] for _ in wordings]
        for i, k in zip(cand_part[best].tolist(), cand_unit[best].tolist(), strict=True):
            units[i].append(k)
        return [
            (int(m) / int(t), u) if u else (-1.0, [])
            for m, t, u in zip(most.tolist(), total.tolist(), units, strict=True)
        ]


def _shared(
    part_words: tuple[np.ndarray, np.ndarray, np.ndarray],
    cand_part: np.ndarray,
    cand_unit: np.ndarray,
    unit_len: np.ndarray,
    unit_word: np.ndarray,
) -> np.ndarray:
    """For each pair (``cand_part[k]``, ``cand_unit[k]``), the words they share as multisets
    (the sum over the part's distinct words of the smaller count): what
    similarity.shared_words counts, from the codes at hand. ``part_words``: each part's
    distinct codes and their counts, part after part, and how many each part has."""
    words, counts, distinct = part_words
    if not len(cand_part):
        return np.zeros(0, dtype=np.int64)
    # The candidate units' codes with their counts, as sorted (unit, code) keys.
    units, slot = np.unique(cand_unit, return_inverse=True)
    n = unit_len[units]
    starts = (np.cumsum(unit_len) - unit_len)[units]
    taken = np.repeat(starts - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
    owner = np.repeat(np.arange(len(units), dtype=np.int64), n)
    # Each pair walks its part's distinct words.
    first = np.cumsum(distinct) - distinct
    m = distinct[cand_part]
    pair = np.repeat(np.arange(len(cand_part), dtype=np.int64), m)
    entry = np.repeat(first[cand_part] - (np.cumsum(m) - m), m) + np.arange(int(m.sum()))
    slots = np.repeat(slot.reshape(-1).astype(np.int64), m)
    wanted = words[entry]
    # A few long units (sections): their counts in a table over (unit, word id), read
    # directly, instead of a binary search per word among a hundred thousand keys.
    codes = unit_word[taken]
    present = _members(codes, wanted)  # (a table over both: the units' codes marked)
    size = int(present.sum())
    cells = len(units) * size
    if 0 < cells <= min(SHARED_TABLE_CELLS, SHARED_TABLE_PER_WORD * (len(codes) + len(wanted))):
        number = np.cumsum(present) - 1  # a code the units hold -> its id among them
        table = np.bincount(owner * size + number[codes], minlength=len(units) * size)
        held = np.where(present[wanted], table[slots * size + number[wanted]], 0)
        both = np.minimum(counts[entry], held)
        return np.bincount(pair, weights=both, minlength=len(cand_part)).astype(np.int64)
    keys, key_counts = np.unique(owner << _CODE_BITS | codes.astype(np.int64), return_counts=True)
    wanted = slots << _CODE_BITS | wanted
    both = np.minimum(counts[entry], counts_at(keys, key_counts, wanted))
    return np.bincount(pair, weights=both, minlength=len(cand_part)).astype(np.int64)


def code_frequency(wordings: list[str]) -> np.ndarray:
    """How often each code occurs in the ``wordings``, indexed by code (for :class:`Wholes`)."""
    return np.bincount(_lengths_codes(wordings)[1])


def _members(codes: np.ndarray, also: np.ndarray) -> np.ndarray:
    """A table over word codes (as large as the largest of ``codes`` and ``also``): True at
    the ``codes``. Looking codes up in it is linear, where a sort of hundreds of thousands
    of codes (a section's words, those of all its subsections) is not."""
    size = 1 + max(int(codes.max(initial=0)), int(also.max(initial=0)))
    table = np.zeros(size, dtype=bool)
    table[codes] = True
    return table


def _lengths_codes(wordings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(the length of every wording, the codes of all of them one after another)."""
    lengths = np.fromiter(map(len, wordings), dtype=np.int64, count=len(wordings))
    text = "".join(wordings).encode("utf-32-le", "surrogatepass")
    return lengths, np.frombuffer(text, dtype=np.uint32)


def _codes(wordings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(index of the wording, word code) for every position of every wording."""
    lengths = np.fromiter(map(len, wordings), dtype=np.int64, count=len(wordings))
    text = "".join(wordings).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(text, dtype=np.uint32).astype(np.int64)
    return np.repeat(np.arange(len(wordings), dtype=np.int64), lengths), codes


class Remainder:
    """The words a whole has beyond its partner (a multiset of codes, see
    :func:`lacking_words`): as a Counter for short units; for long ones (sections run to a
    document's words) as sorted arrays of codes and counts, which a part is counted against
    in numpy, not word by word."""

    __slots__ = ("_counts", "_codes", "_numbers")

    def __init__(self, whole: str, partner: str) -> None:
        self._counts: Counter[str] | None = None
        self._codes = self._numbers = np.zeros(0, dtype=np.int64)
        if whole == partner:
            self._counts = Counter()
        elif len(whole) + len(partner) <= RESIDUAL_BY_ARRAY:
            self._counts = Counter(whole)
            self._counts -= Counter(partner)
        else:
            self._codes, self._numbers = _lacking_codes(whole, partner)

    def counts(self) -> Counter[str]:
        """The remainder as a Counter (made when first asked, for a long one)."""
        if self._counts is None:
            words = self._codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
            self._counts = Counter(dict(zip(words, self._numbers.tolist(), strict=True)))
        return self._counts

    def total(self) -> int:
        """How many words (with repeats)."""
        if self._counts is not None:
            return sum(self._counts.values())
        return int(self._numbers.sum())

    def overlap(self, part: Profile) -> int:
        """How many of ``part``'s words (as a multiset) the remainder holds."""
        if self._counts is not None:
            counts = self._counts
            return sum(min(n, counts[c]) for c, n in Counter(part.ordered).items())
        codes, numbers = np.unique(_as_codes(part.ordered), return_counts=True)
        held = counts_at(self._codes, self._numbers, codes.astype(np.int64))
        return int(np.minimum(numbers, held).sum())

    def among(self, part: Profile) -> set[str]:
        """The distinct words of ``part`` the remainder holds."""
        if self._counts is not None:
            counts = self._counts
            return {c for c in set(part.ordered) if c in counts}
        return set(part.ordered).intersection(self.counts())


def lacking_words(whole: str, partner: str) -> Counter[str]:
    """The codes of ``whole`` that ``partner`` lacks, with their counts (as multisets: per
    distinct code, not per position; counts > 0). Long code strings (sections run to a
    document's words) are counted in numpy."""
    return Remainder(whole, partner).counts()


def _lacking_codes(whole: str, partner: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`lacking_words` as (codes, ascending, as integers; their counts), in numpy."""
    codes_w, counts_w = np.unique(_as_codes(whole), return_counts=True)
    codes_p, counts_p = np.unique(_as_codes(partner), return_counts=True)
    lacking = counts_w - counts_at(codes_p, counts_p, codes_w)
    kept = lacking > 0
    return codes_w[kept].astype(np.int64), lacking[kept]


def _as_codes(codes: str) -> np.ndarray:
    """A code string's codes as an array (one per word, in order)."""
    return np.frombuffer(codes.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def share_of(rest: Remainder, part: Profile) -> float:
    """:func:`containment` of the remainder ``rest`` in ``part``."""
    total = rest.total()
    return rest.overlap(part) / total if total else 0.0


def share_in(part: Profile, rest: Remainder) -> float:
    """:func:`containment` of ``part`` in the remainder ``rest``: the same overlap (the LCS
    of two sorted code strings is their multiset intersection), counted per distinct word of
    the part rather than by an LCS over the whole (a section's remainder runs to a
    document's words)."""
    if not part.ordered:
        return 0.0
    return rest.overlap(part) / len(part.ordered)
