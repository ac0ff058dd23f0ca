"""The scores a level's pairing step assigns over: every pair of a small group
(:func:`scores_reaching`, the rest below a floor left at 0), or only the candidate pairs of a
large one that reach a threshold (:func:`sparse_edges`, candidates from
:func:`candidates.candidate_pairs`), each exact; the order prior that breaks ties
(:func:`position_prior`); wordings that occur once on each side (:func:`unique_twins`).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from operator import attrgetter

import numpy as np

from .candidates import candidate_pairs
from .similarity import (
    EXACT_BUDGET,
    SAMPLE_ABOVE,
    TIE_BREAK,
    WORD_BITS,
    Counted,
    Profile,
    cost,
    distinct_sorted,
    indexed_similarities,
    order_prior,
    pair_similarities,
    position,
    similarity_matrix,
    unit_lengths,
)

# Above this many pairs, or this cost of scoring them all (machine words, see similarity.py:
# long units such as chapters cost more per pair), a group is not scored in full: candidates
# come from an inverted index.
DENSE_LIMIT = 250_000
DENSE_COST = 100_000_000
# Above this cost (machine words, see similarity.py: about a millisecond) a group of units
# scored in full counts the bag views first and the ordered views only where the bag may
# reach the threshold (see scores_reaching); below, one matrix call costs less. (Measured
# over every such group of unrelated-1m, real-1m and real-2m, each pair's ordered view of
# long units counted on the words each holds: 500 000 best; 2 000 000 before that.)
BAG_FIRST_COST = 500_000
# Bonus for keeping relative order (within matched parents): breaks ties between equal pairs.
POSITION_PRIOR = 0.02
# Across the document (moves) order is no evidence: pairs there get only the tie-break
# prior (similarity.TIE_BREAK), so identical units (a repeated clause) still resolve the
# same way whichever document comes first.
# Rounding room for a bound on a score computed in floating point (far below any tie-break).
SCORE_SLACK = 1e-9
_ORDERED = attrgetter("ordered")


def unique_twins(old: list[Profile], new: list[Profile]) -> dict[int, int]:
    """old index → new index of the units whose wording occurs exactly once on each side."""
    words_o, words_n = list(map(_ORDERED, old)), list(map(_ORDERED, new))
    count_o, count_n = Counter(words_o), Counter(words_n)
    where_n = {w: j for j, w in enumerate(words_n) if count_n[w] == 1}
    return {i: where_n[w] for i, w in enumerate(words_o) if w and count_o[w] == 1 and w in where_n}


def same_sequence(old: list[Profile], new: list[Profile]) -> bool:
    """The same distinct wordings in the same order on both sides."""
    return (
        len(old) == len(new)
        and all(a.ordered == b.ordered for a, b in zip(old, new, strict=True))
        and len({p.ordered for p in old}) == len(old)
    )


@lru_cache(maxsize=1024)
def position_prior(n_old: int, n_new: int, weight: float = POSITION_PRIOR) -> np.ndarray:
    """:func:`similarity.order_prior` for every pair of an ``n_old`` × ``n_new`` group: breaks
    ties between equally good pairs. Cached (groups of the same shape recur) and read-only."""
    po, pn = position(np.arange(n_old), n_old), position(np.arange(n_new), n_new)
    prior = order_prior(po[:, None], pn[None, :], weight)
    prior.flags.writeable = False
    return prior


def scores_reaching(
    old: list[Profile], new: list[Profile], floor: float, workers: int | None
) -> np.ndarray:
    """:func:`similarity_matrix`, where a score may reach ``floor``; elsewhere a score below
    ``floor`` (0). Groups of long units (sections) score the bag view first, from shared
    words (:func:`indexed_similarities`), of the pairs whose lengths let it reach ``floor``,
    and the ordered view only where the bag does (the ordered view never exceeds the bag):
    most pairs of two documents' sections share too little to need it."""
    total = cost(old, new)
    if total < BAG_FIRST_COST or total > EXACT_BUDGET:  # (above: scored on samples)
        return similarity_matrix(old, new, workers)
    len_o, len_n = unit_lengths(old), unit_lengths(new)
    # No more words shared than the shorter has: the bag is at most 2 min / sum of lengths.
    total = len_o[:, None] + len_n[None, :]
    bound = 2.0 * np.minimum(len_o[:, None], len_n[None, :]) / np.maximum(total, 1)
    rows, cols = np.nonzero((bound >= floor - SCORE_SLACK) | (total == 0))
    scores = np.zeros((len(old), len(new)))
    scores[rows, cols] = indexed_similarities(old, new, rows, cols, floor, (len_o, len_n))
    return scores


