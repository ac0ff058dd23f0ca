"""Pairing a large group without its n × m matrix: which pairs to score, and the optimal
one-to-one assignment over what was scored.

:func:`candidates` proposes the pairs worth scoring — units with the same wording, and units
that share some of their rarest words (an inverted index); :func:`assign` is the optimal
assignment over a scored matrix, :func:`assign_sparse` over a sparse graph of scored pairs,
solved per connected component (optimal for the graph as a whole).
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import compress
from operator import attrgetter

import numpy as np

from .similarity import (
    Profile,
    bags_reaching,
    distinct_at,
    distinct_sorted,
    in_sorted,
    linear_sum_assignment,
)

# Each unit looks up its KEY_WORDS rarest words and keeps the CANDIDATES units that share the
# most (rarity-weighted) of them, in both directions.
KEY_WORDS = 6
CANDIDATES = 12
# A connected component larger than this many cells is thinned to each unit's best edges ...
COMPONENT_LIMIT = 1_000_000
# ... this many for each unit (an edge stays if either end keeps it).
THIN_KEEP = 3
# A key word held by more b units than VOTES_PER_KEY × a unit's keys (CANDIDATES at least),
# CROWDED times over, is too common to vote: its postings would cost more than they tell.
VOTES_PER_KEY = 4
CROWDED = 8
# Word codes spanning at most DENSE_SPAN × their count (+ DENSE_SLACK) are numbered by their
# offsets: an arange over the span is cheaper than np.unique's sort.
DENSE_SPAN = 4
DENSE_SLACK = 1024
# A scored edge of a component counts however small its score: unscored cells are zero.
ANY_SCORE = 1e-9
_ORDERED = attrgetter("ordered")

# Word codes are below 0x110000 (21 bits): (unit, word) packs into one integer.
_CODE_BITS = 21
# Sort keys packed into one non-negative int64 use at most this many bits.
_PACKED_BITS = 63


def candidates(old: list[Profile], new: list[Profile]) -> set[tuple[int, int]]:
    """Pairs worth scoring among ``old`` × ``new`` without looking at them all: units with the
    same wording, and units that share some of their rarest words (an inverted index over the
    words each unit has fewest companions for; each unit keeps the :data:`CANDIDATES` units
    with the largest rarity-weighted overlap, looked up from both sides)."""
    pairs = candidate_pairs(old, new)
    return set(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True))


def candidate_pairs(
    old: list[Profile],
    new: list[Profile],
    must_share: np.ndarray | None = None,
    allowed: tuple[np.ndarray, np.ndarray] | None = None,
    floor: float = 0.0,
) -> np.ndarray:
    """:func:`candidates` as an array of (old index, new index) rows, sorted. The lookups of
    all units are done together in numpy (a unit's own lookup in Python cost tens of
    microseconds: most of a large group's alignment when the documents share only common
    words).

    With ``must_share`` (word codes as integers), only pairs that share one of those words,
    or are among the ``allowed`` (old indices, new indices), compete for each unit's places
    (besides units of the same wording): a caller that keeps no other pair has them found
    from those words' postings alone, and unrelated text, which shares only common words,
    proposes almost nothing. With ``must_share``, a ``floor`` also leaves out the candidates
    whose bag view falls below it (:func:`similarity.bags_reaching`: a caller scoring them
    with that floor drops them), other than units of the same wording; units with no such
    pair among those that may compete do not look up at all (unrelated text: nearly all)."""
    if not old or not new:
        return np.zeros((0, 2), dtype=np.int64)
    words_o, words_n, unit_o, id_o, unit_n, id_n, codes, rank, weight = _setup(old, new)
    reach_o = reach_n = None
    if must_share is not None:
        wanted = np.isin(codes, must_share)
        rows, cols = _sharing(unit_o, id_o, unit_n, id_n, wanted)
        if allowed is not None:
            rows, cols = np.concatenate((rows, allowed[0])), np.concatenate((cols, allowed[1]))
        by_old = distinct_sorted(rows * len(new) + cols)
        rows, cols = by_old // len(new), by_old % len(new)
        if floor > 0.0:
            # A unit's candidates are its own lookup's (the others' only rank its pairs):
            # only units with a pair that may reach the floor need it.
            lengths = (_lengths(words_o), _lengths(words_n))
            close = bags_reaching(old, new, rows, cols, floor, lengths)
            looks_o = np.zeros(len(old), dtype=bool)
            looks_o[rows[close]] = True
            looks_n = np.zeros(len(new), dtype=bool)
            looks_n[cols[close]] = True
            mine_o, mine_n = looks_o[rows], looks_n[cols]
            rows_o, cols_o = rows[mine_o], cols[mine_o]
            rows_n, cols_n = rows[mine_n], cols[mine_n]
            close = by_old[close]
        else:
            rows_o = rows_n = rows
            cols_o = cols_n = cols
        # Each direction's pairs ordered by the unit looked up in (its postings are read in
        # that order: near, in memory, to one another).
        by_new = np.sort(cols_o * len(old) + rows_o)
        reach_o = (by_new % len(old), by_new // len(old))
        reach_n = (cols_n, rows_n)
    same = _same_wording(words_o, words_n)
    found = [_lookups(words_o, unit_o, id_o, unit_n, id_n, len(new), rank, weight, reach_o)]
    flipped = _lookups(words_n, unit_n, id_n, unit_o, id_o, len(old), rank, weight, reach_n)
    found.append(flipped[:, ::-1])
    keys = np.concatenate([f[:, 0] * len(new) + f[:, 1] for f in found])
    if must_share is not None and floor > 0.0:  # (close: sorted)
        keys = keys[in_sorted(keys, close)]
    keys = distinct_sorted(np.concatenate((same[:, 0] * len(new) + same[:, 1], keys)))
    return _rows(keys, len(new))


class CandidateSearch:
    """:func:`candidate_pairs`' search (without ``must_share``) a side at a time: the pairs
    one side's units find. Each unit's lookup is its own: the pairs a unit finds are those
    it finds in the whole search, the two sides' union candidate_pairs'."""

    def __init__(self, old: list[Profile], new: list[Profile]) -> None:
        self.n_old, self.n_new = len(old), len(new)
        self._setup = _setup(old, new) if old and new else None

    def found_by_old(self) -> np.ndarray:
        """The pairs the old units find (their lookups, and the units of the same wording),
        as sorted (old index, new index) rows."""
        return self._found(flip=False)

    def found_by_new(self) -> np.ndarray:
        """The pairs the new units find (theirs, and the units of the same wording), as
        sorted (old index, new index) rows."""
        return self._found(flip=True)

    def _found(self, flip: bool) -> np.ndarray:
        if self._setup is None:
            return np.zeros((0, 2), dtype=np.int64)
        words_o, words_n, unit_o, id_o, unit_n, id_n, _, rank, weight = self._setup
        if flip:
            found = _lookups(words_n, unit_n, id_n, unit_o, id_o, self.n_old, rank, weight)
            found = found[:, ::-1]
        else:
            found = _lookups(words_o, unit_o, id_o, unit_n, id_n, self.n_new, rank, weight)
        same = _same_wording(words_o, words_n)
        keys = np.concatenate([f[:, 0] * self.n_new + f[:, 1] for f in (same, found)])
        return _rows(distinct_sorted(keys), self.n_new)


def _rows(keys: np.ndarray, n_new: int) -> np.ndarray:
    """Pair keys (old index × ``n_new`` + new index) as (old index, new index) rows."""
    return np.stack((keys // n_new, keys % n_new), axis=1)


def _setup(old: list[Profile], new: list[Profile]) -> tuple:
    """What both sides' lookups read: (the old wordings, the new ones, the old side's
    distinct words as (unit, word id) rows, the new side's, each word id's code, its rank
    (rarest first), its weight)."""
    # Each unit's wording read once (tens of thousands of profiles, all over memory).
    words_o, words_n = list(map(_ORDERED, old)), list(map(_ORDERED, new))
    unit_o, code_o = _distinct_words(words_o)
    unit_n, code_n = _distinct_words(words_n)
    codes, ids = _dense_ids(np.concatenate((code_o, code_n)))
    id_o, id_n = ids[: len(code_o)], ids[len(code_o) :]
    df = np.bincount(ids, minlength=len(codes))  # in how many units of both sides
    # Rarest first (ties: by code, not by hash), as one rank per word.
    rank = np.empty(len(codes), dtype=np.int64)
    rank[np.lexsort((codes, df))] = np.arange(len(codes))
    # 1 / log(1 + df) as math.log gives it (numpy's log may differ in the last bit).
    weight = np.zeros(int(df.max()) + 1)
    held = distinct_sorted(df[df > 0])  # (only the counts that occur: a few hundred)
    weight[held] = [1.0 / math.log(1.0 + d) for d in held.tolist()]
    return words_o, words_n, unit_o, id_o, unit_n, id_n, codes, rank, weight[df]


def _lengths(wordings: list[str]) -> np.ndarray:
    """Each wording's number of words."""
    return np.fromiter(map(len, wordings), dtype=np.int64, count=len(wordings))


