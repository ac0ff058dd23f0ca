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


def _lookup_one_by_one(old, new, keep=None, halves=False):
    """The candidate search written unit by unit (as it was before it ran in numpy): the
    reference the vectorised search must equal exactly. ``keep(i, j)``: the pairs that may
    compete (all when None). With ``halves``, the pairs old's units find and those new's
    units find (each with the units of the same wording), apart."""
    import math
    from collections import Counter, defaultdict
    from itertools import chain

    from diffreport.candidates import CANDIDATES, KEY_WORDS

    old_sets = [set(p.ordered) for p in old]
    new_sets = [set(p.ordered) for p in new]
    df = Counter(chain.from_iterable(old_sets + new_sets))
    rank = {c: r for r, c in enumerate(sorted(df, key=lambda c: (df[c], c)))}
    out = set()
    same = defaultdict(list)
    for j, p in enumerate(new):
        if p.ordered:
            same[p.ordered].append(j)
    for i, p in enumerate(old):
        for j in same.get(p.ordered, ())[:CANDIDATES]:
            out.add((i, j))
    found = {False: set(out), True: set(out)}
    for a_sets, b_sets, flip in ((old_sets, new_sets, False), (new_sets, old_sets, True)):
        postings = defaultdict(list)
        for j, s in enumerate(b_sets):
            for c in s:
                postings[c].append(j)
        for i, s in enumerate(a_sets):
            keys = sorted(s & postings.keys(), key=rank.__getitem__)[:KEY_WORDS]
            votes = defaultdict(float)
            for c in keys:
                if len(postings[c]) <= max(CANDIDATES, 4 * len(keys)) * 8:
                    for j in postings[c]:
                        if keep is None or (keep(j, i) if flip else keep(i, j)):
                            votes[j] += 1.0 / math.log(1.0 + df[c])
            for j in sorted(votes, key=votes.__getitem__, reverse=True)[:CANDIDATES]:
                out.add((j, i) if flip else (i, j))
                found[flip].add((j, i) if flip else (i, j))
    return (found[False], found[True]) if halves else out


def _random_units(seed: int):
    """Random units over a skewed vocabulary (a few stock words in most units, many rare
    ones), with empty wordings, the same wordings on both sides and repeated ones on one:
    (the generator, the words, the vocabulary, old units, new units)."""
    import random

    rng = random.Random(seed)
    words = [f"w{k}" for k in range(400)]
    weights = [1.0 / (k + 1) for k in range(len(words))]
    vocab = Vocabulary()

    def unit():
        if rng.random() < 0.05:
            return vocab.profile("")
        return Profile_of(vocab, rng.choices(words, weights, k=rng.randint(1, 30)))

    old = [unit() for _ in range(rng.randint(1, 300))]
    new = [unit() for _ in range(rng.randint(1, 300))]
    new += rng.sample(old, min(10, len(old)))  # the same wordings on both sides
    old += old[:5]  # repeated wordings on one side
    return rng, words, vocab, old, new


@pytest.mark.parametrize("seed", range(6))
def test_candidates_equal_the_unit_by_unit_search(seed):
    """Random units over a skewed vocabulary (a few stock words in most units, many rare
    ones), with repeated and empty wordings and ties: the same pairs as the reference."""
    *_, old, new = _random_units(seed)
    assert candidates(old, new) == _lookup_one_by_one(old, new)


@pytest.mark.parametrize("seed", range(6))
def test_candidate_search_by_side_is_each_sides_lookups(seed):
    """CandidateSearch: the pairs old's units find and those new's units find, each as the
    unit-by-unit search finds them (the same wording in both), their union the candidates."""
    from diffreport.candidates import CandidateSearch

    *_, old, new = _random_units(seed)
    search = CandidateSearch(old, new)
    by_old, by_new = search.found_by_old(), search.found_by_new()
    want_old, want_new = _lookup_one_by_one(old, new, halves=True)
    assert by_old.tolist() == sorted(map(list, want_old))
    assert by_new.tolist() == sorted(map(list, want_new))
    assert want_old | want_new == candidates(old, new)


