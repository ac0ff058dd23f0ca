from __future__ import annotations

from diffreport.compare import compare, load
from diffreport.targets import chinese_to_number, extract_targets


def _targets(text: str):
    return extract_targets(load(text + "\n"))


def test_chinese_numerals():
    assert chinese_to_number("五") == 5
    assert chinese_to_number("二十") == 20
    assert chinese_to_number("一百零五") == 105
    assert chinese_to_number("十二") == 12
    assert chinese_to_number("新") is None


def test_chinese_numeral_targets_with_units():
    found = {(t.value, t.unit) for t in _targets("年内制定五部地方性法规，完成二十项改革任务。")}
    assert (5.0, "部") in found
    assert (20.0, "项") in found


def test_qualifiers_and_units_parsed():
    ts = _targets("地区生产总值同比增长4.5%左右，全年引进首店不少于30家，能耗控制在5%以内。")
    by_value = {t.value: t for t in ts}
    assert by_value[4.5].unit == "%" and by_value[4.5].qualifier == "左右"
    assert by_value[30].unit == "家" and by_value[30].qualifier == "不少于"
    assert by_value[5].qualifier == "控制在…以内"


def test_counted_noun_after_the_figure_is_the_indicator():
    (t,) = _targets("新建提升4个口袋公园，积极申创优秀案例。")
    assert t.indicator == "口袋公园"
    assert (t.value, t.unit) == (4.0, "个")


def test_ordinals_slogans_and_idioms_are_not_targets():
    text = "深入实施“十项行动”，开展第五次全国经济普查，打造一批示范项目，办好一件事。"
    assert _targets(text) == []


def test_target_changes_on_the_seeds(seed_comparison):
    by_indicator = {}
    for t in seed_comparison.targets:
        text = (t.old.text if t.old else "") + (t.new.text if t.new else "")
        for key in ("一般公共预算收入", "口袋公园", "民心工程", "专精特新"):
            if key in text:
                by_indicator.setdefault(key, t)
    assert by_indicator["一般公共预算收入"].change == "raised"
    assert (by_indicator["口袋公园"].old.value, by_indicator["口袋公园"].new.value) == (4, 6)
    assert by_indicator["民心工程"].change == "unchanged"
    reworded = by_indicator["专精特新"]
    assert reworded.change == "reworded" and reworded.new.value is None


def test_lowered_target():
    c = compare("新建道路10条。\n", "新建道路6条。\n")
    assert [t.change for t in c.targets] == ["lowered"]


def test_approximate_figures_and_titles():
    (t,) = _targets("推动老旧小区提升改造，惠及居民5万余户。")
    assert (t.value, t.unit, t.qualifier) == (50000.0, "户", "余")
    # a figure inside a title names a document, not a target
    assert _targets("根据《关于修改〈上海市公路管理条例〉等10件地方性法规的决定》修正。") == []


def test_moved_block_reports_both_places():
    from conftest import FIXTURES

    eng = FIXTURES / "english"
    c = compare(
        eng / "github-acceptable-use-policies.2021.md",
        eng / "github-acceptable-use-policies.2024.md",
    )
    # by reading: the server-abuse item moved from Conduct Restrictions to Site Access and Safety
    node = next(
        n for n in c.old.of_kind("block") if n.text.startswith("- use our servers to disrupt")
    )
    a = c.alignment_of("old", node.id)
    assert a.moved
    assert c.old.node(a.places["old"]).text == "3. Conduct Restrictions"
    assert c.new.node(a.places["new"]).text == "5. Site Access and Safety"
    assert a.to_dict()["places"] == a.places


def test_counting_classifiers_compare_across_units():
    c = compare("完成417个混接点改造。\n", "完成300余处混接点改造。\n")
    assert [t.change for t in c.targets] == ["lowered"]


def test_figure_scores_are_wratio_of_every_pair_of_keys():
    # Keys repeat (a long code names the same indicator many times); each distinct pair is
    # scored once, and the matrix must be the one of every pair scored on its own.
    import numpy as np
    from conftest import SEEDS
    from rapidfuzz import fuzz, process

    from diffreport.targets import _key_scores

    old = extract_targets(load(SEEDS / "nankai-2021-government-work-report.txt"))
    new = extract_targets(load(SEEDS / "nankai-2024-plan.txt"))
    old_keys, new_keys = [t.key for t in old] * 2, [t.key for t in new] * 3
    assert len(set(old_keys)) < len(old_keys)
    full = process.cdist(old_keys, new_keys, scorer=fuzz.WRatio, dtype=np.float32)
    assert np.array_equal(_key_scores(old_keys, new_keys), full)
