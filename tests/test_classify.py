"""diffreport.classify: statuses and token edits, through compare() (the edits themselves:
test_edits.py)."""

from __future__ import annotations

from diffreport.compare import compare

BUDGET = "The council shall publish the annual budget before the end of March each year."


def block(old: str, new: str):
    (only,) = compare(old, new).at("block")
    return only


def test_equal_text_is_unchanged():
    a = block(BUDGET, BUDGET)
    assert a.status == "unchanged"
    assert not a.minor


def test_whitespace_and_width_alone_stay_unchanged():
    wide = "第一条　为了保护和改善环境，制定本法。"
    narrow = "第一条 为了保护和改善环境，制定本法。"
    assert block(wide, narrow).status == "unchanged"
    assert block("预算 为 １２３ 万元。", "预算为123万元。").status == "unchanged"


def test_punctuation_change_is_changed_and_minor():
    a = block(BUDGET, BUDGET.replace("March", "March,"))
    assert a.status == "changed"
    assert a.minor


def test_word_change_is_changed_not_minor():
    a = block(BUDGET, BUDGET.replace("annual", "quarterly"))
    assert a.status == "changed"
    assert not a.minor
    assert ("delete", "annual") in a.diff
    assert ("insert", "quarterly") in a.diff


def test_inserted_and_removed_blocks_are_new_and_dropped():
    extra = "The harbour authority will dredge the northern channel."
    c = compare(BUDGET, f"{BUDGET}\n\n{extra}")
    assert sorted(a.status for a in c.at("block")) == ["new", "unchanged"]
    c = compare(f"{BUDGET}\n\n{extra}", BUDGET)
    assert sorted(a.status for a in c.at("block")) == ["dropped", "unchanged"]


def test_key_terms_come_from_words_not_from_web_addresses():
    old = (
        "Terms used here have the meanings in our [Terms of Service]"
        "(https://help.github.com/en/articles/terms-of-service); write to legal@example.com "
        "or see <https://fsf.org/> and www.gnu.org/licenses for the licence."
    )
    new = (
        old.replace("help.github.com/en/articles", "docs.github.com/site-policy")
        .replace("legal@example.com", "copyright@github.org")
        .replace("fsf.org", "gnu.org")
        .replace("for the licence", "for the licence and its translations")
    )
    evidence = block(old, new).evidence
    terms = set(evidence.added) | set(evidence.removed) | set(evidence.shared)
    assert "translations" in evidence.added
    assert not terms & {"https", "com", "en", "org", "www", "articles", "help", "fsf", "gnu"}
    assert not [t for t in terms if "github" in t or "site-policy" in t or "example" in t]


def test_evidence_of_long_term_lists_is_what_sorting_them_gives(monkeypatch):
    from conftest import SEEDS

    from diffreport import classify

    def evidence(sort_max: int) -> list:
        monkeypatch.setattr(classify, "EVIDENCE_SORT_MAX", sort_max)
        c = compare(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt")
        return [a.evidence for a in c.alignments]

    by_heap, by_sort = evidence(0), evidence(10**9)
    assert by_heap == by_sort
    assert sum(e is not None and len(e.shared) == classify.EVIDENCE_TERMS for e in by_heap) > 10


def test_a_section_is_unchanged_when_its_parts_are_the_same_one_by_one():
    """The classifier answers a pair of sections from their children's answers where the
    children line up: it must say what comparing their parts one by one says."""
    from conftest import SEEDS, law_pairs

    from diffreport.classify import LABEL_PREFIX
    from diffreport.normalise import strict_key

    def own_key(node):
        if node.kind == "section":
            return strict_key(node.title)
        text = node.text[len(node.label) :] if node.text.startswith(node.label) else node.text
        return strict_key(LABEL_PREFIX.sub("", text, count=1))

    def parts(doc, node):
        yield node
        if node.kind == "section":
            for child in doc.children(node.id):
                yield from parts(doc, child)

    def same(x, y):
        fields = ("text", "title", "label", "kind")
        return all(getattr(x, f) == getattr(y, f) for f in fields) or own_key(x) == own_key(y)

    pairs = [*law_pairs(), (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt")]
    seen = set()
    for old_path, new_path in pairs:
        c = compare(old_path, new_path)
        for a in c.at("section"):
            if len(a.old) == 1 and len(a.new) == 1:
                x, y = c.old.node(a.old[0]), c.new.node(a.new[0])
                px, py = list(parts(c.old, x)), list(parts(c.new, y))
                expected = len(px) == len(py) and all(map(same, px, py))
                assert (a.status == "unchanged") == expected, (old_path, a)
                seen.add(expected)
    assert seen == {True, False}


def test_a_unit_new_or_dropped_is_classified_with_its_own_fields_only():
    """New and dropped units take a shortcut (no evidence, diff, places, labels or
    confidence): each must equal the alignment made field by field from its pairing, moved
    or not, also where a lone pairing holds parts' shares (the general path)."""
    from diffreport.classify import Classifier
    from diffreport.result import Alignment, Pairing

    old = compare(BUDGET, BUDGET).old
    new = compare(f"{BUDGET}\n\n第三十条　另起一段。", BUDGET).old
    classify = Classifier(old, new, {"budget": 3.0})
    lone = [
        Pairing(n.kind, [n.id], [], 0.4, moved=moved, confidence="low")
        for n in old.nodes
        for moved in (False, True)
    ] + [
        Pairing(n.kind, [], [n.id], None, moved=moved) for n in new.nodes for moved in (False, True)
    ]
    assert lone and any(p.level == "clause" for p in lone)
    for p in lone:
        expected = Alignment(
            level=p.level,
            status="new" if p.new else "dropped",
            old=p.old,
            new=p.new,
            score=None,
            moved=p.moved,
            shares=p.shares,
        )
        got = classify(p)
        assert got == expected and got.to_dict() == expected.to_dict()
        assert got.shares is p.shares  # (the pairing's own dict, as the general path keeps)
