"""diffreport.report: the facts every writer states, made once — the summary table, blocks
with their measures, and the judgements (minor, reworded or rewritten, notable new and dropped
content, what moved)."""

from __future__ import annotations

from diffreport import report
from diffreport.compare import compare

PLAN = (
    "一、总体要求\n\n"
    "（一）加快建设消防站，完善城市消防设施。\n\n"
    "（二）推进老旧小区改造，新开工面积50万平方米。\n\n"
    "二、主要任务\n\n"
    "（三）扩大有效投资，实施重点项目100个。\n\n"
    "（四）挖掘消费潜力，举办促消费活动。"
)
EXTRA = "（五）培育夜间经济集聚区，建设智慧商圈。"
# (一) changes only in punctuation, (二) in a figure, (五) is new; (三) and (四) stay.
REVISED = (
    PLAN.replace("完善城市消防设施。", "完善城市消防设施!").replace("50万", "60万") + f"\n\n{EXTRA}"
)
THIRD = "（三）扩大有效投资，实施重点项目100个。"
FOURTH = "（四）挖掘消费潜力，举办促消费活动。"


def facts(old: str, new: str, lang: str = "zh") -> report.Facts:
    return report.gather(compare(old, new), lang, "2026-01-01", "test")


def by_title(f: report.Facts) -> dict[str, report.BlockFact]:
    return {b.title: b for b in f.blocks}


def test_summary_counts_every_status_of_every_level():
    rows = report.summary(compare(PLAN, REVISED))
    assert [r.level for r in rows] == ["section", "block", "sentence", "clause"]
    assert all(set(r.counts) == set(report.SUMMARY_STATUSES) for r in rows)
    block = rows[1]
    assert block.counts == {
        "unchanged": 2,
        "changed": 2,
        "new": 1,
        "dropped": 0,
        "split": 0,
        "merged": 0,
    }
    assert (block.moved, block.minor) == (0, 1)


def test_summary_of_chosen_levels_only():
    rows = report.summary(compare(PLAN, REVISED), ("section", "clause"))
    assert [r.level for r in rows] == ["section", "clause"]


def test_block_judgements_minor_reworded_new_unchanged():
    blocks = by_title(facts(PLAN, REVISED))
    assert {t: b.status for t, b in blocks.items()} == {
        "（一）": "minor",
        "（二）": "reworded",
        "（三）": "unchanged",
        "（四）": "unchanged",
        "（五）": "new",
    }
    assert [m.text for m in blocks["（五）"].new] == [EXTRA]
    changed = blocks["（二）"].change.measures
    assert [(m.status, ("delete", "50万平方米") in m.diff) for m in changed] == [("changed", True)]
    # What deserves a heading of its own: not the unchanged ones, nor a punctuation change.
    assert {t for t, b in blocks.items() if b.noteworthy} == {"（二）", "（五）"}


def test_rewritten_is_a_changed_block_below_the_similarity_bar(seed_comparison):
    """The seed plans have blocks on each side of the bar; the judgement follows the score."""
    f = report.gather(seed_comparison, "zh", "2026-01-01", "test")
    judged = [b for b in f.blocks if b.status in ("reworded", "rewritten")]
    assert {b.status for b in judged} == {"reworded", "rewritten"}
    for b in judged:
        assert (b.status == "rewritten") == (b.score < report.REWRITTEN_BELOW), b.title
    assert f.block_counts["rewritten"] == sum(b.status == "rewritten" for b in f.blocks)


def test_a_reordered_block_is_noteworthy_though_unchanged():
    swapped = PLAN.replace(THIRD, "@").replace(FOURTH, THIRD).replace("@", FOURTH)
    f = facts(PLAN, swapped)
    assert {b.status for b in f.blocks} == {"unchanged"}
    reordered = [b for b in f.blocks if b.reordered]
    assert len(reordered) == 1 and reordered[0].noteworthy
    assert [b for b in f.blocks if b.noteworthy] == reordered
    # The facts carry the edit script they were judged on.
    assert f.script is not None and f.script.moved_in


def test_notable_new_content_puts_measures_with_new_terms_first():
    plain = "（六）继续做好各项工作，推进工作落实。"
    f = facts(PLAN, f"{PLAN}\n\n{plain}\n\n{EXTRA}")
    assert f.notable_new == [EXTRA.rstrip("。"), plain.rstrip("。")]
    assert f.notable_dropped == []
    f = facts(f"{PLAN}\n\n{EXTRA}", PLAN)
    assert f.notable_dropped == [EXTRA.rstrip("。")]


def test_unrelated_documents_are_said_to_be_unrelated():
    f = facts(
        PLAN,
        "The harbour authority will dredge the northern channel.\n\n"
        "Ferries run every hour between the two piers in summer.",
    )
    assert f.unrelated and f.paired_percent < report.UNRELATED_BELOW_PERCENT
    assert not facts(PLAN, REVISED).unrelated


