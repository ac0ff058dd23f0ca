"""diffreport.edits: the one edit script every writer renders — token edits of two texts,
the whole document as edited paragraphs, each unit's two sides marked."""

from __future__ import annotations

import pytest

from diffreport import edits
from diffreport.compare import compare

BUDGET = "The council shall publish the annual budget before the end of March each year."
PLAN = (
    "一、总体要求\n\n"
    "（一）加快建设消防站，完善城市消防设施。\n\n"
    "（二）推进老旧小区改造，新开工面积50万平方米。\n\n"
    "二、主要任务\n\n"
    "（三）扩大有效投资，实施重点项目100个。\n\n"
    "（四）挖掘消费潜力，举办促消费活动。"
)
FIRE = "（一）加快建设汾水道消防站，完善城市消防设施和应急避难场所布局。"
HOUSING = "推进老旧小区改造，新开工面积50万平方米，惠及居民两万户。"
ONE_BLOCK = f"一、总体要求\n\n{FIRE}{HOUSING}\n\n（二）扩大有效投资，实施重点项目100个。"
TWO_BLOCKS = f"一、总体要求\n\n{FIRE}\n\n（二）{HOUSING}\n\n（三）扩大有效投资，实施重点项目100个。"


def lines(doc) -> list[str]:
    return doc.plain_text().split("\n")


# ---------------------------------------------------------------- token edits


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (BUDGET, BUDGET.replace("annual", "quarterly")),
        (
            "加快建设汾水道消防站，完善城市消防设施。",
            "加快建设消防站，完善城市应急设施和消防通道。",
        ),
        ("Budget of 1,250 yuan.", "Budget of 1,500 yuan for 2025."),
        ("", "Entirely new text."),
        ("Entirely old text.", ""),
    ],
)
def test_token_edits_join_back_to_both_texts(old, new):
    ops = edits.token_edits(old, new)
    assert {op for op, _ in ops} <= {"equal", "insert", "delete"}
    assert "".join(t for op, t in ops if op != "insert") == old
    assert "".join(t for op, t in ops if op != "delete") == new


def test_token_edits_of_equal_texts_are_one_equal_run():
    assert edits.token_edits(BUDGET, BUDGET) == [("equal", BUDGET)]


def test_token_edits_keep_numbers_with_their_units_whole():
    ops = edits.token_edits("新开工面积50万平方米", "新开工面积60万平方米")
    assert ops == [("equal", "新开工面积"), ("delete", "50万平方米"), ("insert", "60万平方米")]


def test_token_edits_read_as_phrases_not_confetti():
    """A space between two changed words is folded into the change: one deletion, then one
    insertion, for the whole changed phrase."""
    ops = edits.token_edits(
        "Protect User Personal Information at all times.",
        "Protect personal data at all times.",
    )
    assert ops == [
        ("equal", "Protect "),
        ("delete", "User Personal Information"),
        ("insert", "personal data"),
        ("equal", " at all times."),
    ]


def test_a_side_keeps_its_own_changes_and_the_common_text():
    ops = edits.token_edits(BUDGET, BUDGET.replace("annual", "quarterly"))
    old, new = edits.side(ops, "delete"), edits.side(ops, "insert")
    assert "".join(t for _, t in old) == BUDGET
    assert "".join(t for _, t in new) == BUDGET.replace("annual", "quarterly")
    assert ("delete", "annual") in old and ("insert", "quarterly") in new
    assert {mark for mark, _ in old} == {"", "delete"}


# ---------------------------------------------------------------- the document script


def test_script_accepts_to_the_new_version_and_rejects_to_the_old():
    for old, new in ((PLAN, PLAN.replace("50万", "60万")), (ONE_BLOCK, TWO_BLOCKS)):
        for a, b in ((old, new), (new, old)):
            c = compare(a, b)
            script = edits.script(c)
            assert script.accepted() == lines(c.new)
            assert script.rejected() == lines(c.old)


