from __future__ import annotations

import re
from itertools import accumulate

import pytest
from conftest import LAW
from hypothesis import example, given, settings
from hypothesis import strategies as st

from diffreport.compare import compare
from diffreport.result import Alignment
from diffreport.terms import (
    count_terms,
    edge_characters,
    hmm_edges,
    ready_renames,
    shift_alignments,
    shift_level_needed,
    term_shifts,
    word_edges,
)
from diffreport.tokens import FUNCTION_WORDS, cut_run, segmenter


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


def test_renames_readied_from_the_pairings_are_those_the_shifts_read():
    # ready_renames, told the pairings' ids before they are classified, finds the candidates
    # of the finest changed level's diffs ahead, a step at a time (the renames found are
    # among them); the shifts are the same after none, some or all of its steps.
    c = compare(LAW / "上海市殡葬管理条例.old.md", LAW / "上海市殡葬管理条例.2024-08-22.md")
    levels: dict[str, list[Alignment]] = {}
    for a in c.alignments:
        levels.setdefault(a.level, []).append(a)
    ids = {level: [(a.old, a.new) for a in alignments] for level, alignments in levels.items()}
    steps = list(ready_renames(c.old, c.new, ids))
    found = {pair for step in steps for pair in step}
    assert ("民政局", "民政部门") in found
    assert {(r.old, r.new) for r in c.terms["renames"]} <= found
    changed = {
        (c.old.node(a.old[0]).text, c.new.node(a.new[0]).text) for a in levels["clause"] if a.diff
    }
    assert len(steps) >= len(changed) > 0
    shown = shift_alignments(levels)
    for taken in (0, 1, len(steps) // 2):
        for _ in zip(range(taken), ready_renames(c.old, c.new, ids), strict=False):
            pass
        assert term_shifts(c.old, c.new, shown) == c.terms


REVISIONS = LAW / "revisions"


def test_enumeration_contracted_is_a_rename_though_the_new_term_existed():
    # 中小学校学生伤害事故处理条例: `区、县教育行政部门` → `区教育行政部门` in four paragraphs;
    # `区` was used before (区域), and `区、县` → `区` is a pure deletion in the diff.
    c = compare(
        LAW / "上海市中小学校学生伤害事故处理条例.old.md",
        LAW / "上海市中小学校学生伤害事故处理条例.2024-12-31.md",
    )
    renames = {(r.old, r.new): r for r in c.terms["renames"]}
    assert ("区、县", "区") in renames and renames[("区、县", "区")].count >= 4


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


def test_renames_cut_anywhere_by_the_diff_are_whole_terms():
    # 北京市实施《水法》办法 2019 → 2022 (read side by side): `发展与改革行政主管部门` became
    # `发展改革部门` (the token diff cuts it into `与` and `行政主管`), and in sentences naming
    # both agencies, in swapped order, `水行政主管部门` and `环境保护行政主管部门` became
    # `水务部门` and `生态环境部门` — never crosswise.
    c = compare(
        REVISIONS / "北京市实施《水法》办法.2019-07-26.md",
        REVISIONS / "北京市实施《水法》办法.2022-11-25.md",
    )
    renames = {(r.old, r.new) for r in c.terms["renames"]}
    assert {
        ("水行政主管部门", "水务部门"),
        ("环境保护行政主管部门", "生态环境部门"),
        ("发展与改革行政主管部门", "发展改革部门"),
        ("区、县", "区"),
    } <= renames
    assert ("水行政主管部门", "生态环境部门") not in renames
    assert not any("行政主管部门" == o or n == "部门" for o, n in renames)  # no fragments


def test_rename_with_enumeration_comma_and_a_longer_new_name():
    # 国务院组织法 1982 → 2024: `各部、各委员会` → `国务院组成部门` in three articles (one of
    # them `国务院各部、各委员会` → `国务院组成部门`, the label `第十条` → `第十四条` next to it).
    c = compare(REVISIONS / "国务院组织法.1982-12-10.md", REVISIONS / "国务院组织法.2024-03-11.md")
    renames = {(r.old, r.new): r for r in c.terms["renames"]}
    assert ("各部、各委员会", "国务院组成部门") in renames
    assert renames[("各部、各委员会", "国务院组成部门")].count == 3
    # 保守国家秘密法: a long name shortened, the old one cut by the diff around `网络`
    c = compare(
        REVISIONS / "保守国家秘密法.2010-04-29.md", REVISIONS / "保守国家秘密法.2024-02-27.md"
    )
    renames = {(r.old, r.new) for r in c.terms["renames"]}
    assert ("互联网及其他公共信息网络运营商、服务商", "网络运营者") in renames
    assert ("运营商", "运营者") not in renames


def test_rename_to_a_name_already_in_use():
    # 生物安全法 2020 → 2024: human genetic resources moved from `国务院科学技术主管部门` to
    # `国务院卫生健康主管部门`, which the law already named elsewhere; `县级以上人民政府科学
    # 技术主管部门` stays in one article.
    c = compare(REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md")
    renames = {(r.old, r.new) for r in c.terms["renames"]}
    assert renames & {
        ("科学技术主管部门", "卫生健康主管部门"),
        ("国务院科学技术主管部门", "国务院卫生健康主管部门"),
    }


def test_key_terms_are_not_labels_figures_or_function_words():
    import re

    from diffreport.tokens import FUNCTION_WORDS

    numbered = re.compile(r"第?[零〇一二两三四五六七八九十百千万亿\d]+[条款项章节编元年]?")
    for old, new in _revision_pairs():
        c = compare(old, new)
        for kind in ("new", "dropped", "rose", "fell"):
            for t in c.terms[kind]:
                assert not numbered.fullmatch(t.term), (old.name, kind, t.term)
                assert not any(
                    t.term.startswith(w) or t.term.endswith(w) for w in FUNCTION_WORDS
                ), (old.name, kind, t.term)


def test_renames_do_not_end_in_a_place_word():
    # 保守国家秘密法: `在未采取防护措施的情况下` → `未按照…采取有效保密措施` is a reworded
    # condition; `的情况下` (`下`: a place word) is no part of a term.
    c = compare(
        REVISIONS / "保守国家秘密法.2010-04-29.md", REVISIONS / "保守国家秘密法.2024-02-27.md"
    )
    for r in c.terms["renames"]:
        assert not r.old.endswith("情况下"), (r.old, r.new)


def test_a_figure_bound_changed_twice_is_no_rename(tmp_path):
    # As in 公司法 2018 → 2023 (`成员不得少于三人` → `成员为三人` in two articles): the bound of a
    # figure, a target's change, not a name.
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(
        "第一条 监事会成员不得少于三人，由股东会选举产生。\n\n"
        "第二条 董事会成员不得少于三人，由股东会选举产生。\n\n"
        "第三条 本法自公布之日起施行。\n",
        encoding="utf-8",
    )
    new.write_text(
        "第一条 监事会成员为三人，由股东会选举产生。\n\n"
        "第二条 董事会成员为三人，由股东会选举产生。\n\n"
        "第三条 本法自公布之日起施行。\n",
        encoding="utf-8",
    )
    c = compare(old, new)
    assert not [(r.old, r.new) for r in c.terms["renames"] if "三" in r.old + r.new]


def test_a_change_whose_cut_is_only_spaces_is_no_term(tmp_path):
    """A real sentence of the Debian Edu manual, bullseye → bookworm: one cut of the change
    between word edges is a space alone (it raised IndexError)."""
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(
        "# 手册\n\n出自 Debian Bullseye 的新版 Debian 安装器，更多细节参阅其安装手册。\n"
    )
    new.write_text(
        "# 手册\n\n出自 Debian bullseye 的 Debian Installer 新版本，更多细节参阅其安装手册。\n"
    )
    c = compare(old, new)
    assert [a.status for a in c.at("block")] == ["changed"]
    assert all(r.old.strip() and r.new.strip() for r in c.terms["renames"])


# Term counts by one automaton are str.count's, overlapping terms and all. The automaton reads
# each character in two halves (terms._halves): `场` shares `区`'s low bits, `匚` its high ones,
# `倔`'s two halves are alike (20, 20), `\u0400`, `\u0800` and `\u0c3f` are the halves' own
# codes, `𠀀` lies beyond 16 bits.
_ALPHABET = "区县、部门ab\0场匚倔\u0400\u0800\u0c3f𠀀"


@pytest.mark.parametrize("halves", [False, True])  # (as count_terms chooses by the terms)
@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=_ALPHABET, max_size=60),
    terms=st.lists(st.text(alphabet=_ALPHABET, min_size=0, max_size=4), min_size=1, max_size=6),
)
def test_term_counts_are_str_count(halves, text, terms):
    (counts,) = count_terms([text], terms, halves)
    for term in terms:
        assert counts.count(term) == text.count(term)
        if term:  # every use's last index, overlapping ones too
            ends = [k + len(term) - 1 for k in range(len(text)) if text.startswith(term, k)]
            assert counts.ends(term) == ends
        for other in terms:
            assert counts.count_outside(term, other) == text.replace(other, "\0").count(term)


