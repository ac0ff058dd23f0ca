from __future__ import annotations

import json

import pytest
from conftest import SEEDS, law_pairs
from hypothesis import given, settings
from hypothesis import strategies as st

from diffreport.compare import compare

PRIORITY_PAIRS = {
    # 2024 priority → 2025 successor, labelled by reading both plans
    "抢抓协同发展重大机遇": "融入协同发展大格局",
    "激活科教创新澎湃动能": "激活科技创新动力源",
    "塑造产业发展核心优势": "做强现代服务业体系",
    "加速重点产业集群成链": "做优新兴产业集群",
    "强化投资关键作用": "扩大有效投资",
    "加速释放消费潜力": "挖掘消费潜力",
    "拓展开放合作空间": "提升招引质效",
    "更深层次推进改革突破": "深化改革促突破",
    "更大力度提振市场信心": "提振市场强信心",
    "更高标准厚植营商沃土": "强化服务优环境",
    "稳妥有序推进城市更新": "有序实施城市更新",
    "精雕细琢优化城市管理": "提升城市功能品质",
    "减污降碳加速绿色转型": "加快打造绿色生态",
    "提升基本民生保障能力": "兜牢民生保障底线",
    "力促公共服务提标扩面": "优化公共服务供给",
    "切实守牢安全稳定底线": "坚守安全稳定防线",
}


def test_seed_priorities_pair_with_their_successors(seed_comparison):
    c = seed_comparison
    found = {}
    for a in c.at("block"):
        for o in a.old:
            title = c.old.node(o).title
            if title in PRIORITY_PAIRS:
                found[title] = [c.new.node(n).title for n in a.new]
    assert {k: v for k, v in found.items() if PRIORITY_PAIRS[k] not in v} == {}
    assert len(found) == 16


def _conservation(c):
    for level in ("section", "block", "sentence", "clause"):
        for side, doc in (("old", c.old), ("new", c.new)):
            ids = [i for a in c.at(level) for i in getattr(a, side)]
            assert sorted(ids) == sorted(n.id for n in doc.of_kind(level)), (level, side)


def test_every_node_in_exactly_one_alignment(seed_comparison):
    _conservation(seed_comparison)


def test_identical_documents_are_all_unchanged():
    path = SEEDS / "nankai-2024-plan.txt"
    c = compare(path, path)
    assert c.same
    assert {a.status for a in c.alignments} == {"unchanged"}


@pytest.mark.parametrize("old,new", law_pairs(), ids=lambda p: p.name)
def test_law_pairs_keep_identical_articles_unchanged(old, new):
    c = compare(old, new)
    _conservation(c)
    old_articles = {c.old.node(a.old[0]).text.split(" ", 1)[-1]: a for a in c.at("block") if a.old}
    # an article whose text (without its number) occurs verbatim in the new version is unchanged
    new_bodies = {b.text.split(" ", 1)[-1] for b in c.new.of_kind("block")}
    for body, alignment in old_articles.items():
        if body in new_bodies and len(body) > 20:
            assert alignment.status == "unchanged", body[:40]


def test_json_contract(seed_comparison):
    data = json.loads(seed_comparison.to_json())
    assert data["schema"] == "diffreport/1"
    assert set(data) >= {"old", "new", "nodes", "alignments", "targets", "terms"}
    node = data["nodes"]["old"][0]
    assert (
        {"id", "parent", "kind", "label", "title", "text"}
        <= set(node)
        <= {"id", "parent", "kind", "label", "title", "text", "role"}
    )
    for a in data["alignments"]:
        assert a["level"] in ("section", "block", "sentence", "clause")
        assert a["status"] in ("unchanged", "changed", "new", "dropped", "split", "merged")
        assert isinstance(a["moved"], bool)
        assert a["score"] is None or 0 <= a["score"] <= 1
    assert {"indicator", "old", "new", "change"} <= set(data["targets"][0])


def test_compare_accepts_text():
    c = compare(
        "第一条 本条例适用于本市。\n第二条 旧的规定。\n第三条 其他。",
        "第一条 本条例适用于本市。\n第二条 新的规定。\n第三条 其他。",
    )
    assert c.counts("block")["unchanged"] == 2
    assert c.counts("block")["changed"] == 1