def test_identical_pairs_written_directly_give_the_general_path_s_script():
    """The script writes a pair of equal text whose sentences pair one to one as its equal
    runs without pairing them again: the same paragraphs, runs and units as the general path."""
    from conftest import FIXTURES, SEEDS, law_pairs

    pairs = [
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
        (
            FIXTURES / "english" / "github-acceptable-use-policies.2021.md",
            FIXTURES / "english" / "github-acceptable-use-policies.2024.md",
        ),
        *law_pairs()[:2],
        (PLAN, PLAN.replace("50万", "60万")),
        (ONE_BLOCK, TWO_BLOCKS),
        # line breaks inside a block, moved and edited blocks around identical ones
        (f"{PLAN}\n\n甲行\n乙行。丙句。", f"甲行\n乙行。丙句。\n\n{PLAN.replace('消费', '旅游')}"),
    ]
    shortcuts: list[bool] = []  # for each pair written directly: cut into sentences
    for old, new in pairs:
        c = compare(old, new)
        fast, slow = edits.script(c), edits.script(c, shortcut=False)
        assert fast.paragraphs == slow.paragraphs and fast.moved_in == slow.moved_in
        assert not slow.direct
        shortcuts += [pieces > 1 for pieces in fast.direct]
    assert len(shortcuts) > 40 and any(shortcuts)  # whole units and cut into sentences
    # The script takes a changed sentence pair's token edits from the classifier (its diff)
    # where they are of the texts it would diff: the same paragraphs as diffing them again.
    with_diffs = 0
    for old, new in pairs:
        c = compare(old, new)
        kept = edits.script(c)
        diffs = [a for a in c.alignments if a.level == "sentence" and a.diff is not None]
        for a in diffs:
            a.diff = None
        assert edits.script(c).paragraphs == kept.paragraphs
        with_diffs += bool(diffs)
    assert with_diffs >= 3  # pairs with changed sentences


def test_a_reworded_block_is_edited_in_place():
    c = compare(PLAN, PLAN.replace("50万平方米", "60万平方米"))
    script = edits.script(c)
    changed = [p for p in script.paragraphs if any(o.op != "equal" for o in p.ops)]
    assert len(changed) == 1
    assert [(o.op, o.text) for o in changed[0].ops] == [
        ("equal", "（二）推进老旧小区改造，新开工面积"),
        ("delete", "50万平方米"),
        ("insert", "60万平方米"),
        ("equal", "。"),
    ]
    assert not script.moved_in


def test_a_reordered_block_is_one_move_with_both_ends_named_alike():
    swapped = PLAN.replace("（三）扩大有效投资，实施重点项目100个。", "@").replace(
        "（四）挖掘消费潜力，举办促消费活动。", "（三）扩大有效投资，实施重点项目100个。"
    )
    swapped = swapped.replace("@", "（四）挖掘消费潜力，举办促消费活动。")
    c = compare(PLAN, swapped)
    script = edits.script(c)
    ops = [o for p in script.paragraphs for o in p.ops]
    to = [o for o in ops if o.op == "move-to"]
    away = [o for o in ops if o.op == "move-from"]
    assert len(to) == len(away) == 1
    assert to[0].move == away[0].move and to[0].text == away[0].text
    # The move is reported by unit: the new block that received the moved text.
    assert script.moved_in == {to[0].new}
    assert script.accepted() == lines(c.new)


def test_a_split_inserts_a_paragraph_mark_and_a_merge_deletes_one():
    split = edits.script(compare(ONE_BLOCK, TWO_BLOCKS))
    assert [p.mark for p in split.paragraphs].count("insert") == 1
    assert "delete" not in [p.mark for p in split.paragraphs]
    merged = edits.script(compare(TWO_BLOCKS, ONE_BLOCK))
    assert [p.mark for p in merged.paragraphs].count("delete") == 1
    assert "insert" not in [p.mark for p in merged.paragraphs]