def test_language_follows_the_script_of_the_documents():
    assert report.detect_language(compare(PLAN, REVISED)) == "zh"
    budget = "The council shall publish the annual budget before the end of March."
    assert report.detect_language(compare(budget, budget.replace("March", "April"))) == "en"


def test_counts_hold_every_status_even_when_absent():
    f = facts(PLAN, PLAN)
    assert f.same
    assert set(report.BLOCK_STATUSES) <= set(f.block_counts)
    assert f.block_counts["unchanged"] == f.blocks_new == 4
    assert set(f.section_counts) == set(report.SECTION_STATUSES)


STATUTE = (
    "第一条 为了规范市场秩序，制定本条例。\n\n"
    "第二条 经营者违反本条例规定的，处五十万元以下的罚款；"
    "行业协会违反本条例规定的，处五十万元以下的罚款。\n\n"
    "第三条 本条例自公布之日起施行。"
)


def test_a_figure_changed_alike_twice_in_one_article_is_said_once():
    f = facts(STATUTE, STATUTE.replace("五十万元", "三百万元"))
    raised = [t for t in f.targets if t.change == "raised"]
    assert len(raised) == 2  # both fines are in the table
    assert len(f.headline_targets) == 1  # the summary says it once
    assert (f.headline_targets[0].old_value, f.headline_targets[0].new_value) == (
        "五十万元以下",
        "三百万元以下",
    )


def test_a_new_article_named_only_by_its_number_is_named_by_its_opening_words():
    added = "第四条 国家建立健全公平竞争审查制度。"
    f = facts(STATUTE, f"{STATUTE}\n\n{added}")
    assert f.genre == "statute"
    assert f.new_priorities == [added]
    titled = facts(PLAN, f"{PLAN}\n\n三、保障措施\n\n（六）加强组织领导，压实工作责任。")
    assert all(not p.startswith("（六）") or "加强组织领导" in p for p in titled.new_priorities)


def test_a_renumbered_article_titled_by_its_label_is_titled_by_its_renumbering():
    first = "第一条 为了规范停车管理，制定本条例。"
    scope = "本市行政区域内的停车设施管理，适用本条例。"
    rule = "停车设施的规划、建设和管理，应当遵循统筹规划、合理布局的原则。"
    old = f"{first}\n\n第二条 {scope}\n\n第三条 {rule}"
    new = f"{first}\n\n第二条 市交通行政主管部门负责本市停车管理工作。\n\n第三条 {scope}\n\n第四条 {rule}"
    titles = [bc.titles() for bc in report.block_changes(compare(old, new))]
    assert titles == [
        ("", "第一条", "第一条"),
        ("", "", "第二条"),
        ("", "原第二条 → 第三条", "原第二条 → 第三条"),
        ("", "原第三条 → 第四条", "原第三条 → 第四条"),
    ]


def test_a_clause_diff_never_moves_the_article_label_between_clauses():
    # 反垄断法 第四条: a new opening sentence; the old first clause becomes the third.
    head = "第一章 总则\n\n第三条 本法规定的垄断行为包括经营者达成垄断协议。\n\n"
    tail = "\n\n第五条 经营者可以通过公平竞争、自愿联合，依法实施集中，扩大经营规模。"
    old = head + "第四条 国家制定和实施与社会主义市场经济相适应的竞争规则，完善宏观调控。" + tail
    new = (
        head + "第四条 反垄断工作坚持中国共产党的领导。\n\n"
        "国家坚持市场化、法治化原则，制定和实施与社会主义市场经济相适应的竞争规则，完善宏观调控。"
        + tail
    )
    (change,) = [bc for bc in report.block_changes(compare(old, new)) if bc.new_title == "第四条"]
    assert change.measures
    for m in change.measures:
        assert "第四条" not in m.text
        for op, text in m.diff or []:
            assert "第四条" not in text, (op, text)
        if m.diff:  # the diff still turns the old clause into the new one
            assert "".join(t for op, t in m.diff if op != "insert") in old
            assert "".join(t for op, t in m.diff if op != "delete") == m.text


def test_titles_read_as_rendered_markdown_and_are_not_cut_mid_word():
    old = (
        "**Short version:** _We host a wide variety of collaborative projects._\n\n"
        "- see our [Terms of Service](https://help.github.com/en/articles/terms) for details."
    )
    new = old.replace("wide variety", "great many").replace("details", "the rules")
    titles = [t for bc in report.block_changes(compare(old, new)) for t in bc.titles()[1:]]
    assert titles
    for title in titles:
        assert not any(mark in title for mark in ("**", "_", "](", "https", "- ")), title
        words = title.rstrip("…").split()
        source = " ".join(old.split() + new.split()).replace("*", "").replace("_", "")
        # the last word shown is a whole word of the source, not a cut one
        assert any(w.strip(".,:") == words[-1].strip(".,:") for w in source.split()), title
    assert report.snippet('"This License" refers to version 3', 24) == '"This License" refers…'


