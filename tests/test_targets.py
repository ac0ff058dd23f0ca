from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from diffreport.compare import compare, load
from diffreport.figures import (
    FIGURE_HINT,
    TARGET,
    amount,
    chinese_to_number,
    english_figures,
    extract_targets,
    read_figures,
)
from diffreport.result import Target
from diffreport.targets import Units, block_partners, compare_targets, paired_units


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

    from diffreport.targets import key_scores

    old = extract_targets(load(SEEDS / "nankai-2021-government-work-report.txt"))
    new = extract_targets(load(SEEDS / "nankai-2024-plan.txt"))
    old_keys, new_keys = [t.key for t in old] * 2, [t.key for t in new] * 3
    assert len(set(old_keys)) < len(old_keys)
    full = process.cdist(old_keys, new_keys, scorer=fuzz.WRatio, dtype=np.float32)
    assert np.array_equal(key_scores(old_keys, new_keys), full)
    # Only some pairs wanted (those in paired units): the same scores there, 0 elsewhere.
    wanted = np.zeros(full.shape, dtype=bool)
    wanted[::7, ::5] = True
    assert np.array_equal(key_scores(old_keys, new_keys, wanted), np.where(wanted, full, 0))


# --- issue 11: ranges, deadlines, English, pairing only within paired units -----------------


def _change_of(c, needle: str):
    (t,) = [
        t
        for t in c.targets
        if needle in ((t.old.text if t.old else "") + (t.new.text if t.new else ""))
    ]
    return t


def test_a_range_is_one_target_with_both_bounds():
    (t,) = _targets("第三条 擅自将遗体运出本市的，可以处二万元以上二十万元以下罚款。")
    assert (t.low, t.high, t.unit, t.qualifier) == (2, 20, "万元", "以上…以下")
    assert amount(t) == (20_000, "元")
    d = t.to_dict()
    assert (d["low"], d["high"]) == (2, 20)


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("处五千以上一万元以下罚款", 5000, 10000, "元"),  # the low bound's unit left out
        ("副部长二至四人", 2, 4, "人"),
        ("暂停其任职资格1至3年", 1, 3, "年"),
        ("公告期不少于十日不超过三十日", 10, 30, "日"),
        ("处二年以上五年以下有期徒刑", 2, 5, "年"),
        ("处违法所得一倍以上五倍以下的罚款", 1, 5, "倍"),
        ("处销售额百分之一以上百分之十以下的罚款", 1, 10, "%"),
        ("并处5万元以上lO万元以下的罚款", 5, 10, "万元"),  # a scan's l and O in a figure
        ("并处5万元以上l0万元以下的罚款", 5, 10, "万元"),  # ... each alone
        ("并处5万元以上1O万元以下的罚款", 5, 10, "万元"),
        ("并处5万元以上I0万元以下的罚款", 5, 10, "万元"),
        ("refunds are issued between thirty (30) and sixty (60) days", 30, 60, "days"),
    ],
)
def test_range_forms(text, low, high, unit):
    (t,) = _targets(text)
    assert (t.low, t.high, t.unit) == (low, high, unit)


def test_a_range_raised_by_its_lower_bound():
    c = compare(
        "第一条 违反规定的，处二万元以上二十万元以下罚款。\n",
        "第一条 违反规定的，处十万元以上二十万元以下罚款。\n",
    )
    assert [t.change for t in c.targets] == ["raised"]


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        ("处五万元以上五十万元以下罚款", "处五万元以上二百万元以下罚款", "raised"),
        ("处二万元以上六万元以下罚款", "处一万元以上五万元以下罚款", "lowered"),
        ("处二万元以上六万元以下罚款", "处一万元以上十万元以下罚款", "reworded"),  # both ways
        ("处2万元以上6万元以下罚款", "处二万元以上六万元以下罚款", "unchanged"),  # digits
        ("处五千以上一万元以下罚款", "处五千元以上一万元以下罚款", "unchanged"),
        ("处二十万元以下罚款", "处五十万元以下罚款", "raised"),
        ("应当在十五日内办结", "应当在七日内办结", "lowered"),  # shorter is lowered
        ("应当在三十个工作日内办结", "应当在二十个工作日内办结", "lowered"),
        ("期限为两年", "期限为三年", "raised"),
        ("应当在二十四小时内报告", "应当在二日内报告", "raised"),  # hours against days
        ("按日加收千分之五的滞纳金", "按日加收百分之一的滞纳金", "raised"),
        ("应当在十五日内办结", "应当在十五日内办结完毕", "unchanged"),
    ],
)
def test_direction_bound_by_bound(old, new, change):
    c = compare(f"第一条 甲公司{old}。\n", f"第一条 甲公司{new}。\n")
    assert [t.change for t in c.targets] == [change]


