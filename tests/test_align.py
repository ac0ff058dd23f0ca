"""diffreport.align: which units pair, through compare() (the aligner's one caller)."""

from __future__ import annotations

import pytest

from diffreport.compare import compare

BUDGET = "The council shall publish the annual budget before the end of March each year."
APPEAL = "Residents may appeal any parking fine to the independent transport tribunal."
LUNCH = "Schools must provide free lunches to every pupil whose family receives housing support."
HARBOUR = "The harbour authority will dredge the northern channel and rebuild the ferry terminal."


def text_pairs(c, level: str = "block"):
    """Each alignment at a level as (old texts, new texts, moved)."""
    return [
        (
            tuple(c.old.node(i).text for i in a.old),
            tuple(c.new.node(i).text for i in a.new),
            a.moved,
        )
        for a in c.at(level)
    ]


def test_identical_documents_pair_every_block_one_to_one():
    doc = "\n\n".join([BUDGET, APPEAL, LUNCH])
    c = compare(doc, doc)
    pairs = [(a.old, a.new) for a in c.at("block")]
    assert len(pairs) == 3
    assert all(old == new and len(old) == 1 for old, new in pairs)
    assert not any(a.moved for a in c.alignments)


def test_reordered_blocks_pair_with_themselves():
    c = compare("\n\n".join([BUDGET, APPEAL, LUNCH]), "\n\n".join([LUNCH, BUDGET, APPEAL]))
    assert sorted(text_pairs(c)) == sorted(((t,), (t,), False) for t in (BUDGET, APPEAL, LUNCH))


def test_inserted_block_is_new_and_others_still_pair():
    c = compare("\n\n".join([BUDGET, APPEAL]), "\n\n".join([BUDGET, HARBOUR, APPEAL]))
    got = text_pairs(c)
    assert ((), (HARBOUR,), False) in got
    assert ((BUDGET,), (BUDGET,), False) in got
    assert ((APPEAL,), (APPEAL,), False) in got
    assert len(got) == 3


def test_block_moved_to_another_section_is_paired_and_marked_moved():
    old = f"# Plan\n\n## Finance\n\n{BUDGET}\n\n{APPEAL}\n\n## Education\n\n{LUNCH}\n"
    new = f"# Plan\n\n## Finance\n\n{BUDGET}\n\n## Education\n\n{LUNCH}\n\n{APPEAL}\n"
    got = text_pairs(compare(old, new))
    assert ((APPEAL,), (APPEAL,), True) in got
    assert ((BUDGET,), (BUDGET,), False) in got
    assert ((LUNCH,), (LUNCH,), False) in got


def test_reworded_block_pairs_with_its_successor_not_with_a_stranger():
    reworded = BUDGET.replace("annual", "quarterly").replace("March", "April")
    c = compare("\n\n".join([BUDGET, APPEAL]), "\n\n".join([HARBOUR, reworded, APPEAL]))
    got = text_pairs(c)
    assert ((BUDGET,), (reworded,), False) in got
    assert ((), (HARBOUR,), False) in got


def test_every_node_is_in_exactly_one_alignment_per_level():
    old = "\n\n".join([BUDGET, APPEAL, LUNCH])
    new = "\n\n".join([LUNCH, HARBOUR, BUDGET.replace("annual", "yearly")])
    c = compare(old, new)
    for level in ("block", "sentence", "clause"):
        for side, doc in (("old", c.old), ("new", c.new)):
            placed = [i for a in c.at(level) for i in (a.old if side == "old" else a.new)]
            assert sorted(placed) == sorted(n.id for n in doc.of_kind(level))


