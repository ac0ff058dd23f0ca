"""Issue 11, items 5 and 6: no links by boilerplate, article pairing on rewrites, confidence."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from conftest import LAW
from hypothesis import given
from hypothesis import strategies as st

from diffreport import articles
from diffreport.compare import compare
from diffreport.tokens import content_words
from diffreport.writers import markdown

REVISIONS = LAW / "revisions"
WENZHI = (
    REVISIONS / "中国人民解放军文职人员条例.2017-09-27.md",
    REVISIONS / "中国人民解放军文职人员条例.2022-12-10.md",
)
SECRETS = (REVISIONS / "保守国家秘密法.2010-04-29.md", REVISIONS / "保守国家秘密法.2024-02-27.md")
IP_COURT = (
    REVISIONS / "最高人民法院关于知识产权法庭若干问题的规定.2018-12-28.md",
    REVISIONS / "最高人民法院关于知识产权法庭若干问题的规定.2023-10-21.md",
)


def _cross_block_links(c):
    """Sentence and clause alignments that link units of blocks not paired with each other."""
    linked = defaultdict(set)
    for a in c.at("block"):
        for o in a.old:
            linked[o].update(a.new)
    out = []
    for a in c.alignments:
        if a.level not in ("sentence", "clause") or not a.old or not a.new:
            continue
        olds = {c.old.block_of(i).id for i in a.old}
        news = {c.new.block_of(i).id for i in a.new}
        if any(n not in linked[o] for o in olds for n in news):
            out.append(a)
    return out


def _blocks_holding(doc, words: set[str]) -> int:
    return sum(1 for b in doc.of_kind("block") if words <= set(content_words(b.text)))


@pytest.mark.parametrize("pair", [WENZHI, SECRETS], ids=["文职人员条例", "保守国家秘密法"])
def test_cross_article_links_rest_on_distinctive_content(pair):
    c = compare(*pair)
    links = _cross_block_links(c)
    assert links  # real moves between articles are still found
    linked = defaultdict(set)
    for a in c.at("block"):
        for o in a.old:
            linked[o].update(a.new)
    for a in links:
        for o in a.old:
            for n in a.new:
                if c.new.block_of(n).id in linked[c.old.block_of(o).id]:
                    continue
                shared = set(content_words(c.old.node(o).text)) & set(
                    content_words(c.new.node(n).text)
                )
                if not shared:
                    continue  # a part of a merge, shared with another part
                # a stock phrase recurs in many articles; what carries a link does not
                assert min(_blocks_holding(c.old, shared), _blocks_holding(c.new, shared)) < 3, (
                    a.level,
                    c.old.node(o).text,
                    c.new.node(n).text,
                )


def test_criminal_liability_clauses_are_not_merged_across_articles():
    c = compare(*SECRETS)
    for a in c.alignments:
        if a.level in ("sentence", "clause") and len(a.old) > 1:
            texts = [c.old.node(i).text for i in a.old]
            assert sum("追究刑事责任" in t for t in texts) < 2, texts


STATUTE_OLD = """# 某某条例

第一条 为了规范停车管理，制定本条例。

第二条 停车场经营者应当公示收费标准和服务时间。停车场经营者不得擅自提高收费标准。违反本条规定的，由价格主管部门责令改正，构成犯罪的，依法追究刑事责任。

第三条 停车场经营者应当建立车辆进出登记制度，违反本条规定的，由公安机关责令改正，构成犯罪的，依法追究刑事责任。

第四条 本条例自公布之日起施行。
"""

STATUTE_NEW = STATUTE_OLD.replace("停车场经营者不得擅自提高收费标准。", "")


def test_a_deleted_sentence_stays_dropped_in_its_article():
    c = compare(STATUTE_OLD, STATUTE_NEW)
    deleted = next(s for s in c.old.of_kind("sentence") if "不得擅自提高" in s.text)
    [a] = [a for a in c.alignments if deleted.id in a.old]
    assert a.status == "dropped" and not a.new
    third = next(b for b in c.old.of_kind("block") if b.text.startswith("第三条"))
    [b] = [a for a in c.at("block") if third.id in a.old]
    assert b.status == "unchanged" and len(b.old) == len(b.new) == 1


def test_unrelated_articles_at_the_same_place_are_not_paired():
    """Old 第四条 (electronic service) and new 第四条 (disclosure of related cases) share
    only the court's stock words: a reader sees one article deleted and one inserted."""
    c = compare(*IP_COURT)
    old4 = next(b for b in c.old.of_kind("block") if "电子诉讼平台、中国审判流程" in b.text)
    new4 = next(b for b in c.new.of_kind("block") if "关联案件情况" in b.text)
    assert c.alignment_of("old", old4.id).status == "dropped"
    assert c.alignment_of("new", new4.id).status == "new"


