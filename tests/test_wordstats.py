"""diffreport.wordstats: which shared words are evidence (rare words, boilerplate, subject
words), against their definitions counted unit by unit."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from conftest import SEEDS, law_pairs

from diffreport.compare import load
from diffreport.sides import tokenised
from diffreport.similarity import Profile, Vocabulary
from diffreport.wordstats import (
    RARE_DF,
    RARE_SQRT,
    STOCK_BLOCKS,
    TOPIC_SHARE,
    Postings,
    WordStats,
)

PAIRS = [(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"), *law_pairs()[:3]]


def _stats(pair):
    vocab = Vocabulary()
    old = tokenised(load(pair[0]).part(front=False), vocab)
    new = tokenised(load(pair[1]).part(front=False), vocab)
    return WordStats(old, new), old, new, vocab


def _units(old, new, level: str) -> list[list[str]]:
    """Each side's units of ``level`` as their wordings (code strings), old then new."""
    return [[s.profiles[n.id].ordered for n in s.doc.of_kind(level)] for s in (old, new)]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0].stem)
@pytest.mark.parametrize("level", ["block", "sentence"])
def test_rare_words_are_those_in_few_units_of_the_level(pair, level):
    """A unit's rare words: its distinct words held by at most RARE_DF units of the level
    (both documents), or sqrt(units) / RARE_SQRT in long ones; a profile that is no unit of
    the level (a lead sentence) by the same rule, a word no unit holds being rare."""
    stats, old, new, vocab = _stats(pair)
    units = [u for side in _units(old, new, level) for u in side]
    df = Counter(c for u in units for c in set(u))
    limit = max(RARE_DF, int(math.sqrt(len(units)) / RARE_SQRT))
    for unit in [*units, vocab.profile("全新的说法和从未出现的词语").ordered]:
        assert stats.rare_words(level, Profile(unit)) == {c for c in set(unit) if df[c] <= limit}
    assert any(stats.rare_words(level, Profile(u)) for u in units)
    assert any(set(u) - stats.rare_words(level, Profile(u)) for u in units)
    assert set(stats.rare_codes(level).tolist()) == {ord(c) for c, k in df.items() if k <= limit}


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0].stem)
def test_boilerplate_is_words_that_together_recur_in_several_blocks(pair):
    """stock(words): all of them together in STOCK_BLOCKS or more blocks of either document;
    distinct(a, b): what two units share is not; beyond the topic: without the subject
    words (in more than TOPIC_SHARE of all blocks, and in at least STOCK_BLOCKS)."""
    stats, old, new, _ = _stats(pair)
    sides = [[set(u) for u in side] for side in _units(old, new, "block")]
    df = Counter(c for side in sides for u in side for c in u)
    least = max(STOCK_BLOCKS, TOPIC_SHARE * sum(map(len, sides)))
    topic = {c for c, k in df.items() if k > least}

    def stock(words: set[str]) -> bool:
        return not words or any(sum(words <= u for u in side) >= STOCK_BLOCKS for side in sides)

    rng = random.Random(0)
    blocks = [Profile("".join(sorted(u))) for side in sides for u in side]
    seen = Counter()
    for _ in range(300):
        a, b = rng.choice(blocks), rng.choice(blocks)
        shared = set(a.ordered) & set(b.ordered)
        assert stats.stock(shared) == stock(shared)
        assert stats.distinctive(a, b) == (not stock(shared))
        assert stats.distinctive_beyond_topic(a, b) == (not stock(shared - topic))
        seen[stock(shared)] += 1
    assert seen[True] and seen[False]


@pytest.mark.parametrize("seed", range(3))
def test_block_postings_are_the_units_holding_each_code(seed):
    """Postings.get: the indices of the units holding a code, ascending and each once (a
    unit repeating it too), none for a code no unit holds; asked again, the same."""
    rng = random.Random(seed)
    codes = [chr(0x10000 + k) for k in range(300)]
    units = ["".join(rng.choices(codes, k=rng.randint(0, 40))) for _ in range(200)]
    postings = Postings(units)
    for code in [*codes, chr(0x10000 + 400)] * 2:
        assert postings.get(code) == [k for k, u in enumerate(units) if code in u]