def _wholes_and_partners(size: int):
    """(the generator, the word codes, pairs (whole, partner)): a unit of ``size`` codes
    (Pareto-distributed: a few often, many once) and a partner of half its words plus two it
    lacks, each way round, with an empty one and the unit twice."""
    import random

    rng = random.Random(size)
    codes = [chr(0x10000 + int(rng.paretovariate(1.2)) % 900) for _ in range(size)]
    whole = "".join(codes)
    partner = "".join(rng.choices(codes, k=size // 2)) + "".join(rng.choices("𐀀𐀁", k=7))
    cases = [(whole, partner), (partner, whole), (whole, ""), ("", whole), (whole, whole)]
    return rng, codes, cases


@pytest.mark.parametrize("size", [10, 400, 5000])
def test_lacking_words_are_counter_subtraction(size):
    """The words a whole has beyond its partner (counted in numpy for long units) are the
    multiset difference Counter gives, empty partner and empty whole included."""
    from collections import Counter

    from diffreport.parts import lacking_words

    _, _, cases = _wholes_and_partners(size)
    for a, b in cases:
        want = Counter(a)
        want -= Counter(b)
        assert lacking_words(a, b) == want


@pytest.mark.parametrize("size", [10, 200, 400, 5000])
def test_a_remainder_counts_a_part_as_counters_do(size):
    """Remainder (a Counter for short units, sorted arrays for long ones): its total, the
    words of a part it holds (a multiset overlap) and the part's distinct words among it are
    those Counter arithmetic gives, short and long parts, empty ones included."""
    from collections import Counter

    from diffreport.parts import Remainder
    from diffreport.similarity import Profile

    rng, codes, cases = _wholes_and_partners(size)
    for a, b in cases:
        want = Counter(a)
        want -= Counter(b)
        rest = Remainder(a, b)
        assert rest.counts() == want
        assert rest.total() == sum(want.values())
        for part in (
            "",
            "".join(rng.choices(codes, k=5)),
            "".join(rng.choices(codes, k=size)) + "𐀂",
            a,
            b,
        ):
            held = Counter(part)
            held &= want
            assert Remainder(a, b).overlap(Profile(part)) == sum(held.values())
            assert Remainder(a, b).among(Profile(part)) == set(held)


def _confidences_against_every_runner_up(old, new):
    """Align and rate ``old`` and ``new`` (documents); for each block pairing rated from its
    runner-up, (its confidence, the one from its best runner-up among all its units'
    candidates, each scored in full, margin below DECISIVE_MARGIN)."""
    import math

    from diffreport import articles
    from diffreport.align import Aligner
    from diffreport.candidates import candidate_pairs
    from diffreport.rating import rate
    from diffreport.similarity import similarity

    aligner = Aligner(old.part(front=False), new.part(front=False))
    pairs = aligner.run()
    blocks = [p for p in pairs["block"] if p.old and p.new and (p.score or 0.0) < articles.SURE]
    rate(aligner.old, aligner.new, pairs)
    olds, news = aligner.old.doc.of_kind("block"), aligner.new.doc.of_kind("block")
    prof_o = [aligner.old.profiles[n.id] for n in olds]
    prof_n = [aligner.new.profiles[n.id] for n in news]
    oi = {n.id: k for k, n in enumerate(olds)}
    ni = {n.id: k for k, n in enumerate(news)}
    rows = sorted({oi[p.old[0]] for p in blocks})
    cols = sorted({ni[p.new[0]] for p in blocks})
    found = {(rows[i], j) for i, j in candidate_pairs([prof_o[i] for i in rows], prof_n).tolist()}
    found |= {(i, cols[j]) for i, j in candidate_pairs(prof_o, [prof_n[j] for j in cols]).tolist()}
    score = {(i, j): similarity(prof_o[i], prof_n[j]) for i, j in found}
    out = []
    for p in blocks:
        a, b = oi[p.old[0]], ni[p.new[0]]
        runner = max([s for (i, j), s in score.items() if (i == a) != (j == b)], default=0.0)
        margin = p.score / runner if runner > 0 else math.inf
        out.append((p.confidence, articles.confidence(p.score, margin), margin))
    return out


@pytest.mark.parametrize(
    ("old_name", "new_name"),
    [
        ("nankai-2024-plan.txt", "nankai-2025-plan.txt"),
        ("nankai-2024-review-2025-outlook.txt", "nankai-2025-plan.txt"),
        ("nankai-2024-district-news.txt", "nankai-2021-government-work-report.txt"),
    ],
)
def test_block_confidences_are_those_of_every_runner_up_scored(old_name, new_name):
    """Runner-ups are scored only as far as the pairings of their units need (a floor per
    pair, and a pairing made `low` by its units' own candidates is not scored further): each
    block pairing's confidence is the one from its best runner-up among all its units'
    candidates, each scored in full."""
    from pathlib import Path

    from diffreport import articles
    from diffreport.compare import load

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    rated = _confidences_against_every_runner_up(load(seeds / old_name), load(seeds / new_name))
    assert [got for got, _, _ in rated] == [want for _, want, _ in rated]
    decided = sum(margin < articles.DECISIVE_MARGIN for _, _, margin in rated)
    assert decided >= 2  # runner-ups that decide


@pytest.mark.parametrize("seed", range(40))
def test_block_confidences_whichever_candidates_are_scored_first(seed, monkeypatch):
    """A pairing is settled `low` from the candidates scored first, the others scored only
    for the pairings still open: whichever candidates come first (here a random twentieth
    of all, not the units' own lookups), each confidence is the one from all its runner-ups
    scored in full (documents of blocks drawn from a few words: many weak pairings, many
    candidates)."""
    import random

    import numpy as np

    from diffreport import rating
    from diffreport.compare import load

    rng = random.Random(seed)
    words = (
        "长江 采砂 河道 许可证 管理 单位 个人 天津港 集团 航线 规划 建设 推进 发展 改革"
        " 服务 保障 完善 加强 实施 项目 资金 企业 市场 社区 学校 医疗 交通 环境 安全"
    ).split()

    def document():
        blocks = [
            "".join(rng.choices(words[: rng.randint(8, len(words))], k=rng.randint(4, 14)))
            for _ in range(rng.randint(20, 60))
        ]
        return load("第一章 总则\n\n" + "。\n\n".join(blocks) + "。\n")

    pick = np.random.default_rng(seed)

    class TwentiethFirst(rating.CandidateSearch):
        """A random twentieth of the whole search's pairs first, all of them after."""

        def found_by_old(self) -> np.ndarray:
            found = np.unique(
                np.concatenate((super().found_by_old(), super().found_by_new())), axis=0
            )
            self.asked = getattr(self, "asked", 0) + 1
            return found[pick.random(len(found)) < 0.05] if self.asked == 1 else found

        found_by_new = found_by_old

    monkeypatch.setattr(rating, "CandidateSearch", TwentiethFirst)
    rated = _confidences_against_every_runner_up(document(), document())
    assert [got for got, _, _ in rated] == [want for _, want, _ in rated]
    assert "low" in {want for _, want, _ in rated}