def test_rewrite_pairs_lead_sentence_and_order():
    """文职人员条例: old 第二十二条 (training needs) is new 第二十三条's lead sentence, and the
    articles after it follow in order (第二十三条 → 第二十四条 …), though the chapter split."""
    c = compare(*WENZHI)

    def partner(lead: str) -> str:
        old = next(b for b in c.old.of_kind("block") if lead in b.text)
        a = c.alignment_of("old", old.id)
        return c.new.node(a.new[0]).label if a and a.new else ""

    assert partner("改善知识结构和提高职业能力需要") == "第二十三条"
    assert partner("分为岗前培训、在岗培训") == "第二十四条"
    assert partner("文职人员培训纳入军队人员培训体系") == "第二十五条"


def test_every_pair_carries_a_confidence_and_low_ones_say_so():
    c = compare(*WENZHI)
    data = c.to_dict()
    pairs = [a for a in data["alignments"] if a["old"] and a["new"]]
    assert pairs and all(a["confidence"] in ("high", "medium", "low") for a in pairs)
    assert all("confidence" not in a for a in data["alignments"] if not a["old"] or not a["new"])
    assert all(a["confidence"] == "high" for a in pairs if a["status"] == "unchanged")
    levels = {a["confidence"] for a in pairs if a["level"] == "block"}
    assert levels == {"high", "medium", "low"}
    low = [a for a in c.at("block") if a.confidence == "low" and a.status == "changed"]
    assert low
    md = markdown.render(c)
    assert md.count("low confidence") >= len(low)


@pytest.mark.parametrize(
    ("score", "margin", "want"),
    [
        (0.95, 1.0, "high"),
        (0.7, 2.0, "high"),
        (0.7, 1.1, "low"),
        (0.4, 1.3, "medium"),
        (0.25, 3.0, "medium"),
        (0.3, 1.3, "low"),
    ],
)
def test_confidence_from_score_and_margin(score, margin, want):
    assert articles.confidence(score, margin) == want


def test_heaviest_chain_keeps_order():
    items = [(0, 0, 0.9), (1, 3, 0.5), (2, 1, 0.8), (3, 2, 0.7), (4, 4, 0.9)]
    assert articles.heaviest_chain(items) == [(0, 0), (2, 1), (3, 2), (4, 4)]
    keeps = articles.in_order([(0, 0), (2, 1), (4, 4)])
    assert keeps(3, 2) and keeps(3, 3) and not keeps(3, 0) and not keeps(1, 3)


def _block(c, side, label):
    doc = c.old if side == "old" else c.new
    return next(b for b in doc.of_kind("block") if b.label == label)


def test_a_part_of_a_split_shares_more_than_a_stock_clause():
    # 文职人员条例 (read side by side): old 第四十九条 (home leave, travel allowance, child care
    # `…按照军队有关规定执行`) became new 第五十八条; new 第五十九条 (settling in, spouses and
    # children moving) is new and shares only `按照国家和军队有关规定执行` with the old one.
    c = compare(*WENZHI)
    old49, new58, new59 = (
        _block(c, "old", "第四十九条"),
        _block(c, "new", "第五十八条"),
        _block(c, "new", "第五十九条"),
    )
    a = c.alignment_of("old", old49.id)
    assert a.new == [new58.id]
    assert c.alignment_of("new", new59.id).status == "new"
    # ... and no clause of old 第四十条 (sent abroad on duty) is linked to new 第十九条
    # (establishing posts `根据军队建设和执行任务需要`).
    old40, new19 = _block(c, "old", "第四十条"), _block(c, "new", "第十九条")
    for a in _cross_block_links(c):
        assert not (
            {c.old.block_of(i).id for i in a.old} == {old40.id}
            and {c.new.block_of(i).id for i in a.new} == {new19.id}
        )


