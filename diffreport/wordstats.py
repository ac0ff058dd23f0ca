"""Which shared words are evidence that two units correspond, over both documents' text.

A rare word (in few units of a level) links two units; words that all together recur in
:data:`STOCK_BLOCKS` or more blocks are boilerplate (`构成犯罪的，依法追究刑事责任`), which
links nothing alone; the documents' subject words (in more than :data:`TOPIC_SHARE` of the
blocks) say only that two units are about the subject. :class:`WordStats` answers these for one
pair of documents, each count made once (when first asked) and cached.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .parts import Remainder, code_frequency
from .sides import Side
from .similarity import Profile, distinct_sorted

# A rare word is used by at most RARE_DF units of the level in the two documents together,
# or sqrt(units) / RARE_SQRT in long ones.
RARE_DF = 3
RARE_SQRT = 2.5
# A sentence or clause may move, merge or split across blocks only on distinctive shared
# content: words that, all together, occur in fewer than this many blocks of each document.
# A stock phrase (`构成犯罪的，依法追究刑事责任`, `按照军队有关规定执行`) recurs in many
# articles, so it never carries such a link alone.
STOCK_BLOCKS = 3
# The documents' subject words (`长江`, `采砂`, `河道` in a statute on sand mining in the
# Yangtze) are in more than this share of the blocks: what two articles share of them says
# only that both are about the subject, so it is left out when judging boilerplate.
TOPIC_SHARE = 0.25


# (code, unit) packs into one integer: codes below 2^21, units below 2^32.
_OWNER_BITS = 32


def _unit_codes(units: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The codes of all ``units`` (code strings) in one array, with the index of the unit
    each comes from."""
    lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
    joined = "".join(units).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
    return np.repeat(np.arange(len(units), dtype=np.int64), lengths), codes


def _code_counts(codes: np.ndarray) -> Counter[str]:
    """How many times each code occurs in ``codes`` (as ``Counter`` counts them, in numpy:
    a megabyte of text is a million codes)."""
    ordered = np.sort(codes)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    return Counter(dict(zip(map(chr, ordered[starts].tolist()), counts.tolist(), strict=True)))


class Postings:
    """code → the indices of the units holding it, ascending, each once: read from sorted
    arrays when asked (a few dozen codes of a document's tens of thousands ever are, where
    a list made for every code cost milliseconds a document)."""

    def __init__(self, units: list[str]) -> None:
        owner, codes = _unit_codes(units)
        keys = distinct_sorted(codes << _OWNER_BITS | owner)
        self._codes = keys >> _OWNER_BITS
        self._owners = keys & ((1 << _OWNER_BITS) - 1)
        self._made: dict[str, list[int]] = {}  # (the same words are asked for again)

    def get(self, code: str) -> list[int]:
        got = self._made.get(code)
        if got is None:
            at = np.searchsorted(self._codes, [ord(code), ord(code) + 1])
            got = self._made[code] = self._owners[at[0] : at[1]].tolist()
        return got


