"""diffreport.measures: clauses the aligner left over, paired when they are one measure."""

from __future__ import annotations

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
