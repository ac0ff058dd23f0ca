"""diffreport.measures: clauses the aligner left over, paired when they are one measure."""

from __future__ import annotations

import pytest

from diffreport.compare import compare

FIRE = "加快建设汾水道消防站，完善城市消防设施"
HOUSING = "推动老旧小区改造"
PORT = "发展海洋经济，支持天津港集团扩大集装箱航线"


def clause_pairs(c):
    return [
        (
            "".join(c.old.node(i).text for i in a.old),
            "".join(c.new.node(i).text for i in a.new),
            a.status,
            a.moved,
        )
        for a in c.at("clause")
    ]


def test_reworded_clause_moved_to_another_block_is_paired_as_moved():
    # Too reworded for the aligner's strict cross-document pass; the rare anchor
    # `汾水道消防站` is what ties the two clauses together.
    rebuilt = "年内建成汾水道消防站并投入使用"
    old = f"第一章 总则\n\n一、{FIRE}；{HOUSING}。\n\n二、{PORT}。\n"
    new = f"第一章 总则\n\n一、{HOUSING}。\n\n二、{PORT}；{rebuilt}。\n"
    c = compare(old, new)
    moved = [p for p in clause_pairs(c) if FIRE in p[0]]
    assert len(moved) == 1
    _, new_text, status, is_moved = moved[0]
    assert rebuilt in new_text
    assert status == "changed"
    assert is_moved
    # Nothing new or dropped is left: every measure found its successor.
    assert {s for _, _, s, _ in clause_pairs(c)} <= {"unchanged", "changed"}


def test_unrelated_clauses_stay_new_and_dropped():
    other = "鼓励居民参与社区垃圾分类志愿服务"
    old = f"第一章 总则\n\n一、{FIRE}。\n\n二、{PORT}。\n"
    new = f"第一章 总则\n\n一、{other}。\n\n二、{PORT}。\n"
    statuses = sorted(s for _, _, s, _ in clause_pairs(compare(old, new)))
    assert statuses == ["dropped", "new", "unchanged"]


def testtexts_holding_finds_every_text_holding_a_span():
    # The numpy search for where spans may start must miss nothing: checked against
    # `in` on random texts of few characters (many repeats) and their spans.
    import random

    from diffreport.measures import texts_holding

    rng = random.Random(17)
    alphabet = "长江采砂河道许可证单位个人，。a1"
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(300)]
    spans = {t[i : i + n] for t in texts[:40] for n in (4, 5, 6) for i in range(0, len(t) - n, 7)}
    spans.add("没有这段文字")
    got = texts_holding(texts, spans)
    want = {g: [k for k, t in enumerate(texts) if g in t] for g in spans}
    assert got == {g: ks for g, ks in want.items() if ks}
    assert "没有这段文字" not in got


def test_shared_runs_are_the_chinese_runs_both_sides_hold():
    # Checked against slicing on random texts of Chinese and other characters (runs that
    # cross punctuation, Latin letters or a character outside the plane do not count).
    import random
    import re

    from diffreport.measures import ANCHOR_MIN_CHARS, shared_runs

    chinese = re.compile(r"^[\u3400-\u9fff]+$")  # (as spans take Chinese characters)
    rng = random.Random(5)
    alphabet = "长江采砂河道许可证，。a1𠀋 "
    a = ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(200)]
    b = ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(150)]

    def runs(text):
        n = ANCHOR_MIN_CHARS
        return {text[i : i + n] for i in range(len(text) - n + 1) if chinese.match(text[i : i + n])}

    both = set().union(*map(runs, a)) & set().union(*map(runs, b))
    at_a, at_b, got = shared_runs(a, b)
    assert got == both and both
    assert at_a == [k for k, t in enumerate(a) if runs(t) & both]
    assert at_b == [k for k, t in enumerate(b) if runs(t) & both]
    # ... and where each starts in each text listed (spans_led_by's ``at``)
    from diffreport.measures import shared_runs_at

    assert shared_runs_at(a, b)[:3] == (at_a, at_b, got)
    for texts, listed, starts in zip((a, b), (at_a, at_b), shared_runs_at(a, b)[3:], strict=True):
        n = ANCHOR_MIN_CHARS
        want = [
            [i for i in range(len(texts[k]) - n + 1) if texts[k][i : i + n] in both] for k in listed
        ]
        assert starts == want


def test_shared_runs_with_a_side_holding_no_chinese_run():
    # A side with no run of Chinese characters long enough (English text, short lines, no
    # text at all) shares none, on either side (found by tests/test_properties.py: it raised).
    from diffreport.measures import shared_runs

    chinese = ["第二十九条 市、区、县民政局应当依法管理。"]
    for other in (["Article 29. The bureau shall manage."], ["第一条"], [""], []):
        assert shared_runs(chinese, other) == ([], [], set())
        assert shared_runs(other, chinese) == ([], [], set())


