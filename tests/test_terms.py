from __future__ import annotations

from conftest import LAW

from diffreport.compare import compare


def test_seed_slogans_new_and_dropped(seed_comparison):
    terms = seed_comparison.terms
    new = {t.term: t for t in terms["new"]}
    dropped = {t.term for t in terms["dropped"]}
    assert {"两重", "三新", "三量", "高效办成一件事", "十五五"} <= set(new)
    assert {"放管服", "双碳", "五社联动"} <= dropped
    assert new["两重"].old_count == 0 and new["两重"].new_count >= 1 and new["两重"].where
    # two-character style words are not policy terms
    assert not {"助力", "区内"} & set(new)


def test_law_rename_is_one_rename_not_many_edits():
    c = compare(LAW / "上海市检验检测条例.old.md", LAW / "上海市检验检测条例.2024-12-31.md")
    renames = {(r.old, r.new): r for r in c.terms["renames"]}
    r = renames[("质量技监部门", "市场监管部门")]
    assert r.count >= 5 and r.old_count >= 5
    listed = {t.term for t in c.terms["new"] + c.terms["dropped"]}
    assert "质量技监部门" not in listed and "市场监管部门" not in listed
    data = c.to_dict()["terms"]["renames"][0]
    assert set(data) == {"old", "new", "count", "old_count", "new_count", "where"}


def test_rename_inside_a_larger_rewording_keeps_its_stem():
    # 殡葬管理条例: `市民政局` / `区、县民政局和市殡葬管理处` became `民政部门` throughout
    c = compare(LAW / "上海市殡葬管理条例.old.md", LAW / "上海市殡葬管理条例.2024-08-22.md")
    renames = {(r.old, r.new) for r in c.terms["renames"]}
    assert ("民政局", "民政部门") in renames
    assert not any(o != "民政局" and "民政局" in o for o, _ in renames)