def test_term_counts_never_start_a_use_at_a_low_half():
    # `倔` in halves is (high 20, low 20): read without the halves' ranges apart, `倔倔` would
    # hold it three times, the last from the first one's low half.
    (counts,) = count_terms(["倔倔倔、倔"], ["倔", "倔倔", "、"], halves=True)
    assert (counts.count("倔"), counts.count("倔倔"), counts.count("、")) == (4, 1, 1)
    assert counts.ends("倔") == [0, 1, 2, 4] and counts.ends("倔倔") == [1, 2]


def test_term_counts_of_two_texts_and_terms_not_asked_for():
    old, new = count_terms(["区区区、县区", "部门部门"], ["区区", "区", "部门"])
    assert (old.count("区区"), old.count("区"), old.count("部门")) == (1, 4, 0)
    assert (new.count("区区"), new.count("部门"), new.count("门部")) == (0, 2, 1)
    assert old.count_outside("区", "区区") == 2  # `区区` once, then `区` and `区`


def test_straight_quotes_pair_in_order_and_keep_the_spaces_between_words():
    """Between the closing quote of a long term and the opening one of the next lies no term
    (LGPL-2.1 gave the new term `anda` from ` and a `); a quoted term is counted as written."""
    old = 'Pay attention to the Library.\n\nA "library" means a collection of functions.\n'
    new = (
        'Pay attention to the difference between a "work based on the library" and a '
        '"work that uses the library", a de-facto standard.\n\nA "library" means a collection of functions.\n\n'
        "推进“科技创新 +高等教育 ”融合。\n"
    )
    c = compare(old, new)
    added = [t.term for t in c.terms["new"]]
    assert not any(t.strip() in ("and a", "anda") for t in added), added
    assert "科技创新 +高等教育" in added