def test_text_is_read_as_markdown_as_a_file_would_be(tmp_path):
    # The same text as a string and as a .md file: `#` headings are sections either way.
    old = "# 工作计划\n\n## 一、产业发展\n\n推进产业升级。\n\n## 二、民生保障\n\n改善民生。\n"
    new = old.replace("改善民生。", "持续改善民生。")
    (tmp_path / "old.md").write_text(old, encoding="utf-8")
    (tmp_path / "new.md").write_text(new, encoding="utf-8")
    from_text = compare(old, new)
    from_files = compare(tmp_path / "old.md", tmp_path / "new.md")
    for got in (from_text, from_files):
        assert [s.title for s in got.new.of_kind("section")] == [
            "工作计划",
            "产业发展",
            "民生保障",
        ]
        assert not any(b.text.startswith("#") for b in got.new.of_kind("block"))
    assert from_text.to_dict()["alignments"] == from_files.to_dict()["alignments"]


def _reading_order_by_keys(pairs, old_ids, new_ids):
    """The reading order as a sort by tuple keys: what order.reading_order computes in numpy."""
    old_pos = {o: i for i, o in enumerate(old_ids)}
    new_pos = {n: i for i, n in enumerate(new_ids)}
    first_new = [min(new_pos[n] for n in p.new) if p.new else 0 for p in pairs]
    partner = {o: f for p, f in zip(pairs, first_new, strict=True) if p.new for o in p.old}
    anchor, last = {}, -1
    for o in old_ids:
        anchor[o] = last
        if o in partner:
            last = partner[o]
    keys = [
        (f, 0, min(old_pos[o] for o in p.old) if p.old else 0)
        if p.new
        else (anchor[p.old[0]], 1, old_pos[p.old[0]])
        for p, f in zip(pairs, first_new, strict=True)
    ]
    return [pairs[k] for k in sorted(range(len(pairs)), key=keys.__getitem__)]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_reading_order_matches_the_sort_by_keys(data):
    """Pairings (1:1, new, dropped, splits and merges) of shuffled units come out in the new
    document's order, a dropped unit after the partner of the nearest paired unit before it."""
    from diffreport.model import Node
    from diffreport.order import reading_order
    from diffreport.result import Pairing

    n_old = data.draw(st.integers(0, 12))
    n_new = data.draw(st.integers(0, 12))
    old_ids = [f"o{i}" for i in range(n_old)]
    new_ids = [f"n{i}" for i in range(n_new)]
    olds = data.draw(st.permutations(old_ids))
    news = data.draw(st.permutations(new_ids))
    pairs = []
    while olds or news:
        take_old = data.draw(st.integers(0 if news else 1, min(2, len(olds))))
        take_new = data.draw(st.integers(0 if take_old else 1, min(2, len(news))))
        pairs.append(Pairing("block", olds[:take_old], news[:take_new], None))
        olds, news = olds[take_old:], news[take_new:]
    pairs = data.draw(st.permutations(pairs))
    old_units = [Node(o, "block", "") for o in old_ids]
    got = reading_order(
        list(pairs),
        old_units,
        {o: i for i, o in enumerate(old_ids)},
        {n: i for i, n in enumerate(new_ids)},
    )
    assert got == _reading_order_by_keys(list(pairs), old_ids, new_ids)


@pytest.mark.parametrize("workers", [None, 1])
def test_meanwhile_is_called_once_with_the_parsed_documents(workers):
    """compare(meanwhile=f) calls f once, with the comparison's own two documents and its
    alignments, keeps what it returns as Comparison.prepared, and compares as without it
    (forked side work or not)."""
    pair = law_pairs()[0]
    calls = []

    def meanwhile(old, new, alignments):
        calls.append((old, new, alignments))
        return "ready"

    c = compare(*pair, workers=workers, meanwhile=meanwhile)
    assert len(calls) == 1 and calls[0][0] is c.old and calls[0][1] is c.new
    assert calls[0][2] is c.alignments
    assert c.prepared == "ready"
    plain = compare(*pair, workers=workers)
    assert plain.prepared is None
    assert c.to_json() == plain.to_json()


def test_an_alignment_is_the_same_after_its_plain_values_are_sent(seed_comparison):
    # The side child is told the alignments the terms' shifts read as plain values (marshal,
    # not pickle): every field comes back, evidence, diff, places and shares included.
    import marshal

    from diffreport.result import alignment_from_values, alignment_values

    alignments = list(seed_comparison.alignments)
    for old, new in law_pairs()[:3]:
        alignments += compare(old, new, workers=1).alignments
    sent = marshal.loads(marshal.dumps([alignment_values(a) for a in alignments]))
    assert [alignment_from_values(v) for v in sent] == alignments
    for field in ("evidence", "diff", "places", "shares", "old_label"):
        assert any(getattr(a, field) for a in alignments), field  # (each kind of field seen)