@pytest.mark.parametrize(
    ("seed", "old_slice", "new_slice"),
    [
        (11, slice(None, None, 2), slice(1, None, 3)),  # the new side has fewer leftovers
        (12, slice(1, None, 3), slice(None, None, 2)),  # the old side has fewer
        (13, slice(1, None), slice(None, -1)),  # nearly every clause (unrelated documents)
    ],
)
def test_unique_spans_are_those_one_clause_of_each_document_holds(
    seed, old_slice, new_slice, monkeypatch
):
    # The spans a leftover of each side holds, found in exactly one clause of each document
    # (as words): the search that reads only some texts finds the same as reading them all.
    import random

    from diffreport.compare import load
    from diffreport.measures import anchor_spans, unique_spans

    rng = random.Random(seed)
    words = ["长江", "采砂", "河道", "许可证", "管理", "单位", "个人", "天津港", "集团", "航线"]

    def document():
        clauses = ["".join(rng.choices(words, k=rng.randint(1, 5))) for _ in range(60)]
        blocks = ["，".join(clauses[k : k + 3]) + "。" for k in range(0, len(clauses), 3)]
        return load("第一章 总则\n\n" + "\n\n".join(blocks) + "\n")

    old, new = document(), document()
    old_left = old.of_kind("clause")[old_slice]
    new_left = new.of_kind("clause")[new_slice]

    def holders(doc, g):
        return sum(g in anchor_spans(c.text) for c in doc.of_kind("clause"))

    held = set().union(*(anchor_spans(n.text) for n in old_left))
    held &= set().union(*(anchor_spans(n.text) for n in new_left))
    want = {g for g in held if holders(old, g) == 1 and holders(new, g) == 1}
    found = unique_spans(old, new, old_left, new_left)
    assert found.keys() == want
    assert want
    # ... each with the one clause of each document holding it
    for g, (old_id, new_id) in found.items():
        assert g in anchor_spans(old.node(old_id).text)
        assert g in anchor_spans(new.node(new_id).text)
    # The spans found ahead (all of them, or those of the first slices of texts) give the
    # same.
    from diffreport import measures
    from diffreport.measures import spans_ahead, unique_spans_with_cuts

    monkeypatch.setattr(measures, "AHEAD_TEXTS", 7)
    for slices in (None, 3):
        ahead: dict[str, frozenset[str]] = {}
        for k, _ in enumerate(spans_ahead(old, new, ahead)):
            if k == slices:
                break
        clauses = {c.text for doc in (old, new) for c in doc.of_kind("clause")}
        assert ahead and (len(ahead) < len(clauses)) == (slices is not None)
        assert unique_spans_with_cuts(old, new, old_left, new_left, ahead) == (
            unique_spans_with_cuts(old, new, old_left, new_left)
        )
    # The leftovers' texts as cut there give each the anchors it holds, as cutting it anew
    # does (the measures read them so).
    from diffreport.measures import Anchors

    again, cut = unique_spans_with_cuts(old, new, old_left, new_left)
    assert again == found
    for n in old_left + new_left:
        assert Anchors(set(found), cut).held_by(n.text) == Anchors(set(found)).held_by(n.text)
        assert Anchors(set(found)).held_by(n.text) == anchor_spans(n.text) & set(found)