def test_new_and_dropped_blocks_are_inserted_and_deleted_whole():
    extra = "The harbour authority will dredge the northern channel."
    added = edits.script(compare(BUDGET, f"{BUDGET}\n\n{extra}"))
    assert [(o.op, o.text) for p in added.paragraphs for o in p.ops if o.op != "equal"] == [
        ("insert", extra)
    ]
    dropped = edits.script(compare(f"{BUDGET}\n\n{extra}", BUDGET))
    assert [(o.op, o.text) for p in dropped.paragraphs for o in p.ops if o.op != "equal"] == [
        ("delete", extra)
    ]


def _heading_depth(c, paragraph):
    """The depth of the section a paragraph shows (its first new unit, else its first old
    one), by asking the documents for that node: one paragraph at a time."""
    ops = paragraph.ops
    first_new = next((o.new for o in ops if o.new and o.op != "delete"), None)
    if first_new is not None:
        node = c.new.node(first_new)
    else:
        first_old = next((o.old for o in ops if o.old and o.op != "insert"), None)
        if first_old is None:
            return None
        node = c.old.node(first_old)
    return node.depth if node.kind == "section" else None


def test_heading_depth_tells_headings_from_blocks():
    c = compare(PLAN, PLAN)
    script = edits.script(c)
    depths = [_heading_depth(c, p) for p in script.paragraphs]
    texts = [p.accepted() for p in script.paragraphs]
    assert depths == [1, None, None, 1, None, None], texts
    assert edits.heading_depths(c, script.paragraphs) == depths
    # every kind of paragraph (moves, insertions, deletions, marks), one at a time and at once
    for old, new in ((BUDGET, PLAN), (PLAN, BUDGET), (PLAN, f"{PLAN}\n\n# 新章\n\n新段落。")):
        c = compare(old, new)
        paragraphs = edits.script(c).paragraphs
        expected = [_heading_depth(c, p) for p in paragraphs]
        assert edits.heading_depths(c, paragraphs) == expected
        assert any(d is not None for d in expected) and None in expected


# ---------------------------------------------------------------- each unit's sides


def _marks(c, level="block"):
    marks = edits.Marks(c, level)
    out = []
    for a in c.at(level):
        old = [c.old.node(i) for i in a.old]
        new = [c.new.node(i) for i in a.new]
        out.append((a, old, new, *marks(a, old, new)))
    return out


def test_marks_join_back_to_each_nodes_text():
    for old, new in ((PLAN, PLAN.replace("消防设施", "应急设施")), (ONE_BLOCK, TWO_BLOCKS)):
        for a, old_nodes, new_nodes, old_marks, new_marks in _marks(compare(old, new)):
            for node, runs in [
                *zip(old_nodes, old_marks, strict=True),
                *zip(new_nodes, new_marks, strict=True),
            ]:
                assert "".join(t for _, t in runs) == node.text, a


def test_marks_of_a_changed_unit_show_what_each_side_lost_and_gained():
    c = compare(PLAN, PLAN.replace("消防设施", "应急设施"))
    (changed,) = [m for m in _marks(c) if m[0].status == "changed"]
    _, _, _, old_marks, new_marks = changed
    assert ("delete", "消防设施") in old_marks[0]
    assert ("insert", "应急设施") in new_marks[0]
    unchanged = [m for m in _marks(c) if m[0].status == "unchanged"]
    assert unchanged and all(
        {mark for runs in m[3] + m[4] for mark, _ in runs} == {""} for m in unchanged
    )


def test_marks_of_new_and_dropped_units_mark_all_their_text():
    extra = "The harbour authority will dredge the northern channel."
    for old, new, mark in (
        (BUDGET, f"{BUDGET}\n\n{extra}", "insert"),
        (f"{BUDGET}\n\n{extra}", BUDGET, "delete"),
    ):
        (lone,) = [m for m in _marks(compare(old, new)) if m[0].status in ("new", "dropped")]
        assert lone[3] + lone[4] == [[(mark, extra)]]