def _distinct_words(wordings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(unit index, word code) of every distinct word of every unit (given their wordings),
    by unit and code (one sort of all the units' codes: long units, such as sections, hold
    thousands)."""
    lengths = _lengths(wordings)
    text = "".join(wordings).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(text, dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(wordings), dtype=np.int64), lengths)
    keys = distinct_sorted(owner << _CODE_BITS | codes)
    return keys >> _CODE_BITS, keys & ((1 << _CODE_BITS) - 1)


def _dense_ids(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the codes each id stands for, in order; each code's id). One vocabulary's codes are
    consecutive: their offsets are the ids (no sort); a sparse set is numbered by np.unique."""
    if not len(codes):
        return codes, codes
    low, high = int(codes.min()), int(codes.max())
    if high - low < DENSE_SPAN * len(codes) + DENSE_SLACK:
        return np.arange(low, high + 1, dtype=np.int64), codes - low
    found, ids = np.unique(codes, return_inverse=True)
    return found, ids.reshape(-1)


def _sharing(
    unit_o: np.ndarray, id_o: np.ndarray, unit_n: np.ndarray, id_n: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(old units, new units) of the pairs sharing a ``wanted`` word (given each unit's
    distinct words as (unit, word id) rows), once per shared word."""
    mine_o, mine_n = wanted[id_o], wanted[id_n]
    unit_o, word_o = unit_o[mine_o], id_o[mine_o]
    by_word = np.argsort(id_n[mine_n], kind="stable")
    unit_n, word_n = unit_n[mine_n][by_word], id_n[mine_n][by_word]
    count_n = np.bincount(word_n, minlength=len(wanted))
    matches = count_n[word_o]
    total = int(matches.sum())
    at_n = np.repeat(
        (np.cumsum(count_n) - count_n)[word_o] - (np.cumsum(matches) - matches), matches
    )
    return np.repeat(unit_o, matches), unit_n[at_n + np.arange(total)]


def _same_wording(words_o: list[str], words_n: list[str]) -> np.ndarray:
    """(i, j) for the first :data:`CANDIDATES` new units with old unit i's (non-empty) wording.
    Only the wordings both sides hold are looked at, found by a set intersection in C (two
    unrelated documents hold almost none)."""
    both = set(words_o).intersection(words_n)
    both.discard("")
    if not both:
        return np.zeros((0, 2), dtype=np.int64)
    same: dict[str, list[int]] = defaultdict(list)
    for j in compress(range(len(words_n)), map(both.__contains__, words_n)):
        same[words_n[j]].append(j)
    rows = [
        (i, j)
        for i in compress(range(len(words_o)), map(both.__contains__, words_o))
        for j in same[words_o[i]][:CANDIDATES]
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def _lookups(
    wordings: list[str],
    unit_a: np.ndarray,
    id_a: np.ndarray,
    unit_b: np.ndarray,
    id_b: np.ndarray,
    n_b: int,
    rank: np.ndarray,
    weight: np.ndarray,
    reach: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(a index, b index) for each a unit (side a's units given by their ``wordings``) and the
    :data:`CANDIDATES` b units sharing most (rarity-weighted) of its :data:`KEY_WORDS` rarest
    words that side b has at all; a tie
    goes to the b unit met first (keys rarest first, each key's units in order). Units with
    the same wording get the same candidates: each wording is looked up once. With
    ``reach`` (a units, b units), only those pairs compete: their votes are counted pair by
    pair, no posting list is walked."""
    df_b = np.bincount(id_b, minlength=len(rank))
    # One lookup per wording (long documents repeat clauses); with ``reach``, per unit: the
    # pairs that may compete are a caller's, not the wording's.
    if reach is None:
        # Each wording's first unit: a later unit's index is overwritten by an earlier one's
        # (the dict made in C, read back in C).
        first = dict(zip(reversed(wordings), range(len(wordings) - 1, -1, -1), strict=True))
        rep = np.fromiter(map(first.__getitem__, wordings), dtype=np.int64, count=len(wordings))
    else:
        rep = np.arange(len(wordings), dtype=np.int64)
    is_rep = rep == np.arange(len(wordings))
    keep = is_rep[unit_a] & (df_b[id_a] > 0)
    if reach is not None:  # only units with a pair that may compete need their keys
        active = np.zeros(len(wordings), dtype=bool)
        active[reach[0]] = True
        keep &= active[unit_a]
    unit, word = unit_a[keep], id_a[keep]
    # By unit, then rarest first: one key each, all distinct (a unit holds a word once).
    order = np.argsort(unit * len(rank) + rank[word])
    unit, word = unit[order], word[order]
    # Each unit's KEY_WORDS rarest words.
    count = np.bincount(unit, minlength=len(wordings))
    unit_start = np.concatenate(([0], np.cumsum(count)[:-1]))
    pos = np.arange(len(unit)) - unit_start[unit]
    top = pos < KEY_WORDS
    unit, word, pos = unit[top], word[top], pos[top]
    n_keys = np.minimum(count, KEY_WORDS)[unit]
    # A key held by too many units votes for none of them.
    votes_ok = df_b[word] <= np.maximum(CANDIDATES, VOTES_PER_KEY * n_keys) * CROWDED
    unit, word, pos = unit[votes_ok], word[votes_ok], pos[votes_ok]
    if reach is not None:
        g_unit, g_hit, votes, met = _pair_votes(
            reach, is_rep, unit, word, pos, unit_b, id_b, n_b, len(rank), weight
        )
        return _best(len(wordings), rep, g_unit, g_hit, votes, met)
    # The inverted index of side b: word → the b units holding it, in order (one sort of
    # packed (word, b unit) keys).
    postings = np.sort(id_b * n_b + unit_b) % n_b
    starts = np.concatenate(([0], np.cumsum(df_b)[:-1]))
    # Every (unit, b unit) vote, in the order a unit's lookup meets them.
    lengths = df_b[word]
    total = int(lengths.sum())
    if total == 0:
        return np.zeros((0, 2), dtype=np.int64)
    offsets = np.repeat(starts[word] - (np.cumsum(lengths) - lengths), lengths)
    hit = postings[offsets + np.arange(total)]
    voter = np.repeat(unit, lengths)
    vote = np.repeat(weight[word], lengths)
    # Each (unit, b unit)'s votes together, in the order met (a stable sort by pair).
    by_pair, pair = stable_order(voter * n_b + hit, len(wordings) * n_b)
    starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
    # Summed key by key, in key order, as a running sum would: a pair's votes follow one
    # another in key order (each key's postings come in key order, each b unit once).
    vote = vote[by_pair]
    votes = vote[starts]  # (0.0 + v is v)
    sizes = np.diff(np.append(starts, total))
    more = np.flatnonzero(sizes > 1)
    for k in range(1, KEY_WORDS):
        if not len(more):
            break
        votes[more] += vote[starts[more] + k]
        more = more[sizes[more] > k + 1]
    met = by_pair[starts]  # where each pair was first met
    g_unit = voter[met]
    # A key that CANDIDATES units hold gives each of them at least its weight: a unit's
    # CANDIDATES best have at least the largest such weight, and what has less is out.
    floor = np.zeros(len(wordings))
    full = df_b[word] >= CANDIDATES
    np.maximum.at(floor, unit[full], weight[word[full]])
    enough = votes >= floor[g_unit]
    met, votes, g_unit = met[enough], votes[enough], g_unit[enough]
    return _best(len(wordings), rep, g_unit, hit[met], votes, met)


def stable_order(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """(np.argsort(keys, kind="stable"), the keys in that order) for keys in [0, bound): one
    plain sort of (key, index) packed into an integer where they fit (all distinct, so any
    sort gives the stable order; several times faster than a stable argsort)."""
    index_bits = max(1, len(keys) - 1).bit_length()
    if max(1, bound - 1).bit_length() + index_bits > _PACKED_BITS:
        order = np.argsort(keys, kind="stable")
        return order, keys[order]
    packed = np.sort(keys << index_bits | np.arange(len(keys), dtype=np.int64))
    return packed & ((1 << index_bits) - 1), packed >> index_bits


def _pair_votes(
    reach: tuple[np.ndarray, np.ndarray],
    is_rep: np.ndarray,
    unit: np.ndarray,
    word: np.ndarray,
    pos: np.ndarray,
    unit_b: np.ndarray,
    id_b: np.ndarray,
    n_b: int,
    n_words: int,
    weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(a unit, b unit, votes, order first met) of the ``reach`` pairs of looked-up units
    that share a voting key (``unit``, ``word``, ``pos``): the votes summed key by key, as
    :func:`_lookups` sums them, and the order in which its walk would meet the pair."""
    g_unit, g_hit = reach
    mine = is_rep[g_unit]
    g_unit, g_hit = g_unit[mine], g_hit[mine]
    if not len(g_unit):
        return g_unit, g_hit, np.zeros(0), g_unit
    # Each looked-up unit's voting keys by position (-1: none).
    keys = np.full((len(is_rep), KEY_WORDS), -1, dtype=np.int64)
    keys[unit, pos] = word
    # Which words each b unit holds, as sorted (b unit, word) keys.
    holds = distinct_sorted(unit_b * n_words + id_b)
    votes = np.zeros(len(g_unit))
    first = np.full(len(g_unit), KEY_WORDS, dtype=np.int64)
    for k in range(KEY_WORDS):
        key = keys[g_unit, k]
        wanted = g_hit * n_words + key
        held = (key >= 0) & in_sorted(wanted, holds)
        votes += np.where(held, weight[np.maximum(key, 0)], 0.0)
        first = np.where(held & (first == KEY_WORDS), k, first)
    voted = first < KEY_WORDS
    g_unit, g_hit, votes, first = g_unit[voted], g_hit[voted], votes[voted], first[voted]
    return g_unit, g_hit, votes, first * n_b + g_hit


def _best(
    count: int,
    rep: np.ndarray,
    g_unit: np.ndarray,
    g_hit: np.ndarray,
    votes: np.ndarray,
    met: np.ndarray,
) -> np.ndarray:
    """(a index, b index) rows: each looked-up unit's :data:`CANDIDATES` best (most votes
    first; equal votes in the order first met), given to every unit of its wording (of
    ``count`` units)."""
    # Most votes first; equal votes in the order first met.
    best = by_unit_votes_met(g_unit, votes, met)
    g_unit, g_hit = g_unit[best], g_hit[best]
    n_found = np.bincount(g_unit, minlength=count)
    found_start = np.concatenate(([0], np.cumsum(n_found)[:-1]))
    chosen = (np.arange(len(g_unit)) - found_start[g_unit]) < CANDIDATES
    g_unit, g_hit = g_unit[chosen], g_hit[chosen]
    # Every unit takes its wording's candidates.
    n_found = np.bincount(g_unit, minlength=count)
    found_start = np.concatenate(([0], np.cumsum(n_found)[:-1]))
    lengths = n_found[rep]
    total = int(lengths.sum())
    offsets = np.repeat(found_start[rep] - (np.cumsum(lengths) - lengths), lengths)
    rows = np.repeat(np.arange(count, dtype=np.int64), lengths)
    return np.stack((rows, g_hit[offsets + np.arange(total)]), axis=1)


def by_unit_votes_met(g_unit: np.ndarray, votes: np.ndarray, met: np.ndarray) -> np.ndarray:
    """np.lexsort((met, -votes, g_unit)) for non-negative ``g_unit`` and ``met`` (each
    unit's ``met`` distinct): where they fit, one sort of the three packed into an integer,
    the votes as their rank among the distinct votes (a lexsort is three stable sorts)."""
    if not len(g_unit):
        return np.zeros(0, dtype=np.int64)
    # Each vote's rank among the distinct votes, most votes 0.
    distinct, where = distinct_at(votes)
    rank = len(distinct) - 1 - where
    unit_bits = int(g_unit.max()).bit_length()
    rank_bits = max(1, len(distinct) - 1).bit_length()
    met_bits = int(met.max()).bit_length()
    if unit_bits + rank_bits + met_bits > _PACKED_BITS:
        return np.lexsort((met, -votes, g_unit))
    return np.argsort((g_unit << rank_bits | rank) << met_bits | met)


def assign(score: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """The optimal one-to-one pairing among the pairs that reach ``threshold``."""
    if score.size == 0:
        return []
    if score.shape == (1, 1):
        s = float(score[0, 0])
        return [(0, 0, s)] if s >= threshold else []
    # Pairs below the threshold count for nothing: the solver must not trade a real pair for
    # one that will be dropped anyway.
    rows, cols = linear_sum_assignment(np.where(score >= threshold, score, 0.0), maximize=True)
    return [
        (int(r), int(c), float(score[r, c]))
        for r, c in zip(rows, cols, strict=True)
        if score[r, c] >= threshold
    ]


def assign_sparse(edges: dict[tuple[int, int], float], n_old: int) -> list[tuple[int, int, float]]:
    """The optimal one-to-one pairing over a sparse graph: solved per connected component."""
    parent = list(range(n_old + 1 + max((j for _, j in edges), default=0)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        ri, rj = find(i), find(n_old + j)
        if ri != rj:
            parent[rj] = ri
    components: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, j in edges:
        components[find(i)].append((i, j))
    out: list[tuple[int, int, float]] = []
    for comp in components.values():
        if len(comp) == 1:
            i, j = comp[0]
            out.append((i, j, edges[comp[0]]))
            continue
        rows = sorted({i for i, _ in comp})
        cols = sorted({j for _, j in comp})
        if len(rows) * len(cols) > COMPONENT_LIMIT:
            out.extend(assign_sparse(_thin({e: edges[e] for e in comp}), n_old))
            continue
        ri = {i: k for k, i in enumerate(rows)}
        ci = {j: k for k, j in enumerate(cols)}
        score = np.zeros((len(rows), len(cols)))
        for i, j in comp:
            score[ri[i], ci[j]] = edges[(i, j)]
        for r, c, s in assign(score, ANY_SCORE):
            out.append((rows[r], cols[c], s))
    return out


def _thin(
    edges: dict[tuple[int, int], float], keep: int = THIN_KEEP
) -> dict[tuple[int, int], float]:
    """Each unit's ``keep`` best edges (an edge stays if either end keeps it)."""
    best_o: dict[int, list[tuple[float, int]]] = defaultdict(list)
    best_n: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (i, j), s in edges.items():
        best_o[i].append((s, j))
        best_n[j].append((s, i))
    kept = {(i, j) for i, lst in best_o.items() for _, j in sorted(lst, reverse=True)[:keep]}
    kept |= {(i, j) for j, lst in best_n.items() for _, i in sorted(lst, reverse=True)[:keep]}
    if len(kept) == len(edges):  # cannot thin further: take the best edges greedily
        kept = set()
        used_o: set[int] = set()
        used_n: set[int] = set()
        for (i, j), _ in sorted(edges.items(), key=lambda kv: -kv[1]):
            if i not in used_o and j not in used_n:
                kept.add((i, j))
                used_o.add(i)
                used_n.add(j)
    return {e: edges[e] for e in edges if e in kept}