class WordStats:
    """How rare the words of two sides are, and what their shared words are evidence of."""

    def __init__(self, old: Side, new: Side) -> None:
        self.old, self.new = old, new
        # level → (in how many units each word occurs, the most a rare word may be in)
        self._df: dict[str, tuple[Counter[str], int]] = {}
        self._freq: np.ndarray | None = None
        self._topic: frozenset[str] | None = None
        self._rare: dict[tuple[str, str], frozenset[str]] = {}
        # level → the words in more units of it than a rare word may be (see rare_words)
        self._common: dict[str, frozenset[str]] = {}
        # side → word code → indices of the blocks holding it (for :meth:`stock`)
        self._block_postings: dict[str, Postings] = {}
        self._stock_seen: dict[frozenset[str], bool] = {}
        self._units: dict[str, list[str]] = {}  # level → its units' wordings (_wordings)
        self._old_units: dict[str, int] = {}  # level → how many of those are the old side's

    def _level_df(self, level: str) -> tuple[Counter[str], int]:
        """In how many units of ``level`` (both documents) each word occurs, and the most a
        rare word may occur in."""
        got = self._df.get(level)
        if got is None:
            units = self._wordings(level)
            owner, codes = _unit_codes(units)
            held = distinct_sorted(codes << _OWNER_BITS | owner) >> _OWNER_BITS  # once a unit
            df = _code_counts(held)
            got = self._df[level] = (df, max(RARE_DF, int(math.sqrt(len(units)) / RARE_SQRT)))
        return got

    def frequency(self) -> np.ndarray:
        """How often each word occurs in the blocks of both documents, by code (a measure of
        rarity: one count over all the text, in numpy)."""
        if self._freq is None:
            self._freq = code_frequency(self._wordings("block"))
        return self._freq

    def _wordings(self, level: str) -> list[str]:
        """The wordings of the units of ``level``, the old side's then the new side's (read
        once: the counts above each ask for the blocks', tens of thousands a document)."""
        got = self._units.get(level)
        if got is None:
            olds = [self.old.profiles[n.id].ordered for n in self.old.doc.of_kind(level)]
            news = [self.new.profiles[n.id].ordered for n in self.new.doc.of_kind(level)]
            self._old_units[level] = len(olds)
            got = self._units[level] = olds + news
        return got

    def shares_rare(self, level: str, a: Profile, b: Profile) -> bool:
        """Do ``a`` and ``b`` share a word rare at ``level``?"""
        return not self.rare_words(level, a).isdisjoint(self.rare_words(level, b))

    def rare_codes(self, level: str) -> np.ndarray:
        """The codes (as integers) of the words rare at ``level`` (see :meth:`rare_words`)."""
        df, limit = self._level_df(level)
        return np.fromiter((ord(c) for c, k in df.items() if k <= limit), dtype=np.int64)

    def rare_words(self, level: str, unit: Profile) -> frozenset[str]:
        """The distinct words of ``unit`` in at most the level's limit of its units (a word
        no unit of the level holds among them)."""
        got = self._rare.get((level, unit.ordered))
        if got is None:
            # (the unit's words less the common ones, in C: between unrelated documents most
            # units are asked for once, and a word-by-word count lookup was most of the cost)
            got = frozenset(unit.ordered).difference(self._common_words(level))
            self._rare[(level, unit.ordered)] = got
        return got

    def _common_words(self, level: str) -> frozenset[str]:
        """The words in more units of ``level`` than a rare word may be."""
        got = self._common.get(level)
        if got is None:
            df, limit = self._level_df(level)
            got = self._common[level] = frozenset(c for c, k in df.items() if k > limit)
        return got

    def stock(self, words: set[str]) -> bool:
        """Are ``words`` (codes), all together, in :data:`STOCK_BLOCKS` or more blocks of
        either document? Then what two units share is boilerplate, not evidence."""
        if not words:
            return True
        key = frozenset(words)
        got = self._stock_seen.get(key)
        if got is None:
            got = self._stock_seen[key] = self._count_stock(words)
        return got

    def _count_stock(self, words: set[str]) -> bool:
        for key in ("old", "new"):
            postings = self._block_postings.get(key)
            if postings is None:
                blocks, olds = self._wordings("block"), self._old_units["block"]
                postings = self._block_postings[key] = Postings(
                    blocks[:olds] if key == "old" else blocks[olds:]
                )
            lists = sorted(map(postings.get, words), key=len)
            if len(lists[0]) < STOCK_BLOCKS:
                continue
            common = set(lists[0])
            for lst in lists[1:]:
                common.intersection_update(lst)
                if len(common) < STOCK_BLOCKS:
                    break
            if len(common) >= STOCK_BLOCKS:
                return True
        return False

    def _topic_words(self) -> frozenset[str]:
        """The documents' subject words: in more than TOPIC_SHARE of the blocks of both, and in
        at least STOCK_BLOCKS (the lines of a short front matter have no subject words)."""
        if self._topic is None:
            df, _ = self._level_df("block")
            n = sum(len(side.doc.of_kind("block")) for side in (self.old, self.new))
            least = max(STOCK_BLOCKS, TOPIC_SHARE * n)
            self._topic = frozenset(c for c, k in df.items() if k > least)
        return self._topic

    def distinctive_beyond_topic(self, a: Profile, b: Profile) -> bool:
        """:meth:`distinctive`, the subject words aside: `长江`, `采砂`, `河道`, `许可证`,
        `单位`, `个人`, `砂石` together are in few articles, but apart from the subject words,
        all that is left (`单位`, `个人`, `砂石`) is in many."""
        shared = set(a.ordered).intersection(b.ordered) - self._topic_words()
        return not self.stock(shared)

    def distinctive(self, a: Profile, b: Profile) -> bool:
        """Do ``a`` and ``b`` share content that is not boilerplate (see :meth:`stock`)?"""
        return not self.stock(set(a.ordered).intersection(b.ordered))

    def distinctive_in(self, part: Profile, rest: Remainder) -> bool:
        """:meth:`distinctive` of ``part`` and a remainder."""
        return not self.stock(rest.among(part))
