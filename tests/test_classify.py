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
