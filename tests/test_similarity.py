"""diffreport.similarity: how alike two units are, through its public API."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from diffreport.similarity import (
    BUCKETS_ABOVE_PAIRS,
    BUCKETS_FROM_FLOOR,
    RANGES_FROM_WORDS,
    Profile,
    Vocabulary,
    containment,
    indexed_similarities,
    pair_similarities,
    shared_words,
    similarity,
)

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


def _random_profiles(rng, n: int, lengths: list[int], vocab_sizes: list[int]):
    out = []
    for _ in range(n):
        size, length = rng.choice(vocab_sizes), rng.choice(lengths)
        out.append(Profile("".join(chr(0x10000 + rng.randrange(size)) for _ in range(length))))
    return out


def test_shared_words_is_the_lcs_of_the_bags_for_short_and_long_units():
    # Long pairs are counted word by word, short ones by rapidfuzz: both must give the
    # multiset overlap that LCSseq of the sorted codes gives.
    rng = random.Random(7)
    lengths = [0, 1, 3, 60, 700, 5000]
    a = _random_profiles(rng, 400, lengths, [4, 60, 3000])
    b = _random_profiles(rng, 400, lengths, [4, 60, 3000])
    got = shared_words(a, b).tolist()
    want = [LCSseq.similarity(p.bag, q.bag) for p, q in zip(a, b, strict=True)]
    assert got == want
    assert any(min(p.size, q.size) >= 700 for p, q in zip(a, b, strict=True))
    assert [containment(p, q) for p, q in zip(a[:50], b[:50], strict=True)] == [
        w / p.size if p.size else 0.0 for p, w in zip(a[:50], want[:50], strict=True)
    ]


def test_pair_similarities_are_similarity_and_a_floor_only_zeroes_what_is_below_it():
    rng = random.Random(8)
    a = _random_profiles(rng, 300, [0, 2, 12, 80, 900], [3, 20, 400])
    b = _random_profiles(rng, 300, [0, 2, 12, 80, 900], [3, 20, 400])
    plain = pair_similarities(a, b).tolist()
    assert plain == [similarity(p, q) for p, q in zip(a, b, strict=True)]
    floored = pair_similarities(a, b, floor=0.3).tolist()
    assert floored == [s if s >= 0.3 else 0.0 for s in plain]
    assert 0 < sum(s >= 0.3 for s in plain) < len(plain)


def test_indexed_similarities_are_pair_similarities_of_the_indexed_units():
    # Each unit is read once for all its pairs: the floats must be pair_similarities' own,
    # for short and long units (counted by LCS or word by word), with and without a floor.
    rng = random.Random(9)
    a = _random_profiles(rng, 60, [0, 2, 12, 80, 900, 5000], [3, 20, 400])
    b = _random_profiles(rng, 50, [0, 2, 12, 80, 900, 5000], [3, 20, 400])
    rows = np.array([rng.randrange(len(a)) for _ in range(700)], dtype=np.int64)
    cols = np.array([rng.randrange(len(b)) for _ in range(700)], dtype=np.int64)
    pairs_a, pairs_b = [a[i] for i in rows.tolist()], [b[j] for j in cols.tolist()]
    for floor in (0.0, 0.3):
        got = indexed_similarities(a, b, rows, cols, floor=floor).tolist()
        assert got == pair_similarities(pairs_a, pairs_b, floor=floor).tolist()
    assert 0 < sum(s >= 0.3 for s in got) < len(got)


@pytest.mark.parametrize("seed", range(3))
def test_long_units_bounded_per_range_of_codes_score_as_pair_by_pair(seed):
    # Many pairs of long units below the hashed buckets' floor (sections moved): the bound
    # per range of codes may only leave out pairs whose bag is below the floor. Old units
    # draw on a skewed vocabulary; some new ones are old ones reworded, the others draw
    # from a vocabulary of their own, partly shared (as a comparison numbers words by first
    # use, codes of the new text's own words come after the old text's).
    rng = random.Random(seed)
    weights = [1.0 / (k + 1) for k in range(3000)]

    def unit(first: int) -> list[int]:
        return [first + k for k in rng.choices(range(3000), weights, k=rng.randint(100, 600))]

    old = [unit(0x10000) for _ in range(60)]
    new = [unit(0x10000 + rng.choice((1000, 2500))) for _ in range(50)]
    for j in rng.sample(range(len(new)), 15):  # reworded: a share of the words replaced
        keep = rng.uniform(0.3, 0.9)
        new[j] = [c if rng.random() < keep else 0x10000 + rng.randrange(5000) for c in old[j]]
    for j in rng.sample(range(len(new)), 15):  # cut down to a part: its bag just reaches
        new[j] = [c for c in old[rng.randrange(len(old))] if rng.random() < 0.19]
    a = [Profile("".join(map(chr, u))) for u in old]
    b = [Profile("".join(map(chr, u))) for u in new]
    rows = np.repeat(np.arange(len(a)), len(b))
    cols = np.tile(np.arange(len(b)), len(a))
    lengths = np.array([p.size for p in a])[rows] + np.array([q.size for q in b])[cols]
    floor = 0.3
    assert len(rows) >= BUCKETS_ABOVE_PAIRS and floor < BUCKETS_FROM_FLOOR
    assert lengths.mean() >= 2 * RANGES_FROM_WORDS
    got = indexed_similarities(a, b, rows, cols, floor=floor).tolist()
    want = [similarity(a[i], b[j], floor=floor) for i, j in zip(rows, cols, strict=True)]
    assert got == want
    assert 0 < sum(s >= floor for s in want) < len(want) / 2


def test_rarity_from_the_aligners_codes_is_rarity_by_words():
    # The body's clauses counted from the aligner's profiles, the front matter's word by
    # word: the same weights as counting every clause's words (a law with front matter).
    from conftest import law_pairs

    from diffreport.align import Aligner
    from diffreport.compare import load
    from diffreport.similarity import rarity

    old_path, new_path = next(
        pair for pair in law_pairs() if load(pair[0]).part(front=True).of_kind("clause")
    )
    old, new = load(old_path), load(new_path)
    aligner = Aligner(old.part(front=False), new.part(front=False))
    by_words = rarity(old, new)
    assert rarity(old, new, aligner.vocab) == by_words
    assert len(by_words) > 100


def test_a_bag_is_its_codes_sorted_at_any_length():
    rng = random.Random(7)
    for n in (0, 1, 31, 32, 33, 300, 5000):
        codes = "".join(chr(0x10000 + rng.randrange(max(1, n // 3))) for _ in range(n))
        assert Profile(codes).bag == "".join(sorted(codes))


def test_bags_made_at_once_are_each_units_codes_sorted():
    # shared_words makes the bags of a large list of pairs in one sort: the same bags, the
    # same counts as LCSseq on bags sorted one by one.
    rng = random.Random(11)
    units = [
        Profile("".join(chr(0x10000 + rng.randrange(40)) for _ in range(rng.randrange(0, 30))))
        for _ in range(400)
    ]
    a, b = units[:200], units[200:]
    got = shared_words(a, b).tolist()
    for p, q, n in zip(a, b, got, strict=True):
        assert p.bag == "".join(sorted(p.ordered)) and q.bag == "".join(sorted(q.ordered))
        assert n == LCSseq.similarity("".join(sorted(p.ordered)), "".join(sorted(q.ordered)))


@pytest.mark.parametrize("rate", [8, 64])
@pytest.mark.parametrize(("count", "longest"), [(100, 400), (6, 6000)])
def test_samples_made_at_once_are_those_made_one_by_one(rate, count, longest):
    """make_samples (one numpy pass over many units, or over a few long ones) gives each
    unit the sample Profile.sample makes alone (its residue class of codes, in order, and
    sorted)."""
    from diffreport.similarity import make_samples

    rng = random.Random(rate)
    codes = [chr(0x10000 + k) for k in range(3000)]
    wordings = ["".join(rng.choices(codes, k=rng.randint(0, longest))) for _ in range(count)]
    together = [Profile(w) for w in wordings]
    make_samples(together + together[:5], rate)  # (a unit listed twice is made once)
    for w, p in zip(wordings, together, strict=True):
        assert rate in p._samples
        assert p.sample(rate) == Profile(w).sample(rate)
    assert any(p.sample(rate)[0] for p in together)


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 60), min_size=1, max_size=200),
            st.lists(st.integers(30, 120), min_size=1, max_size=200),
        ),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_ordered_views_counted_on_the_words_each_holds_are_similaritys(pairs, no_table):
    """Every pair's ordered view counted on the words each unit holds of the other's (here
    of any length; by the plain LCS where the table of who holds what would be too large):
    indexed_similarities gives similarity's scores, whatever the words, their repeats and
    order, and the units' repeats among the pairs."""
    from unittest import mock

    from diffreport import similarity as module

    units_a = [Profile("".join(chr(0x10000 + c) for c in x)) for x, _ in pairs]
    units_b = [Profile("".join(chr(0x10000 + c) for c in y)) for _, y in pairs]
    rows = np.array([k % len(pairs) for k in range(2 * len(pairs))], dtype=np.int64)
    cols = np.array([(k * 7) % len(pairs) for k in range(2 * len(pairs))], dtype=np.int64)
    want = [similarity(units_a[i], units_b[j]) for i, j in zip(rows, cols, strict=True)]
    cells = 0 if no_table else module.HELD_TABLE_CELLS
    with mock.patch.multiple(module, HELD_ONLY_ABOVE=0, HELD_TABLE_CELLS=cells):
        got = indexed_similarities(units_a, units_b, rows, cols).tolist()
    assert got == want


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 200), max_size=300), st.lists(st.integers(0, 200), max_size=300)
        ),
        min_size=1,
        max_size=20,
    )
)
def test_bucket_counts_bound_the_words_two_units_share(pairs):
    """Per bucket, the smaller of the two units' counts, summed: never fewer than the words
    the two share (shared_words), whatever the words and their repeats."""
    from diffreport.similarity import bucket_counts

    a = [Profile("".join(chr(0x10000 + c) for c in x)) for x, _ in pairs]
    b = [Profile("".join(chr(0x10000 + c) for c in y)) for _, y in pairs]
    bound = np.minimum(bucket_counts(a), bucket_counts(b)).sum(axis=1).tolist()
    assert all(n <= m for n, m in zip(shared_words(a, b).tolist(), bound, strict=True))
    assert bucket_counts(a).sum(axis=1).tolist() == [p.size for p in a]