def test_a_removed_time_limit_is_dropped():
    c = compare(
        "第一条 行政机关应当在十五日内作出决定，并书面告知申请人。\n",
        "第一条 行政机关应当作出决定，并书面告知申请人。\n",
    )
    (t,) = c.targets
    assert (t.change, t.old.value, t.old.unit, t.new) == ("dropped", 15, "日", None)


def test_english_figures():
    ts = _targets(
        "The licensee must cure any breach within sixty (60) days. A late fee of 10 percent "
        "applies. The annual fee is $100."
    )
    assert {(t.value, t.unit) for t in ts} == {(60, "days"), (10, "percent"), (100, "$")}
    (days,) = [t for t in ts if t.unit == "days"]
    assert (days.high, days.qualifier) == (60, "within")


# A clause is searched for figures (TARGET) only where it holds FIGURE_HINT: every figure holds
# its number's last character, what may stand before the unit, and the unit's first character.
_FIGURE_ALPHABET = (
    "0159,.一二两十百千万亿零〇点余多 \u3000\n元个人年日月小时工作%‰倍百分之以上下内的第条"
)


@settings(max_examples=500)
@given(text=st.text(alphabet=_FIGURE_ALPHABET, max_size=16))
@example(text="处五 余元罚款")
@example(text="百分之十五")
def test_every_figure_holds_the_hint(text):
    assert TARGET.search(text) is None or FIGURE_HINT.search(text) is not None


# English clauses are searched for figures only where they hold a unit's or money's word
# (figures._EN_UNIT_OR_MONEY): the same figures as searching every clause.
_ENGLISH_WORDS = [
    "within", "sixty", "(60)", "30", "1,000", "days", "Days", "business", "day", "weeks",
    "MONTHS", "year", "hours", "minutes", "percent", "per", "cent", "%", "$100", "US$", "USD",
    "EUR", "€5", "£", "the", "fee", "of", "at least", "no more than", "between", "and", "to",
    "or more", "Licensee", "today", "Monday", "person", ",", ".", ";", "(", ")", "-",
]  # fmt: skip


@given(words=st.lists(st.sampled_from(_ENGLISH_WORDS), max_size=14), glue=st.sampled_from(" -"))
def test_english_clauses_read_as_when_every_clause_was_searched(words, glue):
    text = glue.join(words)
    expected = [
        Target(*f[:6], node="", low=f[6], high=f[7], figure=f[8]) for f in english_figures(text)
    ]
    assert read_figures(text) == expected
    c = compare(
        "# Terms\n\nYou may cancel the order within thirty (30) days of delivery.\n",
        "# Terms\n\nYou may cancel the order within 14 days of delivery.\n",
    )
    assert [(t.change, t.old.value, t.new.value) for t in c.targets] == [("lowered", 30, 14)]


def test_targets_pair_only_within_paired_articles():
    # The fine of a deleted 第二条 and the same fine in an unrelated new 第三条: alike in
    # indicator and value, but the alignment did not pair the articles, so neither do targets.
    from diffreport.result import Alignment
    from diffreport.targets import compare_targets

    old = load(
        "第一条 为了规范停车秩序，制定本条例。\n"
        "第二条 擅自占用消防通道停放车辆的，处二百元以上五百元以下罚款。\n"
        "第四条 本条例自公布之日起施行。\n"
    )
    new = load(
        "第一条 为了规范停车秩序，制定本条例。\n"
        "第三条 经营性停车场未公示收费标准的，处二百元以上五百元以下罚款。\n"
        "第四条 本条例自公布之日起施行。\n"
    )
    ob = {b.label: b.id for b in old.of_kind("block")}
    nb = {b.label: b.id for b in new.of_kind("block")}

    def block(o, n, status):
        return Alignment("block", status, [o] if o else [], [n] if n else [], None)

    kept = [
        block(ob["第一条"], nb["第一条"], "unchanged"),
        block(ob["第四条"], nb["第四条"], "unchanged"),
    ]
    apart = kept + [block(ob["第二条"], None, "dropped"), block(None, nb["第三条"], "new")]
    assert sorted(t.change for t in compare_targets(old, new, apart)) == ["dropped", "new"]
    # paired articles: one target, unchanged
    paired = kept + [block(ob["第二条"], nb["第三条"], "changed")]
    assert [t.change for t in compare_targets(old, new, paired)] == ["unchanged"]
    # a clause the alignment moved from one article to another keeps its figure paired
    oc = next(c.id for c in old.of_kind("clause") if "罚款" in c.text)
    nc = next(c.id for c in new.of_kind("clause") if "罚款" in c.text)
    moved = apart + [Alignment("clause", "changed", [oc], [nc], 0.5, moved=True)]
    assert [t.change for t in compare_targets(old, new, moved)] == ["unchanged"]