def best_but(
    units: np.ndarray, others: np.ndarray, scores: np.ndarray, unit: np.ndarray, but: np.ndarray
) -> np.ndarray:
    """For each k, the best of the ``scores`` of pairs (``units``, ``others``) of unit
    ``unit[k]`` with another unit than ``but[k]`` (0.0 if none): from each unit's best two
    (pairs are distinct, so ``but[k]`` takes at most one of them)."""
    if not len(units):
        return np.zeros(len(unit))
    order = np.lexsort((-scores, units))
    units, others, scores = units[order], others[order], scores[order]
    first = np.searchsorted(units, unit)
    found = np.searchsorted(units, unit, side="right") - first
    top = np.minimum(first, len(units) - 1)
    best = np.where(found > 0, scores[top], 0.0)
    runner_up = np.where(found > 1, scores[np.minimum(first + 1, len(units) - 1)], 0.0)
    return np.where((found > 0) & (others[top] == but), runner_up, best)


def by_pair(edges: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[tuple[int, int], float]:
    """:func:`sparse_edges`' arrays as (old index, new index) -> score."""
    rows, cols, score = edges
    return dict(zip(zip(rows.tolist(), cols.tolist(), strict=True), score.tolist(), strict=True))


_NO_EDGES = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))


def sparse_edges(
    old: list[Profile],
    new: list[Profile],
    threshold: float,
    moved: bool,
    must_share: np.ndarray | None = None,
    allowed: tuple[np.ndarray, np.ndarray] | None = None,
    counted: Counted | None = None,
    lengths: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact scores (with the position prior within matched parents) of the candidate pairs
    that reach ``threshold``: the same arithmetic as :func:`similarity` pair by pair, done
    for all pairs at once (``process.cpdist``). With ``must_share``, only pairs sharing one
    of those word codes, or ``allowed``, are candidates (:func:`candidates.candidate_pairs`).
    With ``counted``, the words pairs share are read where an earlier call counted them
    (:class:`similarity.SharedCounts`). ``lengths``: the units' numbers of words, when the
    caller has them (:func:`unit_lengths`: between unrelated documents a level's passes
    read tens of thousands of leftovers' lengths). As arrays (old indices, new indices,
    scores), the pairs in ascending order (as their tuples sort)."""
    if not old or not new:
        return _NO_EDGES
    len_o, len_n = lengths if lengths is not None else (unit_lengths(old), unit_lengths(new))
    weight = TIE_BREAK if moved else POSITION_PRIOR
    # Pairs whose bag view is below threshold - weight score below the threshold (below,
    # indexed_similarities gives 0.0), unless scored on samples (units above SAMPLE_ABOVE
    # words), which that bag does not bound: the candidates need not hold them.
    sampled = max(int(len_o.max()), int(len_n.max())) > SAMPLE_ABOVE
    floor = 0.0 if sampled else threshold - weight
    pairs = candidate_pairs(old, new, must_share, allowed, floor)  # sorted, as tuples sort
    if not len(pairs):
        return _NO_EDGES
    rows, cols = pairs[:, 0], pairs[:, 1]
    exact = (
        2 * len(pairs) * int(len_o.max()) * int(len_n.max()) / WORD_BITS <= EXACT_BUDGET
        or 2 * int(np.sum((len_o[rows] // WORD_BITS + 1) * len_n[cols])) <= EXACT_BUDGET
    )
    bonus = order_prior(position(rows, len(old)), position(cols, len(new)), weight)
    if exact:
        rates = np.ones(len(rows), dtype=np.int64)
    else:
        rate_o = np.array([p.rate() for p in old], dtype=np.int64)
        rate_n = np.array([p.rate() for p in new], dtype=np.int64)
        rates = np.maximum(rate_o[rows], rate_n[cols])
    # A score is at most its bag view, which is at most 2 min(lengths) / (sum of lengths)
    # (no more words shared than the shorter has), plus the prior: what cannot reach the
    # threshold that way is not scored (unrelated text proposes many such pairs). Not for
    # pairs scored on samples of their words, whose bag views the lengths do not bound.
    len_a, len_b = len_o[rows], len_n[cols]
    total = len_a + len_b
    bound = 2.0 * np.minimum(len_a, len_b) / np.maximum(total, 1) + weight
    reach = (total == 0) | (bound >= threshold - SCORE_SLACK) | (rates > 1)
    rows, cols, bonus, rates = rows[reach], cols[reach], bonus[reach], rates[reach]
    score = np.zeros(len(rows))
    for rate in distinct_sorted(rates):
        at = np.flatnonzero(rates == rate)
        # What cannot reach the threshold even with the largest prior is not scored in full.
        if rate == 1:
            score[at] = indexed_similarities(
                old, new, rows[at], cols[at], threshold - weight, (len_o, len_n), counted
            )
            continue
        score[at] = pair_similarities(
            [old[i] for i in rows[at].tolist()],
            [new[j] for j in cols[at].tolist()],
            int(rate),
            threshold - weight,
        )
    score += bonus
    keep = np.flatnonzero(score >= threshold)
    return rows[keep], cols[keep], score[keep]