def test_where_lists_the_first_blocks_holding_a_term_in_reading_order():
    # A quoted slogan new in the second version: in a heading (not a block), in blocks
    # overlapping itself (`“区区”` in `区区区`), in more blocks than are listed.
    old = "# 总则\n\n" + "".join(f"第{k}条 本市推进工作。\n\n" for k in range(1, 9))
    new_blocks = [
        "第一条 本市推进“区区”工作。",
        "第二条 本市推进工作。",
        "第三条 区区区推进工作。",
        "第四条 区区推进工作，区区提速。",
        "第五条 本市推进工作。",
        "第六条 区区。",
        "第七条 区区工作。",
        "第八条 区区推进。",
    ]
    new = "# 区区总则\n\n" + "".join(b + "\n\n" for b in new_blocks)
    c = compare(old, new)
    (shift,) = [t for t in c.terms["new"] if t.term == "区区"]
    blocks = c.new.of_kind("block")
    expected = [b.id for b in blocks if "区区" in b.text][:5]
    assert shift.where == expected and len(expected) == 5


def test_a_reordered_list_is_not_read_position_by_position():
    # 文职人员条例 2017 → 2022: `试用期考核和聘期考核结果` → `聘（任）期考核和专项考核结果` (and
    # the kinds of assessment listed anew): `聘期考核` became `聘（任）期考核`, the probation
    # assessment went into `专项考核`; neither `聘期考核` → `专项考核` nor `试用期考核` →
    # `聘（任）期考核` is a rename. The labelled renamings of the pair are still found.
    name = "中国人民解放军文职人员条例"
    c = compare(REVISIONS / f"{name}.2017-09-27.md", REVISIONS / f"{name}.2022-12-10.md")
    renames = {(r.old, r.new) for r in c.terms["renames"]}
    assert ("聘期考核", "专项考核") not in renames
    assert ("试用期考核", "聘（任）期考核") not in renames
    assert {("面向社会公开招考", "公开招考"), ("分级分类", "分类分级")} <= renames