def test_content_still_in_the_new_version_is_not_said_to_be_gone():
    """`不再出现的内容` lists what the new version no longer has: a clause dropped from one
    article but still standing in another is not gone (保守国家秘密法: `构成犯罪的，依法追究
    刑事责任` was listed though the 2024 text still says it)."""
    kept = "构成犯罪的，依法追究刑事责任。"
    old = (
        "第一章 总则\n\n第一条 为了保守国家秘密，制定本法。\n\n"
        f"第二条 违反本法规定泄露国家秘密的，依法给予处分；{kept}\n\n"
        f"第三条 非法获取国家秘密的，由保密行政管理部门处理；{kept}"
    )
    new = (
        "第一章 总则\n\n第一条 为了保守国家秘密，维护国家安全，制定本法。\n\n"
        "第二条 违反本法规定泄露国家秘密的，依法给予处分。\n\n"
        f"第三条 非法获取国家秘密的，由保密行政管理部门处理；{kept}"
    )
    f = facts(old, new)
    assert [m for b in f.blocks for m in b.dropped]  # the clause did leave 第二条
    assert not any("追究刑事责任" in s for s in f.notable_dropped), f.notable_dropped


def test_a_new_or_dropped_unit_is_not_named_again_among_the_notable_content():
    """The summary names a new article by its opening words; the notable additions after it
    must not repeat that same text (长江河道采砂管理条例: new 第二十条, dropped 第二十二条)."""
    from conftest import LAW

    old, new = sorted((LAW / "revisions").glob("长江河道采砂管理条例.*.md"))
    f = report.gather(compare(old, new), "zh", "2026-01-01", "test")
    assert f.new_priorities and f.dropped_priorities and f.notable_new and f.notable_dropped
    assert not set(f.new_priorities) & set(f.notable_new)
    assert not set(f.dropped_priorities) & set(f.notable_dropped)


def test_every_changed_measure_shows_what_changed_split_and_merged_ones_too():
    """A clause merged from two (or split in two) is shown with its diff like any changed
    one: without it, the briefing printed the new text as `～ …` with nothing marked."""
    from conftest import LAW

    old, new = sorted((LAW / "revisions").glob("长江河道采砂管理条例.*.md"))
    c = compare(old, new)
    assert any(a.status in ("split", "merged") and a.diff is None for a in c.at("clause"))
    changed = [m for b in report.block_changes(c) for m in b.measures if m.status == "changed"]
    assert changed
    for m in changed:
        assert m.diff, m.text
        assert "".join(t for op, t in m.diff if op != "delete") == m.text
        assert any(op != "equal" for op, _ in m.diff) or m.minor, m


def test_a_changed_unit_never_shows_similarity_1_00():
    """A changed year in a long paragraph scores above 0.995; shown as 1.00 it reads as
    identical. Every output shows at most 0.99 for a changed unit (JSON keeps the score)."""
    from diffreport.writers import markdown

    long = "为了规范管理，" + "、".join(f"第{i}项工作应当依法开展并接受监督" for i in range(40))
    c = compare(f"一、总则\n\n{long}2024年。\n", f"一、总则\n\n{long}2025年。\n")
    changed = [a for a in c.at("block") if a.status == "changed"]
    assert changed and changed[0].score is not None and changed[0].score >= 0.995
    f = report.gather(c, "zh", "2026-01-01", "test")
    assert [b.score for b in f.blocks if b.status != "unchanged"] == [0.99]
    assert "(1.00)" not in markdown.render(c) and "(0.99)" in markdown.render(c)


def test_blocks_are_grouped_under_the_section_each_sits_in(seed_comparison):
    # each block under the section it sits in (a walk up from it), sections in their order
    c = seed_comparison
    f = report.gather(c, "zh", "2026-01-01", "test")
    order = {}
    for idx, a in enumerate(c.at("section"), 1):
        for i in a.old:
            order.setdefault(("old", i), idx)
        order.update({("new", i): idx for i in a.new})
    expected: dict[int, list[report.BlockFact]] = {}
    for b in f.blocks:
        a = b.change.alignment
        side, ids, doc = ("new", a.new, c.new) if a.new else ("old", a.old, c.old)
        sec = doc.section_of(ids[0])
        expected.setdefault(order.get((side, sec.id), 0) if sec else 0, []).append(b)
    assert [bs for _, bs in f.groups] == [expected[i] for i in sorted(expected)]
    assert len(f.groups) > 2 and sum(map(len, expected.values())) == len(f.blocks)