@pytest.mark.parametrize("floor", [0.55, 0.6, 0.8])
@pytest.mark.parametrize(("units", "pairs"), [(300, 6000), (2000, 2500)])
def test_scores_above_a_high_floor_of_many_pairs_are_similaritys(floor, units, pairs):
    """Many pairs (the bucket bound on shared words runs first, counted for every unit or
    for the pairs' units): bags_reaching keeps exactly the pairs whose bag reaches the
    floor, and indexed_similarities gives similarity's scores with that floor, though most
    pairs share little."""
    from diffreport.similarity import bags_reaching, unit_lengths

    rng = random.Random(int(floor * 100))
    a = _random_profiles(rng, units, [1, 4, 9, 20, 300], [30, 400, 5000])
    # Half the new units are old ones reworded a little: some pairs reach any floor.
    b = _random_profiles(rng, units // 2, [1, 4, 9, 20, 300], [30, 400, 5000])
    reworded = rng.sample(range(units), units // 2)
    for p in map(a.__getitem__, reworded):
        words = list(p.ordered)
        for k in rng.sample(range(len(words)), len(words) // 5):
            words[k] = chr(0x10000 + rng.randrange(6000))
        b.append(Profile("".join(words)))
    rows = np.array([rng.randrange(len(a)) for _ in range(pairs)], dtype=np.int64)
    cols = np.array([rng.randrange(len(b)) for _ in range(pairs)], dtype=np.int64)
    # (the pairs of a unit and its rewording among them)
    rows[: units // 2], cols[: units // 2] = reworded, np.arange(units // 2, units)
    want = [similarity(a[i], b[j], floor=floor) for i, j in zip(rows, cols, strict=True)]
    assert indexed_similarities(a, b, rows, cols, floor=floor).tolist() == want
    lengths = (unit_lengths(a), unit_lengths(b))  # (a caller's, read once)
    assert indexed_similarities(a, b, rows, cols, floor, lengths).tolist() == want
    bag = [fuzz.ratio(a[i].bag, b[j].bag) for i, j in zip(rows, cols, strict=True)]
    reach = [k for k, r in enumerate(bag) if r >= floor * 100.0 - 1e-6]
    assert bags_reaching(a, b, rows, cols, floor).tolist() == reach
    assert bags_reaching(a, b, rows, cols, floor, lengths).tolist() == reach
    assert 10 < len(reach) < len(rows) / 2


@given(st.lists(st.integers(0, 50), max_size=200))
def test_distinct_values_and_their_places_are_numpys(values):
    """distinct_at (one sort, places scattered back): numpy's distinct values and inverse."""
    from diffreport.similarity import distinct_at

    array = np.array(values, dtype=np.int64)
    distinct, where = distinct_at(array)
    want, inverse = np.unique(array, return_inverse=True)
    assert distinct.tolist() == want.tolist() and where.tolist() == inverse.tolist()