def test_each_target_names_its_article():
    head = "第一条 为了规范停车秩序，制定本条例。\n"
    tail = "第三条 本条例适用于本市。\n第四条 本条例自公布之日起施行。\n"
    c = compare(
        head + "第二条 违反规定的，处一万元以下罚款。\n" + tail,
        head + "第二条 违反规定的，处五万元以下罚款。\n" + tail,
    )
    (t,) = c.targets
    assert t.change == "raised"
    for side, doc in ((t.old, c.old), (t.new, c.new)):
        d = side.to_dict()
        assert d["block_label"] == "第二条"
        assert doc.node(d["block"]).label == "第二条"
        assert doc.block_of(d["node"]).id == d["block"]
    assert (t.old.figure, t.new.figure) == ("一万元以下", "五万元以下")


def test_a_real_fine_raised_in_a_shanghai_regulation():
    # 上海市殡葬管理条例, read side by side: 擅自将遗体运出本市 was fined 二百元以上二千元以下
    # (old 第二十八条（三）) and is fined 二千元以上一万元以下 (new 第三十二条（三）).
    from conftest import FIXTURES

    law = FIXTURES / "law"
    c = compare(law / "上海市殡葬管理条例.old.md", law / "上海市殡葬管理条例.2024-08-22.md")
    t = _change_of(c, "二百元以上二千元以下")
    assert t.change == "raised"
    assert (t.old.low, t.old.high, t.new.low, t.new.high) == (200, 2000, 2000, 10000)
    assert (t.old.block_label, t.new.block_label) == ("第二十八条", "第三十二条")
    # 十五日内火化 kept as it was, in the renumbered article
    kept = _change_of(c, "十五日内火化")
    assert (kept.change, kept.new.block_label) == ("unchanged", "第二十四条")
    # 超过两年无人认领的骨灰: a new time limit
    assert _change_of(c, "两年无人认领").change == "new"
    # the briefing's summary leads with the raised fine, its figures alone, in its article
    from diffreport.report import gather

    (head,) = gather(c, "zh", "2026-01-01", "test").headline_targets
    assert (head.old_value, head.new_value) == ("二百元以上二千元以下", "二千元以上一万元以下")
    assert (head.where, head.here) == ("第二十八条 → 第三十二条", "第三十二条")


def test_real_fines_raised_and_rewritten_in_national_laws():
    # Read side by side (tests/fixtures/law/revisions/):
    # 反垄断法 2007 第四十六条 → 2022 第五十六条: a monopoly agreement not yet carried out,
    # 可以处五十万元以下的罚款 → 可以处三百万元以下的罚款 (raised); the turnover fine
    # 百分之一以上百分之十以下 kept; 上一年度没有销售额的，处五百万元以下的罚款 is new.
    from conftest import FIXTURES

    rev = FIXTURES / "law" / "revisions"
    c = compare(rev / "反垄断法.2007-08-30.md", rev / "反垄断法.2022-06-24.md")
    not_yet = [
        t
        for t in c.targets
        if t.old and "尚未实施" in c.old.node(t.old.node).text and "五十万元" in t.old.text
    ]
    assert [(t.change, t.new.high, t.new.unit) for t in not_yet] == [("raised", 300, "万元")]
    (ratio,) = [
        t for t in c.targets if t.old and t.old.block_label == "第四十六条" and t.old.unit == "%"
    ]
    assert (ratio.change, ratio.new.block_label) == ("unchanged", "第五十六条")
    assert (ratio.new.low, ratio.new.high) == (1, 10)
    assert any(t.change == "new" and t.new.high == 500 for t in c.targets if t.new)
    # 北京市实施《水法》办法 2019 → 2022: the fines kept were rewritten from digits to Chinese
    # numerals (并处7万元以上10万元以下 → 并处七万元以上十万元以下): unchanged, not new/dropped.
    c = compare(
        rev / "北京市实施《水法》办法.2019-07-26.md", rev / "北京市实施《水法》办法.2022-11-25.md"
    )
    kept = _change_of(c, "七万元以上十万元以下")
    assert (kept.change, kept.old.low, kept.old.high) == ("unchanged", 7, 10)
    assert "7万元以上10万元以下" in kept.old.text


