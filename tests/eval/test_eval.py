"""CI gate: the accuracy harness must stay at or above tests/eval/thresholds.json; the labels
must be well formed (checked against the documents' own text, without diffreport)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_law_labels  # noqa: E402
import harness  # noqa: E402

from diffreport.classify import Alignment  # noqa: E402
from diffreport.compare import Comparison  # noqa: E402
from diffreport.model import Document, Node  # noqa: E402

REVISIONS = [
    json.loads(p.read_text(encoding="utf-8"))
    for p in sorted((HERE / "labels").glob("revision-*.json"))
]


@pytest.fixture(scope="module")
def results():
    return harness.run()


def test_accuracy_at_or_above_thresholds(results):
    thresholds = json.loads((HERE / "thresholds.json").read_text(encoding="utf-8"))
    failures = harness.check(results, thresholds)
    assert not failures, "\n" + harness.report(results, verbose=True) + "\n" + "\n".join(failures)


def test_every_label_key_finds_its_unit(results):
    misses = [m for r in results for m in r.scores.get("label keys", harness.Score()).misses]
    assert misses == []


def test_goals_name_scores_the_harness_computes(results):
    thresholds = json.loads((HERE / "thresholds.json").read_text(encoding="utf-8"))
    names = {m for m in thresholds["goals"] if not m.startswith("_") and m != "cases"}
    assert names <= set(harness.METRICS)
    goals = harness.goals(results, thresholds)
    assert len(goals) >= len(names)
    cases = {r.name for r in results}
    assert set(thresholds["goals"]["cases"]) <= cases


@pytest.mark.parametrize(
    "case", [c for c in REVISIONS if "old_articles" in c], ids=lambda c: c["name"]
)
def test_revision_labels_cover_every_article(case):
    """Every article of both versions is labelled once, in order, and each key is verbatim text
    of its own article and of no other (articles cut by a plain regex, not by diffreport)."""
    for side, key in (("old", "old_articles"), ("new", "new_articles")):
        arts = build_law_labels.articles(harness.ROOT / case[side])
        assert [a["number"] for a in case[key]] == [num for num, _ in arts]
        for art in case[key]:
            k = harness.norm(art["key"])
            holders = [num for num, body in arts if k in harness.norm(body)]
            assert holders == [art["number"]], (side, art)
    numbers = {a["number"] for a in case["old_articles"]}
    for art in case["new_articles"]:
        assert set(art.get("from", [])) | set(art.get("also", [])) <= numbers, art


@pytest.mark.parametrize(
    "case", [c for c in harness.all_cases() if "front_matter" in c], ids=lambda c: c["name"]
)
def test_front_matter_labels_are_the_lines_before_the_body(case):
    for side in ("old", "new"):
        fm = case["front_matter"][side]
        text = (harness.ROOT / case[side]).read_text(encoding="utf-8")
        first_article = text.index("\n第一条")
        for line in [fm["title"], *fm["lines"]]:
            assert 0 <= text.find(line) < first_article, (side, line)


def _comparison(old: str, new: str, status: str) -> Comparison:
    docs = [Document([Node("b1", "block", text, label="第一条")]) for text in (old, new)]
    return Comparison(docs[0], docs[1], [Alignment("block", status, ["b1"], ["b1"], 1.0)])


@pytest.mark.parametrize(
    ("old", "new", "faults"),
    [
        ("第一条 甲、乙和丙", "第一条 甲，乙和丙", 1),  # punctuation
        ("Accompany it", "accompany it", 1),  # letter case
        ("⒉ 实施", "2. 实施", 1),  # numbering glyph
        ("第一条 甲、乙", "第三条　甲、乙", 0),  # renumbered twin, full-width space
        ("甲，乙 ABC", "甲,乙ＡＢＣ", 0),  # width and whitespace only
    ],
)
def test_strict_unchanged_judges_the_text(old, new, faults):
    result = harness.CaseResult("t")
    harness.strict_unchanged(_comparison(old, new, "unchanged"), result)
    assert result.score("false unchanged (strict)").total == faults
