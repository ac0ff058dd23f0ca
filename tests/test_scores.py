"""diffreport.scores: the scores a pairing step assigns over, against scoring every pair."""

from __future__ import annotations

import random

import numpy as np
import pytest

from diffreport.candidates import candidate_pairs
from diffreport.scores import (
    BAG_FIRST_COST,
    POSITION_PRIOR,
    position_prior,
    scores_reaching,
    sparse_edges,
    unique_twins,
)
from diffreport.similarity import (
    TIE_BREAK,
    Profile,
    SharedCounts,
    cost,
    order_prior,
    position,
    similarity,
    similarity_matrix,
    unit_lengths,
)


def _units(seed: int, count: int, longest: int) -> tuple[list[Profile], list[Profile]]:
    """Two lists of units over a skewed vocabulary, some of the new ones reworded old ones."""
    rng = random.Random(seed)
    words = [chr(0x4E00 + k) for k in range(400)]
    weights = [1.0 / (k + 1) for k in range(len(words))]

    def unit() -> list[str]:
        return rng.choices(words, weights, k=rng.randint(0, longest))

    old = [unit() for _ in range(count)]
    new = [unit() for _ in range(count)]
    for k in rng.sample(range(count), count // 2):  # reworded: some words replaced
        reworded = [w if rng.random() < 0.8 else rng.choice(words) for w in old[k]]
        new[rng.randrange(count)] = reworded
    return [Profile("".join(u)) for u in old], [Profile("".join(u)) for u in new]


@pytest.mark.parametrize(("seed", "longest"), [(0, 40), (1, 900), (2, 1500)])
@pytest.mark.parametrize("floor", [0.12, 0.3, 0.6])
def test_scores_reaching_a_floor_are_the_full_matrixs(seed, longest, floor):
    """Every score that reaches ``floor`` is the full matrix's; every other is below it
    (long units, above BAG_FIRST_COST, take the bag-first path)."""
    old, new = _units(seed, 24, longest)
    got = scores_reaching(old, new, floor, workers=1)
    full = similarity_matrix(old, new)
    reach = full >= floor
    assert np.array_equal(got[reach], full[reach])
    assert (got[~reach] < floor).all()
    assert reach.any() and (~reach).any()
    if longest >= 900:
        assert cost(old, new) >= BAG_FIRST_COST


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("moved", [False, True])
def test_sparse_edges_are_the_candidates_scores_that_reach_the_threshold(seed, moved):
    """Each edge is a candidate pair scored exactly (similarity and the order prior, the
    tie-break prior alone across the document), reaching the threshold; every candidate pair
    that reaches it is an edge; the edges come in ascending (old, new) order."""
    old, new = _units(seed, 60, 60)
    threshold = 0.3
    rows, cols, scores = sparse_edges(old, new, threshold, moved)
    weight = TIE_BREAK if moved else POSITION_PRIOR

    def score(i: int, j: int) -> float:
        prior = order_prior(position(i, len(old)), position(j, len(new)), weight)
        return similarity(old[i], new[j]) + prior

    edges = list(zip(rows.tolist(), cols.tolist(), strict=True))
    assert edges == sorted(edges) and edges
    for (i, j), s in zip(edges, scores.tolist(), strict=True):
        assert s >= threshold
        assert s == pytest.approx(score(i, j), abs=1e-9)
    want = {
        (i, j) for i, j in candidate_pairs(old, new).tolist() if score(i, j) >= threshold + 1e-9
    }
    assert want <= set(edges)
    # The units' lengths given by a caller that has them: the same edges.
    lengths = (unit_lengths(old), unit_lengths(new))
    given = sparse_edges(old, new, threshold, moved, lengths=lengths)
    assert all(np.array_equal(a, b) for a, b in zip(given, (rows, cols, scores), strict=True))


@pytest.mark.parametrize("seed", range(4))
def test_sparse_edges_reading_an_earlier_calls_counts_are_their_own(seed):
    """Twin of the relative pass after the moved one: a call on all the units (numbered by
    their places), then one on some of them at a lower threshold, reading the words shared
    that the first counted; both give the edges they give counting everything afresh, and
    the second counts fewer pairs than the same call counting afresh."""
    old, new = _units(seed, 60, 60)
    rng = random.Random(seed)
    some_o = sorted(rng.sample(range(len(old)), 45))
    some_n = sorted(rng.sample(range(len(new)), 40))
    sub_o, sub_n = [old[i] for i in some_o], [new[j] for j in some_n]
    counted = SharedCounts(len(new))
    everyone = (counted, np.arange(len(old)), np.arange(len(new)))
    for got, want in zip(
        sparse_edges(old, new, 0.3, True, counted=everyone),
        sparse_edges(old, new, 0.3, True),
        strict=True,
    ):
        assert np.array_equal(got, want)
    some = (counted, np.array(some_o), np.array(some_n))
    before = len(counted)
    again = sparse_edges(sub_o, sub_n, 0.12, True, counted=some)
    alone = SharedCounts(len(sub_n))
    by_place = (alone, np.arange(len(sub_o)), np.arange(len(sub_n)))
    afresh = sparse_edges(sub_o, sub_n, 0.12, True, counted=by_place)
    for got, want, plain in zip(again, afresh, sparse_edges(sub_o, sub_n, 0.12, True), strict=True):
        assert np.array_equal(got, want) and np.array_equal(got, plain)
    assert len(again[0]) and len(counted) - before < len(alone)


def test_position_prior_is_the_order_prior_of_every_pair_and_read_only():
    prior = position_prior(3, 5)
    for i in range(3):
        for j in range(5):
            want = order_prior(position(i, 3), position(j, 5), POSITION_PRIOR)
            assert prior[i, j] == pytest.approx(want, abs=1e-15)
    assert prior[0, 0] > prior[0, 4]  # (keeping the order is worth more)
    with pytest.raises(ValueError):
        prior[0, 0] = 1.0


def test_unique_twins_are_the_wordings_once_on_each_side():
    a, b, c, d = (Profile(w) for w in ("甲乙", "丙丁", "戊己", "庚辛"))
    old = [a, b, b, c, Profile("")]
    new = [c, a, d, b, Profile("")]
    assert unique_twins(old, new) == {0: 1, 3: 0}  # b is twice on the old side; "" is none
