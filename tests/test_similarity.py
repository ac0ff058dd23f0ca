"""diffreport.similarity: how alike two units are, through its public API."""

from __future__ import annotations

import pytest

from diffreport.similarity import Vocabulary, containment, similarity

BUDGET = "The council shall publish the annual budget before the end of March each year."
TRIBUNAL = "Residents may appeal parking fines to the independent transport tribunal."


def profiles(*texts: str):
    vocab = Vocabulary()  # one vocabulary for both sides, as in a comparison
    return [vocab.profile(t) for t in texts]


def test_identical_texts_score_one():
    a, b = profiles(BUDGET, BUDGET)
    assert similarity(a, b) == pytest.approx(1.0)


def test_texts_without_shared_words_score_zero():
    a, b = profiles(BUDGET, TRIBUNAL)
    assert similarity(a, b) == pytest.approx(0.0)


def test_similarity_is_symmetric():
    a, b = profiles(BUDGET, "The council shall publish a quarterly budget before April.")
    assert 0.0 < similarity(a, b) < 1.0
    assert similarity(a, b) == pytest.approx(similarity(b, a))


def test_reordered_words_keep_the_bag_view_high():
    words = "council publish annual budget march year residents appeal tribunal".split()
    a, b = profiles(" ".join(words), " ".join(reversed(words)))
    # Only the ordered view (a fifth of the blend) sees the reversal.
    assert similarity(a, b) >= 0.8
    assert similarity(a, b) < 1.0


def test_rewording_scores_between_disjoint_and_identical():
    a, same, reworded, other = profiles(
        BUDGET, BUDGET, BUDGET.replace("annual", "quarterly"), TRIBUNAL
    )
    assert similarity(a, other) < similarity(a, reworded) < similarity(a, same)


def test_floor_cuts_weak_scores_to_zero():
    a, b = profiles(BUDGET, "The council shall publish minutes.")
    weak = similarity(a, b)
    assert 0.0 < weak < 0.9
    assert similarity(a, b, floor=0.9) == 0.0
    assert similarity(a, b, floor=weak / 2) == pytest.approx(weak)


def test_containment_is_the_share_of_the_part_found_in_the_whole():
    part, whole, other = profiles("annual budget March", BUDGET, TRIBUNAL)
    assert containment(part, whole) == pytest.approx(1.0)
    assert containment(part, other) == pytest.approx(0.0)
    # Not symmetric: the whole has many words the part lacks.
    assert containment(whole, part) < 0.5
