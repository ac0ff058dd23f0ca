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


REVISIONS = LAW / "revisions"


def test_enumeration_contracted_is_a_rename_though_the_new_term_existed():
    # 中小学校学生伤害事故处理条例: `区、县教育行政部门` → `区教育行政部门` in seven clauses;
    # `区` was used before (区域), and `区、县` → `区` is a pure deletion in the diff.
    c = compare(
        LAW / "上海市中小学校学生伤害事故处理条例.old.md",
        LAW / "上海市中小学校学生伤害事故处理条例.2024-12-31.md",
    )
    renames = {(r.old, r.new): r for r in c.terms["renames"]}
    assert ("区、县", "区") in renames and renames[("区、县", "区")].count >= 5


def test_word_dropped_before_another_and_english_renames():
    c = compare(
        REVISIONS / "长江河道采砂管理条例.2001-10-25.md",
        REVISIONS / "长江河道采砂管理条例.2023-07-20.md",
    )
    assert ("行政处分", "处分") in {(r.old, r.new) for r in c.terms["renames"]}
    english = LAW.parent / "english"
    c = compare(
        english / "github-acceptable-use-policies.2021.md",
        english / "github-acceptable-use-policies.2024.md",
    )
    renames = {(r.old, r.new) for r in c.terms["renames"]}
    assert ("User Personal Information", "personal information") in renames


def _token_bounds(text: str) -> set[int]:
    from diffreport.tokens import display_tokens

    bounds, pos = {0}, 0
    for t in display_tokens(text):
        pos += len(t)
        bounds.add(pos)
    return bounds


def test_renames_are_whole_words_and_key_terms_are_not_labels_or_function_words():
    from conftest import law_pairs

    from diffreport.tokens import FUNCTION_WORDS

    pairs = [*law_pairs(), *_revision_pairs()]
    for old, new in pairs:
        c = compare(old, new)
        for r in c.terms["renames"]:
            assert r.old != r.new
            for term, doc in ((r.old, c.old), (r.new, c.new)):
                # the term stands as whole words somewhere (not `与改革` cut from `发展与改革`)
                assert any(
                    at in bounds and at + len(term) in bounds
                    for clause in doc.of_kind("clause")
                    if term in clause.text
                    for bounds in [_token_bounds(clause.text)]
                    for at in _occurrences(clause.text, term)
                ), (old.name, term)
        for a in c.alignments:
            if a.evidence is None:
                continue
            for term in a.evidence.shared + a.evidence.added + a.evidence.removed:
                assert term not in FUNCTION_WORDS, (old.name, term)
                assert not (term.startswith("第") and term[-1] in "条章节款项"), (old.name, term)


def _occurrences(text: str, term: str) -> list[int]:
    out, at = [], text.find(term)
    while at >= 0:
        out.append(at)
        at = text.find(term, at + 1)
    return out


def _revision_pairs():
    by_name: dict[str, list] = {}
    for path in sorted(REVISIONS.glob("*.md")):
        by_name.setdefault(path.name.split(".")[0], []).append(path)
    return [(v[0], v[-1]) for v in by_name.values() if len(v) == 2]
