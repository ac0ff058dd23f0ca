"""diffreport.parts: the paired unit holding most of a leftover's words, against brute force."""

from __future__ import annotations

import random

import numpy as np
import pytest

from diffreport import parts as part_search
from diffreport.parts import PART_CONTAINMENT, Wholes, code_frequency
from diffreport.similarity import Profile, Vocabulary, containment


def _units(rng: random.Random, vocab: Vocabulary, n: int, words: list[str]) -> list[Profile]:
    weights = [1.0 / (k + 1) for k in range(len(words))]
    return [
        Profile.of(vocab.encode(rng.choices(words, weights, k=rng.randint(3, 25))))
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("counted_by", ["table", "sorted keys", "as chosen"])
@pytest.mark.parametrize("rarity", ["counted", "random", "short"])
def test_best_is_the_unit_holding_the_largest_share(seed, counted_by, rarity, monkeypatch):
    """Every leftover gets the unit that brute force finds (the largest containment, the
    first in the given order on a tie), or none below PART_CONTAINMENT; shared words
    counted from a table or from sorted keys alike; whatever the words' frequencies (they
    only order the search: random counts, or none for the codes beyond a short table)."""
    if counted_by == "table":
        monkeypatch.setattr(part_search, "SHARED_TABLE_PER_WORD", 1 << 40)
    elif counted_by == "sorted keys":
        monkeypatch.setattr(part_search, "SHARED_TABLE_CELLS", 0)
    rng = random.Random(seed)
    vocab = Vocabulary()
    words = [f"w{k}" for k in range(150)]
    wholes = _units(rng, vocab, 60, words)
    # Parts cut from wholes (so many reach the share), random ones, and repeats.
    parts = [
        Profile.of("".join(rng.sample(w.ordered, k=max(3, len(w.ordered) // 2))))
        for w in wholes[:30]
    ]
    parts += _units(rng, vocab, 40, words)
    parts += parts[:5]
    ids = [f"u{k}" for k in range(len(wholes))]
    frequency = code_frequency([p.ordered for p in wholes])
    if rarity == "random":
        frequency = np.array([rng.randrange(50) for _ in frequency])
    elif rarity == "short":
        frequency = frequency[: len(frequency) - 60]
    found = Wholes(ids, dict(zip(ids, wholes, strict=True)), parts, frequency)
    reached = 0
    for part in parts:
        shares = [containment(part, w) for w in wholes]
        top = max(shares)
        holders = [k for k, s in enumerate(shares) if s == top]
        expected = min(holders, key=lambda k: (abs(k - 20), k)) if top >= PART_CONTAINMENT else None
        assert found.best(part, order=lambda k: (abs(k - 20), k)) == expected
        reached += expected is not None
    assert reached >= 20  # the case exercises both answers
    assert found.held() == {p.ordered for p in parts if found.may_hold(p)}


def test_a_part_outside_the_given_leftovers_is_looked_up_too():
    vocab = Vocabulary()
    whole = vocab.profile("The council shall publish the annual budget before the end of March.")
    found = Wholes(["a"], {"a": whole}, [], code_frequency([whole.ordered]))
    part = vocab.profile("publish the annual budget")
    assert found.best(part) == 0
    assert found.best(vocab.profile("harbour dredging starts in autumn")) is None