def test_a_split_article_is_renumbered_by_the_part_that_continues_it():
    # 保守国家秘密法: old 第四十八条 (the list of prohibited acts) is new 第五十七条; one stock
    # sentence of it went to the general criminal-liability article 第六十二条.
    c = compare(*SECRETS)
    old48, new57 = _block(c, "old", "第四十八条"), _block(c, "new", "第五十七条")
    entries = c.to_dict()["renumbered"]
    assert {
        "old": old48.id,
        "new": new57.id,
        "old_label": "第四十八条",
        "new_label": "第五十七条",
    }.items() <= next(e for e in entries if e["old"] == old48.id).items()
    assert "原第四十八条 → 第五十七条" in markdown.render(c)


def test_liability_articles_pair_by_their_offence():
    # 长江河道采砂管理条例 2001 → 2023, read side by side: the liability articles share their
    # authority, sanctions and `触犯刑律/构成犯罪` wording; what tells them apart is the offence
    # their condition names. Old 第十八、十九条 stay 第十八、十九条; old 第二十二条 (the resource
    # fee, deleted) is dropped, not merged into 第十八条; new 第二十条 (trading illegal sand) is new.
    rev = REVISIONS
    c = compare(
        rev / "长江河道采砂管理条例.2001-10-25.md", rev / "长江河道采砂管理条例.2023-07-20.md"
    )
    pairs = {}
    for a in c.at("block"):
        for o in a.old:
            pairs[c.old.node(o).label] = ([c.new.node(n).label for n in a.new], a.status)
    assert pairs["第十八条"] == (["第十八条"], "changed")
    assert pairs["第十九条"] == (["第十九条"], "changed")
    assert pairs["第二十二条"] == ([], "dropped")
    new20 = next(a for a in c.at("block") if [c.new.node(n).label for n in a.new] == ["第二十条"])
    assert new20.status == "new"


def test_margins_and_order_for_all_edges_at_once():
    # Each edge's score over the best other edge of its row or column, ties included,
    # against the definition pair by pair.
    edges = {(0, 0): 0.8, (0, 1): 0.8, (1, 1): 0.5, (2, 2): 0.9, (2, 0): 0.3, (3, 3): 0.4}
    rows = np.array([i for i, _ in edges])
    cols = np.array([j for _, j in edges])
    scores = np.array(list(edges.values()))
    got = articles.margins(rows, cols, scores).tolist()
    for (i, j), s, m in zip(edges, edges.values(), got, strict=True):
        others = [t for (a, b), t in edges.items() if (a == i) != (b == j)]
        want = s / max(others) if others else float("inf")
        assert m == want
    chain = [(0, 0), (2, 1), (4, 4)]
    pairs = [(i, j) for i in range(6) for j in range(6)]
    keeps = articles.keeps_order(
        chain, np.array([i for i, _ in pairs]), np.array([j for _, j in pairs])
    )
    for (i, j), k in zip(pairs, keeps.tolist(), strict=True):
        anchor = dict(chain)
        if i in anchor:
            assert k == (anchor[i] == j)
        else:
            low = max((b for a, b in chain if a < i), default=-1)
            high = min((b for a, b in chain if a > i), default=99)
            assert k == (low < j < high)


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from([0.1, 0.2, 0.25, 0.5]), st.booleans()),
        max_size=60,
    )
)
def test_edges_kept_in_order_as_if_sorted_again(edges):
    """Taking edges out keeps their order by unit, best first (order_kept): the stable
    lexsort of what stays, and each unit's best two from it (top_two_ordered) top_two's."""
    from diffreport.articles import order_kept, top_two, top_two_ordered

    units = np.array([u for u, _, _ in edges], dtype=np.int64)
    scores = np.array([s for _, s, _ in edges])
    stay = np.array([k for _, _, k in edges], dtype=bool)
    kept = order_kept(np.lexsort((-scores, units)), stay)
    assert kept.tolist() == np.lexsort((-scores[stay], units[stay])).tolist()
    best = top_two_ordered(units[stay][kept], scores[stay][kept], 7)
    want = top_two(units[stay], scores[stay], 7)
    assert all(np.array_equal(a, b) for a, b in zip(best, want, strict=True))
