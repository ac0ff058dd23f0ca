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

from diffreport.model import Document, Node  # noqa: E402
from diffreport.result import Alignment, Comparison  # noqa: E402

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


# --- the harness's own scoring, on small hand-made comparisons ------------------------------


class _Side:
    """A reported target side as the harness reads it (text, figure, node, to_dict)."""

    def __init__(self, text: str, node: str, figure: str = "", low=None, high=None):
        self.text, self.node, self.figure = text, node, figure or text
        self.low, self.high, self.unit = low, high, "万元"

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "figure": self.figure,
            "value": self.low,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "node": self.node,
        }


class _Change:
    def __init__(self, old: _Side | None, new: _Side | None, change: str):
        self.old, self.new, self.change, self.indicator = old, new, change, ""


def _doc(*texts: str) -> Document:
    return Document([Node(f"b{i}", "block", t) for i, t in enumerate(texts, 1)])


def _fine(change: str = "raised") -> dict:
    old = {
        "text": "10万元以上30万元以下",
        "low": 1e5,
        "high": 3e5,
        "unit": "元",
        "article": "擅自采砂的",
    }
    new = {
        "text": "20万元以上200万元以下",
        "low": 2e5,
        "high": 2e6,
        "unit": "元",
        "article": "擅自采砂的",
    }
    return {"kind": "fine", "old": old, "new": new, "change": change}


_OLD = "并处10万元以上30万元以下的罚款"
_NEW = "并处20万元以上200万元以下的罚款"
_OLD_RANGE = _Side(_OLD, "b1", "10万元以上30万元以下", 10, 30)
_NEW_RANGE = _Side(_NEW, "b1", "20万元以上200万元以下", 20, 200)


@pytest.mark.parametrize(
    ("reported", "direction", "values"),
    [
        # The labelled figures, in the labelled articles, in the right direction.
        ([_Change(_OLD_RANGE, _NEW_RANGE, "raised")], 1, 1),
        # The same figures with a wrong value read: the direction only.
        ([_Change(_OLD_RANGE, _Side(_NEW, "b1", "20万元以上200万元以下", 20, 20), "raised")], 1, 0),
        # The same figures, but the wrong direction.
        ([_Change(_OLD_RANGE, _NEW_RANGE, "lowered")], 0, 0),
        # One bound of the range is not the range.
        ([_Change(_Side(_OLD, "b1", "10万元以上", 10), _NEW_RANGE, "raised")], 0, 0),
        # The old figure taken from another article with the same numbers.
        ([_Change(_Side(_OLD, "b2", "10万元以上30万元以下", 10, 30), _NEW_RANGE, "raised")], 0, 0),
        # The phrase holds another number (`上一年度`): the figure read is what counts.
        (
            [
                _Change(
                    _Side("上一年度" + _OLD, "b1", "10万元以上30万元以下", 10, 30),
                    _NEW_RANGE,
                    "raised",
                )
            ],
            1,
            1,
        ),
        # Another figure of the same article.
        ([_Change(_Side(_OLD, "b1", "5万元以上30万元以下", 5, 30), _NEW_RANGE, "raised")], 0, 0),
    ],
)
def test_figure_direction_wants_the_labelled_figures_in_the_labelled_articles(
    reported, direction, values
):
    old = _doc(
        "第一条 擅自采砂的，并处10万元以上30万元以下的罚款",
        "第二条 伪造的，并处10万元以上30万元以下的罚款",
    )
    new = _doc("第一条 擅自采砂的，并处20万元以上200万元以下的罚款")
    c = Comparison(old, new, [], targets=reported)
    result = harness.CaseResult("t")
    harness._figure(_fine(), c, result, set())
    assert result.score("target direction").hit == direction
    assert result.score("figure values").hit == values


def test_a_reported_figure_stands_for_one_label():
    old = _doc("第一条 擅自采砂的，并处10万元以上30万元以下的罚款")
    new = _doc("第一条 擅自采砂的，并处20万元以上200万元以下的罚款")
    c = Comparison(old, new, [], targets=[_Change(_OLD_RANGE, _NEW_RANGE, "raised")])
    result = harness.CaseResult("t")
    claimed: set[int] = set()
    harness._figure(_fine(), c, result, claimed)
    harness._figure(_fine(), c, result, claimed)  # the same figure labelled twice
    assert (result.score("target direction").hit, result.score("target direction").total) == (1, 2)


def test_front_matter_merged_into_or_aligned_with_an_article_is_a_fault():
    fm = {"title": "某条例", "lines": ["2024年1月1日 通过"]}
    old = Document(
        [
            Node("s1", "section", "某条例", depth=1),
            Node("b1", "block", "2024年1月1日 通过", parent="s1"),
            Node("b2", "block", "第一条 为了规范管理，制定本条例。", parent="s1", label="第一条"),
        ]
    )
    new = Document(
        [
            Node("s1", "section", "某条例", depth=1),
            Node("b1", "block", "2024年1月1日 通过 第一条 为了规范管理。", parent="s1"),
        ]
    )
    aligned = [
        Alignment("section", "unchanged", ["s1"], ["s1"], 1.0),
        Alignment("block", "changed", ["b1"], ["b1"], 0.5),
        Alignment("block", "dropped", ["b2"], [], None),
    ]
    result = harness.CaseResult("t")
    harness.front_matter({"old": fm, "new": fm}, Comparison(old, new, aligned), result)
    faults = result.score("front matter in articles").misses
    assert any("holds" in f and f.startswith("new") for f in faults)  # merged into the article
    assert any("mixes front matter" in f for f in faults)  # history aligned with an article
    clean = [Alignment("section", "unchanged", ["s1"], ["s1"], 1.0)]
    result = harness.CaseResult("t")
    harness.front_matter({"old": fm, "new": fm}, Comparison(old, old, clean), result)
    assert result.score("front matter in articles").total == 0


def test_article_pairs_precision_recall_and_links():
    old = _doc("第一条 甲乙丙丁", "第二条 戊己庚辛")
    new = _doc("第一条 子丑寅卯", "第二条 甲乙丙丁改")
    case = {
        "kind": "rewrite",
        "old_articles": [
            {"number": "第一条", "key": "甲乙丙丁"},
            {"number": "第二条", "key": "戊己庚辛"},
        ],
        "new_articles": [
            {"number": "第一条", "key": "子丑寅卯", "from": []},
            {"number": "第二条", "key": "甲乙丙丁改", "from": ["第一条"]},
        ],
    }
    aligned = [
        Alignment("block", "changed", ["b1"], ["b2"], 0.8),  # right
        Alignment("block", "changed", ["b2"], ["b1"], 0.2),  # wrong: old 第二条 was dropped
    ]
    result = harness.CaseResult("t")
    harness.article_pairs(case, Comparison(old, new, aligned), result)
    assert (result.score("rewrite precision").hit, result.score("rewrite precision").total) == (
        1,
        2,
    )
    assert result.score("rewrite recall").ratio == 1.0
    assert result.score("rewrite link precision").ratio == 0.5
    assert result.score("renumbered").ratio == 0.0  # 第一条 → 第二条 not listed
    assert result.score("dropped recall").ratio == 0.0  # old 第二条 reported paired
    assert result.score("new recall").ratio == 0.0