def test_a_grave_tier_pairs_only_with_a_grave_tier():
    # The ordinary fines and the 情节严重 tier are two provisions: a revision that keeps one fine
    # per person raises the ordinary ones and drops the grave tier (反垄断法 第五十二条 → 第六十二条).
    c = compare(
        "第一条 拒绝、阻碍调查的，由执法机构责令改正，对个人可以处二万元以下的罚款，"
        "对单位可以处二十万元以下的罚款；情节严重的，对个人处二万元以上十万元以下的罚款，"
        "对单位处二十万元以上一百万元以下的罚款；构成犯罪的，依法追究刑事责任。\n",
        "第一条 拒绝、阻碍调查的，由执法机构责令改正，对单位处上一年度销售额百分之一以下的罚款，"
        "上一年度没有销售额或者销售额难以计算的，处五百万元以下的罚款；"
        "对个人处五十万元以下的罚款。\n",
    )
    got = sorted((t.change, t.old.figure if t.old else None) for t in c.targets if t.old)
    assert got == [
        ("dropped", "二万元以上十万元以下"),
        ("dropped", "二十万元以上一百万元以下"),
        ("raised", "二万元以下"),
        ("raised", "二十万元以下"),
    ]


def test_a_fine_on_another_basis_is_new_not_paired_with_an_amount():
    # 长江河道采砂管理条例 第十八条: a fixed fine became a multiple of the sand's value, with a
    # fixed fine for small values; amounts pair with amounts, the multiple is new.
    c = compare(
        "第一条 违反本条例规定，未办理河道采砂许可证，擅自在长江采砂的，由县级以上地方人民政府"
        "水行政主管部门依据职权，责令停止违法行为，没收违法所得和非法采砂机具，"
        "并处10万元以上30万元以下的罚款；情节严重的，扣押或者没收非法采砂船舶。\n",
        "第一条 违反本条例规定，未办理河道采砂许可证，擅自在长江采砂的，由县级以上地方人民政府"
        "水行政主管部门依据职权，责令停止违法行为，没收违法开采的砂石和违法所得，"
        "并处违法开采的砂石货值金额2倍以上20倍以下的罚款；货值金额不足10万元的，"
        "并处20万元以上200万元以下的罚款；构成犯罪的，依法追究刑事责任。\n",
    )
    by_figure = {
        (t.old.figure if t.old else None, t.new.figure if t.new else None): t.change
        for t in c.targets
    }
    assert by_figure[("10万元以上30万元以下", "20万元以上200万元以下")] == "raised"
    assert by_figure[(None, "2倍以上20倍以下")] == "new"


def test_a_figure_that_is_its_own_phrase_is_named_by_the_phrase_before():
    # `（一）局级副职以上岗位的，50周岁；`: an age limit per item of a list.
    (t,) = _targets("第十条 最高年龄分别为：\n（一）局级副职以上岗位的，50周岁；")
    assert (t.value, t.unit, t.indicator) == (50, "周岁", "局级副职以上岗位的")
    assert t.text == "局级副职以上岗位的，50周岁"
    # a count that goes on into its noun is not such a figure: `100个“飞地”点位实现…`
    assert _targets("做好行政区域调整工作，100个“飞地”点位实现全覆盖。") == []


def test_real_fines_follow_their_articles_and_tiers():
    # Read side by side (tests/fixtures/law/revisions/): 长江河道采砂管理条例 2001 → 2023, old
    # 第十八条's 10万元以上30万元以下 → new 第十八条's 20万元以上200万元以下 (raised); old 第二十二条
    # (the resource fee, deleted) keeps its 2倍以上5倍以下 as dropped.
    from conftest import FIXTURES

    rev = FIXTURES / "law" / "revisions"
    c = compare(
        rev / "长江河道采砂管理条例.2001-10-25.md", rev / "长江河道采砂管理条例.2023-07-20.md"
    )
    t = _change_of(c, "10万元以上30万元以下")
    assert (t.change, t.old.block_label, t.new.block_label) == ("raised", "第十八条", "第十八条")
    assert (t.new.low, t.new.high) == (20, 200)
    fee = _change_of(c, "砂石资源费金额2倍以上5倍以下")
    assert (fee.change, fee.new) == ("dropped", None)
    # 反垄断法 第五十二条 → 第六十二条: 对个人可以处二万元以下 → 对个人处五十万元以下 (raised), the
    # 情节严重 tiers dropped; new 第五十六条's 一百万元 on persons is new, paired with nothing.
    c = compare(rev / "反垄断法.2007-08-30.md", rev / "反垄断法.2022-06-24.md")
    person = _change_of(c, "对个人可以处二万元以下")
    assert (person.change, person.new.figure, person.new.block_label) == (
        "raised",
        "五十万元以下",
        "第六十二条",
    )
    for grave in ("二万元以上十万元以下", "二十万元以上一百万元以下"):
        assert _change_of(c, grave).change == "dropped"
    assert _change_of(c, "可以处一百万元以下").change == "new"


