"""Measures, moves and evidence on the seed pair (labels from reading both plans)."""

from __future__ import annotations

from diffreport.classify import inline_diff


def _clause_alignment(c, side, key):
    doc = c.old if side == "old" else c.new
    node = next(n for n in doc.of_kind("clause") if key in n.text.replace(" ", ""))
    return c.alignment_of(side, node.id), node


def test_moved_measures_report_both_places(seed_comparison):
    c = seed_comparison
    for key, src, dst in (
        ("航运金融", "拓展开放合作空间", "做强现代服务业体系"),
        ("天拖中学", "激活科教创新澎湃动能", "优化公共服务供给"),
        ("一老一小", "力促公共服务提标扩面", "兜牢民生保障底线"),
    ):
        a, node = _clause_alignment(c, "old", key)
        assert a.moved, key
        assert c.old.block_of(node.id).title == src
        assert c.new.block_of(a.new[0]).title == dst


def test_new_and_dropped_measures(seed_comparison):
    c = seed_comparison
    for key in ("高质量编制", "消费品以旧换新", "加装电梯"):
        assert _clause_alignment(c, "new", key)[0].status == "new", key
    for key in ("环卫一体化改革", "第三轮中央环保督察", "天津马拉松"):
        assert _clause_alignment(c, "old", key)[0].status == "dropped", key


def test_reworded_measure_is_changed_with_inline_diff(seed_comparison):
    a, _ = _clause_alignment(seed_comparison, "new", "海河英才")
    assert a.status == "changed"
    assert ("insert", "推进") in a.diff and ("delete", "落实") in a.diff


def test_inline_diff_keeps_numbers_and_units_whole():
    ops = inline_diff("新开工面积50万平方米", "新开工面积60万平方米")
    assert ("delete", "50万平方米") in ops and ("insert", "60万平方米") in ops


def test_evidence_ranks_rare_terms_first(seed_comparison):
    a, _ = _clause_alignment(seed_comparison, "old", "天拖中学")
    assert a.evidence is not None and a.score is not None
    assert "天拖" in a.evidence.shared[:2]


def test_split_measure_lists_its_parts_with_shares(seed_comparison):
    # 2024 names the resources and the cluster in one clause; 2025 says them in two.
    a, _ = _clause_alignment(seed_comparison, "new", "做优高端医疗器械产业集群")
    assert a.status == "split"
    texts = [seed_comparison.new.node(i).text for i in a.new]
    assert any("中国医学科学院医工所" in t for t in texts)
    assert abs(sum(a.shares.values()) - 1.0) < 0.01
    assert set(a.to_dict()["parts"][0]) == {"id", "share"}