@pytest.mark.parametrize("seed", range(6))
def test_candidates_that_must_share_a_word_equal_the_unit_by_unit_search(seed):
    """With ``must_share`` and ``allowed``, only pairs sharing one of those words (or
    allowed) compete for a unit's places, ranked as without them: the reference restricted
    to those pairs, on the same random units."""
    from diffreport.candidates import candidate_pairs

    rng, words, vocab, old, new = _random_units(seed)
    shared = {vocab.codes[w] for w in rng.sample(words, 120) if w in vocab.codes}
    allowed = {(rng.randrange(len(old)), rng.randrange(len(new))) for _ in range(50)}

    def keep(i, j):
        return (i, j) in allowed or not shared.isdisjoint(set(old[i].ordered) & set(new[j].ordered))

    found = candidate_pairs(
        old,
        new,
        np.array(sorted(ord(c) for c in shared), dtype=np.int64),
        (np.array([i for i, _ in allowed]), np.array([j for _, j in allowed])),
    )
    assert set(map(tuple, found.tolist())) == _lookup_one_by_one(old, new, keep)
    # Pairs sharing none of those words are only units of the same wording.
    assert all(keep(i, j) or old[i].ordered == new[j].ordered for i, j in found.tolist())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("floor", [0.3, 0.55])
def test_candidates_with_a_floor_are_those_whose_bag_reaches_it(seed, floor):
    """With a ``floor`` as well, the same candidates less those whose bag view is below it
    (as :func:`similarity` computes it), units of the same wording always kept: the
    reference restricted to those pairs."""
    from diffreport.candidates import candidate_pairs
    from diffreport.similarity import fuzz

    rng, words, vocab, old, new = _random_units(seed)
    shared = {vocab.codes[w] for w in rng.sample(words, 120) if w in vocab.codes}
    allowed = {(rng.randrange(len(old)), rng.randrange(len(new))) for _ in range(50)}

    def keep(i, j):
        return (i, j) in allowed or not shared.isdisjoint(set(old[i].ordered) & set(new[j].ordered))

    def reaches(i, j):
        bag = fuzz.ratio(old[i].bag, new[j].bag)
        return old[i].ordered == new[j].ordered or bag >= floor * 100.0 - 1e-6

    args = (
        np.array(sorted(ord(c) for c in shared), dtype=np.int64),
        (np.array([i for i, _ in allowed]), np.array([j for _, j in allowed])),
    )
    found = set(map(tuple, candidate_pairs(old, new, *args, floor=floor).tolist()))
    expected = {(i, j) for i, j in _lookup_one_by_one(old, new, keep) if reaches(i, j)}
    assert found == expected
    # The floor only drops pairs: the rest are the candidates found without it.
    assert found <= set(map(tuple, candidate_pairs(old, new, *args).tolist()))


def Profile_of(vocab, words):
    from diffreport.similarity import Profile

    return Profile.of(vocab.encode(words))


@pytest.mark.parametrize("seed", range(4))
def test_packed_sorts_equal_numpys_stable_sorts(seed):
    """The packed sorts give numpy's stable argsort and lexsort orders, packed or not (a
    bound too large to pack falls back to them)."""
    from diffreport.candidates import by_unit_votes_met, stable_order

    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 50, 2000)  # many ties
    for bound in (50, 1 << 62):
        order, ordered = stable_order(keys, bound)
        assert order.tolist() == np.argsort(keys, kind="stable").tolist()
        assert ordered.tolist() == np.sort(keys).tolist()
    unit = rng.integers(0, 30, 3000)
    votes = rng.choice([0.5, 1 / np.log(3), 0.25, 1.0], 3000) + rng.choice([0.0, 0.25], 3000)
    met = rng.permutation(3000)  # distinct
    want = np.lexsort((met, -votes, unit)).tolist()
    assert by_unit_votes_met(unit, votes, met).tolist() == want
    wide = met + (1 << 60)  # too wide to pack with the units and votes
    assert by_unit_votes_met(unit, votes, wide).tolist() == want
