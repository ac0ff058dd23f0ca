"""The side-by-side rows (diffreport.sidebyside.rows) that the 对照表 and the HTML report
render: nothing lost, each text marked only on its own side, in the new document's order,
dropped units where they stood, moves linked both ways."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import FIXTURES, SEEDS, law_pairs

from diffreport.compare import compare
from diffreport.sidebyside import document_date, heading_rows, outline, rows

PAIRS = [
    (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
    (SEEDS / "nankai-2021-government-work-report.txt", SEEDS / "nankai-2024-plan.txt"),
    (
        FIXTURES / "english" / "github-acceptable-use-policies.2021.md",
        FIXTURES / "english" / "github-acceptable-use-policies.2024.md",
    ),
    *law_pairs(),
]


@pytest.fixture(scope="module", params=PAIRS, ids=lambda p: p[0].name[:16])
def comparison(request):
    return compare(*request.param)


@pytest.mark.parametrize("level", ["block", "sentence"])
def test_every_node_once_with_its_exact_text(comparison, level):
    c = comparison
    table = rows(c, level)
    seen = {"old": Counter(), "new": Counter()}
    for row in table:
        if row.kind == "moved-away":
            continue
        for side in ("old", "new"):
            for cell in getattr(row, side):
                seen[side][cell.node.id] += 1
                assert cell.text == cell.node.text
                marks = {m for m, _ in cell.segments}
                assert marks <= {"", "delete" if side == "old" else "insert"}
    for side, doc in (("old", c.old), ("new", c.new)):
        expected = {n.id for n in doc.nodes if n.kind in ("section", level)}
        assert set(seen[side]) == expected
        assert set(seen[side].values()) <= {1}


def test_marks_are_the_alignments_inline_diffs(comparison):
    c = comparison
    by_alignment = {id(r.alignment): r for r in rows(c) if r.kind == "unit"}
    checked = 0
    for a in c.at("block"):
        if a.diff is None:
            continue
        row = by_alignment[id(a)]
        deleted = "".join(t for m, t in row.old[0].segments if m == "delete")
        inserted = "".join(t for m, t in row.new[0].segments if m == "insert")
        assert deleted == "".join(t for op, t in a.diff if op == "delete")
        assert inserted == "".join(t for op, t in a.diff if op == "insert")
        checked += 1
    assert checked == c.counts("block")["changed"]


def test_heading_rows_are_the_headings_of_the_whole_table(comparison):
    """heading_rows (the briefing's structure table) builds only the headings, in the order
    and with the cells the whole table gives them, dropped headings where they stood."""
    c = comparison
    whole = [r for r in rows(c) if r.kind == "heading"]
    alone = heading_rows(c)
    assert whole and len(alone) == len(whole)

    def facts(r):
        cells = [(x.node.id, x.segments) for x in r.old + r.new]
        return (r.status, r.alignment, r.depth, r.moved, r.minor, r.uncertain, r.front, cells)

    assert [facts(r) for r in alone] == [facts(r) for r in whole]


def test_rows_follow_the_new_document(comparison):
    c = comparison
    pos = {n.id: i for i, n in enumerate(c.new.nodes)}
    firsts = [min(pos[i] for i in r.new_ids) for r in rows(c) if r.new and r.kind != "moved-away"]
    assert firsts == sorted(firsts)


def test_a_dropped_article_stands_where_it_was_and_renumbering_is_noted():
    old = (
        "第一条 总则内容。\n第二条 被删除的条文，讲的是另一件事。\n"
        "第三条 这一条的内容没有变。\n第四条 最后一条也没有变。\n"
    )
    new = "第一条 总则内容。\n第二条 这一条的内容没有变。\n第三条 最后一条也没有变。\n"
    table = rows(compare(old, new))
    units = [r for r in table if r.kind == "unit"]
    assert [r.status for r in units] == ["unchanged", "dropped", "unchanged", "unchanged"]
    assert units[1].old[0].node.label == "第二条" and not units[1].new
    assert units[2].renumbered == "第三条"
    assert units[1].old[0].segments == [("delete", units[1].old[0].node.text)]


def test_changed_only_folds_runs_of_unchanged_units(comparison):
    c = comparison
    full = rows(c)
    folded = rows(c, changed_only=True)
    hidden = [h for r in folded if r.kind == "collapsed" for h in r.hidden]
    shown = [r for r in folded if r.kind != "collapsed"]
    assert len(hidden) + len(shown) == len(full)
    assert all(h.status == "unchanged" and not h.moved for h in hidden)
    assert all(r.status != "unchanged" or r.moved or r.kind != "unit" for r in shown)
    # No two folded rows in a row: a run is folded whole.
    kinds = [r.kind for r in folded]
    assert ("collapsed", "collapsed") not in set(zip(kinds, kinds[1:], strict=False))


def test_moves_link_both_ways():
    c = compare(*PAIRS[1])
    table = rows(c)
    by_anchor = {r.anchor: r for r in table}
    moved = [r for r in table if r.kind == "unit" and r.moved]
    assert moved, "the 2021 report → 2024 plan pair has moved blocks"
    assert len(moved) == sum(1 for a in c.at("block") if a.moved)
    for row in moved:
        away = by_anchor[row.partner]
        assert away.kind == "moved-away" and away.partner == row.anchor
        assert away.alignment is row.alignment
        assert row.moved_from  # the old section's title


def test_outline_counts_changes_per_section(comparison):
    table = rows(comparison)
    heads = outline(table)
    assert len(heads) == len(comparison.at("section"))
    changes = sum(
        1 for r in table if r.kind == "unit" and r.section and (r.status != "unchanged" or r.moved)
    )
    assert sum(o.changes for o in heads) == changes


def test_document_dates():
    old, new = law_pairs()[1]  # 上海市优化营商环境条例, 2020 → 2024
    c = compare(old, new)
    assert document_date(c.old) == "2020年4月10日"
    assert document_date(c.new) == "2024年9月27日"


def test_the_date_of_a_law_amended_many_times_is_its_latest_amendment(tmp_path):
    """公司法 lists seven dates before its first article, the latest last: all of the front
    matter is read, not its first six lines."""
    years = [1993, 1999, 2004, 2005, 2013, 2018, 2023]
    history = "\n\n".join(f"{y}年12月29日第{i}次会议修正" for i, y in enumerate(years, 1))
    article = "第一条 为了规范公司的组织和行为，制定本法。\n"
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(f"# 公司法\n\n{history}\n\n<!-- INFO END -->\n\n{article}", encoding="utf-8")
    new.write_text(f"# 公司法\n\n{article}", encoding="utf-8")
    assert document_date(compare(old, new).old) == "2023年12月29日"


def test_unknown_level_is_refused(comparison):
    with pytest.raises(ValueError):
        rows(comparison, "clause")