def test_english_fee_and_notice_period_pair_within_their_sections():
    # A license's fee and notice periods, each in its own section: `$100, payable …` is the
    # figure `$100` (the comma ends the phrase), and each figure pairs within its section.
    c = compare(
        "# Terms\n\n## 1. Fees\n\nThe annual license fee is $100, payable within thirty (30) "
        "days of the invoice date.\n\n## 2. Termination\n\nThe licensor may terminate this "
        "license on sixty (60) days written notice.\n",
        "# Terms\n\n## 1. Fees\n\nThe annual license fee is $1,250, payable within sixty (60) "
        "days of the invoice date.\n\n## 2. Termination\n\nThe licensor may terminate this "
        "license on thirty (30) days written notice.\n",
    )
    got = sorted(
        (t.old.block_label, t.old.figure, t.new.figure, t.change) for t in c.targets if t.old
    )
    assert got == [
        ("Fees", "$100", "$1,250", "raised"),
        ("Fees", "within thirty (30) days", "within sixty (60) days", "raised"),
        ("Termination", "sixty (60) days", "thirty (30) days", "lowered"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "两个经营者在相关市场的市场份额合计达到三分之二的；",
        "实施机关对同一奖惩对象实施联合惩戒的次数不得超过3次",
        "自新设证明事项实施或者原有证明事项取消之日起30日内公布",
        "参与集中的一个经营者拥有其他每个经营者百分之五十以上有表决权的股份",
    ],
)
def test_an_indicator_is_whole_words_never_a_fragment(text):
    """The name around a figure is cut at word boundaries (`市场份额`, never `市场份`)."""
    from diffreport.tokens import display_tokens

    bounds, at = {0}, 0
    for word in display_tokens(text):
        at += len(word)
        bounds.add(at)
    names = [t.indicator for t in read_figures(text) if t.indicator]
    assert names
    for name in names:
        start = text.find(name)
        assert start in bounds and start + len(name) in bounds, name


def test_the_paired_units_give_the_same_target_changes():
    """The comparison's side child is told only paired_units (of the aligner's pairings,
    before they are classified): the same target changes as from the alignments."""
    revisions = Path(__file__).parent / "fixtures" / "law" / "revisions"
    changed = 0
    for old in sorted(revisions.glob("*.md"))[::2]:
        new = next(p for p in sorted(revisions.glob(old.name.split(".")[0] + ".*.md")) if p != old)
        c = compare(old, new, workers=1)
        pairs = paired_units(c.alignments)
        assert len(pairs) < len(c.alignments)  # (dropped and new units are left out)
        assert compare_targets(c.old, c.new, pairs=pairs) == c.targets
        changed += any(t.change != "unchanged" for t in c.targets)
    assert changed >= 5


_IDS = st.lists(st.sampled_from("abcdefgh"), min_size=0, max_size=3, unique=True)
_PAIRED = st.lists(st.tuples(st.sampled_from(["block", "sentence", "clause"]), _IDS, _IDS))
_ASKED = st.sets(st.sampled_from("abcdefghxy"))


@given(_PAIRED, _ASKED, _ASKED)
def test_the_units_asked_about_are_indexed_as_by_indexing_every_pairing(paired, old, new):
    """Units and block_partners index only the nodes asked about (the figures' units): what
    they give for those is what indexing every pairing's nodes gives."""
    group: dict[tuple[str, str], dict[str, int]] = {}
    partners: dict[tuple[str, str], set[str]] = {}
    for i, (level, old_ids, new_ids) in enumerate(paired):
        for node in old_ids:
            group.setdefault((level, "old"), {})[node] = i
        for node in new_ids:
            group.setdefault((level, "new"), {})[node] = i
        if level == "block":
            for o in old_ids:
                partners.setdefault(("old", o), set()).update(new_ids)
            for n in new_ids:
                partners.setdefault(("new", n), set()).update(old_ids)
    units = Units(paired, old, new)
    found = block_partners(paired, old, new)
    for level in ("block", "sentence", "clause"):
        for side, asked in (("old", old), ("new", new)):
            ids = sorted(asked)
            missing = -1 if side == "old" else -2
            expected = [group.get((level, side), {}).get(i, missing) for i in ids]
            assert units.codes(level, side, ids).tolist() == expected
            for i in ids:
                assert found.get((side, i), set()) == partners.get((side, i), set())