def _atoms_one_run_at_a_time(text: str) -> list[str]:
    """terms.atoms as it was written first: each run of _token_runs, a run of Chinese of
    the basic block split into its characters."""
    import re

    out: list[str] = []
    for m in re.finditer(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z][A-Za-z'’\-]*|\d+|\S|\s+", text):
        t = m.group()
        out.extend(t) if re.fullmatch(r"[\u4e00-\u9fff]+", t) else out.append(t)
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="质量技监部门㐀㑁a Zb'’-0129，、。（）\n\t\u3000\u9fa5\u9fff\U00020000_#"))
def test_atoms_as_run_by_run(text: str) -> None:
    from diffreport.terms import atoms

    assert atoms(text) == _atoms_one_run_at_a_time(text)


REVISIONS = LAW / "revisions"


def _revision_pairs():
    files = sorted(REVISIONS.glob("*.md"))
    by_law: dict[str, list] = {}
    for f in files:
        by_law.setdefault(f.name.split(".")[0], []).append(f)
    return [tuple(v) for v in by_law.values() if len(v) == 2]


def test_the_alignments_the_shifts_read_give_the_same_shifts():
    """The comparison's side child is told only shift_alignments, its levels classified
    first in the order shift_level_needed asks for: the same shifts as from all alignments."""
    renamed = 0
    for old, new in _revision_pairs():
        c = compare(old, new, workers=1)
        by_level: dict[str, list] = {}
        for a in c.alignments:
            by_level.setdefault(a.level, []).append(a)
        classified: dict[str, list] = {}
        while (level := shift_level_needed(classified)) is not None:
            assert level not in classified
            classified[level] = by_level.get(level, [])
        assert "block" in classified
        shown = shift_alignments(classified)
        assert len(shown) < len(c.alignments)
        assert (
            term_shifts(c.old, c.new, shown) == c.terms == term_shifts(c.old, c.new, c.alignments)
        )
        renamed += bool(c.terms["renames"])
    assert renamed >= 5  # (the check means something: pairs with renames)


def _alignment(level: str, status: str, diff=None) -> Alignment:
    return Alignment(level, status, ["o"], ["n"], 1.0, diff=diff)


def test_the_shifts_ask_for_levels_finest_first_until_one_shows_changes():
    changed = [_alignment("sentence", "changed", [("delete", "甲"), ("insert", "乙")])]
    unchanged = [_alignment("clause", "unchanged")]
    classified: dict[str, list] = {}
    asked = []
    for level in ({"block": []}, {"clause": unchanged}, {"sentence": changed}):
        asked.append(shift_level_needed(classified))
        classified.update(level)
    assert asked == ["block", "clause", "sentence"]
    assert shift_level_needed(classified) is None
    assert shift_alignments(classified) == changed
    assert shift_level_needed({"block": [], "clause": [], "sentence": []}) is None


# The word edges from the tokens' lengths and the Chinese runs alone, as they were found token
# by token: each token's two ends, jieba's words inside runs of Chinese characters only.
_EDGE_ALPHABET = "区县部门股东大会民政局㐀㐁 ab-'\n1、。（"
_TOKENS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z][A-Za-z'’\-]*|\d+|\S|\s+")
_CHINESE = re.compile(r"[\u4e00-\u9fff]+")


def _edges_token_by_token(text: str, hmm_only: bool) -> frozenset[int]:
    edges = {0, len(text)}
    cut = segmenter().cut
    for m in _TOKENS.finditer(text):
        run, start = m.group(), m.start()
        if _CHINESE.fullmatch(run):
            edges.update(accumulate(map(len, cut_run(run)), initial=start))
            if not hmm_only:
                edges.update(accumulate(map(len, cut(run, False)), initial=start))
        edges.update((start, m.end()))
    return frozenset(edges)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_EDGE_ALPHABET, max_size=30))
def test_word_edges_are_the_tokens_and_jiebas_words(text):
    assert word_edges.__wrapped__(text) == _edges_token_by_token(text, hmm_only=False)
    assert hmm_edges.__wrapped__(text) == _edges_token_by_token(text, hmm_only=True)


# Characters that pass edge_characters' other tests (no particle, punctuation or space): a
# function word at either edge decides, as when one was looked up by slicing at each length.
_EDGE_WORD_ALPHABET = "有关按照应当可以规定本法条例区部门"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_EDGE_WORD_ALPHABET, min_size=1, max_size=8))
@example(text="区部门有关")
@example(text="本法区部门")
def test_function_words_at_a_terms_edges_as_sliced(text):
    lengths = {len(w) for w in FUNCTION_WORDS}
    sliced = any(text[:k] in FUNCTION_WORDS or text[-k:] in FUNCTION_WORDS for k in lengths)
    assert edge_characters.__wrapped__(text) == (not sliced)
