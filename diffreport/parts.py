"""Split and merge: the paired unit that holds most of a leftover's words.

:class:`Wholes` indexes the units of one side that are paired one to one; its
:meth:`Wholes.best` finds, for a leftover of the other side, the unit holding the largest
share of its words, exactly and without scoring every unit (prefix filtering).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import chain

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from .similarity import Profile

# A leftover is part of a split/merge when this share of its words lies in the other unit.
PART_CONTAINMENT = 0.7
# ... and has at least this many words: two words (`（一）总则`) fit inside almost anything.
MIN_PART_WORDS = 3


class Wholes:
    """Paired units that a leftover may be part of, indexed for :meth:`best` by the words
    that the leftovers' prefixes hold (see :meth:`_largest_share`; words as their
    one-character codes: sets and counts of a string are built in C)."""

    def __init__(
        self,
        ids: list[str],
        profiles: dict[str, Profile],
        parts: list[Profile],
        frequency: Counter[str],
    ) -> None:
        self.profiles = [profiles[i] for i in ids]
        # Each part's prefix: its rarest words in the documents, covering more than (1 - PART_CONTAINMENT) of its word positions.
        self._prefix: dict[str, list[tuple[str, int]]] = {}
        for part in parts:
            if part.ordered not in self._prefix:
                self._prefix[part.ordered] = _prefix(part.ordered, frequency)
        words = {w for prefix in self._prefix.values() for w, _ in prefix}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for k, prof in enumerate(self.profiles):
            for w in words.intersection(prof.ordered):
                self.postings[w].append(k)
        # part's codes → (its largest share, the units holding it): long documents repeat
        # the same leftover many times, at different places.
        self._best: dict[str, tuple[float, list[int]]] = {}

    def best(self, part: Profile, order=None) -> int | None:
        """The unit holding the largest share of ``part``'s words (a tie goes to the first in
        ``order``, a key on unit indices), if that share is at least PART_CONTAINMENT."""
        got = self._best.get(part.ordered)
        if got is None:
            got = self._best[part.ordered] = self._largest_share(part)
        share, units = got
        if share < PART_CONTAINMENT or not units:
            return None
        return min(units, key=order) if order else min(units)

    def _largest_share(self, part: Profile) -> tuple[float, list[int]]:
        """The largest share of ``part``'s words that one unit holds, and every unit holding
        it. Exact without scoring every unit (prefix filtering): a unit holding none of the
        part's prefix words, which cover more than (1 - PART_CONTAINMENT) of its word
        positions, holds less than PART_CONTAINMENT of them; and a unit's hits among those
        words bound its share from above, so only units whose bound reaches it are scored.
        (Any such prefix gives the same answer; rare words give few units to score.)"""
        total = len(part.ordered)
        prefix = self._prefix[part.ordered]
        postings = [self.postings.get(w, []) for w, n in prefix for _ in range(n)]
        hits = Counter(chain.from_iterable(postings))  # counted in C, in one call
        rest = total - sum(n for _, n in prefix)
        # The fewest hits whose bound reaches PART_CONTAINMENT (the same float test as the
        # caller's, so that no unit that could pass is left out).
        low = max(0, int(PART_CONTAINMENT * total) - rest - 1)
        while low <= total and (low + rest) / total < PART_CONTAINMENT:
            low += 1
        units = [k for k, h in hits.items() if h >= low]
        if not units:
            return -1.0, []
        # The words two units share (as multisets), counted as similarity.containment
        # counts them (LCS of sorted codes), in C for all the units at once.
        shared = process.cdist(
            [part.bag], [self.profiles[k].bag for k in units], scorer=LCSseq.similarity
        )[0]
        most = int(shared.max())
        return most / total, [units[i] for i in np.flatnonzero(shared == most)]


def _prefix(codes: str, frequency: Counter[str]) -> list[tuple[str, int]]:
    """(word, its count in ``codes``) for the rarest words of ``codes``, until they
    cover at least int(len * (1 - PART_CONTAINMENT)) + 2 positions (or all of them)."""
    counts = Counter(codes)
    need = int(len(codes) * (1.0 - PART_CONTAINMENT)) + 2
    out: list[tuple[str, int]] = []
    covered = 0
    for w in sorted(counts, key=lambda w: (frequency[w], w)):
        out.append((w, counts[w]))
        covered += counts[w]
        if covered >= need:
            break
    return out