def test_spans_led_by_heads_are_those_anchor_spans_finds():
    """spans_led_by (only the runs of Chinese holding a head are cut into words) finds the
    anchor spans beginning with a head that anchor_spans (the whole text cut) finds: texts of
    Chinese words, article numbers, figures taking the units after them (`2025年条…`: the run
    starts after the unit), Latin words, punctuation, spaces and the characters a word may
    hold outside a run of Chinese (U+4DC0-U+4DFF)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from diffreport.measures import ANCHOR_MIN_CHARS, anchor_spans, spans_led_by

    pieces = st.sampled_from(
        "长江 采砂 河道管理 许可证 天津港集团 航线 的 第三十四条 十二条 2025年 5万余户 GitHub ， 。"
        " ䷀ ䷁天 汾水道消防站 西营门外小学 航运金融 三 条 3 12 万 余 年 月 类 个 4.5 % x - １".split()
        + [" ", "\n"]
    )

    @settings(max_examples=1000, deadline=None)
    @given(st.lists(pieces, max_size=14), st.data())
    def check(parts, data):
        text = "".join(parts)
        spans = anchor_spans(text)
        starts = {g[:ANCHOR_MIN_CHARS] for g in spans}
        runs = [text[k : k + ANCHOR_MIN_CHARS] for k in range(max(0, len(text) - 3))]
        heads = set(data.draw(st.lists(st.sampled_from(sorted(starts) + runs + ["长江采砂"]))))
        want = frozenset(g for g in spans if g[:ANCHOR_MIN_CHARS] in heads)
        assert spans_led_by(text, heads) == want
        assert spans_led_by(text, starts) == spans
        # where the heads start told (``at``: every place, ascending), the same
        for told in (heads, starts):
            at = [k for k in range(len(text) - 3) if text[k : k + ANCHOR_MIN_CHARS] in told]
            assert spans_led_by(text, told, at) == (want if told is heads else spans)

    check()


# Pairs of documents whose leftovers share anchors across blocks: revisions, and unrelated
# reports of one district (many weak pairs across blocks).
_CROSS_CASES = [
    ("nankai-2021-government-work-report.txt", "nankai-2025-plan.txt"),
    ("nankai-2024-review-2025-outlook.txt", "nankai-2025-plan.txt"),
    ("nankai-2024-district-news.txt", "nankai-2024-plan.txt"),
]


@pytest.mark.parametrize(("old_name", "new_name"), _CROSS_CASES)
def test_the_bound_on_a_pair_across_blocks_is_never_below_its_score(
    monkeypatch, old_name, new_name
):
    """MoveBound, asked of every pair of leftovers across blocks that share an anchor, is at
    least the pair's score (measure_scores): it settles only pairs below the threshold."""
    from conftest import SEEDS

    from diffreport import measures

    bounds: list[float] = []
    scores: list[float] = []
    real_bound, real_scores = measures.MoveBound.__call__, measures.measure_scores

    def every_pair(self, old, new):  # the bound's value, then score the pair as if it passed
        bounds.append(real_bound(self, old, new))
        return float("inf")

    def scored(olds, news, *rest):
        got = real_scores(olds, news, *rest)
        if len(scores) < len(bounds):
            scores.append(float(got[0][0, 0]))
        return got

    monkeypatch.setattr(measures.MoveBound, "__call__", every_pair)
    monkeypatch.setattr(measures, "measure_scores", scored)
    compare(SEEDS / old_name, SEEDS / new_name)
    assert len(bounds) == len(scores) > 0
    assert all(b >= s for b, s in zip(bounds, scores, strict=True))
    assert any(b < measures.MEASURE_MOVE_THRESHOLD for b in bounds)


@pytest.mark.parametrize(("old_name", "new_name"), _CROSS_CASES)
def test_pairs_settled_by_the_bound_change_nothing(monkeypatch, old_name, new_name):
    """The comparison is the same with every pair across blocks scored in full."""
    from conftest import SEEDS

    from diffreport import measures

    bounded = compare(SEEDS / old_name, SEEDS / new_name).to_json()
    monkeypatch.setattr(measures.MoveBound, "__call__", lambda self, old, new: float("inf"))
    assert compare(SEEDS / old_name, SEEDS / new_name).to_json() == bounded


def _measure_cases():
    from conftest import SEEDS

    law = SEEDS.parent / "tests" / "fixtures" / "law"
    return [
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
        (
            law / "上海市优化营商环境条例.2020-04-10.md",
            law / "上海市优化营商环境条例.2024-09-27.md",
        ),
    ]


@pytest.mark.parametrize(("old_path", "new_path"), _measure_cases())
def test_measure_edits_from_the_pairings_ids_are_those_of_the_aligners_pairings(old_path, new_path):
    """The side child finds the measures' edits from the pairings' ids alone (no scores, no
    confidences): the same edits as from the aligner's pairings, which they leave as they
    were; made in either, the same pairings (ids, shares). Both pairs pair measures, join
    parts to them and set shares."""
    import copy

    from diffreport.align import Aligner
    from diffreport.compare import load
    from diffreport.measures import apply_measure_edits, measure_edits
    from diffreport.result import Pairing

    old, new = load(old_path).part(front=False), load(new_path).part(front=False)
    pairs = Aligner(old, new).run()
    before = copy.deepcopy(pairs)
    edits = measure_edits(old, new, pairs)
    assert pairs == before  # (nothing changed)
    assert edits is not None and all(edits[:3]) and edits[4]  # (pairs made, parts joined)
    told = {
        lv: [Pairing(lv, list(p.old), list(p.new), None) for p in ps] for lv, ps in pairs.items()
    }
    assert measure_edits(old, new, told) == edits

    def made(pairs):
        return [(p.old, p.new, p.shares) for p in pairs["clause"]]

    assert made(apply_measure_edits(told, edits)) == made(apply_measure_edits(pairs, edits))
    clauses = apply_measure_edits(before, edits)["clause"]
    for doc, side in ((old, "old"), (new, "new")):  # (every clause in one pairing)
        ids = [i for p in clauses for i in getattr(p, side)]
        assert sorted(ids) == sorted(n.id for n in doc.of_kind("clause"))
