"""diffreport.candidates: which pairs are worth scoring, and one-to-one assignment."""

from __future__ import annotations

import numpy as np
import pytest

from diffreport.candidates import assign, assign_sparse, candidates
from diffreport.similarity import Vocabulary

TEXTS = [
    "The council shall publish the annual budget before the end of March each year.",
    "Residents may appeal any parking fine to the independent transport tribunal.",
    "Schools must provide free lunches to every pupil whose family receives housing support.",
]


def test_same_wording_and_shared_rare_words_are_candidates_disjoint_are_not():
    vocab = Vocabulary()
    old = [vocab.profile(t) for t in TEXTS]
    new = [
        vocab.profile(TEXTS[2]),  # same wording, another position
        vocab.profile("Parking fines go to the transport tribunal."),  # shares rare words
        vocab.profile("Harbour dredging starts in autumn."),  # shares nothing
    ]
    found = candidates(old, new)
    assert (2, 0) in found
    assert (1, 1) in found
    assert not any(j == 2 for _, j in found)


def test_assign_is_one_to_one_and_maximises_the_total():
    score = np.array([[0.9, 0.8], [0.85, 0.1]])
    # Greedy would take (0, 0) and leave 0.1; the optimum crosses.
    assert sorted(assign(score, 0.5)) == [(0, 1, pytest.approx(0.8)), (1, 0, pytest.approx(0.85))]


def test_assign_drops_pairs_below_the_threshold():
    score = np.array([[0.9, 0.2], [0.3, 0.25]])
    assert assign(score, 0.5) == [(0, 0, pytest.approx(0.9))]
    assert assign(np.zeros((0, 0)), 0.5) == []


def test_assign_sparse_agrees_with_the_dense_solver():
    edges = {(0, 0): 0.9, (0, 1): 0.8, (1, 0): 0.85, (2, 2): 0.6}
    dense = np.zeros((3, 3))
    for (i, j), s in edges.items():
        dense[i, j] = s
    assert sorted(assign_sparse(edges, 3)) == sorted(assign(dense, 0.01))
